/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The EC2 Query API calls vigil needs (API version 2016-11-15): POST of a
 * form-encoded Action=...&Version=... to the endpoint, signed with SigV4,
 * the XML answer parsed with libxml2. Errors are classified by meaning:
 * throttling, 5xx and transport failures are retried with capped
 * exponential backoff and full jitter until the client's deadline;
 * authentication, permission, not-found and state errors are not retried
 * and are reported by their AWS code.
 */
#ifndef _VIGIL_AWS_EC2_H
#define _VIGIL_AWS_EC2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "creds.h"

#define VIGIL_EC2_API_VERSION "2016-11-15"
#define VIGIL_EC2_ID_MAX 64
#define VIGIL_EC2_ENIS_MAX 16
/* A retry's delay is cut short to leave this much before the deadline for
 * the request, and there is no retry when less than this is left; never
 * more than VIGIL_EC2_ATTEMPTS_MAX requests per call. */
#define VIGIL_EC2_RETRY_ROOM_MS 100
#define VIGIL_EC2_ATTEMPTS_MAX 32

enum vigil_ec2_class {
	VIGIL_EC2_OK = 0,
	VIGIL_EC2_RETRY,		/* throttling, 5xx, transport: try again */
	VIGIL_EC2_AUTH,			/* AuthFailure, SignatureDoesNotMatch, ... */
	VIGIL_EC2_DENIED,		/* UnauthorizedOperation */
	VIGIL_EC2_NOT_FOUND,		/* Invalid*.NotFound, Invalid*ID.Malformed */
	VIGIL_EC2_STATE,		/* IncorrectInstanceState, ... */
	VIGIL_EC2_OTHER,
};

struct vigil_ec2_error {
	enum vigil_ec2_class cls;
	long http_status;		/* 0: no response (transport) */
	char code[64];			/* AWS's code, or "Transport" */
	char message[256];
	char request_id[64];
};

/* One client: where, who, until when. */
struct vigil_ec2 {
	const struct vigil_aws_conf *conf;
	char region[32];		/* resolved: conf or IMDS */
	char endpoint[256];		/* resolved: conf or from the region */
	struct vigil_aws_creds creds;
	uint64_t deadline_ms;		/* CLOCK_MONOTONIC; 0: one attempt */
	unsigned int backoff_base_ms;	/* 0: 100 */
	unsigned int backoff_cap_ms;	/* 0: 5000 */
	bool dry_run;			/* log what would be sent, send nothing */
	/* Called once per request with a line that names the call and its
	 * outcome ("StopInstances i-... -> 200", "-> RequestLimitExceeded,
	 * retry in 310 ms"); never a secret. NULL: silent. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
};

struct vigil_ec2_attachment {
	char eni_id[VIGIL_EC2_ID_MAX];
	char attachment_id[VIGIL_EC2_ID_MAX];	/* "": no attachment */
	int device_index;		/* -1: none given */
	char status[16];		/* attaching|attached|detaching|detached */
};

struct vigil_ec2_instance {
	char instance_id[VIGIL_EC2_ID_MAX];
	char state[16];			/* pending|running|stopping|stopped|... */
	int state_code;
	unsigned int n_enis;
	struct vigil_ec2_attachment enis[VIGIL_EC2_ENIS_MAX];
};

struct vigil_ec2_eni {
	char eni_id[VIGIL_EC2_ID_MAX];
	char status[16];		/* available|in-use|attaching|detaching */
	bool attached;			/* has an attachment */
	char instance_id[VIGIL_EC2_ID_MAX];	/* of the attachment */
	struct vigil_ec2_attachment att;
};

/*
 * Resolve region (conf, else IMDS), endpoint (conf, else
 * https://ec2.REGION.amazonaws.com) and credentials (creds.h). 0 or a
 * negative errno with the reason in err. *e is zeroed first: set
 * deadline_ms, backoff_*, dry_run and log afterwards. conf must outlive e.
 */
int vigil_ec2_init(struct vigil_ec2 *e, const struct vigil_aws_conf *conf,
		   char *err, size_t errlen);
void vigil_ec2_free(struct vigil_ec2 *e);	/* zeroes the credentials */

/*
 * Each call: 0 on success; a negative errno otherwise with *er filled
 * (-EAGAIN: still retryable when the deadline came; -EACCES auth/denied;
 * -ENOENT not found; -EBUSY state; -EIO other, a malformed answer
 * included; -EINVAL a bad argument; -ETIMEDOUT the deadline had passed
 * before the first request). er may be NULL. In dry-run mode nothing is
 * sent, mutating calls log "would call Action Param=value ..." and return
 * 0, and describe calls return -EOPNOTSUPP.
 */
int vigil_ec2_describe_instance(struct vigil_ec2 *e, const char *instance_id,
				struct vigil_ec2_instance *out,
				struct vigil_ec2_error *er);
int vigil_ec2_stop_instance(struct vigil_ec2 *e, const char *instance_id,
			    bool force, struct vigil_ec2_error *er);
int vigil_ec2_start_instance(struct vigil_ec2 *e, const char *instance_id,
			     struct vigil_ec2_error *er);
int vigil_ec2_reboot_instance(struct vigil_ec2 *e, const char *instance_id,
			      struct vigil_ec2_error *er);
int vigil_ec2_describe_eni(struct vigil_ec2 *e, const char *eni_id,
			   struct vigil_ec2_eni *out,
			   struct vigil_ec2_error *er);
int vigil_ec2_detach_eni(struct vigil_ec2 *e, const char *attachment_id,
			 bool force, struct vigil_ec2_error *er);
/* The new attachment's id into attachment_id (may be NULL). */
int vigil_ec2_attach_eni(struct vigil_ec2 *e, const char *eni_id,
			 const char *instance_id, int device_index,
			 char attachment_id[VIGIL_EC2_ID_MAX],
			 struct vigil_ec2_error *er);

/* --- pure parts, for the unit tests ---------------------------------- */

/* The class of an AWS error code with its HTTP status. */
enum vigil_ec2_class vigil_ec2_classify(long http_status, const char *code);
/*
 * The delay before retry number attempt (1, 2, ...): a uniform draw in
 * [0, min(cap, base * 2^(attempt-1))] from rnd (a 32-bit random value).
 */
unsigned int vigil_ec2_backoff_ms(unsigned int attempt, unsigned int base,
				  unsigned int cap, uint32_t rnd);
/* Parse an error body (<Response><Errors><Error>...). 0 or -EINVAL. */
int vigil_ec2_parse_error(const char *xml, size_t len, long http_status,
			  struct vigil_ec2_error *er);
/*
 * Parse a DescribeInstances / DescribeNetworkInterfaces answer for the
 * instance / interface with that id (NULL: the first one). 0, -EINVAL
 * (malformed: a required element missing, an id that does not fit),
 * -ENOENT (well-formed, but that id is not in it), -ENOSPC (more than
 * VIGIL_EC2_ENIS_MAX interfaces).
 */
int vigil_ec2_parse_instance(const char *xml, size_t len,
			     const char *instance_id,
			     struct vigil_ec2_instance *out);
int vigil_ec2_parse_eni(const char *xml, size_t len, const char *eni_id,
			struct vigil_ec2_eni *out);
int vigil_ec2_parse_attach(const char *xml, size_t len,
			   char attachment_id[VIGIL_EC2_ID_MAX]);

#endif /* _VIGIL_AWS_EC2_H */
