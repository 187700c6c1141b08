/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One HTTP(S) request with libcurl's easy interface: the AWS client's
 * only transport (IMDS over plain HTTP, the EC2 API over HTTPS). TLS
 * peer and host verification are always on; ca_file names the trust
 * anchors when not the system's. Blocking: it runs in vigil-aws, never in
 * vigild's event loop.
 */
#ifndef _VIGIL_AWS_HTTP_H
#define _VIGIL_AWS_HTTP_H

#include <stddef.h>

struct vigil_http_header {
	const char *name;
	const char *value;
};

struct vigil_http_req {
	const char *method;		/* "GET", "PUT", "POST" */
	const char *url;
	const struct vigil_http_header *headers;
	unsigned int n_headers;
	const void *body;		/* NULL: none */
	size_t body_len;
	const char *ca_file;		/* NULL: the system's trust store */
	unsigned int timeout_ms;	/* the whole request; 0: 10 s */
};

struct vigil_http_resp {
	long status;			/* HTTP status code */
	char *body;			/* NUL-terminated (malloc) */
	size_t body_len;
};

/* Response bodies larger than this are refused (-EMSGSIZE). */
#define VIGIL_HTTP_BODY_MAX (4u << 20)

/*
 * 0 when a response came back, whatever its status, and *resp holds it
 * (free with vigil_http_resp_free()). Else a negative errno and a
 * one-line reason in err: -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH,
 * -EKEYREJECTED (TLS: the server's certificate is not trusted, or the CA
 * file cannot be read), -EPROTO (another TLS or protocol failure),
 * -EMSGSIZE, -ENOMEM,
 * -EIO (anything else).
 */
int vigil_http_do(const struct vigil_http_req *req,
		  struct vigil_http_resp *resp, char *err, size_t errlen);
void vigil_http_resp_free(struct vigil_http_resp *resp);

#endif /* _VIGIL_AWS_HTTP_H */
