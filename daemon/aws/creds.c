// SPDX-License-Identifier: GPL-2.0
/*
 * AWS credentials: the environment, else the shared-credentials file named
 * in vigil.conf, else the instance role through IMDSv2. Every buffer that
 * held a secret is zeroed before it goes; no message names a secret, only
 * where it came from.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "creds.h"
#include "imds.h"

#define CREDS_CALL_TIMEOUT_MS 5000
#define FILE_SIZE_MAX (64 * 1024)
/* A token line: the key, " = ", 4095 bytes, CR LF, NUL. */
#define FILE_LINE_MAX 4200
#define ROLE_MAX 128
#define ROLE_PATH "/latest/meta-data/iam/security-credentials/"
#define ROLE_JSON_MAX 16384

const char *vigil_aws_creds_source_name(enum vigil_aws_creds_source s)
{
	switch (s) {
	case VIGIL_AWS_CREDS_NONE:
		return "none";
	case VIGIL_AWS_CREDS_ENV:
		return "environment";
	case VIGIL_AWS_CREDS_FILE:
		return "file";
	case VIGIL_AWS_CREDS_IMDS:
		return "imds";
	}
	return "unknown";
}

void vigil_aws_creds_clear(struct vigil_aws_creds *c)
{
	explicit_bzero(c, sizeof(*c));
}

/* Printable ASCII, no blank: what a key id, a secret or a token is. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if (!isascii((unsigned char)*s) || !isgraph((unsigned char)*s))
			return false;
	return true;
}

/* Copy a secret-bearing value named what into dst, or say why not (never
 * the value). */
static int put_field(char *dst, size_t size, const char *val, const char *what,
		     const char *where, char *err, size_t errlen)
{
	size_t n = strlen(val);

	if (n >= size) {
		snprintf(err, errlen, "%s: %s is %zu bytes long, at most %zu",
			 where, what, n, size - 1);
		return -EINVAL;
	}
	if (!printable(val)) {
		snprintf(err, errlen, "%s: %s holds a blank or a byte outside printable ASCII",
			 where, what);
		return -EINVAL;
	}
	memcpy(dst, val, n + 1);
	return 0;
}

/* ---- the environment --------------------------------------------------- */

/* 1 found, 0 none, or a negative errno. */
static int from_env(struct vigil_aws_creds *n, char *err, size_t errlen)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID");
	const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN");
	int ret;

	if (ak && !*ak)
		ak = NULL;
	if (sk && !*sk)
		sk = NULL;
	if (!ak && !sk)
		return 0;
	if (!ak || !sk) {
		snprintf(err, errlen, "environment: %s is set but %s is not",
			 ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			 ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -EINVAL;
	}
	ret = put_field(n->access_key, sizeof(n->access_key), ak,
			"AWS_ACCESS_KEY_ID", "environment", err, errlen);
	if (!ret)
		ret = put_field(n->secret_key, sizeof(n->secret_key), sk,
				"AWS_SECRET_ACCESS_KEY", "environment", err, errlen);
	if (!ret && tok && *tok)
		ret = put_field(n->token, sizeof(n->token), tok,
				"AWS_SESSION_TOKEN", "environment", err, errlen);
	if (ret)
		return ret;
	n->source = VIGIL_AWS_CREDS_ENV;
	return 1;
}

/* ---- the shared-credentials file ---------------------------------------- */

struct file_parse {
	const char *file, *profile;
	struct vigil_aws_creds *n;
	char where[512];
	bool found, have_ak, have_sk, have_token;
	int ret;
	char *err;
	size_t errlen;
};

