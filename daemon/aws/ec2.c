// SPDX-License-Identifier: GPL-2.0
/*
 * The EC2 Query API client (API version 2016-11-15).
 *
 * A call is a POST of "Action=X&Version=2016-11-15&..." to the endpoint's
 * "/", form-encoded the way AWS's query protocol wants it (RFC 3986
 * unreserved characters kept, everything else %XX), signed with SigV4 for
 * service "ec2". Parameter names are botocore's EC2 service model's
 * (ec2/2016-11-15/service-2.json): a member's locationName, capitalised,
 * lists flattened as Name.1.
 *
 * Answers are parsed with libxml2, without entity substitution, DTD
 * loading or network access, and walked by element local names, so the
 * namespace (xmlns="http://ec2.amazonaws.com/doc/2016-11-15/") and its
 * prefix do not matter but the structure does.
 *
 * This runs in vigil-aws, a short-lived helper: it blocks and sleeps.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "creds.h"
#include "ec2.h"
#include "http.h"
#include "imds.h"
#include "sigv4.h"

#define EC2_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define EC2_CALL_TIMEOUT_MS 5000
#define EC2_BACKOFF_BASE_MS 100
#define EC2_BACKOFF_CAP_MS 5000

/* --- seams: the unit test replaces these ------------------------------ */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t rand32(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)now_ms() * 2654435761u;
	return v;
}

static int (*ec2_http)(const struct vigil_http_req *req,
		       struct vigil_http_resp *resp, char *err,
		       size_t errlen) = vigil_http_do;
static void (*ec2_sleep_ms)(unsigned int ms) = sleep_ms;
static uint64_t (*ec2_now_ms)(void) = now_ms;
static uint32_t (*ec2_rand32)(void) = rand32;
static time_t (*ec2_time)(time_t *t) = time;

/* --- classification --------------------------------------------------- */

/*
 * The codes, from AWS's "Error codes for the Amazon EC2 API"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)
 * and, for throttling, botocore's retry handler (retries/standard.py:
 * the throttling codes any AWS service uses, EC2's among them).
 * "InvalidInstanceState" is not an EC2 code (EC2 says
 * IncorrectInstanceState or IncorrectState), so it is not listed.
 */
static const char *const codes_retry[] = {
	"RequestLimitExceeded", "Throttling", "ThrottlingException",
	"RequestThrottled", "TooManyRequestsException",
	"EC2ThrottledException", "PriorRequestNotComplete",
	"InternalError", "InternalFailure", "ServiceUnavailable",
	"Unavailable", NULL,
};

static const char *const codes_auth[] = {
	"AuthFailure", "SignatureDoesNotMatch", "InvalidClientTokenId",
	"IncompleteSignature", "MissingAuthenticationToken",
	"RequestExpired", "ExpiredToken", "OptInRequired", NULL,
};

static const char *const codes_denied[] = {
	"UnauthorizedOperation", "Blocked", "OperationNotPermitted", NULL,
};

static const char *const codes_not_found[] = {
	"InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed",
	"InvalidNetworkInterfaceID.NotFound",
	"InvalidNetworkInterfaceID.Malformed",
	"InvalidAttachmentID.NotFound",
	"InvalidNetworkInterfaceAttachmentId.Malformed", NULL,
};

static const char *const codes_state[] = {
	"IncorrectInstanceState", "IncorrectState", NULL,
};

static bool in_list(const char *const *list, const char *code)
{
	for (; *list; list++)
		if (!strcmp(*list, code))
			return true;
	return false;
}

enum vigil_ec2_class vigil_ec2_classify(long http_status, const char *code)
{
	if (code && *code) {
		/* The SOAP-era spelling "Client.X" / "Server.X" is X. */
		if (!strncmp(code, "Client.", 7) || !strncmp(code, "Server.", 7))
			code += 7;
		if (in_list(codes_retry, code))
			return VIGIL_EC2_RETRY;
		if (in_list(codes_auth, code))
			return VIGIL_EC2_AUTH;
		if (in_list(codes_denied, code))
			return VIGIL_EC2_DENIED;
		if (in_list(codes_not_found, code))
			return VIGIL_EC2_NOT_FOUND;
		if (in_list(codes_state, code))
			return VIGIL_EC2_STATE;
	}
	if (http_status == 0 || http_status == 429 ||
	    (http_status >= 500 && http_status <= 599))
		return VIGIL_EC2_RETRY;
	if (http_status >= 200 && http_status <= 299 && !(code && *code))
		return VIGIL_EC2_OK;
	return VIGIL_EC2_OTHER;
}

static int class_errno(enum vigil_ec2_class cls)
{
	switch (cls) {
	case VIGIL_EC2_OK:
		return 0;
	case VIGIL_EC2_RETRY:
		return -EAGAIN;
	case VIGIL_EC2_AUTH:
	case VIGIL_EC2_DENIED:
		return -EACCES;
	case VIGIL_EC2_NOT_FOUND:
		return -ENOENT;
	case VIGIL_EC2_STATE:
		return -EBUSY;
	case VIGIL_EC2_OTHER:
		break;
	}
	return -EIO;
}

