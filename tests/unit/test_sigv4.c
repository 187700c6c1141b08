// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the SigV4 signer (daemon/aws/sigv4.c):
 *  - every case of AWS's own test suite (aws-sig-v4-test-suite), read at
 *    run time from $VIGIL_SIGV4_SUITE or ../shared/data/ beside the
 *    repository: the canonical request, string to sign and Authorization
 *    of each compared exactly;
 *  - random requests signed by vigil and by botocore (SigV4Auth, through
 *    tests/unit/sigv4_botocore.py): the Authorization values must match;
 *  - the refusals: output too small, x-amz-date not the time signed, a
 *    session token not among the headers.
 */

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../daemon/aws/sigv4.c"
#include "tap.h"

#define SUITE_REL "../shared/data/aws-sig-v4-test-suite/aws-sig-v4-test-suite"

static const char suite_ak[] = "AKIDEXAMPLE";
static const char suite_sk[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/* 20150830T123600Z */
static const time_t suite_when = 1440938160;

static char repo[PATH_MAX];

static void find_repo(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	/* build/unit/test_sigv4 -> the repository */
	snprintf(repo, sizeof(repo), "%s/../..", dirname(exe));
}

/* The whole file, NUL-terminated, one trailing newline dropped; NULL when
 * it cannot be read. */
static char *slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

/* ---- AWS's suite ----------------------------------------------------- */

struct parsed {
	char *text;				/* the .req, cut in place */
	char method[16];
	char path[1024];
	char query[1024];
	struct vigil_sigv4_header h[HEADERS_MAX];
	char *values[HEADERS_MAX];		/* folded values, malloc */
	unsigned int n;
	const char *body;
	size_t body_len;
};

static void parsed_free(struct parsed *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		free(p->values[i]);
	free(p->text);
}

/*
 * "METHOD TARGET HTTP/1.1", header lines "Name:value" (a line starting
 * with a blank continues the previous value: kept after a '\n' for the
 * signer to fold), an empty line, the body.
 */
static int parse_req(const char *file, struct parsed *p)
{
	char *s, *line, *sp, *http, *q, *next;
	size_t len;

	memset(p, 0, sizeof(*p));
	p->text = slurp(file, &len);
	if (!p->text)
		return -errno;
	s = p->text;
	next = strchr(s, '\n');
	if (next)
		*next++ = '\0';
	sp = strchr(s, ' ');
	http = strstr(s, " HTTP/");
	if (!sp || !http || http < sp || (size_t)(sp - s) >= sizeof(p->method))
		return -EINVAL;
	memcpy(p->method, s, sp - s);
	*http = '\0';
	q = strchr(sp + 1, '?');
	if (q)
		*q++ = '\0';
	snprintf(p->path, sizeof(p->path), "%s", sp + 1);
	snprintf(p->query, sizeof(p->query), "%s", q ? q : "");

	while ((line = next)) {
		char *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line) {
			p->body = next ? next : "";
			p->body_len = next ? strlen(next) : 0;
			break;
		}
		if ((*line == ' ' || *line == '\t') && p->n) {
			char *v = p->values[p->n - 1], *nv;

			if (asprintf(&nv, "%s\n%s", v, line) < 0)
				abort();
			free(v);
			p->values[p->n - 1] = nv;
			p->h[p->n - 1].value = nv;
			continue;
		}
		colon = strchr(line, ':');
		if (!colon || p->n == HEADERS_MAX)
			return -EINVAL;
		*colon = '\0';
		p->values[p->n] = strdup(colon + 1);
		p->h[p->n].name = line;
		p->h[p->n].value = p->values[p->n];
		p->n++;
	}
	return 0;
}

static void compare_file(const char *dir, const char *name, const char *ext,
			 const char *got, int ret)
{
	char path[PATH_MAX * 2];
	char *want;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	want = slurp(path, NULL);
	if (!want) {
		tap_ok(false, "suite %s: .%s: cannot read %s", name, ext, path);
		return;
	}
	/* a Signature=... alone is compared with the .authz's */
	if (!strncmp(got, "Signature=", 10) && strstr(want, ", Signature=")) {
		memmove(want, strstr(want, ", Signature=") + 2,
			strlen(strstr(want, ", Signature=") + 2) + 1);
		ext = "authz's Signature";
	}
	if (!tap_ok(ret >= 0 && !strcmp(got, want), "suite %s: .%s", name, ext)) {
		tap_diag("returned %d", ret);
		tap_diag("got:\n%s", got);
		tap_diag("want:\n%s", want);
	}
	free(want);
}