static int on_ini(void *arg, const char *section, const char *name,
		  const char *value)
{
	struct file_parse *p = arg;
	char *dst;
	size_t size;
	bool *have;

	if (p->ret || strcmp(section, p->profile))
		return 1;
	p->found = true;
	if (!strcasecmp(name, "aws_access_key_id")) {
		dst = p->n->access_key;
		size = sizeof(p->n->access_key);
		have = &p->have_ak;
	} else if (!strcasecmp(name, "aws_secret_access_key")) {
		dst = p->n->secret_key;
		size = sizeof(p->n->secret_key);
		have = &p->have_sk;
	} else if (!strcasecmp(name, "aws_session_token")) {
		dst = p->n->token;
		size = sizeof(p->n->token);
		have = &p->have_token;
	} else {
		return 1;	/* region, output, ...: not ours */
	}
	if (*have) {
		snprintf(p->err, p->errlen, "%s: %s given twice", p->where, name);
		p->ret = -EINVAL;
		return 1;
	}
	*have = true;
	p->ret = put_field(dst, size, value, name, p->where, p->err, p->errlen);
	return 1;
}

/* libinih's knobs are globals in Debian's build: set every one we rely on. */
static void creds_ini_setup(void)
{
	ini_allow_multiline = false;
	ini_allow_bom = true;
	ini_allow_inline_comments = false;	/* a secret may hold " ;" */
	ini_allow_no_value = false;
	ini_stop_on_first_error = true;
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_initial_alloc = FILE_LINE_MAX;
	ini_max_line = FILE_LINE_MAX;
}

static int from_file(const struct vigil_aws_conf *conf,
		     struct vigil_aws_creds *n, char *err, size_t errlen)
{
	struct file_parse p = {
		.file = conf->credentials_file,
		.profile = conf->profile && *conf->profile ? conf->profile : "default",
		.n = n, .err = err, .errlen = errlen,
	};
	struct stat st;
	FILE *f;
	int fd, ret;

	snprintf(p.where, sizeof(p.where), "credentials_file %s, profile [%s]",
		 p.file, p.profile);
	fd = open(p.file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "credentials_file %s: %s", p.file, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "credentials_file %s: %s", p.file, strerror(-ret));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "credentials_file %s: not a regular file", p.file);
		close(fd);
		return -EINVAL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "credentials_file %s: refused: mode %04o lets group or others in (chmod 600 it)",
			 p.file, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -EACCES;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "credentials_file %s: refused: owned by uid %u, neither root nor the running user (uid %u)",
			 p.file, (unsigned int)st.st_uid, (unsigned int)geteuid());
		close(fd);
		return -EACCES;
	}
	if (st.st_size > FILE_SIZE_MAX) {
		snprintf(err, errlen, "credentials_file %s: larger than %d bytes",
			 p.file, FILE_SIZE_MAX);
		close(fd);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		close(fd);
		snprintf(err, errlen, "credentials_file %s: %s", p.file, strerror(-ret));
		return ret;
	}
	creds_ini_setup();
	ret = ini_parse_file(f, on_ini, &p);
	fclose(f);
	if (p.ret)
		return p.ret;
	if (ret > 0) {
		snprintf(err, errlen, "credentials_file %s: line %d: not a [section] nor key = value",
			 p.file, ret);
		return -EINVAL;
	}
	if (ret < 0) {
		snprintf(err, errlen, "credentials_file %s: out of memory", p.file);
		return -ENOMEM;
	}
	if (!p.found) {
		snprintf(err, errlen, "credentials_file %s: no profile [%s]",
			 p.file, p.profile);
		return -ENOENT;
	}
	if (!p.have_ak || !p.have_sk) {
		snprintf(err, errlen, "%s: no %s", p.where,
			 p.have_ak ? "aws_secret_access_key" : "aws_access_key_id");
		return -EINVAL;
	}
	n->source = VIGIL_AWS_CREDS_FILE;
	return 1;
}

/* ---- IMDS's role credentials: a flat JSON object ----------------------- */

struct jp {
	const char *s, *end;
};

static void skip_ws(struct jp *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' ||
				 *j->s == '\n' || *j->s == '\r'))
		j->s++;
}

