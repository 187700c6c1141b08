// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the AWS credential chain (daemon/aws/creds.c) and the
 * IMDSv2 client under it (daemon/aws/imds.c, daemon/aws/http.c), against a
 * fake instance metadata service this test runs on 127.0.0.1 (a thread, a
 * plain socket, one request per connection):
 *  - IMDSv2: a GET without a token is refused by the fake, the client
 *    takes a token with the TTL header first, reuses it, takes a fresh one
 *    once on 401, gives up with -EACCES on a second 401; 404 is -ENOENT;
 *  - the chain: the environment beats the file beats IMDS; half an
 *    environment is an error naming the missing variable; profiles; the
 *    file's mode and owner; malformed files; role credentials with their
 *    expiry, kept until VIGIL_AWS_CREDS_REFRESH_S before it, then
 *    refreshed; JSON that tries to fool a parser;
 *  - no message ever holds a secret; vigil_aws_creds_clear() zeroes.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../daemon/aws/http.c"
#include "../../daemon/aws/imds.c"
#include "../../daemon/aws/creds.c"
#include "tap.h"

/* ---- the fake IMDS ------------------------------------------------------ */

struct fake {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
	/* what it answers */
	char role[64];			/* "": 404 for the role list */
	char json[8192];		/* "": 404 for the role's credentials */
	int fail_401;			/* GETs with a good token refused */
	bool token_403;			/* PUT /latest/api/token refused */
	/* what it saw */
	int puts, gets, gets_no_token, gets_bad_token;
	char ttl[32];			/* the last PUT's TTL header */
	char token[64];			/* the token in force */
	int serial;
};

static struct fake fk = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static void respond(int fd, int status, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, strlen(body));

	if (write(fd, head, n) != n || write(fd, body, strlen(body)) < 0)
		return;
}

/* The value of header name in the request head, or NULL. */
static const char *find_header(char *head, const char *name, char *out,
			       size_t len)
{
	char *line = strstr(head, "\r\n");

	while (line && line[2]) {
		char *next = strstr(line + 2, "\r\n");
		char *colon;
		size_t l;

		line += 2;
		if (!next)
			break;
		colon = memchr(line, ':', next - line);
		if (colon && (size_t)(colon - line) == strlen(name) &&
		    !strncasecmp(line, name, colon - line)) {
			colon++;
			while (*colon == ' ')
				colon++;
			l = next - colon;
			if (l >= len)
				l = len - 1;
			memcpy(out, colon, l);
			out[l] = '\0';
			return out;
		}
		line = next;
	}
	return NULL;
}

static void serve_one(int fd)
{
	char head[8192], method[8], path[512], val[256];
	const char *tok;
	size_t n = 0;
	char *role_path;

	/* the head; no request here has a body */
	while (n < sizeof(head) - 1) {
		ssize_t r = read(fd, head + n, sizeof(head) - 1 - n);

		if (r <= 0)
			return;
		n += r;
		head[n] = '\0';
		if (strstr(head, "\r\n\r\n"))
			break;
	}
	if (sscanf(head, "%7s %511s", method, path) != 2)
		return;

	pthread_mutex_lock(&fk.lock);
	if (!strcmp(method, "PUT") && !strcmp(path, "/latest/api/token")) {
		fk.puts++;
		if (!find_header(head, "X-aws-ec2-metadata-token-ttl-seconds",
				 fk.ttl, sizeof(fk.ttl))) {
			fk.ttl[0] = '\0';
			respond(fd, 400, "");
		} else if (fk.token_403) {
			respond(fd, 403, "");
		} else {
			snprintf(fk.token, sizeof(fk.token), "AQAEA-token-%d==",
				 ++fk.serial);
			respond(fd, 200, fk.token);
		}
		goto out;
	}
	if (strcmp(method, "GET")) {
		respond(fd, 405, "");
		goto out;
	}
	fk.gets++;
	tok = find_header(head, "X-aws-ec2-metadata-token", val, sizeof(val));
	if (!tok) {
		fk.gets_no_token++;
		respond(fd, 401, "");
		goto out;
	}
	if (!fk.token[0] || strcmp(tok, fk.token)) {
		fk.gets_bad_token++;
		respond(fd, 401, "");
		goto out;
	}
	if (fk.fail_401) {
		fk.fail_401--;
		fk.token[0] = '\0';	/* as if it had expired */
		respond(fd, 401, "");
		goto out;
	}
	role_path = "/latest/meta-data/iam/security-credentials/";
	if (!strcmp(path, "/latest/meta-data/instance-id")) {
		respond(fd, 200, "i-0123456789abcdef0");
	} else if (!strcmp(path, role_path)) {
		if (fk.role[0]) {
			snprintf(val, sizeof(val), "%s\n", fk.role);
			respond(fd, 200, val);
		} else {
			respond(fd, 404, "");
		}
	} else if (!strncmp(path, role_path, strlen(role_path)) && fk.role[0] &&
		   !strcmp(path + strlen(role_path), fk.role) && fk.json[0]) {
		respond(fd, 200, fk.json);
	} else {
		respond(fd, 404, "");
	}
out:
	pthread_mutex_unlock(&fk.lock);
}

