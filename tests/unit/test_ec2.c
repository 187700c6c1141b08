// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the EC2 Query API client (daemon/aws/ec2.c): the parsers
 * on answers shaped like AWS's API reference examples and on hostile XML,
 * the error classes, the backoff against a naive reference, and the calls
 * themselves with the HTTP transport, the clock, the sleep and the random
 * source replaced through ec2.c's seams: scripted answers, recorded
 * requests, a fake monotonic clock that the fake sleep advances. The real
 * SigV4 signer and credential chain (from the environment) are used, and
 * the real IMDS client against a fake IMDS on 127.0.0.1 for the region.
 */

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../daemon/aws/http.c"
#include "../../daemon/aws/imds.c"
#include "../../daemon/aws/creds.c"
#include "../../daemon/aws/sigv4.c"
#include "../../daemon/aws/ec2.c"
#include "tap.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "IQoJb3JpZ2luX2VjEXAMPLETOKEN/+=="
#define WHEN ((time_t)1440938160)	/* 2015-08-30T12:36:00Z */
#define NS "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""

/* --- the fakes ------------------------------------------------------- */

struct step {
	long status;
	const char *body;
	int err;			/* < 0: transport failure */
};

struct sent {
	char method[8];
	char url[300];
	char body[1024];
	unsigned int timeout_ms;
	uint64_t at_ms;			/* fake clock when sent */
	char ca_file[64];
	unsigned int n_headers;
	char name[8][32];
	char value[8][4200];
};

#define STEPS_MAX 64
static struct step script[STEPS_MAX];
static unsigned int n_script, n_sent, n_ran_out;
static struct sent sent[STEPS_MAX];
static uint64_t fake_now, slept_ms, request_cost_ms;
static unsigned int n_sleeps, sleeps[STEPS_MAX];
static uint32_t fake_rnd;
static bool rnd_fixed;

static int fake_http(const struct vigil_http_req *req,
		     struct vigil_http_resp *resp, char *err, size_t errlen)
{
	const struct step *s;
	struct sent *r;

	memset(resp, 0, sizeof(*resp));
	if (n_sent >= STEPS_MAX || n_sent >= n_script) {
		n_ran_out++;
		snprintf(err, errlen, "script ran out");
		return -ECONNREFUSED;
	}
	r = &sent[n_sent];
	s = &script[n_sent++];
	memset(r, 0, sizeof(*r));
	snprintf(r->method, sizeof(r->method), "%s", req->method);
	snprintf(r->url, sizeof(r->url), "%s", req->url);
	snprintf(r->body, sizeof(r->body), "%.*s", (int)req->body_len,
		 (const char *)req->body);
	snprintf(r->ca_file, sizeof(r->ca_file), "%s",
		 req->ca_file ? req->ca_file : "");
	r->timeout_ms = req->timeout_ms;
	r->at_ms = fake_now;
	for (unsigned int i = 0; i < req->n_headers && i < 8; i++) {
		snprintf(r->name[i], sizeof(r->name[i]), "%s",
			 req->headers[i].name);
		snprintf(r->value[i], sizeof(r->value[i]), "%s",
			 req->headers[i].value);
		r->n_headers++;
	}
	fake_now += request_cost_ms;
	if (s->err) {
		snprintf(err, errlen, "Connection timed out");
		return s->err;
	}
	resp->status = s->status;
	resp->body = strdup(s->body ? s->body : "");
	resp->body_len = strlen(resp->body);
	return 0;
}

static void fake_sleep(unsigned int ms)
{
	if (n_sleeps < STEPS_MAX)
		sleeps[n_sleeps] = ms;
	n_sleeps++;
	slept_ms += ms;
	fake_now += ms;
}

static uint64_t fake_clock(void)
{
	return fake_now;
}

static uint32_t fake_random(void)
{
	if (rnd_fixed)
		return fake_rnd;
	/* xorshift32 */
	fake_rnd ^= fake_rnd << 13;
	fake_rnd ^= fake_rnd >> 17;
	fake_rnd ^= fake_rnd << 5;
	return fake_rnd;
}

static time_t fake_time(time_t *t)
{
	if (t)
		*t = WHEN;
	return WHEN;
}

#define LOG_MAX 64
static char logs[LOG_MAX][512];
static unsigned int n_logs;

static void log_line(void *arg, const char *line)
{
	(void)arg;
	if (n_logs < LOG_MAX)
		snprintf(logs[n_logs], sizeof(logs[n_logs]), "%s", line);
	n_logs++;
}

static void reset(void)
{
	n_script = n_sent = n_ran_out = n_sleeps = n_logs = 0;
	fake_now = 1000000;
	slept_ms = 0;
	request_cost_ms = 20;
	fake_rnd = 0x12345678;
	rnd_fixed = false;
}

static void add(long status, const char *body)
{
	script[n_script++] = (struct step){ status, body, 0 };
}

static void add_err(int err)
{
	script[n_script++] = (struct step){ 0, NULL, err };
}

static const char *hdr(const struct sent *r, const char *name)
{
	for (unsigned int i = 0; i < r->n_headers; i++)
		if (!strcmp(r->name[i], name))
			return r->value[i];
	return NULL;
}

static struct vigil_aws_conf conf;