static int hex4(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void put_byte(char *out, size_t len, size_t *n, unsigned char c)
{
	if (out && *n + 1 < len)
		out[*n] = c;
	(*n)++;
}

/*
 * A JSON string at j->s into out (NUL-terminated; NULL: checked, not
 * kept). -EINVAL malformed, -ENOSPC too long for out.
 */
static int json_string(struct jp *j, char *out, size_t len)
{
	size_t n = 0;

	if (j->s >= j->end || *j->s != '"')
		return -EINVAL;
	j->s++;
	while (j->s < j->end && *j->s != '"') {
		unsigned char c = *j->s++;
		long cp;

		if (c < 0x20)
			return -EINVAL;
		if (c != '\\') {
			put_byte(out, len, &n, c);
			continue;
		}
		if (j->s >= j->end)
			return -EINVAL;
		c = *j->s++;
		switch (c) {
		case '"': case '\\': case '/':
			put_byte(out, len, &n, c);
			continue;
		case 'b': put_byte(out, len, &n, '\b'); continue;
		case 'f': put_byte(out, len, &n, '\f'); continue;
		case 'n': put_byte(out, len, &n, '\n'); continue;
		case 'r': put_byte(out, len, &n, '\r'); continue;
		case 't': put_byte(out, len, &n, '\t'); continue;
		case 'u':
			break;
		default:
			return -EINVAL;
		}
		if (j->end - j->s < 4 || (cp = hex4(j->s)) < 0)
			return -EINVAL;
		j->s += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return -EINVAL;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			long lo;

			if (j->end - j->s < 6 || j->s[0] != '\\' || j->s[1] != 'u' ||
			    (lo = hex4(j->s + 2)) < 0xdc00 || lo > 0xdfff)
				return -EINVAL;
			j->s += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (!cp)
			return -EINVAL;
		if (cp < 0x80) {
			put_byte(out, len, &n, cp);
		} else if (cp < 0x800) {
			put_byte(out, len, &n, 0xc0 | cp >> 6);
			put_byte(out, len, &n, 0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			put_byte(out, len, &n, 0xe0 | cp >> 12);
			put_byte(out, len, &n, 0x80 | (cp >> 6 & 0x3f));
			put_byte(out, len, &n, 0x80 | (cp & 0x3f));
		} else {
			put_byte(out, len, &n, 0xf0 | cp >> 18);
			put_byte(out, len, &n, 0x80 | (cp >> 12 & 0x3f));
			put_byte(out, len, &n, 0x80 | (cp >> 6 & 0x3f));
			put_byte(out, len, &n, 0x80 | (cp & 0x3f));
		}
	}
	if (j->s >= j->end)
		return -EINVAL;
	j->s++;
	if (out && len)
		out[n < len ? n : len - 1] = '\0';
	return out && n >= len ? -ENOSPC : 0;
}

/* A number, true, false or null: skipped (a field we do not read). */
static int json_scalar(struct jp *j)
{
	static const char *const words[] = { "true", "false", "null" };
	const char *s = j->s;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		size_t l = strlen(words[i]);

		if ((size_t)(j->end - s) >= l && !memcmp(s, words[i], l)) {
			j->s += l;
			return 0;
		}
	}
	if (s < j->end && *s == '-')
		s++;
	if (s >= j->end || !isdigit((unsigned char)*s))
		return -EINVAL;
	while (s < j->end && (isdigit((unsigned char)*s) || strchr(".eE+-", *s)))
		s++;
	j->s = s;
	return 0;
}

enum { F_CODE, F_AK, F_SK, F_TOKEN, F_EXPIRATION, F_COUNT };

static const char *const field_names[F_COUNT] = {
	"Code", "AccessKeyId", "SecretAccessKey", "Token", "Expiration",
};

struct role_fields {
	char code[64];
	char expiration[64];
	bool have[F_COUNT];
};

/* The object; its fields of interest into rf and n. */
static int parse_role_json(const char *text, size_t len, struct role_fields *rf,
			   struct vigil_aws_creds *n, const char **bad)
{
	struct jp j = { .s = text, .end = text + len };
	char key[64];
	int ret;

	*bad = NULL;
	skip_ws(&j);
	if (j.s >= j.end || *j.s != '{')
		return -EINVAL;
	j.s++;
	skip_ws(&j);
	if (j.s < j.end && *j.s == '}') {
		j.s++;
		goto end;
	}
	for (;;) {
		char *dst = NULL;
		size_t size = 0;
		int f;

		skip_ws(&j);
		ret = json_string(&j, key, sizeof(key));
		if (ret == -ENOSPC)
			key[0] = '\0';	/* a long key: none of ours */
		else if (ret)
			return ret;
		skip_ws(&j);
		if (j.s >= j.end || *j.s != ':')
			return -EINVAL;
		j.s++;
		skip_ws(&j);
		for (f = 0; f < F_COUNT; f++)
			if (!strcmp(key, field_names[f]))
				break;
		switch (f) {
		case F_CODE: dst = rf->code; size = sizeof(rf->code); break;
		case F_AK: dst = n->access_key; size = sizeof(n->access_key); break;
		case F_SK: dst = n->secret_key; size = sizeof(n->secret_key); break;
		case F_TOKEN: dst = n->token; size = sizeof(n->token); break;
		case F_EXPIRATION: dst = rf->expiration; size = sizeof(rf->expiration); break;
		}
		if (dst) {
			*bad = field_names[f];
			if (rf->have[f])
				return -EEXIST;
			rf->have[f] = true;
			ret = json_string(&j, dst, size);
			if (ret)
				return ret;
			*bad = NULL;
		} else if (j.s < j.end && *j.s == '"') {
			ret = json_string(&j, NULL, 0);
			if (ret)
				return ret;
		} else {
			ret = json_scalar(&j);	/* no object, no array */
			if (ret)
				return ret;
		}
		skip_ws(&j);
		if (j.s < j.end && *j.s == ',') {
			j.s++;
			continue;
		}
		if (j.s < j.end && *j.s == '}') {
			j.s++;
			break;
		}
		return -EINVAL;
	}
end:
	skip_ws(&j);
	return j.s == j.end ? 0 : -EINVAL;
}

static int digits(const char *s, int n)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* "2026-11-26T12:00:00Z" (fractions of a second allowed) -> time_t. */
static int parse_iso8601(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, se;
	time_t t;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -EINVAL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return -EINVAL;
	s += 19;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (strcmp(s, "Z"))
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d)	/* 2026-02-31 */
		return -EINVAL;
	*out = t;
	return 0;
}

