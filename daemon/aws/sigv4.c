// SPDX-License-Identifier: GPL-2.0
/*
 * AWS Signature Version 4, header form: canonical request, string to sign,
 * signing key and the Authorization value. SHA-256 and HMAC from libcrypto.
 *
 * Canonicalisation follows AWS's test suite and, where the suite says
 * nothing, botocore's SigV4Auth (the reference the unit test compares
 * with):
 *  - the path has its dot segments removed and runs of '/' collapsed, then
 *    every byte but A-Za-z0-9-._~ and '/' is %XX-encoded; a '%' already in
 *    the path is encoded too ("%20" becomes "%2520"): for every service but
 *    S3 the path as sent is encoded once more;
 *  - each query key and value has its %XX escapes decoded, then is encoded
 *    as above ('/' included); a '+' is a plus (%2B), not a space: send
 *    spaces as %20; empty pairs ("a&&b") are dropped, a key without '='
 *    is "key="; the pairs are sorted by key, then value;
 *  - header names are lowercased, values trimmed with inner runs of blanks
 *    made one space; a value of several lines becomes its lines joined by
 *    ',' (the suite's get-header-value-multiline); headers of the same name
 *    are joined by ',' in the order given.
 */

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sigv4.h"

#define HEADERS_MAX 64
#define NAME_MAX_LEN 128
#define PAIRS_MAX 256
#define QUERY_SCRATCH (16 * 1024)
#define PATH_MAX_LEN 4096
#define CREQ_MAX (32 * 1024)

struct out {
	char *p;
	size_t len;
	size_t n;
	bool full;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->n + n >= o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void out_puts(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void out_putc(struct out *o, char c)
{
	out_put(o, &c, 1);
}

static int out_done(struct out *o)
{
	if (o->full)
		return -ENOSPC;
	return (int)o->n;
}

static bool unreserved(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '-' || c == '.' || c == '_' ||
			      c == '~');
}

/* %XX-encode s[0..n) into o; '/' is kept when keep_slash. */
static void uri_encode(struct out *o, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };

		if (unreserved(c) || (keep_slash && c == '/'))
			out_putc(o, c);
		else
			out_put(o, e, 3);
	}
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX in s[0..n) in place; a '%' not followed by two hex digits
 * stays itself. The new length. */
static size_t uri_decode(char *s, size_t n)
{
	size_t i, j;

	for (i = j = 0; i < n; i++, j++) {
		if (s[i] == '%' && i + 2 < n && hex_val(s[i + 1]) >= 0 &&
		    hex_val(s[i + 2]) >= 0) {
			s[j] = (char)(hex_val(s[i + 1]) << 4 | hex_val(s[i + 2]));
			i += 2;
		} else {
			s[j] = s[i];
		}
	}
	return j;
}

/*
 * Remove dot segments and empty segments; a trailing '/' is kept when
 * something is left and the path ended with one (botocore's
 * remove_dot_segments()). "" becomes "/".
 */
static int normalize_path(const char *path, char *out, size_t len)
{
	size_t seg_end[PATH_MAX_LEN / 2 + 1];
	unsigned int depth = 0;
	size_t n = strlen(path), o = 0;
	const char *s = path, *end = path + n;

	if (!n) {
		if (len < 2)
			return -ENOSPC;
		strcpy(out, "/");
		return 1;
	}
	if (n >= len || n >= PATH_MAX_LEN)
		return -ENOSPC;
	if (path[0] == '/')
		out[o++] = '/';
	while (s < end) {
		const char *e = memchr(s, '/', end - s);
		size_t l;

		if (!e)
			e = end;
		l = e - s;
		if (!l || (l == 1 && s[0] == '.')) {
			/* nothing */
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			if (depth)
				o = seg_end[--depth];
		} else {
			seg_end[depth++] = o;
			if (o && out[o - 1] != '/')
				out[o++] = '/';
			memcpy(out + o, s, l);
			o += l;
		}
		s = e + 1;
	}
	/* o is at most n: every segment written was read with its '/'. */
	if (path[n - 1] == '/' && depth)
		out[o++] = '/';
	out[o] = '\0';
	return (int)o;
}