static void env_creds(bool token)
{
	setenv("AWS_ACCESS_KEY_ID", AKID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	if (token)
		setenv("AWS_SESSION_TOKEN", TOKEN, 1);
	else
		unsetenv("AWS_SESSION_TOKEN");
}

/* A client for region us-east-1 with the environment's credentials. */
static int client(struct vigil_ec2 *e, const char *endpoint, bool token)
{
	char err[256];
	int ret;

	env_creds(token);
	memset(&conf, 0, sizeof(conf));
	conf.region = "us-east-1";
	conf.endpoint = endpoint;
	conf.imds_endpoint = "http://127.0.0.1:1";
	ret = vigil_ec2_init(e, &conf, err, sizeof(err));
	if (ret)
		tap_diag("vigil_ec2_init: %s", err);
	e->log = log_line;
	reset();
	return ret;
}

/* --- answers, shaped like the API reference's examples ---------------- */

static const char describe_instances[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeInstancesResponse " NS ">\n"
	"    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>\n"
	"    <reservationSet>\n"
	"        <item>\n"
	"            <reservationId>r-1234567890abcdef0</reservationId>\n"
	"            <ownerId>123456789012</ownerId>\n"
	"            <groupSet/>\n"
	"            <instancesSet>\n"
	"                <item>\n"
	"                    <instanceId>i-0aaaaaaaaaaaaaaa1</instanceId>\n"
	"                    <imageId>ami-bff32ccc</imageId>\n"
	"                    <instanceState>\n"
	"                        <code>80</code>\n"
	"                        <name>stopped</name>\n"
	"                    </instanceState>\n"
	"                    <networkInterfaceSet>\n"
	"                        <item>\n"
	"                            <networkInterfaceId>eni-0aaa</networkInterfaceId>\n"
	"                            <status>in-use</status>\n"
	"                            <attachment>\n"
	"                                <attachmentId>eni-attach-0aaa</attachmentId>\n"
	"                                <deviceIndex>0</deviceIndex>\n"
	"                                <status>attached</status>\n"
	"                            </attachment>\n"
	"                        </item>\n"
	"                    </networkInterfaceSet>\n"
	"                </item>\n"
	"            </instancesSet>\n"
	"        </item>\n"
	"        <item>\n"
	"            <reservationId>r-0bbbbbbbbbbbbbbbb</reservationId>\n"
	"            <instancesSet>\n"
	"                <item>\n"
	"                    <instanceId>i-0bbbbbbbbbbbbbbb2</instanceId>\n"
	"                    <instanceState><code>16</code><name>running</name></instanceState>\n"
	"                </item>\n"
	"                <item>\n"
	"                    <instanceId>i-1234567890abcdef0</instanceId>\n"
	"                    <imageId>ami-bff32ccc</imageId>\n"
	"                    <instanceState>\n"
	"                        <code>16</code>\n"
	"                        <name>running</name>\n"
	"                    </instanceState>\n"
	"                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>\n"
	"                    <tagSet><item><key>instanceId</key><value>i-decoy</value></item></tagSet>\n"
	"                    <networkInterfaceSet>\n"
	"                        <item>\n"
	"                            <networkInterfaceId>eni-0dc7d5ad8e2a7a5d1</networkInterfaceId>\n"
	"                            <subnetId>subnet-56f5f633</subnetId>\n"
	"                            <ownerId>123456789012</ownerId>\n"
	"                            <status>in-use</status>\n"
	"                            <macAddress>02:dd:83:83:55:7c</macAddress>\n"
	"                            <groupSet><item><groupId>sg-e4076980</groupId></item></groupSet>\n"
	"                            <attachment>\n"
	"                                <attachmentId>eni-attach-0326646f82e6d3f15</attachmentId>\n"
	"                                <deviceIndex>0</deviceIndex>\n"
	"                                <status>attached</status>\n"
	"                                <attachTime>2018-05-08T16:46:19.000Z</attachTime>\n"
	"                                <deleteOnTermination>true</deleteOnTermination>\n"
	"                                <networkCardIndex>0</networkCardIndex>\n"
	"                            </attachment>\n"
	"                            <privateIpAddressesSet><item><privateIpAddress>192.168.1.88</privateIpAddress><primary>true</primary></item></privateIpAddressesSet>\n"
	"                        </item>\n"
	"                        <item>\n"
	"                            <networkInterfaceId>eni-0f00000000000000b</networkInterfaceId>\n"
	"                            <status>in-use</status>\n"
	"                            <attachment>\n"
	"                                <attachmentId>eni-attach-0000000000000000b</attachmentId>\n"
	"                                <deviceIndex>1</deviceIndex>\n"
	"                                <status>detaching</status>\n"
	"                            </attachment>\n"
	"                        </item>\n"
	"                        <item>\n"
	"                            <networkInterfaceId>eni-0f00000000000000c</networkInterfaceId>\n"
	"                            <status>attaching</status>\n"
	"                        </item>\n"
	"                    </networkInterfaceSet>\n"
	"                </item>\n"
	"            </instancesSet>\n"
	"        </item>\n"
	"    </reservationSet>\n"
	"</DescribeInstancesResponse>\n";

/* The same answer with a prefix for the namespace, CDATA and a comment. */
static const char describe_instances_prefixed[] =
	"<ec2:DescribeInstancesResponse xmlns:ec2=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
	"<ec2:requestId>x</ec2:requestId><ec2:reservationSet><ec2:item>"
	"<ec2:instancesSet><ec2:item>"
	"<ec2:instanceId><![CDATA[i-0ccc]]><!-- note --></ec2:instanceId>"
	"<ec2:instanceState><ec2:code> 64 </ec2:code><ec2:name>stopping</ec2:name></ec2:instanceState>"
	"</ec2:item></ec2:instancesSet></ec2:item></ec2:reservationSet>"
	"</ec2:DescribeInstancesResponse>";

static const char describe_enis[] =
	"<DescribeNetworkInterfacesResponse " NS ">\n"
	"  <requestId>fc45294c-006b-457b-bab9-012f5b3b0e40</requestId>\n"
	"  <networkInterfaceSet>\n"
	"    <item>\n"
	"      <networkInterfaceId>eni-0f175f1e</networkInterfaceId>\n"
	"      <subnetId>subnet-c88a35a1</subnetId>\n"
	"      <availabilityZone>ap-southeast-1b</availabilityZone>\n"
	"      <description/>\n"
	"      <ownerId>053230519467</ownerId>\n"
	"      <requesterManaged>false</requesterManaged>\n"
	"      <status>in-use</status>\n"
	"      <macAddress>02:74:b0:72:79:61</macAddress>\n"
	"      <privateIpAddress>10.0.0.146</privateIpAddress>\n"
	"      <sourceDestCheck>true</sourceDestCheck>\n"
	"      <groupSet><item><groupId>sg-3f4b5653</groupId><groupName>default</groupName></item></groupSet>\n"
	"      <attachment>\n"
	"        <attachmentId>eni-attach-6537fc0c</attachmentId>\n"
	"        <instanceId>i-22197876</instanceId>\n"
	"        <instanceOwnerId>053230519467</instanceOwnerId>\n"
	"        <deviceIndex>2</deviceIndex>\n"
	"        <status>attached</status>\n"
	"        <attachTime>2012-07-01T21:45:27.000Z</attachTime>\n"
	"        <deleteOnTermination>true</deleteOnTermination>\n"
	"      </attachment>\n"
	"      <tagSet/>\n"
	"    </item>\n"
	"    <item>\n"
	"      <networkInterfaceId>eni-a66ed5cf</networkInterfaceId>\n"
	"      <subnetId>subnet-cd8a35a4</subnetId>\n"
	"      <description>Primary network interface</description>\n"
	"      <status>available</status>\n"
	"      <tagSet/>\n"
	"    </item>\n"
	"  </networkInterfaceSet>\n"
	"</DescribeNetworkInterfacesResponse>\n";

static const char attach_ok[] =
	"<AttachNetworkInterfaceResponse " NS ">\n"
	"  <requestId>ace8cd1e-e685-4e44-90fb-92014d907212</requestId>\n"
	"  <attachmentId>eni-attach-d94b09b0</attachmentId>\n"
	"  <networkCardIndex>0</networkCardIndex>\n"
	"</AttachNetworkInterfaceResponse>\n";

static const char stop_ok[] =
	"<StopInstancesResponse " NS ">\n"
	"  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
	"  <instancesSet><item><instanceId>i-1234567890abcdef0</instanceId>\n"
	"    <currentState><code>64</code><name>stopping</name></currentState>\n"
	"    <previousState><code>16</code><name>running</name></previousState>\n"
	"  </item></instancesSet>\n"
	"</StopInstancesResponse>\n";

static const char start_ok[] =
	"<StartInstancesResponse " NS "><requestId>r1</requestId>"
	"<instancesSet><item><instanceId>i-1234567890abcdef0</instanceId>"
	"<currentState><code>0</code><name>pending</name></currentState>"
	"<previousState><code>80</code><name>stopped</name></previousState>"
	"</item></instancesSet></StartInstancesResponse>";

static const char reboot_ok[] =
	"<RebootInstancesResponse " NS "><requestId>r2</requestId>"
	"<return>true</return></RebootInstancesResponse>";

static const char detach_ok[] =
	"<DetachNetworkInterfaceResponse " NS "><requestId>r3</requestId>"
	"<return>true</return></DetachNetworkInterfaceResponse>";

#define ERR_BODY(code) \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>" \
	"<Code>" code "</Code><Message>Message for " code "</Message>" \
	"</Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>"

/* --- parsers ---------------------------------------------------------- */

static int parse_inst(const char *xml, const char *id,
		      struct vigil_ec2_instance *o)
{
	return vigil_ec2_parse_instance(xml, strlen(xml), id, o);
}

static void test_parse_instance(void)
{
	struct vigil_ec2_instance o;
	int ret;

	ret = parse_inst(describe_instances, "i-1234567890abcdef0", &o);
	tap_is_int(ret, 0, "DescribeInstances: the instance in the second reservation");
	tap_is_str(o.instance_id, "i-1234567890abcdef0", "  its id");
	tap_is_str(o.state, "running", "  state name");
	tap_is_int(o.state_code, 16, "  state code");
	tap_is_int(o.n_enis, 3, "  three interfaces");
	tap_is_str(o.enis[0].eni_id, "eni-0dc7d5ad8e2a7a5d1", "  eni 0 id");
	tap_is_str(o.enis[0].attachment_id, "eni-attach-0326646f82e6d3f15",
		   "  eni 0 attachment (not the tag or group items)");
	tap_is_int(o.enis[0].device_index, 0, "  eni 0 device index");
	tap_is_str(o.enis[0].status, "attached", "  eni 0 attachment status, not the interface's");
	tap_is_int(o.enis[1].device_index, 1, "  eni 1 device index");
	tap_is_str(o.enis[1].status, "detaching", "  eni 1 status");
	tap_is_str(o.enis[2].eni_id, "eni-0f00000000000000c", "  eni 2 id");
	tap_ok(!o.enis[2].attachment_id[0] && o.enis[2].device_index == -1 &&
	       !o.enis[2].status[0], "  eni 2 without an attachment");

	ret = parse_inst(describe_instances, "i-0aaaaaaaaaaaaaaa1", &o);
	tap_ok(!ret && !strcmp(o.state, "stopped") && o.state_code == 80 &&
	       o.n_enis == 1 && !strcmp(o.enis[0].attachment_id, "eni-attach-0aaa"),
	       "DescribeInstances: the first reservation's instance");
	ret = parse_inst(describe_instances, NULL, &o);
	tap_ok(!ret && !strcmp(o.instance_id, "i-0aaaaaaaaaaaaaaa1"),
	       "DescribeInstances: NULL id takes the first instance");
	ret = parse_inst(describe_instances, "i-decoy", &o);
	tap_is_int(ret, -ENOENT, "DescribeInstances: an id only in a tag is not an instance");
	tap_ok(!o.instance_id[0] && !o.n_enis, "  and out is cleared");
	ret = parse_inst(describe_instances_prefixed, "i-0ccc", &o);
	tap_ok(!ret && o.state_code == 64 && !strcmp(o.state, "stopping") &&
	       !o.n_enis, "DescribeInstances: ec2: prefix, CDATA, a comment, blanks around a number");
	ret = parse_inst("<DescribeInstancesResponse><requestId>x</requestId>"
			 "<reservationSet/></DescribeInstancesResponse>",
			 "i-1", &o);
	tap_is_int(ret, -ENOENT, "DescribeInstances: empty reservationSet");
}

static void test_parse_eni(void)
{
	struct vigil_ec2_eni o;
	int ret;

	ret = vigil_ec2_parse_eni(describe_enis, strlen(describe_enis),
				  "eni-0f175f1e", &o);
	tap_is_int(ret, 0, "DescribeNetworkInterfaces: attached interface");
	tap_is_str(o.status, "in-use", "  status");
	tap_ok(o.attached, "  attached");
	tap_is_str(o.instance_id, "i-22197876", "  instance");
	tap_is_str(o.att.attachment_id, "eni-attach-6537fc0c", "  attachment id");
	tap_is_str(o.att.eni_id, "eni-0f175f1e", "  attachment's interface id");
	tap_is_int(o.att.device_index, 2, "  device index");
	tap_is_str(o.att.status, "attached", "  attachment status");

	ret = vigil_ec2_parse_eni(describe_enis, strlen(describe_enis),
				  "eni-a66ed5cf", &o);
	tap_ok(!ret && !o.attached && !strcmp(o.status, "available") &&
	       !o.instance_id[0] && !o.att.attachment_id[0] &&
	       o.att.device_index == -1,
	       "DescribeNetworkInterfaces: available interface, no attachment");
	ret = vigil_ec2_parse_eni(describe_enis, strlen(describe_enis),
				  "eni-nope", &o);
	tap_is_int(ret, -ENOENT, "DescribeNetworkInterfaces: id not in the answer");
}

static void test_parse_attach_error(void)
{
	char att[VIGIL_EC2_ID_MAX];
	struct vigil_ec2_error er;
	int ret;

	ret = vigil_ec2_parse_attach(attach_ok, strlen(attach_ok), att);
	tap_ok(!ret && !strcmp(att, "eni-attach-d94b09b0"),
	       "AttachNetworkInterface: attachment id");
	ret = vigil_ec2_parse_attach(stop_ok, strlen(stop_ok), att);
	tap_ok(ret == -EINVAL && !att[0], "AttachNetworkInterface: wrong root");

	static const struct {
		const char *code;
		long status;
		enum vigil_ec2_class cls;
	} errs[] = {
		{ "RequestLimitExceeded", 503, VIGIL_EC2_RETRY },
		{ "AuthFailure", 401, VIGIL_EC2_AUTH },
		{ "UnauthorizedOperation", 403, VIGIL_EC2_DENIED },
		{ "InvalidInstanceID.NotFound", 400, VIGIL_EC2_NOT_FOUND },
		{ "IncorrectInstanceState", 400, VIGIL_EC2_STATE },
		{ "InvalidParameterValue", 400, VIGIL_EC2_OTHER },
	};
	for (unsigned int i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		char body[512];

		snprintf(body, sizeof(body),
			 "<Response><Errors><Error><Code>%s</Code><Message>Message for %s</Message>"
			 "</Error></Errors><RequestID>ea966190-f9aa</RequestID></Response>",
			 errs[i].code, errs[i].code);
		ret = vigil_ec2_parse_error(body, strlen(body), errs[i].status, &er);
		tap_ok(!ret && !strcmp(er.code, errs[i].code) &&
		       er.cls == errs[i].cls && er.http_status == errs[i].status &&
		       !strcmp(er.request_id, "ea966190-f9aa") &&
		       !strncmp(er.message, "Message for ", 12),
		       "error body %s: code, class %d, request id, message",
		       errs[i].code, errs[i].cls);
	}

	/* An encoded authorization failure message is long: truncated, on a
	 * UTF-8 boundary, new lines made spaces. */
	char body[2048], msg[1200];
	memset(msg, 'x', sizeof(msg));
	memcpy(msg, "line one\nline two ", 18);
	memcpy(msg + 254, "\xc3\xa9\xc3\xa9", 4);
	msg[sizeof(msg) - 1] = '\0';
	snprintf(body, sizeof(body),
		 "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
		 "<Message>%s</Message></Error></Errors><RequestID>r</RequestID></Response>",
		 msg);
	ret = vigil_ec2_parse_error(body, strlen(body), 403, &er);
	tap_ok(!ret && strlen(er.message) == 254 && !strchr(er.message, '\n') &&
	       !strncmp(er.message, "line one line two", 17),
	       "error body: long message truncated on a character boundary, one line");

	ret = vigil_ec2_parse_error("<Response><Errors><Error><Message>m</Message>"
				    "</Error></Errors></Response>", 70, 400, &er);
	tap_ok(ret == -EINVAL && !er.code[0] && er.http_status == 400,
	       "error body without Code: -EINVAL");
	ret = vigil_ec2_parse_error("<Response><Errors/><RequestID>r</RequestID></Response>",
				    53, 400, &er);
	tap_is_int(ret, -EINVAL, "error body without Error: -EINVAL");
	ret = vigil_ec2_parse_error("<html><body>503 Service Unavailable</body></html>",
				    48, 503, &er);
	tap_is_int(ret, -EINVAL, "error body: HTML from a proxy is -EINVAL");
}

/* Documents every parser must refuse with -EINVAL. */
static void test_hostile(void)
{
	static const char *const bad[] = {
		/* entities: never expanded, documents with a DTD refused */
		"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
		"<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
		"<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
		"<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
		"<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
		"<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
		"<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>&lol9;</instanceId><instanceState><code>16</code><name>running</name>"
		"</instanceState></item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>&x;</instanceId><instanceState><code>16</code><name>running</name>"
		"</instanceState></item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x.dtd\"><DescribeInstancesResponse/>",
		/* truncated */
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>16</code><name>runn",
		"",
		"not xml at all",
		/* wrong root */
		"<DescribeVolumesResponse><reservationSet/><networkInterfaceSet/>"
		"<attachmentId>x</attachmentId></DescribeVolumesResponse>",
		"<Response><Errors><Error><Code>AuthFailure</Code></Error></Errors></Response>",
		/* required elements missing */
		"<DescribeInstancesResponse><requestId>x</requestId></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><reservationId>r</reservationId>"
		"</item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceState><code>16</code><name>running</name></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId></item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>16</code></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>   </instanceId><instanceState><code>16</code><name>running</name></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		/* bad values */
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>16x</code><name>running</name></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>99999999999999999999</code><name>running</name></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId><b>i-1</b></instanceId><instanceState><code>16</code><name>running</name></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1&#10;x</instanceId><instanceState><code>16</code><name>running</name></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		/* too long: a state name of 16 bytes */
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>16</code><name>shutting-down-xy</name></instanceState>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		/* an interface without its id, an attachment without its id */
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState>"
		"<networkInterfaceSet><item><status>in-use</status></item></networkInterfaceSet>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState>"
		"<networkInterfaceSet><item><networkInterfaceId>eni-1</networkInterfaceId>"
		"<attachment><status>attached</status></attachment></item></networkInterfaceSet>"
		"</item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
		/* a DTD, even one that nothing uses, in an otherwise good answer */
		"<!DOCTYPE AttachNetworkInterfaceResponse [<!ENTITY e \"x\">]>"
		"<AttachNetworkInterfaceResponse><attachmentId>eni-attach-1</attachmentId>"
		"</AttachNetworkInterfaceResponse>",
	};
	struct vigil_ec2_instance inst;
	struct vigil_ec2_error er;
	struct vigil_ec2_eni eni;
	char att[VIGIL_EC2_ID_MAX];

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);
		int r1 = vigil_ec2_parse_instance(bad[i], len, NULL, &inst);
		int r2 = vigil_ec2_parse_eni(bad[i], len, NULL, &eni);
		int r3 = vigil_ec2_parse_attach(bad[i], len, att);
		int r4 = vigil_ec2_parse_error(bad[i], len, 400, &er);

		/* bad[7] is a well-formed error document */
		tap_ok(r1 == -EINVAL && r2 == -EINVAL && r3 == -EINVAL &&
		       (r4 == -EINVAL || i == 7) && !inst.instance_id[0] &&
		       !eni.eni_id[0] && !att[0],
		       "hostile document %u refused by every parser (%d %d %d %d)",
		       i, r1, r2, r3, r4);
	}

	/* Ids at and past the buffers' size. */
	char id63[64], id64[65], doc[1024];
	memset(id63, 'a', 63);
	id63[63] = '\0';
	memset(id64, 'b', 64);
	id64[64] = '\0';
	const char *fmt = "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item>"
			  "<networkInterfaceId>%s</networkInterfaceId><status>in-use</status>"
			  "<attachment><attachmentId>%s</attachmentId><status>attached</status></attachment>"
			  "</item></networkInterfaceSet></DescribeNetworkInterfacesResponse>";
	snprintf(doc, sizeof(doc), fmt, id63, id63);
	tap_ok(!vigil_ec2_parse_eni(doc, strlen(doc), id63, &eni) &&
	       !strcmp(eni.att.attachment_id, id63), "63-byte ids fit");
	snprintf(doc, sizeof(doc), fmt, id64, "eni-attach-1");
	tap_is_int(vigil_ec2_parse_eni(doc, strlen(doc), NULL, &eni), -EINVAL,
		   "a 64-byte interface id is -EINVAL, not truncated");
	snprintf(doc, sizeof(doc), fmt, "eni-1", id64);
	tap_is_int(vigil_ec2_parse_eni(doc, strlen(doc), "eni-1", &eni), -EINVAL,
		   "a 64-byte attachment id is -EINVAL");
	snprintf(doc, sizeof(doc), "<AttachNetworkInterfaceResponse><attachmentId>%s"
		 "</attachmentId></AttachNetworkInterfaceResponse>", id64);
	tap_is_int(vigil_ec2_parse_attach(doc, strlen(doc), att), -EINVAL,
		   "a 64-byte new attachment id is -EINVAL");
	snprintf(doc, sizeof(doc), "<Response><Errors><Error><Code>%s%s</Code>"
		 "</Error></Errors></Response>", id63, id63);
	tap_is_int(vigil_ec2_parse_error(doc, strlen(doc), 400, &er), -EINVAL,
		   "an error code longer than 63 bytes is -EINVAL");

	/* More interfaces than VIGIL_EC2_ENIS_MAX. */
	char big[8192];
	size_t n = (size_t)snprintf(big, sizeof(big),
		"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
		"<instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name>"
		"</instanceState><networkInterfaceSet>");
	for (unsigned int i = 0; i <= VIGIL_EC2_ENIS_MAX; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
			"<item><networkInterfaceId>eni-%u</networkInterfaceId></item>", i);
	snprintf(big + n, sizeof(big) - n, "</networkInterfaceSet></item></instancesSet>"
		 "</item></reservationSet></DescribeInstancesResponse>");
	tap_is_int(vigil_ec2_parse_instance(big, strlen(big), "i-1", &inst), -ENOSPC,
		   "17 interfaces: -ENOSPC");
}

