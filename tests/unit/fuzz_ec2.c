// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the EC2 answer parsers (daemon/aws/ec2.c):
 * arbitrary bytes to vigil_ec2_parse_instance(), _eni(), _attach() and
 * _error(). Besides the sanitizers, it checks what the parsers promise:
 * on success the ids are non-empty and NUL-terminated inside their
 * buffers and the counts in range; on failure the output is cleared; the
 * error class agrees with vigil_ec2_classify(). Seeds: answers shaped
 * like the API reference's examples, tests/unit/fuzz-ec2/seed-*.
 *
 *	make fuzz && build/fuzz/fuzz_ec2 -max_total_time=60 tests/unit/fuzz-ec2
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/aws/ec2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL within the buffer, and (required) something before it. */
static void check_str(const char *s, size_t len, bool required)
{
	if (!memchr(s, '\0', len) || (required && !s[0]))
		abort();
}

static bool zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i])
			return false;
	return true;
}

static void check_att(const struct vigil_ec2_attachment *a)
{
	check_str(a->eni_id, sizeof(a->eni_id), true);
	check_str(a->attachment_id, sizeof(a->attachment_id), false);
	check_str(a->status, sizeof(a->status), false);
	if (a->device_index < -1 || (!a->attachment_id[0] && a->status[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	struct vigil_ec2_instance inst;
	struct vigil_ec2_error er;
	struct vigil_ec2_eni eni;
	char att[VIGIL_EC2_ID_MAX];
	int ret;

	ret = vigil_ec2_parse_instance(xml, size, NULL, &inst);
	if (!ret) {
		check_str(inst.instance_id, sizeof(inst.instance_id), true);
		check_str(inst.state, sizeof(inst.state), true);
		if (inst.n_enis > VIGIL_EC2_ENIS_MAX || inst.state_code < 0)
			abort();
		for (unsigned int i = 0; i < inst.n_enis; i++)
			check_att(&inst.enis[i]);
		/* Asked by its own id, the same instance comes back. */
		struct vigil_ec2_instance again;
		char id[VIGIL_EC2_ID_MAX];

		memcpy(id, inst.instance_id, sizeof(id));
		if (vigil_ec2_parse_instance(xml, size, id, &again) ||
		    memcmp(&inst, &again, sizeof(inst)))
			abort();
	} else if ((ret != -EINVAL && ret != -ENOENT && ret != -ENOSPC &&
		    ret != -ENOMEM) || !zero(&inst, sizeof(inst))) {
		abort();
	}

	ret = vigil_ec2_parse_eni(xml, size, NULL, &eni);
	if (!ret) {
		check_str(eni.eni_id, sizeof(eni.eni_id), true);
		check_str(eni.status, sizeof(eni.status), true);
		check_str(eni.instance_id, sizeof(eni.instance_id), false);
		check_att(&eni.att);
		if (eni.attached != !!eni.att.attachment_id[0] ||
		    strcmp(eni.att.eni_id, eni.eni_id))
			abort();
	} else if ((ret != -EINVAL && ret != -ENOENT && ret != -ENOMEM) ||
		   !zero(&eni, sizeof(eni))) {
		abort();
	}

	ret = vigil_ec2_parse_attach(xml, size, att);
	if (!ret)
		check_str(att, sizeof(att), true);
	else if ((ret != -EINVAL && ret != -ENOMEM) || att[0])
		abort();

	ret = vigil_ec2_parse_error(xml, size, 400, &er);
	if (!ret) {
		check_str(er.code, sizeof(er.code), true);
		check_str(er.message, sizeof(er.message), false);
		check_str(er.request_id, sizeof(er.request_id), false);
		if (er.http_status != 400 ||
		    er.cls != vigil_ec2_classify(400, er.code))
			abort();
	} else if ((ret != -EINVAL && ret != -ENOMEM) || er.code[0] ||
		   er.http_status != 400) {
		abort();
	}
	return 0;
}