/* Is the last line of D.sts the SHA-256 of D.creq, as it must be? */
static bool suite_consistent(const char *dir, const char *name)
{
	char path[PATH_MAX * 2], hash[65];
	char *creq, *sts, *last;
	size_t len;
	bool ok = false;

	snprintf(path, sizeof(path), "%s/%s.creq", dir, name);
	creq = slurp(path, &len);
	snprintf(path, sizeof(path), "%s/%s.sts", dir, name);
	sts = slurp(path, NULL);
	if (creq && sts && !sha256_hex(creq, len, hash)) {
		last = strrchr(sts, '\n');
		ok = last && !strcmp(last + 1, hash);
	}
	free(creq);
	free(sts);
	return ok;
}

/*
 * The 2015 suite's two form cases are wrong: their .creq signs the
 * Content-Length of the .req, their .sts and .authz were made without it
 * (the .sreq has none), and -parameters' with "charset=utf8" where the
 * .req says "utf-8". Other signers skip both cases; here, when the .sts is
 * found not to hash the .creq, the .creq is checked against the .req and
 * the .sts and .authz against the request they were made from.
 */
static const struct {
	const char *name;
	const char *content_type;	/* NULL: as in the .req */
	/* The .authz's SignedHeaders still names content-length: only its
	 * Signature is compared. */
	bool signature_only;
} errata[] = {
	{ "post-x-www-form-urlencoded", NULL, false },
	{ "post-x-www-form-urlencoded-parameters",
	  "application/x-www-form-urlencoded; charset=utf8", true },
};

static bool erratum(const char *name, struct parsed *p,
		    struct vigil_sigv4_req *r, bool *signature_only)
{
	unsigned int i, j, k;

	for (i = 0; i < sizeof(errata) / sizeof(errata[0]); i++) {
		if (strcmp(errata[i].name, name))
			continue;
		for (j = k = 0; j < p->n; j++) {
			if (!strcasecmp(p->h[j].name, "content-length"))
				continue;
			if (errata[i].content_type &&
			    !strcasecmp(p->h[j].name, "content-type"))
				p->h[j].value = errata[i].content_type;
			p->h[k++] = p->h[j];
		}
		r->n_headers = k;
		*signature_only = errata[i].signature_only;
		return true;
	}
	tap_ok(false, "suite %s: its .sts is not the hash of its .creq", name);
	return false;
}

static void run_case(const char *dir, const char *name)
{
	struct vigil_sigv4_scope sc = {
		.region = "us-east-1", .service = "service", .when = suite_when,
	};
	struct vigil_aws_creds c = { 0 };
	char path[PATH_MAX * 2], out[8192];
	struct vigil_sigv4_req r;
	bool sig_only = false;
	struct parsed p;
	unsigned int i;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.req", dir, name);
	ret = parse_req(path, &p);
	if (!tap_ok(!ret, "suite %s: .req parsed", name)) {
		parsed_free(&p);
		return;
	}
	r = (struct vigil_sigv4_req){
		.method = p.method, .path = p.path, .query = p.query,
		.headers = p.h, .n_headers = p.n,
		.body = p.body, .body_len = p.body_len,
	};
	strcpy(c.access_key, suite_ak);
	strcpy(c.secret_key, suite_sk);
	/* post-sts-header-before signs the token; -after adds it unsigned
	 * (readme.txt), so the signer knows of no token there. */
	for (i = 0; i < p.n; i++)
		if (!strcasecmp(p.h[i].name, "x-amz-security-token"))
			snprintf(c.token, sizeof(c.token), "%s", p.h[i].value);

	ret = vigil_sigv4_canonical_request(&r, out, sizeof(out));
	compare_file(dir, name, "creq", out, ret);
	if (!suite_consistent(dir, name) && erratum(name, &p, &r, &sig_only))
		tap_diag("suite %s: its .sts is not the hash of its .creq; "
			 ".sts and .authz checked with the request they were made from",
			 name);
	ret = vigil_sigv4_string_to_sign(&r, &sc, out, sizeof(out));
	compare_file(dir, name, "sts", out, ret);
	ret = vigil_sigv4_authorization(&r, &sc, &c, out, sizeof(out));
	if (sig_only) {
		char *sig = strstr(out, "Signature=");

		compare_file(dir, name, "authz", sig ? sig : out, ret);
	} else {
		compare_file(dir, name, "authz", out, ret);
	}
	parsed_free(&p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every directory D under dir holding D/D.req is a case. */
static void walk(const char *dir, unsigned int *cases)
{
	char *names[256];
	unsigned int n = 0, i;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && n < 256)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		char sub[PATH_MAX], req[PATH_MAX * 2];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		if (stat(sub, &st) || !S_ISDIR(st.st_mode)) {
			free(names[i]);
			continue;
		}
		snprintf(req, sizeof(req), "%s/%s.req", sub, names[i]);
		if (!access(req, R_OK)) {
			run_case(sub, names[i]);
			(*cases)++;
		}
		walk(sub, cases);
		free(names[i]);
	}
}