/* --- classification and backoff --------------------------------------- */

static void test_classify(void)
{
	static const struct {
		long status;
		const char *code;
		enum vigil_ec2_class cls;
	} t[] = {
		{ 503, "RequestLimitExceeded", VIGIL_EC2_RETRY },
		{ 400, "RequestLimitExceeded", VIGIL_EC2_RETRY },
		{ 400, "Throttling", VIGIL_EC2_RETRY },
		{ 400, "ThrottlingException", VIGIL_EC2_RETRY },
		{ 400, "RequestThrottled", VIGIL_EC2_RETRY },
		{ 400, "TooManyRequestsException", VIGIL_EC2_RETRY },
		{ 503, "EC2ThrottledException", VIGIL_EC2_RETRY },
		{ 400, "PriorRequestNotComplete", VIGIL_EC2_RETRY },
		{ 500, "InternalError", VIGIL_EC2_RETRY },
		{ 500, "InternalFailure", VIGIL_EC2_RETRY },
		{ 503, "ServiceUnavailable", VIGIL_EC2_RETRY },
		{ 503, "Unavailable", VIGIL_EC2_RETRY },
		{ 502, NULL, VIGIL_EC2_RETRY },
		{ 504, "", VIGIL_EC2_RETRY },
		{ 599, "SomethingNew", VIGIL_EC2_RETRY },
		{ 429, NULL, VIGIL_EC2_RETRY },
		{ 0, "Transport", VIGIL_EC2_RETRY },
		{ 401, "AuthFailure", VIGIL_EC2_AUTH },
		{ 403, "SignatureDoesNotMatch", VIGIL_EC2_AUTH },
		{ 403, "InvalidClientTokenId", VIGIL_EC2_AUTH },
		{ 400, "IncompleteSignature", VIGIL_EC2_AUTH },
		{ 400, "MissingAuthenticationToken", VIGIL_EC2_AUTH },
		{ 400, "RequestExpired", VIGIL_EC2_AUTH },
		{ 400, "ExpiredToken", VIGIL_EC2_AUTH },
		{ 401, "OptInRequired", VIGIL_EC2_AUTH },
		{ 500, "AuthFailure", VIGIL_EC2_AUTH },
		{ 403, "UnauthorizedOperation", VIGIL_EC2_DENIED },
		{ 403, "Client.UnauthorizedOperation", VIGIL_EC2_DENIED },
		{ 400, "Blocked", VIGIL_EC2_DENIED },
		{ 400, "OperationNotPermitted", VIGIL_EC2_DENIED },
		{ 400, "InvalidInstanceID.NotFound", VIGIL_EC2_NOT_FOUND },
		{ 400, "InvalidInstanceID.Malformed", VIGIL_EC2_NOT_FOUND },
		{ 400, "InvalidNetworkInterfaceID.NotFound", VIGIL_EC2_NOT_FOUND },
		{ 400, "InvalidNetworkInterfaceID.Malformed", VIGIL_EC2_NOT_FOUND },
		{ 400, "InvalidAttachmentID.NotFound", VIGIL_EC2_NOT_FOUND },
		{ 400, "InvalidNetworkInterfaceAttachmentId.Malformed", VIGIL_EC2_NOT_FOUND },
		{ 400, "IncorrectInstanceState", VIGIL_EC2_STATE },
		{ 400, "IncorrectState", VIGIL_EC2_STATE },
		{ 400, "InvalidInstanceState", VIGIL_EC2_OTHER },
		{ 400, "InvalidParameterValue", VIGIL_EC2_OTHER },
		{ 400, "invalidinstanceid.notfound", VIGIL_EC2_OTHER },
		{ 404, NULL, VIGIL_EC2_OTHER },
		{ 302, NULL, VIGIL_EC2_OTHER },
		{ 200, NULL, VIGIL_EC2_OK },
		{ 200, "", VIGIL_EC2_OK },
	};
	unsigned int bad = 0;

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum vigil_ec2_class c = vigil_ec2_classify(t[i].status, t[i].code);

		if (c != t[i].cls) {
			tap_diag("classify(%ld, %s) = %d, want %d", t[i].status,
				 t[i].code ? t[i].code : "NULL", c, t[i].cls);
			bad++;
		}
	}
	tap_is_int(bad, 0, "classify: %zu codes and statuses", sizeof(t) / sizeof(t[0]));
	tap_ok(class_errno(VIGIL_EC2_RETRY) == -EAGAIN &&
	       class_errno(VIGIL_EC2_AUTH) == -EACCES &&
	       class_errno(VIGIL_EC2_DENIED) == -EACCES &&
	       class_errno(VIGIL_EC2_NOT_FOUND) == -ENOENT &&
	       class_errno(VIGIL_EC2_STATE) == -EBUSY &&
	       class_errno(VIGIL_EC2_OTHER) == -EIO, "classes map to errnos as ec2.h says");
}