struct pair {
	const char *k, *v;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c ? c : strcmp(x->v, y->v);
}

/* Canonical query string into o. */
static int canonical_query(struct out *o, const char *query)
{
	char raw[QUERY_SCRATCH], enc[QUERY_SCRATCH * 3];
	struct out e = { .p = enc, .len = sizeof(enc) };
	struct pair pairs[PAIRS_MAX];
	unsigned int np = 0, i;
	const char *s = query, *end;

	if (!query || !*query)
		return 0;
	end = query + strlen(query);
	while (s <= end) {
		const char *amp = memchr(s, '&', end - s);
		const char *eq;
		size_t kl, vl;

		if (!amp)
			amp = end;
		if (amp == s)
			goto next;	/* "a&&b", a trailing '&' */
		if (np == PAIRS_MAX || (size_t)(amp - s) >= sizeof(raw))
			return -ENOSPC;
		eq = memchr(s, '=', amp - s);
		kl = (eq ? eq : amp) - s;
		memcpy(raw, s, kl);
		kl = uri_decode(raw, kl);
		pairs[np].k = enc + e.n;
		uri_encode(&e, raw, kl, false);
		out_put(&e, "", 1);	/* the NUL: the strings follow each other */
		vl = eq ? amp - eq - 1 : 0;
		if (eq)
			memcpy(raw, eq + 1, vl);
		vl = uri_decode(raw, vl);
		pairs[np].v = enc + e.n;
		uri_encode(&e, raw, vl, false);
		out_put(&e, "", 1);
		if (e.full)
			return -ENOSPC;
		np++;
next:
		s = amp + 1;
	}
	qsort(pairs, np, sizeof(pairs[0]), cmp_pair);
	for (i = 0; i < np; i++) {
		if (i)
			out_putc(o, '&');
		out_puts(o, pairs[i].k);
		out_putc(o, '=');
		out_puts(o, pairs[i].v);
	}
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* A value trimmed, blanks collapsed, lines joined by ','. */
static void put_value(struct out *o, const char *v)
{
	bool first_line = true;

	while (*v) {
		const char *nl = strchr(v, '\n');
		const char *e = nl ? nl : v + strlen(v);
		bool any = false, gap = false;

		for (; v < e; v++) {
			if (is_blank(*v)) {
				gap = any;
				continue;
			}
			if (!any && !first_line)
				out_putc(o, ',');
			if (gap)
				out_putc(o, ' ');
			out_putc(o, *v);
			any = true;
			gap = false;
		}
		if (any)
			first_line = false;
		if (nl)
			v++;
	}
}

struct hdr {
	char name[NAME_MAX_LEN];
	const char *value;
};

/* Lowercased, trimmed names; order[] sorts them, stable. */
static int collect_headers(const struct vigil_sigv4_req *r, struct hdr *h,
			   unsigned int *order)
{
	unsigned int i, j;

	if (r->n_headers > HEADERS_MAX)
		return -ENOSPC;
	if (r->n_headers && !r->headers)
		return -EINVAL;
	for (i = 0; i < r->n_headers; i++) {
		const char *n = r->headers[i].name;
		size_t l;

		if (!n || !r->headers[i].value)
			return -EINVAL;
		while (is_blank(*n))
			n++;
		l = strlen(n);
		while (l && is_blank(n[l - 1]))
			l--;
		if (!l || l >= NAME_MAX_LEN)
			return -EINVAL;
		for (j = 0; j < l; j++) {
			unsigned char c = n[j];

			/* an RFC 9110 token */
			if (!isascii(c) || !(isalnum(c) || strchr("!#$%&'*+-.^_`|~", c)))
				return -EINVAL;
			h[i].name[j] = tolower(c);
		}
		h[i].name[l] = '\0';
		h[i].value = r->headers[i].value;
		order[i] = i;
	}
	for (i = 1; i < r->n_headers; i++) {
		unsigned int x = order[i];

		for (j = i; j && strcmp(h[order[j - 1]].name, h[x].name) > 0; j--)
			order[j] = order[j - 1];
		order[j] = x;
	}
	return 0;
}

static void signed_headers(struct out *o, const struct hdr *h,
			   const unsigned int *order, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const char *name = h[order[i]].name;

		if (i && !strcmp(name, h[order[i - 1]].name))
			continue;
		if (i)
			out_putc(o, ';');
		out_puts(o, name);
	}
}