unsigned int vigil_ec2_backoff_ms(unsigned int attempt, unsigned int base,
				  unsigned int cap, uint32_t rnd)
{
	uint64_t ceiling = base;
	unsigned int n;

	if (!base || !cap)
		return 0;
	for (n = 1; n < attempt && ceiling < cap; n++)
		ceiling <<= 1;
	if (ceiling > cap)
		ceiling = cap;
	/* Multiply-shift: uniform over [0, ceiling] from the 32 bits. */
	return (unsigned int)(((uint64_t)rnd * (ceiling + 1)) >> 32);
}

/* --- XML -------------------------------------------------------------- */

/*
 * No XML_PARSE_NOENT (entities stay references), no XML_PARSE_DTDLOAD,
 * no network; a document with a DTD at all is refused afterwards, and
 * libxml2's own limits (depth, entity amplification) stay on.
 */
static xmlDoc *xml_read(const char *xml, size_t len)
{
	xmlDoc *doc;

	if (!xml || !len || len > VIGIL_HTTP_BODY_MAX)
		return NULL;
	doc = xmlReadMemory(xml, (int)len, "ec2.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (!doc)
		return NULL;
	if (doc->intSubset || doc->extSubset || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static bool is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

/* The first element child called name, or NULL. */
static xmlNode *child(const xmlNode *parent, const char *name)
{
	xmlNode *n;

	for (n = parent->children; n; n = n->next)
		if (is_el(n, name))
			return n;
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum { TEXT_STRICT, TEXT_FREE };

/*
 * The text of a leaf element, whitespace around it trimmed, into out.
 * -EINVAL when it has element or entity-reference children, when it does
 * not fit (no truncation), or (TEXT_STRICT) when it holds a control
 * character. TEXT_FREE (free text): truncated at a UTF-8 boundary,
 * control characters turned into spaces.
 */
static int text_copy(const xmlNode *el, char *out, size_t len, int mode)
{
	size_t total = 0, at = 0, s, e;
	const xmlNode *n;
	char *raw;

	for (n = el->children; n; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
			total += n->content ? strlen((const char *)n->content) : 0;
		else if (n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE)
			return -EINVAL;
	}
	raw = malloc(total + 1);
	if (!raw)
		return -ENOMEM;
	for (n = el->children; n; n = n->next) {
		size_t l;

		if ((n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE) ||
		    !n->content)
			continue;
		l = strlen((const char *)n->content);
		memcpy(raw + at, n->content, l);
		at += l;
	}
	raw[at] = '\0';
	for (s = 0; s < at && is_space(raw[s]); s++)
		;
	for (e = at; e > s && is_space(raw[e - 1]); e--)
		;
	if (mode == TEXT_STRICT) {
		for (size_t i = s; i < e; i++) {
			unsigned char c = (unsigned char)raw[i];

			if (c < 0x20 || c == 0x7f) {
				free(raw);
				return -EINVAL;
			}
		}
		if (e - s >= len) {
			free(raw);
			return -EINVAL;
		}
	} else if (e - s >= len) {
		e = s + len - 1;
		while (e > s && ((unsigned char)raw[e] & 0xc0) == 0x80)
			e--;
	}
	memcpy(out, raw + s, e - s);
	out[e - s] = '\0';
	if (mode == TEXT_FREE)
		for (char *p = out; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
	free(raw);
	return 0;
}

/*
 * The text of parent's child name. Required: missing or empty is -EINVAL.
 * Optional: missing gives "" and 0.
 */
static int child_text(const xmlNode *parent, const char *name, char *out,
		      size_t len, bool required)
{
	xmlNode *n = child(parent, name);
	int ret;

	out[0] = '\0';
	if (!n)
		return required ? -EINVAL : 0;
	ret = text_copy(n, out, len, TEXT_STRICT);
	if (ret)
		return ret;
	return required && !out[0] ? -EINVAL : 0;
}

/* A decimal integer child in [min, max]; missing: *v = dflt, or -EINVAL. */
static int child_int(const xmlNode *parent, const char *name, long min,
		     long max, bool required, int dflt, int *v)
{
	char buf[24], *end;
	long l;
	int ret;

	ret = child_text(parent, name, buf, sizeof(buf), false);
	if (ret)
		return ret;
	if (!buf[0]) {
		if (required)
			return -EINVAL;
		*v = dflt;
		return 0;
	}
	errno = 0;
	l = strtol(buf, &end, 10);
	if (errno || *end || end == buf || l < min || l > max)
		return -EINVAL;
	*v = (int)l;
	return 0;
}

/* The document's root when its local name is name, else NULL. */
static xmlNode *root_is(xmlDoc *doc, const char *name)
{
	xmlNode *root = xmlDocGetRootElement(doc);

	return root && is_el(root, name) ? root : NULL;
}

/* --- answers ---------------------------------------------------------- */

static int error_from(xmlDoc *doc, long http_status, struct vigil_ec2_error *er)
{
	xmlNode *root = root_is(doc, "Response"), *errs, *err, *n;
	int ret;

	memset(er, 0, sizeof(*er));
	er->http_status = http_status;
	if (!root || !(errs = child(root, "Errors")) ||
	    !(err = child(errs, "Error")))
		return -EINVAL;
	ret = child_text(err, "Code", er->code, sizeof(er->code), true);
	if (ret)
		goto fail;
	n = child(err, "Message");
	if (n) {
		ret = text_copy(n, er->message, sizeof(er->message), TEXT_FREE);
		if (ret)
			goto fail;
	}
	ret = child_text(root, "RequestID", er->request_id,
			 sizeof(er->request_id), false);
	if (ret)
		goto fail;
	er->cls = vigil_ec2_classify(http_status, er->code);
	return 0;
fail:
	memset(er, 0, sizeof(*er));
	er->http_status = http_status;
	return ret;
}

int vigil_ec2_parse_error(const char *xml, size_t len, long http_status,
			  struct vigil_ec2_error *er)
{
	xmlDoc *doc = xml_read(xml, len);
	int ret;

	if (!doc) {
		memset(er, 0, sizeof(*er));
		er->http_status = http_status;
		return -EINVAL;
	}
	ret = error_from(doc, http_status, er);
	xmlFreeDoc(doc);
	return ret;
}

/*
 * An attachment element: attachmentId and status required, deviceIndex
 * -1 and instanceId "" when absent (interfaces attached to something
 * other than an instance have neither).
 */
static int attachment_from(const xmlNode *a, struct vigil_ec2_attachment *att,
			   char *instance_id, size_t instance_len)
{
	int ret;

	ret = child_text(a, "attachmentId", att->attachment_id,
			 sizeof(att->attachment_id), true);
	if (!ret)
		ret = child_text(a, "status", att->status, sizeof(att->status),
				 true);
	if (!ret)
		ret = child_int(a, "deviceIndex", 0, INT_MAX, false, -1,
				&att->device_index);
	if (!ret && instance_id)
		ret = child_text(a, "instanceId", instance_id, instance_len,
				 false);
	return ret;
}

static int instance_enis(const xmlNode *inst, struct vigil_ec2_instance *out)
{
	xmlNode *set = child(inst, "networkInterfaceSet"), *it;
	int ret;

	if (!set)
		return 0;
	for (it = set->children; it; it = it->next) {
		struct vigil_ec2_attachment *att;
		xmlNode *a;

		if (!is_el(it, "item"))
			continue;
		if (out->n_enis == VIGIL_EC2_ENIS_MAX)
			return -ENOSPC;
		att = &out->enis[out->n_enis];
		ret = child_text(it, "networkInterfaceId", att->eni_id,
				 sizeof(att->eni_id), true);
		if (ret)
			return ret;
		att->device_index = -1;
		a = child(it, "attachment");
		if (a) {
			ret = attachment_from(a, att, NULL, 0);
			if (ret)
				return ret;
		}
		out->n_enis++;
	}
	return 0;
}

static int instance_from(xmlDoc *doc, const char *instance_id,
			 struct vigil_ec2_instance *out)
{
	xmlNode *root = root_is(doc, "DescribeInstancesResponse"), *rs, *r;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!root || !(rs = child(root, "reservationSet")))
		return -EINVAL;
	for (r = rs->children; r; r = r->next) {
		xmlNode *set, *it, *st;

		if (!is_el(r, "item"))
			continue;
		set = child(r, "instancesSet");
		if (!set)
			return -EINVAL;
		for (it = set->children; it; it = it->next) {
			if (!is_el(it, "item"))
				continue;
			ret = child_text(it, "instanceId", out->instance_id,
					 sizeof(out->instance_id), true);
			if (ret)
				goto fail;
			if (instance_id && strcmp(out->instance_id, instance_id))
				continue;
			st = child(it, "instanceState");
			ret = -EINVAL;
			if (!st)
				goto fail;
			ret = child_int(st, "code", 0, 65535, true, 0,
					&out->state_code);
			if (!ret)
				ret = child_text(st, "name", out->state,
						 sizeof(out->state), true);
			if (!ret)
				ret = instance_enis(it, out);
			if (ret)
				goto fail;
			return 0;
		}
	}
	ret = -ENOENT;
fail:
	memset(out, 0, sizeof(*out));
	return ret;
}

int vigil_ec2_parse_instance(const char *xml, size_t len,
			     const char *instance_id,
			     struct vigil_ec2_instance *out)
{
	xmlDoc *doc = xml_read(xml, len);
	int ret;

	if (!doc) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	ret = instance_from(doc, instance_id, out);
	xmlFreeDoc(doc);
	return ret;
}

static int eni_from(xmlDoc *doc, const char *eni_id, struct vigil_ec2_eni *out)
{
	xmlNode *root = root_is(doc, "DescribeNetworkInterfacesResponse");
	xmlNode *set, *it, *a;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!root || !(set = child(root, "networkInterfaceSet")))
		return -EINVAL;
	for (it = set->children; it; it = it->next) {
		if (!is_el(it, "item"))
			continue;
		ret = child_text(it, "networkInterfaceId", out->eni_id,
				 sizeof(out->eni_id), true);
		if (ret)
			goto fail;
		if (eni_id && strcmp(out->eni_id, eni_id))
			continue;
		ret = child_text(it, "status", out->status, sizeof(out->status),
				 true);
		if (ret)
			goto fail;
		memcpy(out->att.eni_id, out->eni_id, sizeof(out->eni_id));
		out->att.device_index = -1;
		a = child(it, "attachment");
		if (a) {
			out->attached = true;
			ret = attachment_from(a, &out->att, out->instance_id,
					      sizeof(out->instance_id));
			if (ret)
				goto fail;
		}
		return 0;
	}
	ret = -ENOENT;
fail:
	memset(out, 0, sizeof(*out));
	return ret;
}

int vigil_ec2_parse_eni(const char *xml, size_t len, const char *eni_id,
			struct vigil_ec2_eni *out)
{
	xmlDoc *doc = xml_read(xml, len);
	int ret;

	if (!doc) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	ret = eni_from(doc, eni_id, out);
	xmlFreeDoc(doc);
	return ret;
}

static int attach_from(xmlDoc *doc, char attachment_id[VIGIL_EC2_ID_MAX])
{
	xmlNode *root = root_is(doc, "AttachNetworkInterfaceResponse");

	attachment_id[0] = '\0';
	if (!root)
		return -EINVAL;
	return child_text(root, "attachmentId", attachment_id,
			  VIGIL_EC2_ID_MAX, true);
}

int vigil_ec2_parse_attach(const char *xml, size_t len,
			   char attachment_id[VIGIL_EC2_ID_MAX])
{
	xmlDoc *doc = xml_read(xml, len);
	int ret;

	if (!doc) {
		attachment_id[0] = '\0';
		return -EINVAL;
	}
	ret = attach_from(doc, attachment_id);
	xmlFreeDoc(doc);
	return ret;
}

/* --- requests --------------------------------------------------------- */

struct ec2_param {
	const char *key;
	const char *value;
};

struct ec2_call {
	const char *action;
	const char *target;		/* the id the log line names */
	struct ec2_param p[3];
	unsigned int n;
};

struct form {
	char *buf;
	size_t len, size;
	bool overflow;
};

static void form_putc(struct form *f, char c)
{
	if (f->len + 1 >= f->size) {
		f->overflow = true;
		return;
	}
	f->buf[f->len++] = c;
	f->buf[f->len] = '\0';
}

/* RFC 3986 unreserved characters as they are, the rest %XX. */
static void form_enc(struct form *f, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			form_putc(f, (char)c);
		} else {
			form_putc(f, '%');
			form_putc(f, hex[c >> 4]);
			form_putc(f, hex[c & 15]);
		}
	}
}

static void form_add(struct form *f, const char *sep, const char *key,
		     const char *value)
{
	for (; f->len && *sep; sep++)
		form_putc(f, *sep);
	form_enc(f, key);
	form_putc(f, '=');
	form_enc(f, value);
}

/* The body; the same without Action and Version, space-separated, for
 * the dry-run line. -ENOSPC when it does not fit. */
static int form_body(const struct ec2_call *c, bool dry, char *buf,
		     size_t size)
{
	struct form f = { .buf = buf, .size = size };
	const char *sep = dry ? " " : "&";

	buf[0] = '\0';
	if (!dry) {
		form_add(&f, sep, "Action", c->action);
		form_add(&f, sep, "Version", VIGIL_EC2_API_VERSION);
	}
	for (unsigned int i = 0; i < c->n; i++)
		form_add(&f, sep, c->p[i].key, c->p[i].value);
	return f.overflow ? -ENOSPC : (int)f.len;
}

/*
 * The host header for an endpoint "scheme://host[:port][/]": the host,
 * and the port when it is not the scheme's default. -EINVAL for anything
 * else (a path, user information, a query).
 */
static int endpoint_host(const char *url, char *out, size_t len)
{
	const char *h, *end, *colon = NULL, *p;
	unsigned long defport, port;
	size_t hl;

	if (!strncmp(url, "https://", 8)) {
		h = url + 8;
		defport = 443;
	} else if (!strncmp(url, "http://", 7)) {
		h = url + 7;
		defport = 80;
	} else {
		return -EINVAL;
	}
	end = h + strcspn(h, "/");
	if (*end && strcmp(end, "/"))
		return -EINVAL;
	for (p = h; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || c == '@' || c == '?' ||
		    c == '#' || c == '\\')
			return -EINVAL;
		if (c == ':')
			colon = p;
		else if (c == ']')
			colon = NULL;
	}
	hl = (size_t)(end - h);
	if (colon) {
		if (colon == h || colon + 1 == end || end - colon > 6)
			return -EINVAL;
		port = 0;
		for (p = colon + 1; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			port = port * 10 + (unsigned long)(*p - '0');
		}
		if (!port || port > 65535)
			return -EINVAL;
		if (port == defport)
			hl = (size_t)(colon - h);
	}
	if (!hl || hl >= len)
		return -EINVAL;
	memcpy(out, h, hl);
	out[hl] = '\0';
	return 0;
}

