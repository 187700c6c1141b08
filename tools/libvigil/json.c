// SPDX-License-Identifier: GPL-2.0
/*
 * libvigil: JSON writer; see json.h.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"

void vigil_json_init(struct vigil_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static int fail(struct vigil_json *j, int err)
{
	if (!j->err)
		j->err = err;
	return j->err;
}

/*
 * Length of the well-formed UTF-8 sequence that starts at s (the Unicode
 * Standard, table 3-7: no overlong forms, no surrogates, nothing above
 * U+10FFFF), or 0 if there is none. s is NUL-terminated; the NUL is never
 * a continuation byte, so nothing past it is read.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;

	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;

	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

static void put_string(struct vigil_json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', j->f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fputc('\\', j->f);
			fputc(*s++, j->f);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(j->f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, j->f);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, j->f);
			s += n;
		} else {
			fputs("\\ufffd", j->f);
			s++;
		}
	}
	fputc('"', j->f);
}

/* Before any value: check that one may go here and write its comma. */
static int value_begin(struct vigil_json *j)
{
	unsigned int d = j->depth;

	if (j->err)
		return j->err;
	if (!d)
		return j->done ? fail(j, -EINVAL) : 0;
	if (j->object[d - 1]) {
		if (!j->key)
			return fail(j, -EINVAL);
		j->key = false;
		return 0;
	}
	if (j->members[d - 1])
		fputs(", ", j->f);
	j->members[d - 1] = true;
	return 0;
}

static void value_end(struct vigil_json *j)
{
	if (!j->depth)
		j->done = true;
}

static int container_begin(struct vigil_json *j, bool object)
{
	int ret;

	if (!j->err && j->depth == VIGIL_JSON_DEPTH_MAX)
		return fail(j, -E2BIG);
	ret = value_begin(j);
	if (ret)
		return ret;
	fputc(object ? '{' : '[', j->f);
	j->object[j->depth] = object;
	j->members[j->depth] = false;
	j->depth++;
	return 0;
}

static int container_end(struct vigil_json *j, bool object)
{
	if (j->err)
		return j->err;
	if (!j->depth || j->object[j->depth - 1] != object || j->key)
		return fail(j, -EINVAL);
	fputc(object ? '}' : ']', j->f);
	j->depth--;
	value_end(j);
	return 0;
}

int vigil_json_object_begin(struct vigil_json *j)
{
	return container_begin(j, true);
}

int vigil_json_object_end(struct vigil_json *j)
{
	return container_end(j, true);
}

int vigil_json_array_begin(struct vigil_json *j)
{
	return container_begin(j, false);
}

int vigil_json_array_end(struct vigil_json *j)
{
	return container_end(j, false);
}

int vigil_json_key(struct vigil_json *j, const char *key)
{
	unsigned int d = j->depth;

	if (j->err)
		return j->err;
	if (!d || !j->object[d - 1] || j->key || !key)
		return fail(j, -EINVAL);
	if (j->members[d - 1])
		fputs(", ", j->f);
	j->members[d - 1] = true;
	put_string(j, key);
	fputs(": ", j->f);
	j->key = true;
	return 0;
}

int vigil_json_string(struct vigil_json *j, const char *s)
{
	int ret;

	if (!s)
		return vigil_json_null(j);
	ret = value_begin(j);
	if (ret)
		return ret;
	put_string(j, s);
	value_end(j);
	return 0;
}

int vigil_json_u64(struct vigil_json *j, uint64_t v)
{
	int ret;

	ret = value_begin(j);
	if (ret)
		return ret;
	fprintf(j->f, "%" PRIu64, v);
	value_end(j);
	return 0;
}

int vigil_json_s64(struct vigil_json *j, int64_t v)
{
	int ret;

	ret = value_begin(j);
	if (ret)
		return ret;
	fprintf(j->f, "%" PRId64, v);
	value_end(j);
	return 0;
}

int vigil_json_bool(struct vigil_json *j, bool v)
{
	int ret;

	ret = value_begin(j);
	if (ret)
		return ret;
	fputs(v ? "true" : "false", j->f);
	value_end(j);
	return 0;
}

int vigil_json_null(struct vigil_json *j)
{
	int ret;

	ret = value_begin(j);
	if (ret)
		return ret;
	fputs("null", j->f);
	value_end(j);
	return 0;
}

int vigil_json_finish(struct vigil_json *j)
{
	if (j->err)
		return j->err;
	if (!j->done)
		return fail(j, -EINVAL);
	fputc('\n', j->f);
	errno = 0;
	if (fflush(j->f) == EOF)
		return fail(j, errno ? -errno : -EIO);
	if (ferror(j->f))
		return fail(j, -EIO);
	return 0;
}