/* The formula, the slow way. */
static unsigned int backoff_ref(unsigned int attempt, unsigned int base,
				unsigned int cap, uint32_t rnd)
{
	unsigned __int128 ceiling = base;

	for (unsigned int i = 1; i < attempt && i < 70; i++)
		ceiling *= 2;
	if (ceiling > cap)
		ceiling = cap;
	return (unsigned int)((unsigned __int128)rnd * (ceiling + 1) / 4294967296u);
}

static void test_backoff(void)
{
	unsigned int over_cap = 0, over_ceiling = 0, differ = 0, max_seen = 0;
	uint32_t rnd = 0x9e3779b9;

	for (unsigned int attempt = 0; attempt < 80; attempt++) {
		for (unsigned int k = 0; k < 500; k++) {
			unsigned int base = k % 3 ? 100 : 1 + k * 7;
			unsigned int cap = k % 5 ? 5000 : 250;
			unsigned int got, ceiling;

			rnd ^= rnd << 13;
			rnd ^= rnd >> 17;
			rnd ^= rnd << 5;
			got = vigil_ec2_backoff_ms(attempt, base, cap, rnd);
			ceiling = backoff_ref(attempt, base, cap, UINT32_MAX);
			if (got > cap)
				over_cap++;
			if (got > ceiling ||
			    (attempt >= 1 && attempt <= 20 &&
			     (uint64_t)got > (uint64_t)base << (attempt - 1)))
				over_ceiling++;
			if (got != backoff_ref(attempt, base, cap, rnd))
				differ++;
			if (base == 100 && cap == 5000 && got > max_seen)
				max_seen = got;
		}
	}
	tap_is_int(over_cap, 0, "backoff: never above cap");
	tap_is_int(over_ceiling, 0, "backoff: within [0, base * 2^(n-1)]");
	tap_is_int(differ, 0, "backoff: equals the naive reference on 40000 draws");
	tap_ok(max_seen > 4500, "backoff: reaches near the cap (%u)", max_seen);
	tap_ok(vigil_ec2_backoff_ms(3, 100, 5000, 0) == 0 &&
	       vigil_ec2_backoff_ms(3, 100, 5000, UINT32_MAX) == 400 &&
	       vigil_ec2_backoff_ms(3, 100, 5000, 1u << 31) == 200,
	       "backoff: rnd spans [0, ceiling]: 0, 400, 200 at attempt 3");
	tap_ok(vigil_ec2_backoff_ms(UINT_MAX, 100, 5000, UINT32_MAX) == 5000 &&
	       vigil_ec2_backoff_ms(UINT_MAX, 0, 5000, UINT32_MAX) == 0 &&
	       vigil_ec2_backoff_ms(1, 9000, 5000, UINT32_MAX) == 5000,
	       "backoff: huge attempt, zero base, base above cap");
}