__attribute__((format(printf, 2, 3)))
static void ec2_log(const struct vigil_ec2 *e, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!e->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->log(e->log_arg, line);
}

__attribute__((format(printf, 2, 3)))
static void er_set(struct vigil_ec2_error *er, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(er->message, sizeof(er->message), fmt, ap);
	va_end(ap);
}

/* "503 ServiceUnavailable [request id]", "transport error: reason". */
static void outcome(const struct vigil_ec2_error *er, char *buf, size_t len)
{
	const char *rid = er->request_id;

	if (!er->http_status)
		snprintf(buf, len, "%s error: %s",
			 strcmp(er->code, "Transport") ? er->code : "transport",
			 er->message);
	else
		snprintf(buf, len, "%ld%s%s%s%s%s", er->http_status,
			 er->code[0] ? " " : "", er->code,
			 rid[0] ? " [" : "", rid, rid[0] ? "]" : "");
}

/*
 * One signed request and its answer. 0 with the answer's document in
 * *docp (its root is ActionResponse), else a negative errno with er
 * filled; er->cls says whether it is worth another try.
 */
static int ec2_once(struct vigil_ec2 *e, const struct ec2_call *c,
		    const char *body, size_t body_len, const char *url,
		    const char *host, unsigned int timeout_ms, xmlDoc **docp,
		    struct vigil_ec2_error *er)
{
	struct vigil_sigv4_header sh[4];
	struct vigil_http_header hh[5];
	struct vigil_http_resp resp = { 0 };
	char date[17], auth[1024], why[256], rname[64];
	unsigned int n = 0, i;
	xmlNode *root, *ok;
	xmlDoc *doc;
	time_t when;
	int ret;