static void *fake_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p = { .fd = fk.fd, .events = POLLIN };
		bool stop;
		int c;

		pthread_mutex_lock(&fk.lock);
		stop = fk.stop;
		pthread_mutex_unlock(&fk.lock);
		if (stop)
			break;
		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(fk.fd, NULL, NULL);
		if (c < 0)
			continue;
		serve_one(c);
		close(c);
	}
	return NULL;
}

static char fake_ep[64];

static int fake_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fk.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fk.fd < 0 || bind(fk.fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fk.fd, 16) || getsockname(fk.fd, (struct sockaddr *)&a, &l))
		return -errno;
	fk.port = ntohs(a.sin_port);
	snprintf(fake_ep, sizeof(fake_ep), "http://127.0.0.1:%d", fk.port);
	return pthread_create(&fk.thread, NULL, fake_main, NULL) ? -EAGAIN : 0;
}

static void fake_stop(void)
{
	pthread_mutex_lock(&fk.lock);
	fk.stop = true;
	pthread_mutex_unlock(&fk.lock);
	pthread_join(fk.thread, NULL);
	close(fk.fd);
}

/* Reset what the fake answers and counts. */
static void fake_reset(void)
{
	pthread_mutex_lock(&fk.lock);
	fk.role[0] = fk.json[0] = '\0';
	fk.fail_401 = 0;
	fk.token_403 = false;
	fk.puts = fk.gets = fk.gets_no_token = fk.gets_bad_token = 0;
	fk.ttl[0] = fk.token[0] = '\0';
	pthread_mutex_unlock(&fk.lock);
}

static int fake_get(int *field)
{
	int v;

	pthread_mutex_lock(&fk.lock);
	v = *field;
	pthread_mutex_unlock(&fk.lock);
	return v;
}

static void fake_set_role(const char *role, const char *json)
{
	pthread_mutex_lock(&fk.lock);
	snprintf(fk.role, sizeof(fk.role), "%s", role);
	snprintf(fk.json, sizeof(fk.json), "%s", json);
	pthread_mutex_unlock(&fk.lock);
}

/* ---- helpers ---------------------------------------------------------- */

/* Every secret any test hands out: no message may hold one. */
static const char *const secrets[] = {
	"wJalrXUtnFEMI/K7MDENG+bPxRfiCYENVKEY",
	"envSessionTokenSECRET",
	"fileSecretDEFAULT/abc+def",
	"fileSecretOTHER/xyz",
	"fileTokenOTHER",
	"imdsSecret/1234567890abcdef",
	"imdsTokenIQoJb3JpZ2luX2VjEFAKE",
	"imdsSecret2/refreshed",
	"SECRETinWRONGplace",
};

static void no_secret_in(const char *err, const char *what)
{
	unsigned int i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(err, secrets[i]))
			break;
	if (!tap_ok(i == sizeof(secrets) / sizeof(secrets[0]),
		    "%s: no secret in the message", what))
		tap_diag("message: %s", err);
}