static void test_suite(void)
{
	const char *env = getenv("VIGIL_SIGV4_SUITE");
	char dir[PATH_MAX + sizeof(SUITE_REL)];
	unsigned int cases = 0;
	struct stat st;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/%s", repo, SUITE_REL);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		tap_skip("suite not found", "AWS SigV4 test suite at %s", dir);
		return;
	}
	walk(dir, &cases);
	/* 2015's suite: 29 cases (the 7 under normalize-path/, 2 under
	 * post-sts-token/). Fewer means a case was missed. */
	tap_ok(cases >= 29, "suite: %u cases found in %s", cases, dir);
}

/* ---- against botocore ------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 2685821657736338717ULL) >> 32;
}

#define PICK(a) ((a)[rnd() % (sizeof(a) / sizeof((a)[0]))])

/*
 * Path segments: raw bytes the signer must encode (space, UTF-8, '%',
 * reserved characters), dot segments and empty ones (a "//"). Never '?'
 * or '#', which would end the path in botocore's URL, and no control
 * characters, which Python's urlsplit() strips.
 */
static const char *const segs[] = {
	"a", "b-c", "x.y", "~t", "A_z09", "sp ace", "\xc3\xa9t\xc3\xa9",
	"\xe1\x88\xb4", "%20", "%2F", "100%", "a+b", "!$&'()*,;=:@", ".", "..",
	"", "...", "-._~",
};

/*
 * Query keys and values, each already in canonical form (unreserved bytes
 * as themselves, every other byte %XX with upper-case hex): botocore signs
 * the query of a URL as it is, while vigil decodes and encodes each part
 * again; the two agree only on canonical input, which is also what a
 * careful client sends. '+' is never used: a form decoder would read a
 * space. No empty pair ("a&&b"): botocore would sign "=" for it, vigil
 * skips it.
 */
static const char *const qparts[] = {
	"a", "B", "Action", "x%20y", "%2F", "k~", "Z-._", "%E1%88%B4", "",
	"%3D", "%26", "%2B", "a%40b", "Version", "2016-11-15", "value1",
	"value2", "%25",
};

/* Header names, no two the same ignoring case except on purpose; never
 * one botocore drops (user-agent, expect, ...) or replaces (date,
 * x-amz-date, x-amz-security-token, authorization) or reads
 * (x-amz-content-sha256). */
static const char *const hnames[] = {
	"My-Header1", "my-header1", "X-Custom", "Content-Type", "X-Amz-Target",
	"a", "Zeta", "x-amz-meta-b",
};

/* Values with odd spacing; no line breaks (botocore makes one space of a
 * fold where the AWS suite wants a ','), no bytes outside ASCII (Python's
 * str.split() would take some as blanks). */
static const char *const hvalues[] = {
	"value1", "  a   b  ", "\tx\t y", "", "a,b", "\"q   u\"", " lead",
	"trail ", "application/x-www-form-urlencoded; charset=utf-8", "=:;/",
};

static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "HEAD" };
static const char *const regions[] = { "us-east-1", "eu-west-3", "ap-south-2" };
static const char *const services[] = { "ec2", "service", "sts" };

struct gen {
	char method[8];
	char path[512];
	char query[512];
	struct vigil_sigv4_header h[16];
	char names[16][32], values[16][128];
	unsigned int n;
	unsigned char body[64];
	size_t body_len;
	struct vigil_sigv4_scope sc;
	struct vigil_aws_creds c;
	char amz[17];
};