	memset(er, 0, sizeof(*er));
	ret = vigil_aws_creds_get(e->conf, &e->creds, ec2_time(NULL), why,
				  sizeof(why));
	if (ret) {
		/* None, or a malformed file: no use trying again. */
		er->cls = ret == -ENOENT || ret == -EINVAL ? VIGIL_EC2_AUTH :
							     VIGIL_EC2_RETRY;
		snprintf(er->code, sizeof(er->code), "Credentials");
		er_set(er, "%s", why);
		return ret;
	}
	when = ec2_time(NULL);
	vigil_sigv4_amz_date(when, date);
	sh[n++] = (struct vigil_sigv4_header){ "content-type", EC2_CONTENT_TYPE };
	sh[n++] = (struct vigil_sigv4_header){ "host", host };
	sh[n++] = (struct vigil_sigv4_header){ "x-amz-date", date };
	if (e->creds.token[0])
		sh[n++] = (struct vigil_sigv4_header){ "x-amz-security-token",
						       e->creds.token };
	ret = vigil_sigv4_authorization(
		&(struct vigil_sigv4_req){ .method = "POST", .path = "/",
					   .headers = sh, .n_headers = n,
					   .body = body, .body_len = body_len },
		&(struct vigil_sigv4_scope){ .region = e->region,
					     .service = "ec2", .when = when },
		&e->creds, auth, sizeof(auth));
	if (ret < 0) {
		er->cls = VIGIL_EC2_OTHER;
		er_set(er, "cannot sign %s (%s)", c->action, strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++)
		hh[i] = (struct vigil_http_header){ sh[i].name, sh[i].value };
	hh[n] = (struct vigil_http_header){ "authorization", auth };
	ret = ec2_http(&(struct vigil_http_req){
				.method = "POST", .url = url, .headers = hh,
				.n_headers = n + 1, .body = body,
				.body_len = body_len,
				.ca_file = e->conf->ca_file,
				.timeout_ms = timeout_ms },
		       &resp, why, sizeof(why));
	if (ret) {
		/* An untrusted endpoint fails at once: retries cannot fix it. */
		er->cls = ret == -EKEYREJECTED ? VIGIL_EC2_AUTH : VIGIL_EC2_RETRY;
		snprintf(er->code, sizeof(er->code), "%s",
			 ret == -EKEYREJECTED ? "TLSNotTrusted" : "Transport");
		er_set(er, "%s", why);
		goto out;
	}
	if (resp.status < 200 || resp.status > 299) {
		if (vigil_ec2_parse_error(resp.body, resp.body_len, resp.status,
					  er)) {
			er->cls = vigil_ec2_classify(resp.status, NULL);
			er_set(er, "HTTP %ld without an EC2 error document",
			       resp.status);
		}
		ret = class_errno(er->cls);
		goto out;
	}
	er->http_status = resp.status;
	snprintf(rname, sizeof(rname), "%sResponse", c->action);
	doc = xml_read(resp.body, resp.body_len);
	root = doc ? root_is(doc, rname) : NULL;
	ok = root ? child(root, "return") : NULL;
	if (root)
		child_text(root, "requestId", er->request_id,
			   sizeof(er->request_id), false);
	if (!root || (ok && text_copy(ok, why, sizeof(why), TEXT_STRICT)) ||
	    (ok && strcmp(why, "true"))) {
		xmlFreeDoc(doc);
		er->cls = VIGIL_EC2_OTHER;
		er_set(er, "%s: HTTP %ld with %s", c->action, resp.status,
		       !root ? "no well-formed answer" : "return not true");
		ret = -EIO;
		goto out;
	}
	*docp = doc;
	ret = 0;
out:
	vigil_http_resp_free(&resp);
	return ret;
}

/*
 * The call with its retries: 0 and the answer in *docp, or a negative
 * errno (class_errno(), or -EAGAIN / -ETIMEDOUT) with er filled.
 */
static int ec2_do(struct vigil_ec2 *e, const struct ec2_call *c,
		  xmlDoc **docp, struct vigil_ec2_error *er)
{
	unsigned int base = e->backoff_base_ms ? e->backoff_base_ms :
						 EC2_BACKOFF_BASE_MS;
	unsigned int cap = e->backoff_cap_ms ? e->backoff_cap_ms :
					       EC2_BACKOFF_CAP_MS;
	unsigned int call_ms = e->conf->call_timeout_ms ?
			       e->conf->call_timeout_ms : EC2_CALL_TIMEOUT_MS;
	char body[1024], url[sizeof(e->endpoint) + 1], host[256], what[384];
	unsigned int attempt, timeout, delay;
	uint64_t now, left;
	int blen, ret;

	*docp = NULL;
	memset(er, 0, sizeof(*er));
	blen = form_body(c, false, body, sizeof(body));
	if (blen < 0) {
		er->cls = VIGIL_EC2_OTHER;
		er_set(er, "%s %s: parameters too long", c->action, c->target);
		return -EINVAL;
	}
	if (endpoint_host(e->endpoint, host, sizeof(host))) {
		er->cls = VIGIL_EC2_OTHER;
		er_set(er, "Invalid endpoint `%s'", e->endpoint);
		return -EINVAL;
	}
	snprintf(url, sizeof(url), "%s/", e->endpoint);

	for (attempt = 1;; attempt++) {
		now = ec2_now_ms();
		timeout = call_ms;
		if (e->deadline_ms) {
			if (now >= e->deadline_ms) {
				/* Only before the first request: retries
				 * leave VIGIL_EC2_RETRY_ROOM_MS. */
				er->cls = VIGIL_EC2_RETRY;
				er_set(er, "%s %s: the deadline passed before the first request",
				       c->action, c->target);
				ec2_log(e, "%s %s: deadline passed, not sent",
					c->action, c->target);
				return -ETIMEDOUT;
			}
			if (e->deadline_ms - now < timeout)
				timeout = (unsigned int)(e->deadline_ms - now);
		}
		ret = ec2_once(e, c, body, (size_t)blen, url, host, timeout,
			       docp, er);
		outcome(er, what, sizeof(what));
		if (!ret) {
			ec2_log(e, "%s %s -> %s", c->action, c->target, what);
			return 0;
		}
		if (er->cls != VIGIL_EC2_RETRY) {
			ec2_log(e, "%s %s -> %s", c->action, c->target, what);
			return class_errno(er->cls);
		}
		if (!e->deadline_ms) {
			ec2_log(e, "%s %s -> %s, not retried: no deadline",
				c->action, c->target, what);
			return -EAGAIN;
		}
		if (attempt >= VIGIL_EC2_ATTEMPTS_MAX) {
			ec2_log(e, "%s %s -> %s, giving up after %u attempts",
				c->action, c->target, what, attempt);
			return -EAGAIN;
		}
		/* The delay, cut short so that a request still fits. */
		delay = vigil_ec2_backoff_ms(attempt, base, cap, ec2_rand32());
		now = ec2_now_ms();
		left = now < e->deadline_ms ? e->deadline_ms - now : 0;
		if (left < VIGIL_EC2_RETRY_ROOM_MS) {
			ec2_log(e, "%s %s -> %s, giving up: deadline in %llu ms",
				c->action, c->target, what,
				(unsigned long long)left);
			return -EAGAIN;
		}
		if (delay > left - VIGIL_EC2_RETRY_ROOM_MS)
			delay = (unsigned int)(left - VIGIL_EC2_RETRY_ROOM_MS);
		ec2_log(e, "%s %s -> %s, retry in %u ms", c->action, c->target,
			what, delay);
		ec2_sleep_ms(delay);
	}
}

/* An id we send: not empty, fits VIGIL_EC2_ID_MAX, no control character. */
static int check_id(const char *what, const char *id,
		    struct vigil_ec2_error *er)
{
	size_t len;

