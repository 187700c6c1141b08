// SPDX-License-Identifier: GPL-2.0
/*
 * IMDSv2: a session token from PUT /latest/api/token, then GETs that carry
 * it. A 401 means the token expired (or the service restarted): one fresh
 * token and one more try.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "imds.h"

#define IMDS_TIMEOUT_MS 2000

static const char *imds_endpoint_of(const struct vigil_imds *m)
{
	return m->endpoint && *m->endpoint ? m->endpoint : VIGIL_IMDS_DEFAULT;
}

/* endpoint + path, without a doubled '/'. */
static int imds_url(const struct vigil_imds *m, const char *path, char *out,
	       size_t len)
{
	const char *e = imds_endpoint_of(m);
	size_t el = strlen(e);
	int n;

	while (el && e[el - 1] == '/')
		el--;
	n = snprintf(out, len, "%.*s%s", (int)el, e, path);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

static int take_token(struct vigil_imds *m, char *err, size_t errlen)
{
	char ttl[16], u[512];
	const struct vigil_http_header h[] = {
		{ "X-aws-ec2-metadata-token-ttl-seconds", ttl },
	};
	struct vigil_http_req req = {
		.method = "PUT", .url = u, .headers = h, .n_headers = 1,
		.timeout_ms = m->timeout_ms ? m->timeout_ms : IMDS_TIMEOUT_MS,
	};
	struct vigil_http_resp resp;
	size_t n;
	int ret;

	vigil_imds_clear(m);
	snprintf(ttl, sizeof(ttl), "%d", VIGIL_IMDS_TOKEN_TTL_S);
	if (imds_url(m, "/latest/api/token", u, sizeof(u))) {
		snprintf(err, errlen, "IMDS endpoint `%s' too long", imds_endpoint_of(m));
		return -EINVAL;
	}
	ret = vigil_http_do(&req, &resp, err, errlen);
	if (ret)
		return ret;
	n = resp.body_len;
	while (n && (resp.body[n - 1] == '\n' || resp.body[n - 1] == '\r'))
		n--;
	if (resp.status != 200) {
		snprintf(err, errlen, "IMDS PUT %s: HTTP %ld (IMDSv2 disabled?)",
			 u, resp.status);
		ret = resp.status == 403 || resp.status == 401 ? -EACCES :
		      resp.status == 404 ? -ENOENT : -EPROTO;
	} else if (!n || n >= sizeof(m->token) ||
		   strspn(resp.body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789+/=-_.~") < n) {
		/* never a header's CR/LF, never something that looks wrong */
		snprintf(err, errlen, "IMDS PUT %s: not a token (%zu bytes)", u,
			 resp.body_len);
		ret = -EPROTO;
	} else {
		memcpy(m->token, resp.body, n);
		m->token[n] = '\0';
	}
	vigil_http_resp_free(&resp);
	return ret;
}

int vigil_imds_get(struct vigil_imds *m, const char *path, char *out,
		   size_t len, char *err, size_t errlen)
{
	const struct vigil_http_header h[] = {
		{ "X-aws-ec2-metadata-token", m->token },
	};
	char u[1024];
	struct vigil_http_req req = {
		.method = "GET", .url = u, .headers = h, .n_headers = 1,
		.timeout_ms = m->timeout_ms ? m->timeout_ms : IMDS_TIMEOUT_MS,
	};
	struct vigil_http_resp resp = { 0 };
	bool fresh = false;
	int ret, tries;

	if (errlen)
		err[0] = '\0';
	if (len)
		out[0] = '\0';
	if (!path || path[0] != '/' || strpbrk(path, " \r\n") ||
	    imds_url(m, path, u, sizeof(u))) {
		snprintf(err, errlen, "IMDS path `%s' is not an absolute path",
			 path ? path : "(null)");
		return -EINVAL;
	}
	for (tries = 0; tries < 2; tries++) {
		if (!m->token[0]) {
			ret = take_token(m, err, errlen);
			if (ret)
				return ret;
			fresh = true;
		}
		ret = vigil_http_do(&req, &resp, err, errlen);
		if (ret)
			return ret;
		if (resp.status != 401 && resp.status != 403)
			break;
		vigil_http_resp_free(&resp);
		if (fresh) {
			snprintf(err, errlen, "IMDS GET %s: HTTP %ld with a fresh token",
				 u, resp.status);
			return -EACCES;
		}
		vigil_imds_clear(m);	/* expired: take another */
	}

	switch (resp.status) {
	case 200:
		if (resp.body_len >= len) {
			snprintf(err, errlen, "IMDS GET %s: %zu bytes, room for %zu",
				 u, resp.body_len, len ? len - 1 : 0);
			ret = -ENOSPC;
			break;
		}
		memcpy(out, resp.body, resp.body_len);
		out[resp.body_len] = '\0';
		ret = 0;
		break;
	case 404:
		snprintf(err, errlen, "IMDS GET %s: not found (404)", u);
		ret = -ENOENT;
		break;
	default:
		snprintf(err, errlen, "IMDS GET %s: HTTP %ld", u, resp.status);
		ret = -EPROTO;
		break;
	}
	vigil_http_resp_free(&resp);
	return ret;
}

void vigil_imds_clear(struct vigil_imds *m)
{
	explicit_bzero(m->token, sizeof(m->token));
}