static bool role_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n <= ROLE_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789+=,.@_-") == n;
}

static int from_imds(const struct vigil_aws_conf *conf,
		     struct vigil_aws_creds *n, time_t now, char *err,
		     size_t errlen)
{
	struct vigil_imds m = {
		.endpoint = conf->imds_endpoint,
		.timeout_ms = conf->call_timeout_ms ? conf->call_timeout_ms :
			      CREDS_CALL_TIMEOUT_MS,
	};
	char role[ROLE_MAX + 1], path[sizeof(ROLE_PATH) + ROLE_MAX];
	struct role_fields rf = { 0 };
	char *json, *nl;
	const char *bad;
	int ret;

	json = malloc(ROLE_JSON_MAX);
	if (!json) {
		snprintf(err, errlen, "instance role: out of memory");
		return -ENOMEM;
	}
	ret = vigil_imds_get(&m, ROLE_PATH, json, ROLE_JSON_MAX, err, errlen);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "IMDS %s: no instance role (404)",
			 conf->imds_endpoint ? conf->imds_endpoint : VIGIL_IMDS_DEFAULT);
		goto out;
	}
	if (ret)
		goto out;
	nl = json + strcspn(json, "\r\n");
	*nl = '\0';
	if (!role_name_ok(json)) {
		snprintf(err, errlen, "IMDS %s: not a role name (%zu bytes)",
			 ROLE_PATH, strlen(json));
		ret = -EINVAL;
		goto out;
	}
	snprintf(role, sizeof(role), "%s", json);
	snprintf(path, sizeof(path), ROLE_PATH "%s", role);

	ret = vigil_imds_get(&m, path, json, ROLE_JSON_MAX, err, errlen);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "IMDS %s: no credentials for role %s (404)",
			 path, role);
		goto out;
	}
	if (ret)
		goto out;
	ret = parse_role_json(json, strlen(json), &rf, n, &bad);
	if (ret) {
		if (ret == -EEXIST)
			snprintf(err, errlen, "IMDS role %s: %s given twice", role, bad);
		else if (bad)
			snprintf(err, errlen, "IMDS role %s: %s %s", role, bad,
				 ret == -ENOSPC ? "too long" : "malformed");
		else
			snprintf(err, errlen, "IMDS role %s: not a flat JSON object", role);
		ret = -EINVAL;
		goto out;
	}
	if (!rf.have[F_CODE] || strcmp(rf.code, "Success")) {
		char code[sizeof(rf.code)];
		size_t i;

		/* IMDS's word, not a secret; printable only */
		snprintf(code, sizeof(code), "%s", rf.have[F_CODE] ? rf.code : "(none)");
		for (i = 0; code[i]; i++)
			if (!isprint((unsigned char)code[i]))
				code[i] = '?';
		snprintf(err, errlen, "IMDS role %s: Code %s, not Success", role, code);
		ret = -EINVAL;
		goto out;
	}
	for (ret = F_AK; ret < F_COUNT; ret++)
		if (!rf.have[ret])
			break;
	if (ret < F_COUNT) {
		snprintf(err, errlen, "IMDS role %s: no %s", role, field_names[ret]);
		ret = -EINVAL;
		goto out;
	}
	ret = 0;
	if (!n->access_key[0] || !n->secret_key[0] || !printable(n->access_key) ||
	    !printable(n->secret_key) || !printable(n->token)) {
		snprintf(err, errlen, "IMDS role %s: an empty or unprintable key or token",
			 role);
		ret = -EINVAL;
	} else if (parse_iso8601(rf.expiration, &n->expires)) {
		snprintf(err, errlen, "IMDS role %s: Expiration `%.32s' is not YYYY-MM-DDTHH:MM:SSZ",
			 role, rf.expiration);
		ret = -EINVAL;
	} else if (n->expires <= now) {
		snprintf(err, errlen, "IMDS role %s: credentials expired at %s",
			 role, rf.expiration);
		ret = -EINVAL;
	}
	if (!ret) {
		n->source = VIGIL_AWS_CREDS_IMDS;
		ret = 1;
	}