	memset(er, 0, sizeof(*er));
	er->cls = VIGIL_EC2_OTHER;
	if (!id || !*id) {
		er_set(er, "%s is empty", what);
		return -EINVAL;
	}
	len = strlen(id);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f) {
			er_set(er, "%s has a control character", what);
			return -EINVAL;
		}
	if (len >= VIGIL_EC2_ID_MAX) {
		er_set(er, "%s `%.*s...' is longer than %d bytes", what, 24, id,
		       VIGIL_EC2_ID_MAX - 1);
		return -EINVAL;
	}
	er->cls = VIGIL_EC2_OK;
	return 0;
}

/* A call that changes something: its answer is only checked. */
static int ec2_mutate(struct vigil_ec2 *e, const struct ec2_call *c,
		      struct vigil_ec2_error *er)
{
	xmlDoc *doc;
	char line[512];
	int ret;

	if (e->dry_run) {
		if (form_body(c, true, line, sizeof(line)) < 0)
			return -EINVAL;
		ec2_log(e, "would call %s %s", c->action, line);
		return 0;
	}
	ret = ec2_do(e, c, &doc, er);
	xmlFreeDoc(doc);
	return ret;
}

/* A describe call's refusal in dry-run mode. */
static int dry_describe(struct vigil_ec2 *e, const struct ec2_call *c,
			struct vigil_ec2_error *er)
{
	er->cls = VIGIL_EC2_OTHER;
	er_set(er, "dry run: %s %s not sent", c->action, c->target);
	ec2_log(e, "dry run: %s %s not sent", c->action, c->target);
	return -EOPNOTSUPP;
}

