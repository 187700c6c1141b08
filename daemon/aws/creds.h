/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AWS credentials and where they come from, in this order: the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), the shared-credentials file named in vigil.conf
 * (a profile of it), the instance role through IMDSv2. Secrets are never
 * logged and are zeroed when dropped.
 */
#ifndef _VIGIL_AWS_CREDS_H
#define _VIGIL_AWS_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum vigil_aws_creds_source {
	VIGIL_AWS_CREDS_NONE = 0,
	VIGIL_AWS_CREDS_ENV,
	VIGIL_AWS_CREDS_FILE,
	VIGIL_AWS_CREDS_IMDS,
};

struct vigil_aws_creds {
	enum vigil_aws_creds_source source;
	char access_key[128];
	char secret_key[128];
	char token[4096];		/* "": none */
	time_t expires;			/* 0: does not expire */
};

/* Where the AWS client finds its account ([aws] in vigil.conf). */
struct vigil_aws_conf {
	const char *region;		/* NULL: IMDS's placement/region */
	const char *endpoint;		/* NULL: https://ec2.REGION.amazonaws.com */
	const char *credentials_file;	/* NULL: none */
	const char *profile;		/* NULL: "default" */
	const char *ca_file;		/* NULL: the system's */
	const char *imds_endpoint;	/* NULL: http://169.254.169.254 */
	unsigned int call_timeout_ms;	/* one HTTP request; 0: 5 s */
};

/* Refresh role credentials this long before they expire. */
#define VIGIL_AWS_CREDS_REFRESH_S 300

/*
 * Fill c from the first source that has credentials. When c already holds
 * credentials that do not expire within VIGIL_AWS_CREDS_REFRESH_S of now,
 * keep them. 0, or a negative errno with a reason in err (which names the
 * sources tried and never a secret): -ENOENT none found, -EINVAL a
 * malformed file or IMDS answer, or the transport's error.
 */
int vigil_aws_creds_get(const struct vigil_aws_conf *conf,
			struct vigil_aws_creds *c, time_t now,
			char *err, size_t errlen);
/* explicit_bzero() of everything. */
void vigil_aws_creds_clear(struct vigil_aws_creds *c);
const char *vigil_aws_creds_source_name(enum vigil_aws_creds_source s);

#endif /* _VIGIL_AWS_CREDS_H */