/* --- form encoding ---------------------------------------------------- */

/* RFC 3986 section 2.3's unreserved set, the slow way. */
static void form_ref(const unsigned char *in, char *out)
{
	static const char unreserved[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

	for (; *in; in++) {
		if (strchr(unreserved, *in))
			*out++ = (char)*in;
		else
			out += sprintf(out, "%%%02X", *in);
	}
	*out = '\0';
}

static void test_form(void)
{
	unsigned int differ = 0, overflow_ok = 0, nonempty = 0;
	uint32_t rnd = 0x2545f491;

	for (unsigned int k = 0; k < 20000; k++) {
		unsigned char in[48];
		char got[160], want[160];
		struct form f = { .buf = got, .size = sizeof(got) };
		unsigned int len;

		rnd ^= rnd << 13;
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		len = rnd % 48;
		for (unsigned int i = 0; i < len; i++) {
			rnd ^= rnd << 13;
			rnd ^= rnd >> 17;
			rnd ^= rnd << 5;
			in[i] = (unsigned char)(rnd % 255 + 1);
		}
		in[len] = '\0';
		got[0] = '\0';
		form_enc(&f, (const char *)in);
		form_ref(in, want);
		if (f.overflow || strcmp(got, want))
			differ++;
		/* The same into a buffer one byte short of it. */
		if (strlen(want)) {
			char small[160];
			struct form g = { .buf = small, .size = strlen(want) };

			nonempty++;
			small[0] = '\0';
			form_enc(&g, (const char *)in);
			if (g.overflow && strlen(small) < strlen(want))
				overflow_ok++;
		}
	}
	tap_is_int(differ, 0, "form encoding: equals a naive RFC 3986 encoder on 20000 random strings");
	tap_is_int(overflow_ok, nonempty,
		   "form encoding: a buffer one byte short is an overflow, never overrun");
}

/* --- requests --------------------------------------------------------- */

/*
 * The Authorization of the StopInstances request (Force=true) at WHEN,
 * computed by botocore 1.43's SigV4Auth (service ec2, us-east-1) with the
 * same content-type: to https://ec2.us-east-1.amazonaws.com/ without a
 * token, and to http://127.0.0.1:8443/ with TOKEN.
 */
#define BOTOCORE_STOP \
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, " \
	"SignedHeaders=content-type;host;x-amz-date, " \
	"Signature=556868bff6bc3f81782ec5f48d8d85d84ffd4147e1b77de43d9175cf45fe2ae2"
#define BOTOCORE_STOP_TOKEN \
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, " \
	"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, " \
	"Signature=57d776e85d2c0796e2d1a937da7da63789d9efc849b2e4c17af73e1135a8588c"

static bool no_secret_in_logs(void)
{
	for (unsigned int i = 0; i < n_logs && i < LOG_MAX; i++)
		if (strstr(logs[i], SECRET) || strstr(logs[i], TOKEN) ||
		    strstr(logs[i], "Signature") || strstr(logs[i], "AWS4-HMAC"))
			return false;
	return true;
}

/* Sign the recorded request again, from what was sent. */
static bool signature_matches(const struct sent *r, const struct vigil_ec2 *e)
{
	struct vigil_sigv4_header h[8];
	char want[1024];
	unsigned int n = 0;
	const char *auth = hdr(r, "authorization");

	for (unsigned int i = 0; i < r->n_headers; i++)
		if (strcmp(r->name[i], "authorization"))
			h[n++] = (struct vigil_sigv4_header){ r->name[i], r->value[i] };
	if (!auth || vigil_sigv4_authorization(
		    &(struct vigil_sigv4_req){ .method = r->method, .path = "/",
					       .headers = h, .n_headers = n,
					       .body = r->body,
					       .body_len = strlen(r->body) },
		    &(struct vigil_sigv4_scope){ .region = e->region,
						 .service = "ec2", .when = WHEN },
		    &e->creds, want, sizeof(want)) < 0)
		return false;
	return !strcmp(auth, want);
}

static void test_requests(void)
{
	struct vigil_ec2_instance inst;
	struct vigil_ec2_error er;
	struct vigil_ec2_eni eni;
	char att[VIGIL_EC2_ID_MAX];
	struct vigil_ec2 e;
	const struct sent *r = &sent[0];
	int ret;

	tap_is_int(client(&e, NULL, false), 0, "init: region from conf, credentials from the environment");
	tap_is_str(e.endpoint, "https://ec2.us-east-1.amazonaws.com", "init: default endpoint");
	add(200, stop_ok);
	ret = vigil_ec2_stop_instance(&e, "i-1234567890abcdef0", true, &er);
	tap_ok(!ret && n_sent == 1 && !er.code[0] && er.http_status == 200,
	       "StopInstances: 0 after one request");
	tap_is_str(r->body, "Action=StopInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0&Force=true",
		   "StopInstances: body");
	tap_is_str(r->method, "POST", "  POST");
	tap_is_str(r->url, "https://ec2.us-east-1.amazonaws.com/", "  to the endpoint's /");
	tap_is_str(hdr(r, "content-type"), "application/x-www-form-urlencoded; charset=utf-8",
		   "  content-type");
	tap_is_str(hdr(r, "host"), "ec2.us-east-1.amazonaws.com", "  host");
	tap_is_str(hdr(r, "x-amz-date"), "20150830T123600Z", "  x-amz-date");
	tap_ok(!hdr(r, "x-amz-security-token"), "  no token header without a token");
	tap_ok(hdr(r, "authorization") &&
	       !strncmp(hdr(r, "authorization"),
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
			"SignedHeaders=content-type;host;x-amz-date, Signature=", 124),
	       "  authorization: scope and signed headers");
	tap_ok(signature_matches(r, &e), "  the signature covers what was sent");
	tap_is_str(hdr(r, "authorization"), BOTOCORE_STOP,
		   "  authorization: what botocore's SigV4Auth computes");
	tap_is_int(r->timeout_ms, 5000, "  timeout: 5 s by default");
	tap_ok(n_logs == 1 && strstr(logs[0], "StopInstances i-1234567890abcdef0 -> 200") &&
	       strstr(logs[0], "59dbff89-35bd-4eac-99ed-be587EXAMPLE"),
	       "  one log line with action, id, status, request id (%s)", logs[0]);
	tap_ok(!strcmp(er.request_id, "59dbff89-35bd-4eac-99ed-be587EXAMPLE"),
	       "  er has the request id");

	reset();
	add(200, stop_ok);
	vigil_ec2_stop_instance(&e, "i-1234567890abcdef0", false, NULL);
	tap_is_str(r->body, "Action=StopInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0",
		   "StopInstances without force: no Force");

	reset();
	add(200, stop_ok);
	vigil_ec2_stop_instance(&e, "a b&c=d/\xc3\xa9~_.-*+%", true, NULL);
	tap_is_str(r->body, "Action=StopInstances&Version=2016-11-15"
		   "&InstanceId.1=a%20b%26c%3Dd%2F%C3%A9~_.-%2A%2B%25&Force=true",
		   "form encoding: unreserved kept, the rest %%XX uppercase");

	reset();
	add(200, start_ok);
	ret = vigil_ec2_start_instance(&e, "i-1234567890abcdef0", &er);
	tap_ok(!ret && !strcmp(r->body, "Action=StartInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0"),
	       "StartInstances: body, 0");

	reset();
	add(200, reboot_ok);
	ret = vigil_ec2_reboot_instance(&e, "i-1234567890abcdef0", &er);
	tap_ok(!ret && !strcmp(r->body, "Action=RebootInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0"),
	       "RebootInstances: body, 0");

	reset();
	add(200, "<RebootInstancesResponse><return>false</return></RebootInstancesResponse>");
	ret = vigil_ec2_reboot_instance(&e, "i-1", &er);
	tap_ok(ret == -EIO && n_sent == 1, "RebootInstances: return false is -EIO");

	reset();
	add(200, detach_ok);
	ret = vigil_ec2_detach_eni(&e, "eni-attach-0326646f82e6d3f15", true, &er);
	tap_ok(!ret && !strcmp(r->body, "Action=DetachNetworkInterface&Version=2016-11-15"
			       "&AttachmentId=eni-attach-0326646f82e6d3f15&Force=true"),
	       "DetachNetworkInterface: body with Force=true, 0");

	reset();
	add(200, attach_ok);
	ret = vigil_ec2_attach_eni(&e, "eni-0f175f1e", "i-22197876", 1, att, &er);
	tap_ok(!ret && !strcmp(att, "eni-attach-d94b09b0") &&
	       !strcmp(r->body, "Action=AttachNetworkInterface&Version=2016-11-15"
		       "&NetworkInterfaceId=eni-0f175f1e&InstanceId=i-22197876&DeviceIndex=1"),
	       "AttachNetworkInterface: body with DeviceIndex, the new attachment id");

	reset();
	add(200, "<AttachNetworkInterfaceResponse><requestId>x</requestId></AttachNetworkInterfaceResponse>");
	ret = vigil_ec2_attach_eni(&e, "eni-0f175f1e", "i-22197876", 1, att, &er);
	tap_ok(ret == -EIO && !att[0] && er.cls == VIGIL_EC2_OTHER,
	       "AttachNetworkInterface: answer without attachmentId is -EIO");

	reset();
	add(200, describe_instances);
	ret = vigil_ec2_describe_instance(&e, "i-1234567890abcdef0", &inst, &er);
	tap_ok(!ret && inst.n_enis == 3 && inst.state_code == 16 &&
	       !strcmp(r->body, "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0"),
	       "DescribeInstances: body, parsed answer");

	reset();
	add(200, describe_instances);
	ret = vigil_ec2_describe_instance(&e, "i-notthere", &inst, &er);
	tap_ok(ret == -ENOENT && er.cls == VIGIL_EC2_NOT_FOUND,
	       "DescribeInstances: an answer without the instance is -ENOENT");

	reset();
	add(200, "<DescribeInstancesResponse><reservationSet><item/></reservationSet></DescribeInstancesResponse>");
	ret = vigil_ec2_describe_instance(&e, "i-1", &inst, &er);
	tap_ok(ret == -EIO && n_sent == 1, "DescribeInstances: malformed answer is -EIO, not retried");

	reset();
	add(200, describe_enis);
	ret = vigil_ec2_describe_eni(&e, "eni-0f175f1e", &eni, &er);
	tap_ok(!ret && eni.attached && !strcmp(eni.instance_id, "i-22197876") &&
	       !strcmp(r->body, "Action=DescribeNetworkInterfaces&Version=2016-11-15&NetworkInterfaceId.1=eni-0f175f1e"),
	       "DescribeNetworkInterfaces: body, parsed answer");

	reset();
	add(200, "<html>captive portal</html>");
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -EIO && n_sent == 1, "a 200 that is not the action's answer is -EIO");

	/* Bad arguments: nothing sent. */
	reset();
	tap_ok(vigil_ec2_stop_instance(&e, "", true, &er) == -EINVAL &&
	       vigil_ec2_stop_instance(&e, NULL, true, &er) == -EINVAL &&
	       vigil_ec2_detach_eni(&e, "eni-attach-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				    true, &er) == -EINVAL &&
	       strstr(er.message, "attachment id") &&
	       vigil_ec2_attach_eni(&e, "eni-1", "i-1", -1, att, &er) == -EINVAL &&
	       vigil_ec2_start_instance(&e, "i-1\n", &er) == -EINVAL &&
	       n_sent == 0, "bad arguments: -EINVAL, nothing sent");
	vigil_ec2_free(&e);

	/* A token, and an endpoint with a port. */
	tap_is_int(client(&e, "http://127.0.0.1:8443/", true), 0, "init: endpoint with a port");
	conf.ca_file = "/etc/vigil/ca.pem";
	conf.call_timeout_ms = 1500;
	add(200, stop_ok);
	ret = vigil_ec2_stop_instance(&e, "i-1234567890abcdef0", true, &er);
	tap_ok(!ret, "StopInstances with a session token: 0");
	tap_is_str(r->url, "http://127.0.0.1:8443/", "  url");
	tap_is_str(hdr(r, "host"), "127.0.0.1:8443", "  host with the port");
	tap_is_str(hdr(r, "x-amz-security-token"), TOKEN, "  token header");
	tap_ok(strstr(hdr(r, "authorization"),
		      "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, ") != NULL,
	       "  the token is signed");
	tap_ok(signature_matches(r, &e), "  the signature covers what was sent");
	tap_is_str(hdr(r, "authorization"), BOTOCORE_STOP_TOKEN,
		   "  authorization: what botocore's SigV4Auth computes");
	tap_is_str(r->ca_file, "/etc/vigil/ca.pem", "  ca_file passed on");
	tap_is_int(r->timeout_ms, 1500, "  call_timeout_ms");
	tap_ok(no_secret_in_logs(), "  no secret, token or signature in the log");
	vigil_ec2_free(&e);
	tap_ok(!e.creds.secret_key[0] && !e.creds.token[0], "free: credentials zeroed");

	tap_is_int(client(&e, "https://ec2.example.com:443/", false), 0, "init: default port");
	add(200, stop_ok);
	vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(!strcmp(r->url, "https://ec2.example.com:443/") &&
	       !strcmp(hdr(r, "host"), "ec2.example.com"), "  host without :443");
	vigil_ec2_free(&e);
}

static void test_retries(void)
{
	struct vigil_ec2_error er;
	struct vigil_ec2 e;
	uint64_t deadline;
	bool sleeps_ok, timeouts_ok;
	int ret;

	client(&e, NULL, false);
	e.deadline_ms = fake_now + 30000;
	add(503, ERR_BODY("RequestLimitExceeded"));
	add(400, ERR_BODY("Throttling"));
	add(200, stop_ok);
	ret = vigil_ec2_stop_instance(&e, "i-1234567890abcdef0", true, &er);
	tap_ok(!ret && n_sent == 3 && n_sleeps == 2,
	       "throttled twice, then 200: 0 after 3 requests and 2 sleeps (%d, %u, %u)",
	       ret, n_sent, n_sleeps);
	tap_ok(sleeps[0] <= 100 && sleeps[1] <= 200, "  sleeps within the backoff (%u, %u)",
	       sleeps[0], sleeps[1]);
	tap_ok(!strcmp(sent[0].body, sent[2].body) && signature_matches(&sent[2], &e),
	       "  the same body each time, signed again");
	tap_ok(n_logs == 3 && strstr(logs[0], "503 RequestLimitExceeded") &&
	       strstr(logs[0], "retry in") && strstr(logs[1], "400 Throttling") &&
	       strstr(logs[2], "-> 200"), "  one log line per request (%s | %s | %s)",
	       logs[0], logs[1], logs[2]);

	/* 503 until the deadline. */
	reset();
	deadline = fake_now + 3000;
	e.deadline_ms = deadline;
	request_cost_ms = 50;
	for (unsigned int i = 0; i < STEPS_MAX; i++)
		add(503, ERR_BODY("ServiceUnavailable"));
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	sleeps_ok = fake_now <= deadline && slept_ms < 3000;
	timeouts_ok = true;
	for (unsigned int i = 0; i < n_sent; i++)
		if (sent[i].at_ms + VIGIL_EC2_RETRY_ROOM_MS > deadline ||
		    sent[i].timeout_ms != (deadline - sent[i].at_ms < 5000 ?
					   deadline - sent[i].at_ms : 5000))
			timeouts_ok = false;
	tap_ok(ret == -EAGAIN && er.cls == VIGIL_EC2_RETRY &&
	       !strcmp(er.code, "ServiceUnavailable") && er.http_status == 503,
	       "503 until the deadline: -EAGAIN with the last code (%d %s, %u requests)",
	       ret, er.code, n_sent);
	tap_ok(n_sent > 3, "  several requests were made (%u)", n_sent);
	tap_ok(sleeps_ok, "  the fake sleep never passes the deadline (slept %llu, %llu left)",
	       (unsigned long long)slept_ms,
	       (unsigned long long)(deadline >= fake_now ? deadline - fake_now : 0));
	tap_ok(timeouts_ok, "  each request sent with room left, its timeout what is left");
	tap_ok(deadline - sent[n_sent - 1].at_ms == VIGIL_EC2_RETRY_ROOM_MS,
	       "  the last delay was cut short to leave %d ms (%llu)",
	       VIGIL_EC2_RETRY_ROOM_MS,
	       (unsigned long long)(deadline - sent[n_sent - 1].at_ms));
	tap_ok(n_logs == n_sent && strstr(logs[n_logs - 1], "giving up"),
	       "  the last log line says it gives up (%s)", logs[n_logs - 1]);

	/* A short deadline: the timeout is what is left. */
	reset();
	e.deadline_ms = fake_now + 800;
	add(200, stop_ok);
	vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_is_int(sent[0].timeout_ms, 800, "timeout: min(call timeout, time to the deadline)");

	reset();
	e.deadline_ms = fake_now + 30000;
	add(401, ERR_BODY("AuthFailure"));
	add(200, stop_ok);
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -EACCES && n_sent == 1 && er.cls == VIGIL_EC2_AUTH &&
	       !strcmp(er.code, "AuthFailure") && n_sleeps == 0,
	       "AuthFailure: -EACCES after exactly one request");

	reset();
	add(403, ERR_BODY("UnauthorizedOperation"));
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -EACCES && n_sent == 1 && er.cls == VIGIL_EC2_DENIED,
	       "UnauthorizedOperation: -EACCES, one request");

	reset();
	add(400, ERR_BODY("InvalidInstanceID.NotFound"));
	add(200, stop_ok);
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -ENOENT && n_sent == 1 && er.cls == VIGIL_EC2_NOT_FOUND &&
	       !strcmp(er.request_id, "ea966190-f9aa-478e-9ede-example"),
	       "InvalidInstanceID.NotFound: -ENOENT, one request");

	reset();
	add(400, ERR_BODY("IncorrectInstanceState"));
	ret = vigil_ec2_start_instance(&e, "i-1", &er);
	tap_ok(ret == -EBUSY && n_sent == 1, "IncorrectInstanceState: -EBUSY, one request");

	reset();
	add(400, ERR_BODY("InvalidParameterValue"));
	ret = vigil_ec2_start_instance(&e, "i-1", &er);
	tap_ok(ret == -EIO && n_sent == 1 && er.cls == VIGIL_EC2_OTHER,
	       "InvalidParameterValue: -EIO, one request");

	reset();
	add(400, "garbage");
	ret = vigil_ec2_start_instance(&e, "i-1", &er);
	tap_ok(ret == -EIO && n_sent == 1 && er.http_status == 400 && !er.code[0],
	       "400 without an error document: -EIO, one request");

	reset();
	add_err(-ETIMEDOUT);
	add_err(-ECONNREFUSED);
	add(200, detach_ok);
	ret = vigil_ec2_detach_eni(&e, "eni-attach-1", true, &er);
	tap_ok(!ret && n_sent == 3 && n_sleeps == 2, "transport errors are retried");
	tap_ok(strstr(logs[0], "transport error: Connection timed out") != NULL,
	       "  logged as a transport error (%s)", logs[0]);

	reset();
	add_err(-EKEYREJECTED);
	add(200, detach_ok);
	ret = vigil_ec2_detach_eni(&e, "eni-attach-1", true, &er);
	tap_ok(ret == -EACCES && n_sent == 1 && n_sleeps == 0 &&
	       !strcmp(er.code, "TLSNotTrusted") && er.cls == VIGIL_EC2_AUTH,
	       "an untrusted endpoint (TLS): -EACCES at once, not retried");

	reset();
	add(503, "<html><body>Service Unavailable</body></html>");
	add(200, detach_ok);
	ret = vigil_ec2_detach_eni(&e, "eni-attach-1", true, &er);
	tap_ok(!ret && n_sent == 2, "503 with an HTML body is retried");

	reset();
	e.deadline_ms = 0;
	add(503, ERR_BODY("RequestLimitExceeded"));
	add(200, stop_ok);
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -EAGAIN && n_sent == 1 && n_sleeps == 0 &&
	       !strcmp(er.code, "RequestLimitExceeded"),
	       "deadline 0: a single attempt, -EAGAIN");

	reset();
	e.deadline_ms = 0;
	add_err(-ECONNREFUSED);
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -EAGAIN && n_sent == 1 && er.http_status == 0 &&
	       !strcmp(er.code, "Transport"), "deadline 0, transport error: -EAGAIN, code Transport");

	reset();
	e.deadline_ms = fake_now - 1;
	add(200, stop_ok);
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -ETIMEDOUT && n_sent == 0, "deadline already passed: -ETIMEDOUT, nothing sent");

	reset();
	e.deadline_ms = fake_now + 10000000;
	rnd_fixed = true;
	fake_rnd = 0;
	for (unsigned int i = 0; i < STEPS_MAX; i++)
		add(500, ERR_BODY("InternalError"));
	ret = vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(ret == -EAGAIN && n_sent == VIGIL_EC2_ATTEMPTS_MAX,
	       "at most VIGIL_EC2_ATTEMPTS_MAX requests per call (%u)", n_sent);

	reset();
	e.deadline_ms = fake_now + 30000;
	rnd_fixed = true;
	fake_rnd = UINT32_MAX;
	for (unsigned int i = 0; i < STEPS_MAX; i++)
		add(503, ERR_BODY("RequestLimitExceeded"));
	vigil_ec2_stop_instance(&e, "i-1", true, &er);
	tap_ok(n_sleeps >= 8 && sleeps[0] == 100 && sleeps[1] == 200 &&
	       sleeps[5] == 3200 && sleeps[6] == 5000 && sleeps[7] == 5000,
	       "with rnd at its top the delays double up to the cap (%u %u .. %u %u %u)",
	       sleeps[0], sleeps[1], sleeps[5], sleeps[6], sleeps[7]);
	tap_ok(no_secret_in_logs(), "no secret in any log line");
	vigil_ec2_free(&e);
}