static char tmpdir[] = "/tmp/vigil-creds-XXXXXX";
static char credfile[sizeof(tmpdir) + 32];

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	if (!f) {
		tap_diag("cannot write %s: %m", path);
		return;
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void unset_env(void)
{
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
}

static const char role_json_fmt[] =
	"{\n"
	"  \"Code\" : \"Success\",\n"
	"  \"LastUpdated\" : \"2026-11-26T06:00:00Z\",\n"
	"  \"Type\" : \"AWS-HMAC\",\n"
	"  \"AccessKeyId\" : \"%s\",\n"
	"  \"SecretAccessKey\" : \"%s\",\n"
	"  \"Token\" : \"%s\",\n"
	"  \"Expiration\" : \"%s\"\n"
	"}";

static void role_json(char *out, size_t len, const char *ak, const char *sk,
		      const char *tok, const char *exp)
{
	snprintf(out, len, role_json_fmt, ak, sk, tok, exp);
}

/* 2026-11-26T12:00:00Z */
#define EXPIRY_1 ((time_t)1795694400)
#define NOW_1 (EXPIRY_1 - 6 * 3600)

/* ---- IMDSv2 ----------------------------------------------------------- */

static void test_imds(void)
{
	struct vigil_imds m = { .endpoint = fake_ep, .timeout_ms = 3000 };
	char out[256], err[512], url[128];
	struct vigil_http_req req = { .method = "GET", .url = url };
	struct vigil_http_resp resp;
	int ret;

	fake_reset();
	snprintf(url, sizeof(url), "%s/latest/meta-data/instance-id", fake_ep);
	ret = vigil_http_do(&req, &resp, err, sizeof(err));
	tap_ok(!ret && resp.status == 401,
	       "the fake refuses a GET without a token: %d, HTTP %ld", ret, resp.status);
	if (!ret)
		vigil_http_resp_free(&resp);

	fake_reset();
	ret = vigil_imds_get(&m, "/latest/meta-data/instance-id", out, sizeof(out),
			     err, sizeof(err));
	tap_is_int(ret, 0, "imds: GET instance-id");
	tap_is_str(out, "i-0123456789abcdef0", "imds: its body");
	tap_is_int(fake_get(&fk.puts), 1, "imds: one token PUT first");
	tap_is_str(fk.ttl, "21600", "imds: the PUT carries the TTL header");
	tap_is_int(fake_get(&fk.gets_no_token) + fake_get(&fk.gets_bad_token), 0,
		   "imds: no GET without a good token");
	tap_ok(m.token[0], "imds: the token is kept");

	ret = vigil_imds_get(&m, "/latest/meta-data/instance-id", out, sizeof(out),
			     err, sizeof(err));
	tap_ok(!ret && fake_get(&fk.puts) == 1, "imds: the token is reused (%d PUTs)",
	       fake_get(&fk.puts));

	pthread_mutex_lock(&fk.lock);
	fk.fail_401 = 1;
	pthread_mutex_unlock(&fk.lock);
	ret = vigil_imds_get(&m, "/latest/meta-data/instance-id", out, sizeof(out),
			     err, sizeof(err));
	tap_ok(!ret && !strcmp(out, "i-0123456789abcdef0") && fake_get(&fk.puts) == 2,
	       "imds: 401, a fresh token, success (%d, %d PUTs)", ret, fake_get(&fk.puts));

	pthread_mutex_lock(&fk.lock);
	fk.fail_401 = 2;
	pthread_mutex_unlock(&fk.lock);
	ret = vigil_imds_get(&m, "/latest/meta-data/instance-id", out, sizeof(out),
			     err, sizeof(err));
	tap_is_int(ret, -EACCES, "imds: 401 with a fresh token too: -EACCES (%s)", err);
	tap_is_int(fake_get(&fk.puts), 3, "imds: one fresh token only");

	ret = vigil_imds_get(&m, "/latest/meta-data/nothing", out, sizeof(out),
			     err, sizeof(err));
	tap_is_int(ret, -ENOENT, "imds: 404 is -ENOENT (%s)", err);
	ret = vigil_imds_get(&m, "/latest/meta-data/instance-id", out, 5,
			     err, sizeof(err));
	tap_is_int(ret, -ENOSPC, "imds: a body too long for out: -ENOSPC (%s)", err);
	ret = vigil_imds_get(&m, "latest", out, sizeof(out), err, sizeof(err));
	tap_is_int(ret, -EINVAL, "imds: a relative path: -EINVAL (%s)", err);

	vigil_imds_clear(&m);
	tap_ok(!m.token[0] && !memcmp(m.token, (char[sizeof(m.token)]){ 0 }, sizeof(m.token)),
	       "imds: clear zeroes the token");
	pthread_mutex_lock(&fk.lock);
	fk.token_403 = true;
	pthread_mutex_unlock(&fk.lock);
	ret = vigil_imds_get(&m, "/latest/meta-data/instance-id", out, sizeof(out),
			     err, sizeof(err));
	tap_is_int(ret, -EACCES, "imds: token PUT refused (403): -EACCES (%s)", err);
}

static void test_refused(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct vigil_imds m = { .timeout_ms = 3000 };
	socklen_t l = sizeof(a);
	char out[64], err[512], ep[64];
	int fd, ret;

	/* a port that was just free: bound, then closed */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &l);
	close(fd);
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	m.endpoint = ep;
	ret = vigil_imds_get(&m, "/latest/meta-data/instance-id", out, sizeof(out),
			     err, sizeof(err));
	tap_is_int(ret, -ECONNREFUSED, "imds: nobody listening: -ECONNREFUSED (%s)", err);
}