static void to_hex(char *out, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data ? data : "", len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32)
		return -EIO;
	to_hex(out, md, 32);
	return 0;
}

void vigil_sigv4_amz_date(time_t when, char out[17])
{
	struct tm tm;

	if (!gmtime_r(&when, &tm) || !strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm))
		memcpy(out, "19700101T000000Z", 17);
}

int vigil_sigv4_canonical_request(const struct vigil_sigv4_req *r,
				  char *out, size_t len)
{
	struct out o = { .p = out, .len = len };
	char path[PATH_MAX_LEN], body_hash[65];
	unsigned int order[HEADERS_MAX], i;
	struct hdr h[HEADERS_MAX];
	int ret;

	if (!r->method || !*r->method || !r->path ||
	    (!r->body && r->body_len))
		return -EINVAL;
	if (len)
		out[0] = '\0';
	ret = collect_headers(r, h, order);
	if (ret)
		return ret;
	ret = normalize_path(r->path, path, sizeof(path));
	if (ret < 0)
		return ret;
	ret = sha256_hex(r->body, r->body_len, body_hash);
	if (ret)
		return ret;

	for (i = 0; r->method[i]; i++)
		out_putc(&o, toupper((unsigned char)r->method[i]));
	out_putc(&o, '\n');
	uri_encode(&o, path, strlen(path), true);
	out_putc(&o, '\n');
	ret = canonical_query(&o, r->query);
	if (ret)
		return ret;
	out_putc(&o, '\n');
	for (i = 0; i < r->n_headers; i++) {
		const struct hdr *x = &h[order[i]];

		if (i && !strcmp(x->name, h[order[i - 1]].name)) {
			out_putc(&o, ',');
		} else {
			if (i)
				out_putc(&o, '\n');
			out_puts(&o, x->name);
			out_putc(&o, ':');
		}
		put_value(&o, x->value);
	}
	out_puts(&o, "\n\n");
	signed_headers(&o, h, order, r->n_headers);
	out_putc(&o, '\n');
	out_puts(&o, body_hash);
	return out_done(&o);
}

/* The value of header name (lowercase) when given exactly once. */
static const char *find_hdr(const struct vigil_sigv4_req *r, const char *name)
{
	const char *v = NULL;
	unsigned int i;

	if (!r->headers)
		return NULL;
	for (i = 0; i < r->n_headers; i++) {
		if (r->headers[i].name && !strcasecmp(r->headers[i].name, name)) {
			if (v)
				return NULL;
			v = r->headers[i].value;
		}
	}
	return v;
}

static bool scope_part(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isascii((unsigned char)*s) ||
		    !(isalnum((unsigned char)*s) || *s == '-' || *s == '_'))
			return false;
	return true;
}