static void test_dry_run(void)
{
	struct vigil_ec2_instance inst;
	struct vigil_ec2_error er;
	struct vigil_ec2_eni eni;
	char att[VIGIL_EC2_ID_MAX] = "x";
	struct vigil_ec2 e;

	client(&e, NULL, true);
	e.dry_run = true;
	add(200, stop_ok);
	tap_ok(!vigil_ec2_stop_instance(&e, "i-1234567890abcdef0", true, &er) &&
	       n_logs == 1 && !strcmp(logs[0], "would call StopInstances InstanceId.1=i-1234567890abcdef0 Force=true"),
	       "dry run: StopInstances logged, 0 (%s)", logs[0]);
	tap_ok(!vigil_ec2_start_instance(&e, "i-1", &er) &&
	       !vigil_ec2_reboot_instance(&e, "i-1", &er) &&
	       !vigil_ec2_detach_eni(&e, "eni-attach-1", true, &er) &&
	       !vigil_ec2_attach_eni(&e, "eni-1", "i-1", 2, att, &er) && !att[0],
	       "dry run: the other mutating calls return 0");
	tap_is_str(logs[4], "would call AttachNetworkInterface NetworkInterfaceId=eni-1 InstanceId=i-1 DeviceIndex=2",
		   "dry run: AttachNetworkInterface line");
	tap_ok(vigil_ec2_describe_instance(&e, "i-1", &inst, &er) == -EOPNOTSUPP &&
	       vigil_ec2_describe_eni(&e, "eni-1", &eni, &er) == -EOPNOTSUPP,
	       "dry run: describe calls are -EOPNOTSUPP");
	tap_is_int(n_sent, 0, "dry run: nothing sent");
	tap_ok(no_secret_in_logs(), "dry run: no secret in the log");
	vigil_ec2_free(&e);
}