out:
	explicit_bzero(json, ROLE_JSON_MAX);
	free(json);
	vigil_imds_clear(&m);
	return ret;
}

/* ---- the chain -------------------------------------------------------- */

int vigil_aws_creds_get(const struct vigil_aws_conf *conf,
			struct vigil_aws_creds *c, time_t now,
			char *err, size_t errlen)
{
	static const struct vigil_aws_conf none = { 0 };
	struct vigil_aws_creds *n;
	char why[384];
	int ret;

	if (errlen)
		err[0] = '\0';
	if (!conf)
		conf = &none;
	if (c->source != VIGIL_AWS_CREDS_NONE && c->access_key[0] &&
	    c->secret_key[0] &&
	    (!c->expires || c->expires - now > VIGIL_AWS_CREDS_REFRESH_S))
		return 0;

	n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "AWS credentials: out of memory");
		return -ENOMEM;
	}
	ret = from_env(n, err, errlen);
	if (!ret && conf->credentials_file)
		ret = from_file(conf, n, err, errlen);
	if (!ret) {
		ret = from_imds(conf, n, now, why, sizeof(why));
		/* a credentials_file, when named, has had the last word */
		if (ret < 0)
			snprintf(err, errlen,
				 "no AWS credentials: none in the environment, no credentials_file, %s",
				 why);
	}
	if (ret > 0) {
		/* c is left as it was on failure; replaced on success */
		vigil_aws_creds_clear(c);
		memcpy(c, n, sizeof(*c));
		ret = 0;
	}
	vigil_aws_creds_clear(n);
	free(n);
	return ret;
}