int vigil_sigv4_string_to_sign(const struct vigil_sigv4_req *r,
			       const struct vigil_sigv4_scope *s,
			       char *out, size_t len)
{
	struct out o = { .p = out, .len = len };
	char amz[17], hash[65];
	const char *d;
	char *creq;
	int ret;

	if (len)
		out[0] = '\0';
	if (!scope_part(s->region) || !scope_part(s->service))
		return -EINVAL;
	/* The date signed is the date sent: host and x-amz-date, once each. */
	vigil_sigv4_amz_date(s->when, amz);
	d = find_hdr(r, "x-amz-date");
	if (!d || !find_hdr(r, "host"))
		return -EINVAL;
	while (is_blank(*d))
		d++;
	if (strncmp(d, amz, 16))
		return -EINVAL;
	for (d += 16; *d; d++)
		if (!is_blank(*d))
			return -EINVAL;

	creq = malloc(CREQ_MAX);
	if (!creq)
		return -ENOMEM;
	ret = vigil_sigv4_canonical_request(r, creq, CREQ_MAX);
	if (ret >= 0)
		ret = sha256_hex(creq, ret, hash);
	free(creq);
	if (ret < 0)
		return ret;

	out_puts(&o, "AWS4-HMAC-SHA256\n");
	out_puts(&o, amz);
	out_putc(&o, '\n');
	out_put(&o, amz, 8);
	out_putc(&o, '/');
	out_puts(&o, s->region);
	out_putc(&o, '/');
	out_puts(&o, s->service);
	out_puts(&o, "/aws4_request\n");
	out_puts(&o, hash);
	return out_done(&o);
}

static int hmac256(const void *key, size_t klen, const void *data, size_t dlen,
		unsigned char out[32])
{
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), key, (int)klen, data, dlen, out, &n) || n != 32)
		return -EIO;
	return 0;
}

int vigil_sigv4_authorization(const struct vigil_sigv4_req *r,
			      const struct vigil_sigv4_scope *s,
			      const struct vigil_aws_creds *c,
			      char *out, size_t len)
{
	struct out o = { .p = out, .len = len };
	unsigned char k[32], sig[32];
	char sts[512], sigx[65], date[9], secret[4 + sizeof(c->secret_key)];
	unsigned int order[HEADERS_MAX];
	struct hdr h[HEADERS_MAX];
	size_t sl;
	int ret;

	if (len)
		out[0] = '\0';
	if (!c->access_key[0] || !c->secret_key[0] ||
	    strnlen(c->secret_key, sizeof(c->secret_key)) == sizeof(c->secret_key) ||
	    strnlen(c->access_key, sizeof(c->access_key)) == sizeof(c->access_key) ||
	    strnlen(c->token, sizeof(c->token)) == sizeof(c->token))
		return -EINVAL;
	for (sl = 0; c->access_key[sl]; sl++)
		if (!isgraph((unsigned char)c->access_key[sl]) ||
		    c->access_key[sl] == ',' || c->access_key[sl] == '/')
			return -EINVAL;
	/* A session token is sent, and signed, as x-amz-security-token. */
	if (c->token[0]) {
		const char *t = find_hdr(r, "x-amz-security-token");

		if (!t || strcmp(t, c->token))
			return -EINVAL;
	}
	ret = vigil_sigv4_string_to_sign(r, s, sts, sizeof(sts));
	if (ret < 0)
		return ret;
	ret = collect_headers(r, h, order);
	if (ret)
		return ret;

	memcpy(date, sts + strlen("AWS4-HMAC-SHA256\n"), 8);
	date[8] = '\0';
	sl = snprintf(secret, sizeof(secret), "AWS4%s", c->secret_key);
	ret = hmac256(secret, sl, date, 8, k);
	if (!ret)
		ret = hmac256(k, 32, s->region, strlen(s->region), k);
	if (!ret)
		ret = hmac256(k, 32, s->service, strlen(s->service), k);
	if (!ret)
		ret = hmac256(k, 32, "aws4_request", 12, k);
	if (!ret)
		ret = hmac256(k, 32, sts, strlen(sts), sig);
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(k, sizeof(k));
	if (ret)
		return ret;
	to_hex(sigx, sig, 32);

	out_puts(&o, "AWS4-HMAC-SHA256 Credential=");
	out_puts(&o, c->access_key);
	out_putc(&o, '/');
	out_puts(&o, date);
	out_putc(&o, '/');
	out_puts(&o, s->region);
	out_putc(&o, '/');
	out_puts(&o, s->service);
	out_puts(&o, "/aws4_request, SignedHeaders=");
	signed_headers(&o, h, order, r->n_headers);
	out_puts(&o, ", Signature=");
	out_puts(&o, sigx);
	return out_done(&o);
}
