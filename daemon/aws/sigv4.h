/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AWS Signature Version 4 (header form). Pure: no I/O, no clock; the
 * caller gives the time. Checked against every case of AWS's own test
 * suite (tests/unit/test_sigv4.c) and against botocore.
 */
#ifndef _VIGIL_AWS_SIGV4_H
#define _VIGIL_AWS_SIGV4_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "creds.h"

struct vigil_sigv4_header {
	const char *name;		/* any case; trimmed and folded by the signer */
	const char *value;
};

struct vigil_sigv4_req {
	const char *method;
	const char *path;		/* as sent on the request line, without the query */
	const char *query;		/* as sent, without '?'; NULL or "": none */
	/* Every header that is sent and signed: host and x-amz-date at
	 * least, x-amz-security-token when the credentials carry a token.
	 * Authorization is not among them. */
	const struct vigil_sigv4_header *headers;
	unsigned int n_headers;
	const void *body;		/* NULL: empty */
	size_t body_len;
};

struct vigil_sigv4_scope {
	const char *region;
	const char *service;		/* "ec2" */
	time_t when;			/* the x-amz-date, UTC */
};

/* "YYYYMMDD'T'HHMMSS'Z'" of when, for the x-amz-date header. */
void vigil_sigv4_amz_date(time_t when, char out[17]);

/*
 * The steps, exposed for the test suite. Each returns the length written
 * (without the NUL) or -ENOSPC / -EINVAL.
 */
int vigil_sigv4_canonical_request(const struct vigil_sigv4_req *r,
				  char *out, size_t len);
int vigil_sigv4_string_to_sign(const struct vigil_sigv4_req *r,
			       const struct vigil_sigv4_scope *s,
			       char *out, size_t len);
/* The Authorization header's value. */
int vigil_sigv4_authorization(const struct vigil_sigv4_req *r,
			      const struct vigil_sigv4_scope *s,
			      const struct vigil_aws_creds *c,
			      char *out, size_t len);

#endif /* _VIGIL_AWS_SIGV4_H */
