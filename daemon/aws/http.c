// SPDX-License-Identifier: GPL-2.0
/*
 * One HTTP(S) request with libcurl's easy interface. TLS verification of
 * peer and host name is always on; no proxy is taken from the environment;
 * no redirect is followed; only http and https; response bodies are
 * capped at VIGIL_HTTP_BODY_MAX.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"

#define HTTP_TIMEOUT_MS 10000

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_ret;

static void curl_init(void)
{
	curl_init_ret = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct body {
	char *p;
	size_t len, cap;
	bool too_big;
	bool no_mem;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;

	if (n > VIGIL_HTTP_BODY_MAX - b->len) {
		b->too_big = true;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		/* not realloc(): a body may hold credentials, and the old
		 * copy is zeroed */
		p = malloc(cap);
		if (!p) {
			b->no_mem = true;
			return 0;
		}
		if (b->p) {
			memcpy(p, b->p, b->len);
			explicit_bzero(b->p, b->len);
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* The errno for what curl said, with os_errno for connect failures. */
static int map_error(CURLcode rc, long os_errno, const struct body *b)
{
	if (b->too_big)
		return -EMSGSIZE;
	if (b->no_mem)
		return -ENOMEM;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		if (os_errno == ECONNREFUSED)
			return -ECONNREFUSED;
		if (os_errno == ETIMEDOUT)
			return -ETIMEDOUT;
		if (os_errno == EHOSTUNREACH || os_errno == ENETUNREACH ||
		    os_errno == EADDRNOTAVAIL)
			return -EHOSTUNREACH;
		return -EIO;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_FILESIZE_EXCEEDED:
		return -EMSGSIZE;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return -EINVAL;
	/* The peer is not trusted: another try will not change that. */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return -EKEYREJECTED;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_GOT_NOTHING:
	case CURLE_BAD_CONTENT_ENCODING:
		return -EPROTO;
	default:
		return -EIO;
	}
}

static bool header_ok(const char *s, bool name)
{
	if (name && !*s)
		return false;
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n' || (name && (*s == ':' || *s == ' ')))
			return false;
	}
	return true;
}

int vigil_http_do(const struct vigil_http_req *req,
		  struct vigil_http_resp *resp, char *err, size_t errlen)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	struct curl_slist *list = NULL, *l;
	struct body b = { 0 };
	long os_errno = 0;
	unsigned int i;
	CURLcode rc;
	CURL *h;
	int ret;

	memset(resp, 0, sizeof(*resp));
	if (errlen)
		err[0] = '\0';
	if (!req->method || !req->url || (!req->body && req->body_len) ||
	    (strcmp(req->method, "GET") && strcmp(req->method, "PUT") &&
	     strcmp(req->method, "POST"))) {
		snprintf(err, errlen, "HTTP request: bad method `%s' or URL",
			 req->method ? req->method : "(null)");
		return -EINVAL;
	}
	pthread_once(&curl_once, curl_init);
	if (curl_init_ret != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init: %s",
			 curl_easy_strerror(curl_init_ret));
		return -ENOMEM;
	}
	h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -ENOMEM;
	}

	/* "Expect:" stops curl waiting for a 100 Continue before a body. */
	l = curl_slist_append(list, "Expect:");
	if (l)
		list = l;
	for (i = 0; l && i < req->n_headers; i++) {
		const struct vigil_http_header *x = &req->headers[i];
		char *line;

		if (!x->name || !x->value || !header_ok(x->name, true) ||
		    !header_ok(x->value, false)) {
			snprintf(err, errlen, "%s %s: bad header `%s'",
				 req->method, req->url, x->name ? x->name : "(null)");
			ret = -EINVAL;
			goto out;
		}
		/* "Name;" sends an empty value; "Name:" would remove it */
		if ((*x->value ? asprintf(&line, "%s: %s", x->name, x->value) :
				 asprintf(&line, "%s;", x->name)) < 0) {
			l = NULL;
			break;
		}
		l = curl_slist_append(list, line);
		free(line);
		if (l)
			list = l;
	}
	if (!l) {
		snprintf(err, errlen, "%s %s: out of memory", req->method, req->url);
		ret = -ENOMEM;
		goto out;
	}

	rc = curl_easy_setopt(h, CURLOPT_URL, req->url);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (rc == CURLE_OK && req->ca_file)
		rc = curl_easy_setopt(h, CURLOPT_CAINFO, req->ca_file);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
				      (long)(req->timeout_ms ? req->timeout_ms : HTTP_TIMEOUT_MS));
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
				      (curl_off_t)VIGIL_HTTP_BODY_MAX);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (rc == CURLE_OK && strcmp(req->method, "GET")) {
		/* PUT and POST: the body (maybe empty) as POST data; the
		 * method named. */
		rc = curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
					      (curl_off_t)req->body_len);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS,
					      req->body ? req->body : "");
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s %s: %s", req->method, req->url,
			 curl_easy_strerror(rc));
		ret = rc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
		goto out;
	}

	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
		ret = map_error(rc, os_errno, &b);
		if (ret == -EMSGSIZE)
			snprintf(err, errlen, "%s %s: response body larger than %u bytes",
				 req->method, req->url, VIGIL_HTTP_BODY_MAX);
		else
			snprintf(err, errlen, "%s %s: %s%s%s%s", req->method,
				 req->url, curl_easy_strerror(rc),
				 curl_err[0] ? " (" : "", curl_err,
				 curl_err[0] ? ")" : "");
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (!b.p) {
		b.p = strdup("");
		if (!b.p) {
			snprintf(err, errlen, "%s %s: out of memory", req->method,
				 req->url);
			ret = -ENOMEM;
			goto out;
		}
	}
	resp->body = b.p;
	resp->body_len = b.len;
	b.p = NULL;
	ret = 0;
out:
	if (b.p)
		explicit_bzero(b.p, b.len);
	free(b.p);
	curl_slist_free_all(list);
	curl_easy_cleanup(h);
	return ret;
}

/* The body is zeroed first: IMDS's answers hold credentials. */
void vigil_http_resp_free(struct vigil_http_resp *resp)
{
	if (resp->body)
		explicit_bzero(resp->body, resp->body_len);
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}