/* ---- the chain -------------------------------------------------------- */

static const char file_text[] =
	"# a comment\n"
	"[default]\n"
	"aws_access_key_id = AKIAFILEDEFAULT\n"
	"aws_secret_access_key = fileSecretDEFAULT/abc+def\n"
	"region = eu-west-3\n"
	"\n"
	"[other]\n"
	"aws_access_key_id=AKIAFILEOTHER\n"
	"aws_secret_access_key=fileSecretOTHER/xyz\n"
	"aws_session_token=fileTokenOTHER\n"
	"[nokey]\n"
	"aws_access_key_id = AKIAFILENOKEY\n";

static void test_chain(void)
{
	struct vigil_aws_conf conf = {
		.imds_endpoint = fake_ep, .call_timeout_ms = 3000,
	};
	struct vigil_aws_creds c = { 0 };
	char err[1024], json[2048];
	int ret, gets;

	fake_reset();
	role_json(json, sizeof(json), "ASIAIMDS", "imdsSecret/1234567890abcdef",
		  "imdsTokenIQoJb3JpZ2luX2VjEFAKE", "2026-11-26T12:00:00Z");
	fake_set_role("vigil-fence", json);
	write_file(credfile, file_text, 0600);
	conf.credentials_file = credfile;

	/* the environment first */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYENVKEY", 1);
	setenv("AWS_SESSION_TOKEN", "envSessionTokenSECRET", 1);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(!ret && c.source == VIGIL_AWS_CREDS_ENV &&
	       !strcmp(c.access_key, "AKIAENV") &&
	       !strcmp(c.secret_key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYENVKEY") &&
	       !strcmp(c.token, "envSessionTokenSECRET") && !c.expires,
	       "chain: the environment beats the file and IMDS (%d %s)", ret, err);
	tap_is_int(fake_get(&fk.gets) + fake_get(&fk.puts), 0,
		   "chain: IMDS not asked when the environment has credentials");
	tap_is_str(vigil_aws_creds_source_name(c.source), "environment",
		   "source name: environment");
	vigil_aws_creds_clear(&c);

	unsetenv("AWS_SECRET_ACCESS_KEY");
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "AWS_SECRET_ACCESS_KEY is set") == NULL &&
	       strstr(err, "AWS_SECRET_ACCESS_KEY is not"),
	       "chain: AWS_ACCESS_KEY_ID without the secret: -EINVAL naming it (%s)", err);
	no_secret_in(err, "env partial");
	tap_ok(c.source == VIGIL_AWS_CREDS_NONE && !c.access_key[0],
	       "chain: nothing kept on failure");
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYENVKEY", 1);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "AWS_ACCESS_KEY_ID is not"),
	       "chain: the secret without AWS_ACCESS_KEY_ID: -EINVAL naming it (%s)", err);
	no_secret_in(err, "env partial (2)");
	unset_env();

	/* then the file */
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(!ret && c.source == VIGIL_AWS_CREDS_FILE &&
	       !strcmp(c.access_key, "AKIAFILEDEFAULT") &&
	       !strcmp(c.secret_key, "fileSecretDEFAULT/abc+def") && !c.token[0] &&
	       !c.expires, "chain: the file's [default] beats IMDS (%d %s)", ret, err);
	tap_is_int(fake_get(&fk.gets) + fake_get(&fk.puts), 0,
		   "chain: IMDS not asked when the file has credentials");
	vigil_aws_creds_clear(&c);
	conf.profile = "other";
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(!ret && !strcmp(c.access_key, "AKIAFILEOTHER") &&
	       !strcmp(c.secret_key, "fileSecretOTHER/xyz") &&
	       !strcmp(c.token, "fileTokenOTHER"),
	       "chain: the file's [other] with its session token (%d %s)", ret, err);
	tap_is_str(vigil_aws_creds_source_name(c.source), "file", "source name: file");
	vigil_aws_creds_clear(&c);

	conf.profile = "absent";
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -ENOENT && strstr(err, credfile) && strstr(err, "[absent]"),
	       "chain: a missing profile: -ENOENT naming file and profile (%s)", err);
	conf.profile = "nokey";
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, credfile) && strstr(err, "[nokey]") &&
	       strstr(err, "aws_secret_access_key"),
	       "chain: a missing key: -EINVAL naming file, profile and key (%s)", err);
	conf.profile = NULL;

	chmod(credfile, 0640);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EACCES && strstr(err, credfile) && strstr(err, "group or others") &&
	       strstr(err, "0640"),
	       "chain: a file readable by its group is refused (%s)", err);
	chmod(credfile, 0604);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EACCES && strstr(err, "refused"),
	       "chain: a file readable by others is refused (%s)", err);
	chmod(credfile, 0600);
	if (geteuid() == 0) {
		if (chown(credfile, 4242, 4242))
			tap_diag("chown: %m");
		ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
		tap_ok(ret == -EACCES && strstr(err, "uid 4242") &&
		       strstr(err, "neither root nor the running user"),
		       "chain: a file of another user is refused (%s)", err);
		if (chown(credfile, 0, 0))
			tap_diag("chown: %m");
	} else {
		tap_skip("not root", "chain: a file of another user is refused");
	}
	no_secret_in(err, "file refused");

	write_file(credfile, "[default]\naws_access_key_id = AKIAX\nthis is not ini\n"
		   "aws_secret_access_key = SECRETinWRONGplace\n", 0600);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "line 3"),
	       "chain: a malformed file: -EINVAL with the line (%s)", err);
	write_file(credfile, "[default]\naws_access_key_id = AKIAX\n"
		   "aws_secret_access_key = SECRETinWRONGplace\n"
		   "aws_secret_access_key = SECRETinWRONGplace\n", 0600);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "twice"),
	       "chain: a key given twice: -EINVAL (%s)", err);
	no_secret_in(err, "key twice");
	write_file(credfile, "[default]\naws_access_key_id = AKIA X\n"
		   "aws_secret_access_key = SECRETinWRONGplace\n", 0600);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "blank"),
	       "chain: a key id with a blank: -EINVAL (%s)", err);
	unlink(credfile);
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -ENOENT && strstr(err, credfile),
	       "chain: a named file that does not exist: -ENOENT (%s)", err);
	{
		/* a session token as long as they come, on one line */
		char big[5000], tok[4001];

		memset(tok, 'T', sizeof(tok) - 1);
		tok[sizeof(tok) - 1] = '\0';
		snprintf(big, sizeof(big), "[default]\naws_access_key_id = AKIAX\n"
			 "aws_secret_access_key = SECRETinWRONGplace\n"
			 "aws_session_token = %s\n", tok);
		write_file(credfile, big, 0600);
		ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
		tap_ok(!ret && strlen(c.token) == 4000,
		       "chain: a 4000-byte session token in the file (%d %s)", ret, err);
		vigil_aws_creds_clear(&c);
	}
	tap_is_int(fake_get(&fk.gets) + fake_get(&fk.puts), 0,
		   "chain: IMDS never asked while a credentials_file is named");

	/* then IMDS */
	conf.credentials_file = NULL;
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(!ret && c.source == VIGIL_AWS_CREDS_IMDS &&
	       !strcmp(c.access_key, "ASIAIMDS") &&
	       !strcmp(c.secret_key, "imdsSecret/1234567890abcdef") &&
	       !strcmp(c.token, "imdsTokenIQoJb3JpZ2luX2VjEFAKE"),
	       "chain: the instance role's credentials (%d %s)", ret, err);
	tap_is_int(c.expires, EXPIRY_1, "chain: their Expiration");
	tap_is_str(vigil_aws_creds_source_name(c.source), "imds", "source name: imds");
	tap_ok(fake_get(&fk.puts) == 1 && fake_get(&fk.gets) == 2 &&
	       !fake_get(&fk.gets_no_token),
	       "chain: one token, two GETs (%d PUT, %d GET)", fake_get(&fk.puts),
	       fake_get(&fk.gets));

	gets = fake_get(&fk.gets);
	ret = vigil_aws_creds_get(&conf, &c, EXPIRY_1 - VIGIL_AWS_CREDS_REFRESH_S - 1,
				  err, sizeof(err));
	tap_ok(!ret && fake_get(&fk.gets) == gets && !strcmp(c.access_key, "ASIAIMDS"),
	       "chain: kept while more than %d s from expiry", VIGIL_AWS_CREDS_REFRESH_S);

	role_json(json, sizeof(json), "ASIAIMDS2", "imdsSecret2/refreshed",
		  "imdsTokenIQoJb3JpZ2luX2VjEFAKE", "2026-11-26T18:00:00.000Z");
	fake_set_role("vigil-fence", json);
	ret = vigil_aws_creds_get(&conf, &c, EXPIRY_1 - VIGIL_AWS_CREDS_REFRESH_S,
				  err, sizeof(err));
	tap_ok(!ret && fake_get(&fk.gets) > gets && !strcmp(c.access_key, "ASIAIMDS2") &&
	       !strcmp(c.secret_key, "imdsSecret2/refreshed") &&
	       c.expires == EXPIRY_1 + 6 * 3600,
	       "chain: refreshed %d s before expiry (%d %s)", VIGIL_AWS_CREDS_REFRESH_S,
	       ret, err);

	/* a failed refresh leaves c as it was */
	fake_set_role("", "");
	ret = vigil_aws_creds_get(&conf, &c, EXPIRY_1 + 6 * 3600 - 10, err, sizeof(err));
	tap_ok(ret == -ENOENT && strstr(err, "no instance role") &&
	       strstr(err, "environment") && !strcmp(c.access_key, "ASIAIMDS2"),
	       "chain: no role (404): -ENOENT naming the sources, c unchanged (%s)", err);
	no_secret_in(err, "no role");
	vigil_aws_creds_clear(&c);
	tap_ok(!memcmp(&c, &(struct vigil_aws_creds){ 0 }, sizeof(c)),
	       "clear: every byte of the credentials zeroed");

	fake_set_role("vigil-fence", "");
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -ENOENT && strstr(err, "vigil-fence"),
	       "chain: the role's credentials 404: -ENOENT (%s)", err);
}