/* What a Describe call reads from its answer: one item by its id. */
typedef int ec2_reader(xmlDoc *doc, const char *id, void *out);

static int read_instance(xmlDoc *doc, const char *id, void *out)
{
	return instance_from(doc, id, out);
}

static int read_eni(xmlDoc *doc, const char *id, void *out)
{
	return eni_from(doc, id, out);
}

/* A Describe call of one item (what: "instance", "network interface"). */
static int describe(struct vigil_ec2 *e, const struct ec2_call *c,
		    const char *what, ec2_reader *read, void *out,
		    struct vigil_ec2_error *er)
{
	char kind[48];
	xmlDoc *doc;
	int ret;

	snprintf(kind, sizeof(kind), "%s id", what);
	ret = check_id(kind, c->target, er);
	if (ret)
		return ret;
	if (e->dry_run)
		return dry_describe(e, c, er);
	ret = ec2_do(e, c, &doc, er);
	if (ret)
		return ret;
	ret = read(doc, c->target, out);
	xmlFreeDoc(doc);
	if (ret == -ENOENT) {
		er->cls = VIGIL_EC2_NOT_FOUND;
		er_set(er, "%s %s is not in the %s answer", what, c->target,
		       c->action);
	} else if (ret) {
		er->cls = VIGIL_EC2_OTHER;
		er_set(er, "malformed %s answer for %s (%s)", c->action,
		       c->target, strerror(-ret));
		ret = -EIO;
	}
	return ret;
}