/* --- a fake IMDS on 127.0.0.1: a token, then the region --------------- */

static struct {
	int fd;
	volatile bool stop;
	const char *region;
	unsigned int requests;
	pthread_t thread;
} imds = { .fd = -1 };

static void imds_serve(int c)
{
	char req[2048], resp[512];
	const char *body = NULL;
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
		r = read(c, req + n, sizeof(req) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		req[n] = '\0';
	}
	req[n] = '\0';
	imds.requests++;
	if (!strncmp(req, "PUT /latest/api/token ", 22))
		body = "AQAEAFAKETOKEN==";
	else if (!strncmp(req, "GET /latest/meta-data/placement/region ", 39) &&
		 strcasestr(req, "\r\nx-aws-ec2-metadata-token: AQAEAFAKETOKEN==\r\n"))
		body = imds.region;
	if (body)
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s", strlen(body), body);
	else
		snprintf(resp, sizeof(resp), "HTTP/1.1 404 Not Found\r\n"
			 "Content-Length: 0\r\nConnection: close\r\n\r\n");
	if (write(c, resp, strlen(resp)) < 0)
		tap_diag("fake IMDS: write: %s", strerror(errno));
}

static void *imds_main(void *arg)
{
	struct pollfd p = { .fd = imds.fd, .events = POLLIN };

	(void)arg;
	while (!imds.stop) {
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(imds.fd, NULL, NULL);
		if (c < 0)
			continue;
		imds_serve(c);
		close(c);
	}
	return NULL;
}