static void gen(struct gen *g)
{
	unsigned int i, n, k;
	size_t l;

	memset(g, 0, sizeof(*g));
	snprintf(g->method, sizeof(g->method), "%s", PICK(methods));

	n = rnd() % 6;
	l = 0;
	for (i = 0; i < n; i++)
		l += snprintf(g->path + l, sizeof(g->path) - l, "/%s", PICK(segs));
	if (!n || rnd() % 3 == 0)
		snprintf(g->path + l, sizeof(g->path) - l, "/");

	n = rnd() % 6;
	l = 0;
	for (i = 0; i < n; i++) {
		const char *key = PICK(qparts);

		l += snprintf(g->query + l, sizeof(g->query) - l, "%s%s", i ? "&" : "", key);
		/* an empty key always with '=': no empty pair */
		if (!*key || rnd() % 4)
			l += snprintf(g->query + l, sizeof(g->query) - l, "=%s",
				      PICK(qparts));
	}

	g->sc.region = PICK(regions);
	g->sc.service = PICK(services);
	/* 2015 to 2035 */
	g->sc.when = 1420070400 + (time_t)(rnd() % (20u * 365 * 86400));
	vigil_sigv4_amz_date(g->sc.when, g->amz);

	snprintf(g->c.access_key, sizeof(g->c.access_key), "AKID%08X", rnd());
	snprintf(g->c.secret_key, sizeof(g->c.secret_key), "s3cr/t+%08x%08x", rnd(), rnd());
	if (rnd() % 2)
		snprintf(g->c.token, sizeof(g->c.token),
			 "IQoJb3JpZ2luX2VjE//////////wEaCXVz+%08x/%08x==", rnd(), rnd());

	/* host and x-amz-date in varied case, then others, shuffled */
	snprintf(g->names[0], 32, "%s", rnd() % 2 ? "Host" : "host");
	snprintf(g->values[0], 128, "%s", "example.amazonaws.com");
	snprintf(g->names[1], 32, "%s", rnd() % 2 ? "X-Amz-Date" : "x-amz-date");
	snprintf(g->values[1], 128, "%s", g->amz);
	g->n = 2;
	n = rnd() % 6;
	for (i = 0; i < n; i++, g->n++) {
		snprintf(g->names[g->n], 32, "%s", PICK(hnames));
		snprintf(g->values[g->n], 128, "%s", PICK(hvalues));
	}
	for (i = g->n - 1; i > 0; i--) {
		char tn[32], tv[128];

		k = rnd() % (i + 1);
		memcpy(tn, g->names[i], 32);
		memcpy(tv, g->values[i], 128);
		memcpy(g->names[i], g->names[k], 32);
		memcpy(g->values[i], g->values[k], 128);
		memcpy(g->names[k], tn, 32);
		memcpy(g->values[k], tv, 128);
	}
	for (i = 0; i < g->n; i++) {
		g->h[i].name = g->names[i];
		g->h[i].value = g->values[i];
	}
	if (g->c.token[0]) {
		g->h[g->n].name = "X-Amz-Security-Token";
		g->h[g->n].value = g->c.token;
		g->n++;
	}

	g->body_len = rnd() % 4 ? 0 : rnd() % sizeof(g->body);
	for (l = 0; l < g->body_len; l++)
		g->body[l] = rnd();
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_json(FILE *f, const struct gen *g)
{
	unsigned int i;
	bool first;
	size_t l;

	fputs("{\"method\":", f);
	json_str(f, g->method);
	fputs(",\"path\":", f);
	json_str(f, g->path);
	fputs(",\"query\":", f);
	json_str(f, g->query);
	fputs(",\"headers\":[", f);
	/* botocore sets x-amz-date and the token itself */
	for (i = 0, first = true; i < g->n; i++) {
		if (!strcasecmp(g->h[i].name, "x-amz-date") ||
		    !strcasecmp(g->h[i].name, "x-amz-security-token"))
			continue;
		fputs(first ? "[" : ",[", f);
		first = false;
		json_str(f, g->h[i].name);
		fputc(',', f);
		json_str(f, g->h[i].value);
		fputc(']', f);
	}
	fputs("],\"body_hex\":\"", f);
	for (l = 0; l < g->body_len; l++)
		fprintf(f, "%02x", g->body[l]);
	fprintf(f, "\",\"when\":%lld,\"region\":", (long long)g->sc.when);
	json_str(f, g->sc.region);
	fputs(",\"service\":", f);
	json_str(f, g->sc.service);
	fputs(",\"ak\":", f);
	json_str(f, g->c.access_key);
	fputs(",\"sk\":", f);
	json_str(f, g->c.secret_key);
	fputs(",\"token\":", f);
	json_str(f, g->c.token);
	fputs("}\n", f);
}

#define BOTO_CASES 50

static void test_botocore(void)
{
	static struct gen g[BOTO_CASES];
	char tmpl[] = "/tmp/vigil-sigv4-XXXXXX", cmd[PATH_MAX * 2 + 128];
	const char *py = access("/usr/bin/python3", X_OK) ? "python3" : "/usr/bin/python3";
	const char *seed = getenv("VIGIL_SIGV4_SEED");
	char line[4096];
	unsigned int i;
	FILE *f, *p;
	int fd, st;

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x5167d4a1c0ffeeULL;
	if (!rng_state)
		rng_state = 1;
	tap_diag("botocore cases from seed 0x%llx (VIGIL_SIGV4_SEED)",
		 (unsigned long long)rng_state);
	fd = mkstemp(tmpl);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		tap_ok(false, "botocore: temporary file: %m");
		return;
	}
	for (i = 0; i < BOTO_CASES; i++) {
		gen(&g[i]);
		write_json(f, &g[i]);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s %s/tests/unit/sigv4_botocore.py < %s",
		 py, repo, tmpl);
	p = popen(cmd, "r");
	if (!p) {
		tap_ok(false, "botocore: cannot run %s", cmd);
		unlink(tmpl);
		return;
	}
	for (i = 0; i < BOTO_CASES; i++) {
		char out[2048];
		int ret;

		if (!fgets(line, sizeof(line), p))
			break;
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "ERROR botocore:", 15)) {
			tap_skip("botocore not installed", "botocore: %s", line);
			break;
		}
		{
			struct vigil_sigv4_req r = {
				.method = g[i].method, .path = g[i].path,
				.query = g[i].query, .headers = g[i].h,
				.n_headers = g[i].n, .body = g[i].body,
				.body_len = g[i].body_len,
			};

			ret = vigil_sigv4_authorization(&r, &g[i].sc, &g[i].c,
							out, sizeof(out));
			if (!tap_ok(ret > 0 && !strcmp(out, line),
				    "botocore %u: %s %s%s%s (%s/%s, %u headers, %zu-byte body%s)",
				    i, g[i].method, g[i].path, g[i].query[0] ? "?" : "",
				    g[i].query, g[i].sc.region, g[i].sc.service, g[i].n,
				    g[i].body_len, g[i].c.token[0] ? ", token" : "")) {
				char creq[8192];

				tap_diag("vigil (%d):   %s", ret, out);
				tap_diag("botocore: %s", line);
				vigil_sigv4_canonical_request(&r, creq, sizeof(creq));
				tap_diag("vigil's canonical request:\n%s", creq);
			}
		}
	}
	st = pclose(p);
	unlink(tmpl);
	if (i < BOTO_CASES && strncmp(line, "ERROR botocore:", 15))
		tap_ok(false, "botocore: %u of %u answers (exit status %d)", i,
		       BOTO_CASES, st);
}

