/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvigil: a small JSON writer for the machine-readable output of the
 * vigil tools (vigilctl -j).
 *
 * The writer places the commas and checks the structure: a value inside an
 * object needs a key first, keys only go in objects, ends match begins, one
 * top-level value. Errors are sticky: the first one (-EINVAL for misuse,
 * -E2BIG past VIGIL_JSON_DEPTH_MAX nested containers) is returned by every
 * later call, which then writes nothing; vigil_json_finish() returns it, or
 * the stream's write error. Output is one line:
 * {"a": 1, "b": [true, null]}
 *
 * Strings are written with '"', '\\', control characters (U+0000..U+001F
 * and DEL) escaped as \u00XX; well-formed UTF-8 is copied through; each
 * byte that is not part of a well-formed UTF-8 sequence becomes \ufffd,
 * so the output is always valid JSON.
 */
#ifndef _VIGIL_JSON_H
#define _VIGIL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define VIGIL_JSON_DEPTH_MAX 16

struct vigil_json {
	FILE *f;
	int err;
	unsigned int depth;
	bool key;	/* a key was written, its value comes next */
	bool done;	/* the top-level value is complete */
	bool object[VIGIL_JSON_DEPTH_MAX];	/* else an array */
	bool members[VIGIL_JSON_DEPTH_MAX];	/* the container is not empty */
};

void vigil_json_init(struct vigil_json *j, FILE *f);

int vigil_json_object_begin(struct vigil_json *j);
int vigil_json_object_end(struct vigil_json *j);
int vigil_json_array_begin(struct vigil_json *j);
int vigil_json_array_end(struct vigil_json *j);

int vigil_json_key(struct vigil_json *j, const char *key);

/* A NULL string is written as null. */
int vigil_json_string(struct vigil_json *j, const char *s);
int vigil_json_u64(struct vigil_json *j, uint64_t v);
int vigil_json_s64(struct vigil_json *j, int64_t v);
int vigil_json_bool(struct vigil_json *j, bool v);
int vigil_json_null(struct vigil_json *j);

/*
 * Check that the document is complete, end it with a newline and flush
 * the stream; a write error is returned here (-errno, or -EIO).
 */
int vigil_json_finish(struct vigil_json *j);

#endif /* _VIGIL_JSON_H */