/* Listen on 127.0.0.1, an ephemeral port; its URL into url. */
static int imds_start(char *url, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);

	imds.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (imds.fd < 0 || bind(imds.fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(imds.fd, 8) || getsockname(imds.fd, (struct sockaddr *)&sa, &sl))
		return -errno;
	snprintf(url, len, "http://127.0.0.1:%u", ntohs(sa.sin_port));
	imds.stop = false;
	return -pthread_create(&imds.thread, NULL, imds_main, NULL);
}

static void imds_stop(void)
{
	imds.stop = true;
	pthread_join(imds.thread, NULL);
	close(imds.fd);
	imds.fd = -1;
}

static void test_init_imds(void)
{
	struct vigil_ec2 e;
	char url[64], err[256];
	int ret;

	if (imds_start(url, sizeof(url))) {
		tap_skip("no socket on 127.0.0.1", "init: region from IMDS");
		return;
	}
	env_creds(false);
	memset(&conf, 0, sizeof(conf));
	conf.imds_endpoint = url;
	imds.region = "eu-central-1";
	ret = vigil_ec2_init(&e, &conf, err, sizeof(err));
	tap_ok(!ret && !strcmp(e.region, "eu-central-1") &&
	       !strcmp(e.endpoint, "https://ec2.eu-central-1.amazonaws.com"),
	       "init: region from IMDSv2 (%d %s), endpoint from it (%u requests)",
	       ret, ret ? err : e.region, imds.requests);
	vigil_ec2_free(&e);
	imds.region = "eu-central-1\n<x>";
	ret = vigil_ec2_init(&e, &conf, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "instance metadata"),
	       "init: a malformed region from IMDS is refused (%s)", err);
	imds_stop();

	conf.imds_endpoint = "http://127.0.0.1:1";
	ret = vigil_ec2_init(&e, &conf, err, sizeof(err));
	tap_ok(ret < 0 && strstr(err, "No region"),
	       "init: no region and no IMDS: %d (%s)", ret, err);
}

static void test_init(void)
{
	static const char *const bad[] = {
		"ftp://ec2.example.com", "https://ec2.example.com/path",
		"https://user@ec2.example.com", "https://ec2.example.com:99999",
		"https://:443", "https://ec2.example.com:", "https://",
		"https://ec2.example.com?x=1", "ec2.example.com",
		"https://ec2.example.com:8x",
	};
	struct vigil_ec2 e;
	char err[256];
	int ret;

	env_creds(false);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&conf, 0, sizeof(conf));
		conf.region = "eu-west-1";
		conf.endpoint = bad[i];
		err[0] = '\0';
		ret = vigil_ec2_init(&e, &conf, err, sizeof(err));
		tap_ok(ret == -EINVAL && strstr(err, bad[i]),
		       "init: endpoint `%s' refused, named (%s)", bad[i], err);
	}
	memset(&conf, 0, sizeof(conf));
	conf.region = "eu-west-1;x";
	ret = vigil_ec2_init(&e, &conf, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "eu-west-1;x"), "init: bad region refused (%s)", err);
	conf.region = "cn-north-1";
	ret = vigil_ec2_init(&e, &conf, err, sizeof(err));
	tap_ok(!ret && !strcmp(e.endpoint, "https://ec2.cn-north-1.amazonaws.com.cn"),
	       "init: China regions' endpoint");
	vigil_ec2_free(&e);
}

int main(void)
{
	ec2_http = fake_http;
	ec2_sleep_ms = fake_sleep;
	ec2_now_ms = fake_clock;
	ec2_rand32 = fake_random;
	ec2_time = fake_time;
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");

	test_parse_instance();
	test_parse_eni();
	test_parse_attach_error();
	test_hostile();
	test_classify();
	test_backoff();
	test_form();
	test_requests();
	test_retries();
	test_dry_run();
	test_init();
	test_init_imds();
	tap_is_int(n_ran_out, 0, "no request beyond a script");
	return tap_done();
}