int vigil_ec2_describe_instance(struct vigil_ec2 *e, const char *instance_id,
				struct vigil_ec2_instance *out,
				struct vigil_ec2_error *er)
{
	struct ec2_call c = {
		.action = "DescribeInstances", .target = instance_id,
		.p = { { "InstanceId.1", instance_id } }, .n = 1,
	};
	struct vigil_ec2_error local;

	memset(out, 0, sizeof(*out));
	return describe(e, &c, "instance", read_instance, out, er ?: &local);
}

int vigil_ec2_stop_instance(struct vigil_ec2 *e, const char *instance_id,
			    bool force, struct vigil_ec2_error *er)
{
	struct ec2_call c = {
		.action = "StopInstances", .target = instance_id,
		.p = { { "InstanceId.1", instance_id }, { "Force", "true" } },
		.n = force ? 2 : 1,
	};
	struct vigil_ec2_error local;
	int ret;

	if (!er)
		er = &local;
	ret = check_id("instance id", instance_id, er);
	return ret ? ret : ec2_mutate(e, &c, er);
}

int vigil_ec2_start_instance(struct vigil_ec2 *e, const char *instance_id,
			     struct vigil_ec2_error *er)
{
	struct ec2_call c = {
		.action = "StartInstances", .target = instance_id,
		.p = { { "InstanceId.1", instance_id } }, .n = 1,
	};
	struct vigil_ec2_error local;
	int ret;

	if (!er)
		er = &local;
	ret = check_id("instance id", instance_id, er);
	return ret ? ret : ec2_mutate(e, &c, er);
}

int vigil_ec2_reboot_instance(struct vigil_ec2 *e, const char *instance_id,
			      struct vigil_ec2_error *er)
{
	struct ec2_call c = {
		.action = "RebootInstances", .target = instance_id,
		.p = { { "InstanceId.1", instance_id } }, .n = 1,
	};
	struct vigil_ec2_error local;
	int ret;

	if (!er)
		er = &local;
	ret = check_id("instance id", instance_id, er);
	return ret ? ret : ec2_mutate(e, &c, er);
}

int vigil_ec2_describe_eni(struct vigil_ec2 *e, const char *eni_id,
			   struct vigil_ec2_eni *out,
			   struct vigil_ec2_error *er)
{
	struct ec2_call c = {
		.action = "DescribeNetworkInterfaces", .target = eni_id,
		.p = { { "NetworkInterfaceId.1", eni_id } }, .n = 1,
	};
	struct vigil_ec2_error local;

	memset(out, 0, sizeof(*out));
	return describe(e, &c, "network interface", read_eni, out,
			er ?: &local);
}