/* Role answers that must be refused, and one that must not be fooled. */
static void test_role_json(void)
{
	static const struct {
		const char *json, *what;
	} bad[] = {
		{ "{\"Code\":\"Failure\",\"Message\":\"x\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\"}", "Code Failure" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\"}", "no Token" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"AccessKeyId\":\"B\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\"}", "AccessKeyId twice" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\",}", "a trailing comma" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"Nested\":{\"a\":1},"
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\"}", "a nested object" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26 12:00:00\"}", "Expiration not ISO 8601" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2020-01-01T00:00:00Z\"}", "expired" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\"} x", "text after the object" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\"", "no closing brace" },
		{ "{\"Code\":\"Success\",\"AccessKeyId\":\"A\","
		  "\"SecretAccessKey\":\"imdsSecret/1234567890abcdef\\q\",\"Token\":\"t\","
		  "\"Expiration\":\"2026-11-26T12:00:00Z\"}", "a bad escape in the secret" },
		{ "[\"Code\",\"Success\"]", "an array" },
	};
	struct vigil_aws_conf conf = {
		.imds_endpoint = fake_ep, .call_timeout_ms = 3000,
	};
	struct vigil_aws_creds c = { 0 };
	char err[1024];
	unsigned int i;
	int ret;

	fake_reset();
	unset_env();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_set_role("vigil-fence", bad[i].json);
		ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
		tap_ok(ret == -EINVAL && c.source == VIGIL_AWS_CREDS_NONE,
		       "role JSON refused: %s (%d: %s)", bad[i].what, ret, err);
		no_secret_in(err, bad[i].what);
	}

	/* keys inside values, escapes, fields we do not read */
	fake_set_role("vigil-fence",
		      "{\"Note\":\"\\\"AccessKeyId\\\":\\\"EVIL\\\",\",\n"
		      " \"Code\":\"Success\", \"Count\": -12.5e3, \"Flag\": true,\n"
		      " \"Empty\": null, \"AccessKeyId\":\"ASIA\\u0041GOOD\",\n"
		      " \"SecretAccessKey\":\"imdsSecret\\/1234567890abcdef\",\n"
		      " \"Token\":\"imdsTokenIQoJb3JpZ2luX2VjEFAKE\",\n"
		      " \"Expiration\":\"2026-11-26T12:00:00Z\",\n"
		      " \"X\":\"Token\\\":\\\"EVIL\"}");
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(!ret && !strcmp(c.access_key, "ASIAAGOOD") &&
	       !strcmp(c.secret_key, "imdsSecret/1234567890abcdef") &&
	       !strcmp(c.token, "imdsTokenIQoJb3JpZ2luX2VjEFAKE"),
	       "role JSON: not fooled by keys inside values (%d %s, %s)", ret, err,
	       c.access_key);
	vigil_aws_creds_clear(&c);

	fake_set_role("role/../x", "");
	ret = vigil_aws_creds_get(&conf, &c, NOW_1, err, sizeof(err));
	tap_ok(ret == -EINVAL, "a role name with '/' is refused (%s)", err);
}