/* ---- the pieces and the refusals -------------------------------------- */

static void test_refusals(void)
{
	struct vigil_sigv4_header h[] = {
		{ "Host", "ec2.eu-west-3.amazonaws.com" },
		{ "X-Amz-Date", "20261126T120000Z" },
		{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
		{ "X-Amz-Security-Token", "tok" },
	};
	struct vigil_sigv4_req r = {
		.method = "POST", .path = "/", .headers = h, .n_headers = 3,
		.body = "Action=DescribeInstances&Version=2016-11-15",
		.body_len = 43,
	};
	struct vigil_sigv4_scope sc = {
		.region = "eu-west-3", .service = "ec2", .when = 1795694400,
	};
	struct vigil_aws_creds c = { .access_key = "AKIDEXAMPLE",
				     .secret_key = "secret" };
	const char *ec2_prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"
		"20261126/eu-west-3/ec2/aws4_request, "
		"SignedHeaders=content-type;host;x-amz-date, Signature=";
	char amz[17], out[1024];
	int ret;

	vigil_sigv4_amz_date(1795694400, amz);
	tap_is_str(amz, "20261126T120000Z", "amz_date of 2026-11-26 12:00:00");
	vigil_sigv4_amz_date(suite_when, amz);
	tap_is_str(amz, "20150830T123600Z", "amz_date of the suite's time");

	ret = vigil_sigv4_authorization(&r, &sc, &c, out, sizeof(out));
	tap_ok(ret > 0 && !strncmp(out, ec2_prefix, strlen(ec2_prefix)) &&
	       strlen(out) == strlen(ec2_prefix) + 64 &&
	       strspn(out + strlen(ec2_prefix), "0123456789abcdef") == 64,
	       "an EC2 POST signs content-type;host;x-amz-date: %s", out);
	tap_is_int(vigil_sigv4_authorization(&r, &sc, &c, out, (size_t)ret),
		   -ENOSPC, "authorization: -ENOSPC one byte short");
	tap_is_int(vigil_sigv4_authorization(&r, &sc, &c, out, (size_t)ret + 1),
		   ret, "authorization: fits exactly");
	tap_is_int(vigil_sigv4_canonical_request(&r, out, 10), -ENOSPC,
		   "canonical request: -ENOSPC");
	tap_is_int(vigil_sigv4_string_to_sign(&r, &sc, out, 10), -ENOSPC,
		   "string to sign: -ENOSPC");

	sc.when++;
	tap_is_int(vigil_sigv4_authorization(&r, &sc, &c, out, sizeof(out)),
		   -EINVAL, "x-amz-date other than the time signed: -EINVAL");
	sc.when--;
	strcpy(c.token, "tok");
	tap_is_int(vigil_sigv4_authorization(&r, &sc, &c, out, sizeof(out)),
		   -EINVAL, "a token without x-amz-security-token: -EINVAL");
	r.n_headers = 4;
	ret = vigil_sigv4_authorization(&r, &sc, &c, out, sizeof(out));
	tap_ok(ret > 0 && strstr(out, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "),
	       "the token is signed: %s", out);
	strcpy(c.token, "other");
	tap_is_int(vigil_sigv4_authorization(&r, &sc, &c, out, sizeof(out)),
		   -EINVAL, "x-amz-security-token not the credentials' token: -EINVAL");
	c.token[0] = '\0';
	r.n_headers = 3;
	sc.region = "eu/west";
	tap_is_int(vigil_sigv4_authorization(&r, &sc, &c, out, sizeof(out)),
		   -EINVAL, "a region with '/': -EINVAL");
	sc.region = "eu-west-3";
	h[0].name = "Ho st";
	tap_is_int(vigil_sigv4_canonical_request(&r, out, sizeof(out)),
		   -EINVAL, "a header name with a space: -EINVAL");
	h[0].name = "Host";
	r.n_headers = 2;
	h[1].name = "Host";
	tap_is_int(vigil_sigv4_string_to_sign(&r, &sc, out, sizeof(out)),
		   -EINVAL, "no x-amz-date: -EINVAL");
}

static void test_path(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "", "/" },
		{ "/", "/" },
		{ "//", "/" },
		{ "/a/b/../../..", "/" },
		{ "/a/./b/", "/a/b/" },
		{ "/a/b/.", "/a/b" },
		{ "/a//b//", "/a/b/" },
		{ "/%41 b", "/%2541%20b" },
		{ "/\xe1\x88\xb4/~x", "/%E1%88%B4/~x" },
	};
	struct vigil_sigv4_header h[] = {
		{ "host", "h" }, { "x-amz-date", "20150830T123600Z" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vigil_sigv4_req r = {
			.method = "get", .path = t[i].in, .headers = h, .n_headers = 2,
		};
		char out[1024], want[256];

		vigil_sigv4_canonical_request(&r, out, sizeof(out));
		snprintf(want, sizeof(want), "GET\n%s\n", t[i].want);
		if (!tap_ok(!strncmp(out, want, strlen(want)),
			    "path \"%s\" -> \"%s\"", t[i].in, t[i].want))
			tap_diag("got:\n%s", out);
	}
}

int main(void)
{
	find_repo();
	test_suite();
	test_botocore();
	test_refusals();
	test_path();
	return tap_done();
}
