// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the instance role's credentials as IMDS answers them
 * (daemon/aws/creds.c: a small strict JSON reader, then the ISO 8601
 * expiry). Whatever the bytes: no crash, no read past them, and a
 * success only with every field there and bounded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/aws/creds.c"
#include "../../daemon/aws/imds.c"
#include "../../daemon/aws/http.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_aws_creds n;
	struct role_fields rf;
	const char *bad;
	char *text;
	time_t t;

	/* The reader is given exactly the body: no NUL after it. */
	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(&n, 0, sizeof(n));
	memset(&rf, 0, sizeof(rf));
	if (!parse_role_json(text, size, &rf, &n, &bad)) {
		if (memchr(n.access_key, 0, sizeof(n.access_key)) == NULL ||
		    memchr(n.secret_key, 0, sizeof(n.secret_key)) == NULL ||
		    memchr(rf.expiration, 0, sizeof(rf.expiration)) == NULL)
			abort();
		if (rf.have[F_EXPIRATION])
			(void)parse_iso8601(rf.expiration, &t);
	}
	vigil_aws_creds_clear(&n);
	free(text);
	return 0;
}