static void test_parsers(void)
{
	time_t t = 0;

	tap_ok(!parse_iso8601("2026-11-26T12:00:00Z", &t) && t == EXPIRY_1,
	       "ISO 8601: 2026-11-26T12:00:00Z");
	tap_ok(!parse_iso8601("2024-02-29T00:00:00.123Z", &t) && t == 1709164800,
	       "ISO 8601: a leap day with a fraction");
	tap_ok(parse_iso8601("2026-02-31T00:00:00Z", &t) == -EINVAL,
	       "ISO 8601: 31 February refused");
	tap_ok(parse_iso8601("2026-11-26T12:00:00+01:00", &t) == -EINVAL,
	       "ISO 8601: an offset refused (IMDS says Z)");
	tap_ok(parse_iso8601("2026-11-26T12:00:0Z", &t) == -EINVAL,
	       "ISO 8601: a short field refused");
}

int main(void)
{
	int ret;

	if (!mkdtemp(tmpdir))
		return tap_skip_all("mkdtemp failed");
	setenv("HOME", tmpdir, 1);
	snprintf(credfile, sizeof(credfile), "%s/credentials", tmpdir);
	unset_env();
	ret = fake_start();
	if (ret) {
		tap_ok(false, "the fake IMDS starts: %s", strerror(-ret));
		return tap_done();
	}
	tap_diag("fake IMDS at %s", fake_ep);

	test_imds();
	test_refused();
	test_chain();
	test_role_json();
	test_parsers();

	fake_stop();
	unlink(credfile);
	rmdir(tmpdir);
	return tap_done();
}
