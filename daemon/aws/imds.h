/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instance metadata service, IMDSv2 only: a session token from
 * PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds), then GETs
 * with X-aws-ec2-metadata-token.
 */
#ifndef _VIGIL_AWS_IMDS_H
#define _VIGIL_AWS_IMDS_H

#include <stddef.h>

#define VIGIL_IMDS_DEFAULT "http://169.254.169.254"
#define VIGIL_IMDS_TOKEN_TTL_S 21600

struct vigil_imds {
	const char *endpoint;		/* NULL: VIGIL_IMDS_DEFAULT */
	unsigned int timeout_ms;	/* one request; 0: 2 s */
	char token[256];		/* "": none yet */
};

/*
 * GET path (e.g. "/latest/meta-data/instance-id"), taking a token first
 * when there is none and once more when the service answers 401. The body
 * is copied NUL-terminated into out. 0, or a negative errno with a reason
 * in err: -ENOENT (404), -EACCES (401/403 after a fresh token), -ENOSPC,
 * -EPROTO (another status), or the transport's error.
 */
int vigil_imds_get(struct vigil_imds *m, const char *path, char *out,
		   size_t len, char *err, size_t errlen);
void vigil_imds_clear(struct vigil_imds *m);

#endif /* _VIGIL_AWS_IMDS_H */