int vigil_ec2_detach_eni(struct vigil_ec2 *e, const char *attachment_id,
			 bool force, struct vigil_ec2_error *er)
{
	struct ec2_call c = {
		.action = "DetachNetworkInterface", .target = attachment_id,
		.p = { { "AttachmentId", attachment_id }, { "Force", "true" } },
		.n = force ? 2 : 1,
	};
	struct vigil_ec2_error local;
	int ret;

	if (!er)
		er = &local;
	ret = check_id("attachment id", attachment_id, er);
	return ret ? ret : ec2_mutate(e, &c, er);
}

int vigil_ec2_attach_eni(struct vigil_ec2 *e, const char *eni_id,
			 const char *instance_id, int device_index,
			 char attachment_id[VIGIL_EC2_ID_MAX],
			 struct vigil_ec2_error *er)
{
	char idx[16], att[VIGIL_EC2_ID_MAX];
	struct ec2_call c = {
		.action = "AttachNetworkInterface", .target = eni_id,
		.p = { { "NetworkInterfaceId", eni_id },
		       { "InstanceId", instance_id },
		       { "DeviceIndex", idx } },
		.n = 3,
	};
	struct vigil_ec2_error local;
	xmlDoc *doc;
	int ret;

	if (!er)
		er = &local;
	if (attachment_id)
		attachment_id[0] = '\0';
	ret = check_id("network interface id", eni_id, er);
	if (!ret)
		ret = check_id("instance id", instance_id, er);
	if (ret)
		return ret;
	if (device_index < 0) {
		er->cls = VIGIL_EC2_OTHER;
		er_set(er, "device index %d is negative", device_index);
		return -EINVAL;
	}
	snprintf(idx, sizeof(idx), "%d", device_index);
	if (e->dry_run)
		return ec2_mutate(e, &c, er);
	ret = ec2_do(e, &c, &doc, er);
	if (ret)
		return ret;
	ret = attach_from(doc, att);
	xmlFreeDoc(doc);
	if (ret) {
		er->cls = VIGIL_EC2_OTHER;
		er_set(er, "malformed AttachNetworkInterface answer for %s (%s)",
		       eni_id, strerror(-ret));
		return -EIO;
	}
	if (attachment_id)
		memcpy(attachment_id, att, sizeof(att));
	return 0;
}

/* --- set-up ----------------------------------------------------------- */

static bool region_ok(const char *r)
{
	size_t len = strlen(r);

	if (!len || len >= sizeof(((struct vigil_ec2 *)0)->region))
		return false;
	for (; *r; r++)
		if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') ||
		      *r == '-'))
			return false;
	return true;
}

int vigil_ec2_init(struct vigil_ec2 *e, const struct vigil_aws_conf *conf,
		   char *err, size_t errlen)
{
	char region[64], why[256], host[256];
	size_t len;
	int ret;

	memset(e, 0, sizeof(*e));
	e->conf = conf;
	if (conf->region) {
		if (!region_ok(conf->region)) {
			snprintf(err, errlen, "Invalid region `%s'", conf->region);
			return -EINVAL;
		}
		memcpy(e->region, conf->region, strlen(conf->region) + 1);
	} else {
		struct vigil_imds m = { .endpoint = conf->imds_endpoint };

		ret = vigil_imds_get(&m, "/latest/meta-data/placement/region",
				     region, sizeof(region), why, sizeof(why));
		vigil_imds_clear(&m);
		if (ret) {
			snprintf(err, errlen,
				 "No region configured and none from the instance metadata: %s",
				 why);
			return ret;
		}
		len = strlen(region);
		while (len && is_space(region[len - 1]))
			region[--len] = '\0';
		if (!region_ok(region)) {
			for (char *p = region; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					*p = '?';
			snprintf(err, errlen,
				 "Invalid region `%.40s' from the instance metadata",
				 region);
			return -EINVAL;
		}
		memcpy(e->region, region, len + 1);
	}

	if (conf->endpoint)
		len = (size_t)snprintf(e->endpoint, sizeof(e->endpoint), "%s",
				       conf->endpoint);
	else
		len = (size_t)snprintf(e->endpoint, sizeof(e->endpoint),
				       "https://ec2.%s.amazonaws.com%s",
				       e->region,
				       strncmp(e->region, "cn-", 3) ? "" : ".cn");
	if (len >= sizeof(e->endpoint) ||
	    endpoint_host(e->endpoint, host, sizeof(host))) {
		snprintf(err, errlen,
			 "Invalid endpoint `%s' (want http[s]://host[:port])",
			 conf->endpoint ? conf->endpoint : e->endpoint);
		ret = -EINVAL;
		goto fail;
	}
	if (len && e->endpoint[len - 1] == '/')
		e->endpoint[len - 1] = '\0';

	ret = vigil_aws_creds_get(conf, &e->creds, ec2_time(NULL), why,
				  sizeof(why));
	if (ret) {
		snprintf(err, errlen, "No AWS credentials: %s", why);
		goto fail;
	}
	return 0;
fail:
	vigil_aws_creds_clear(&e->creds);
	return ret;
}

void vigil_ec2_free(struct vigil_ec2 *e)
{
	vigil_aws_creds_clear(&e->creds);
}
