// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the JSON writer (tools/libvigil/json.c), which is
 * included here so that its static helpers are in reach.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "json.c"
#include "tap.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct vigil_json j;
};

static void out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	if (!o->f) {
		perror("open_memstream");
		exit(1);
	}
	vigil_json_init(&o->j, o->f);
}

/* Close the stream; o->buf then holds everything written. */
static void out_close(struct out *o)
{
	fclose(o->f);
}

/* The document a single top-level string becomes. */
static char *string_doc(const char *s, int *ret)
{
	struct out o;

	out_open(&o);
	*ret = vigil_json_string(&o.j, s);
	if (!*ret)
		*ret = vigil_json_finish(&o.j);
	out_close(&o);
	return o.buf;
}

static void is_string_doc(const char *in, const char *want, const char *what)
{
	char *got;
	int ret;

	got = string_doc(in, &ret);
	tap_is_int(ret, 0, "%s: written", what);
	tap_is_str(got, want, "%s: output", what);
	free(got);
}

static void test_control_chars(void)
{
	int c, bad = 0;

	/* Every byte below 0x20, and DEL, becomes \u00XX. */
	for (c = 0x01; c <= 0x7f; c++) {
		char in[4] = { 'a', (char)c, 'b', '\0' };
		char want[16];
		char *got;
		int ret;

		if (c >= 0x20 && c != 0x7f)
			continue;
		snprintf(want, sizeof(want), "\"a\\u%04xb\"\n", c);
		got = string_doc(in, &ret);
		if (ret || strcmp(got, want)) {
			tap_diag("byte 0x%02x: got %s, want %s", c, got, want);
			bad++;
		}
		free(got);
	}
	tap_is_int(bad, 0, "each of the 32 control characters is escaped as \\u00XX");
	is_string_doc("\n\t\r", "\"\\u000a\\u0009\\u000d\"\n", "newline, tab, CR");
}

static void test_escapes(void)
{
	is_string_doc("say \"hi\"", "\"say \\\"hi\\\"\"\n", "quotes");
	is_string_doc("a\\b", "\"a\\\\b\"\n", "backslash");
	is_string_doc("\\\"", "\"\\\\\\\"\"\n", "backslash then quote");
	is_string_doc("", "\"\"\n", "empty string");
	is_string_doc("a/b <c> & ~", "\"a/b <c> & ~\"\n", "printable ASCII as is");
}

static void test_utf8(void)
{
	/* é U+00E9, € U+20AC, U+FFFD itself, 𝄞 U+1D11E, U+10FFFF */
	is_string_doc("caf\xc3\xa9", "\"caf\xc3\xa9\"\n", "2-byte UTF-8 passes");
	is_string_doc("\xe2\x82\xac 5", "\"\xe2\x82\xac 5\"\n", "3-byte UTF-8 passes");
	is_string_doc("\xef\xbf\xbd", "\"\xef\xbf\xbd\"\n", "U+FFFD passes");
	is_string_doc("\xf0\x9d\x84\x9e", "\"\xf0\x9d\x84\x9e\"\n", "4-byte UTF-8 passes");
	is_string_doc("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"\n", "U+10FFFF passes");
	is_string_doc("\xed\x9f\xbf", "\"\xed\x9f\xbf\"\n", "U+D7FF passes");

	is_string_doc("a\x80z", "\"a\\ufffdz\"\n", "lone continuation byte");
	is_string_doc("\xc0\xaf", "\"\\ufffd\\ufffd\"\n", "overlong 2-byte '/'");
	is_string_doc("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"\n", "overlong 3-byte");
	is_string_doc("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n", "surrogate U+D800");
	is_string_doc("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n",
		      "above U+10FFFF");
	is_string_doc("\xe2\x82", "\"\\ufffd\\ufffd\"\n", "truncated at the end");
	is_string_doc("\xe2\x82x", "\"\\ufffd\\ufffdx\"\n", "truncated before ASCII");
	is_string_doc("\xf5\xff", "\"\\ufffd\\ufffd\"\n", "bytes never in UTF-8");
}

/*
 * A naive reference: decode the sequence the lead byte announces, then
 * reject overlong forms, surrogates and values above U+10FFFF.
 */
static size_t ref_utf8_len(const unsigned char *s)
{
	static const unsigned int min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned int cp;
	size_t n, i;

	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void ref_escape(const unsigned char *s, char *out, size_t size)
{
	size_t o = 0, n;

	out[o++] = '"';
	while (*s && o + 8 < size) {
		if (*s == '"' || *s == '\\') {
			out[o++] = '\\';
			out[o++] = *s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			o += snprintf(out + o, size - o, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			out[o++] = *s++;
		} else if ((n = ref_utf8_len(s))) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
		} else {
			o += snprintf(out + o, size - o, "\\ufffd");
			s++;
		}
	}
	out[o++] = '"';
	out[o++] = '\n';
	out[o] = '\0';
}

static unsigned char random_byte(void)
{
	/* Thirds: any byte, a continuation byte, a lead byte. */
	switch (rand() % 3) {
	case 0:
		return 1 + rand() % 255;
	case 1:
		return 0x80 + rand() % 0x40;
	default:
		return 0xc0 + rand() % 0x40;
	}
}

static void test_random_against_reference(void)
{
	const unsigned int seed = 20240601, rounds = 20000;
	unsigned int r, bad = 0, valid_multibyte = 0;

	srand(seed);
	for (r = 0; r < rounds; r++) {
		unsigned char in[16];
		char want[16 * 6 + 8];
		size_t len = rand() % (sizeof(in) - 1), i;
		char *got;
		int ret;

		for (i = 0; i < len; i++)
			in[i] = random_byte();
		in[len] = '\0';
		for (i = 0; i < len; i++)
			valid_multibyte += ref_utf8_len(in + i) > 1;

		ref_escape(in, want, sizeof(want));
		got = string_doc((const char *)in, &ret);
		if (ret || strcmp(got, want)) {
			if (bad++ < 5)
				tap_diag("round %u: got %s, want %s", r, got, want);
		}
		free(got);
	}
	tap_is_int(bad, 0, "%u random strings escape as the reference does (seed %u)",
		   rounds, seed);
	/* Else the comparison would say little about multibyte handling. */
	tap_ok(valid_multibyte > 1000, "the random strings held %u valid multibyte sequences",
	       valid_multibyte);
}

static void test_structure(void)
{
	struct out o;
	int ret;

	out_open(&o);
	vigil_json_object_begin(&o.j);
	vigil_json_key(&o.j, "a");
	vigil_json_array_begin(&o.j);
	vigil_json_u64(&o.j, 1);
	vigil_json_s64(&o.j, -2);
	vigil_json_bool(&o.j, true);
	vigil_json_bool(&o.j, false);
	vigil_json_null(&o.j);
	vigil_json_string(&o.j, "x");
	vigil_json_string(&o.j, NULL);
	vigil_json_array_end(&o.j);
	vigil_json_key(&o.j, "b");
	vigil_json_object_begin(&o.j);
	vigil_json_key(&o.j, "c");
	vigil_json_object_begin(&o.j);
	vigil_json_object_end(&o.j);
	vigil_json_object_end(&o.j);
	vigil_json_key(&o.j, "d");
	vigil_json_array_begin(&o.j);
	vigil_json_array_end(&o.j);
	vigil_json_key(&o.j, "k\"\n");
	vigil_json_array_begin(&o.j);
	vigil_json_array_begin(&o.j);
	vigil_json_array_end(&o.j);
	vigil_json_object_begin(&o.j);
	vigil_json_object_end(&o.j);
	vigil_json_array_end(&o.j);
	vigil_json_object_end(&o.j);
	ret = vigil_json_finish(&o.j);
	out_close(&o);
	tap_is_int(ret, 0, "nested document: finished");
	tap_is_str(o.buf,
		   "{\"a\": [1, -2, true, false, null, \"x\", null], "
		   "\"b\": {\"c\": {}}, \"d\": [], \"k\\\"\\u000a\": [[], {}]}\n",
		   "nested document: commas, separators, escaped key");
	free(o.buf);

	out_open(&o);
	vigil_json_array_begin(&o.j);
	vigil_json_u64(&o.j, UINT64_MAX);
	vigil_json_s64(&o.j, INT64_MIN);
	vigil_json_u64(&o.j, 0);
	vigil_json_array_end(&o.j);
	ret = vigil_json_finish(&o.j);
	out_close(&o);
	tap_is_int(ret, 0, "numbers: finished");
	tap_is_str(o.buf, "[18446744073709551615, -9223372036854775808, 0]\n",
		   "numbers: full 64-bit range");
	free(o.buf);

	out_open(&o);
	vigil_json_u64(&o.j, 7);
	ret = vigil_json_finish(&o.j);
	out_close(&o);
	tap_is_int(ret, 0, "scalar document: finished");
	tap_is_str(o.buf, "7\n", "scalar document");
	free(o.buf);

	/* The shape vigilctl status -j prints. */
	out_open(&o);
	vigil_json_object_begin(&o.j);
	vigil_json_key(&o.j, "module");
	vigil_json_object_begin(&o.j);
	vigil_json_key(&o.j, "version");
	vigil_json_string(&o.j, "0.1.0");
	vigil_json_key(&o.j, "protocol");
	vigil_json_u64(&o.j, 1);
	vigil_json_object_end(&o.j);
	vigil_json_object_end(&o.j);
	ret = vigil_json_finish(&o.j);
	out_close(&o);
	tap_is_int(ret, 0, "status document: finished");
	tap_is_str(o.buf, "{\"module\": {\"version\": \"0.1.0\", \"protocol\": 1}}\n",
		   "status document");
	free(o.buf);
}

static void test_depth(void)
{
	struct out o;
	int i, ret = 0;
	char want[2 * VIGIL_JSON_DEPTH_MAX + 2];

	out_open(&o);
	for (i = 0; i < VIGIL_JSON_DEPTH_MAX && !ret; i++)
		ret = vigil_json_array_begin(&o.j);
	tap_is_int(ret, 0, "%d nested arrays open", VIGIL_JSON_DEPTH_MAX);
	for (i = 0; i < VIGIL_JSON_DEPTH_MAX && !ret; i++)
		ret = vigil_json_array_end(&o.j);
	if (!ret)
		ret = vigil_json_finish(&o.j);
	out_close(&o);
	memset(want, '[', VIGIL_JSON_DEPTH_MAX);
	memset(want + VIGIL_JSON_DEPTH_MAX, ']', VIGIL_JSON_DEPTH_MAX);
	strcpy(want + 2 * VIGIL_JSON_DEPTH_MAX, "\n");
	tap_is_int(ret, 0, "... and close");
	tap_is_str(o.buf, want, "... and read back");
	free(o.buf);

	out_open(&o);
	for (i = 0; i < VIGIL_JSON_DEPTH_MAX; i++) {
		vigil_json_object_begin(&o.j);
		vigil_json_key(&o.j, "k");
	}
	ret = vigil_json_object_begin(&o.j);
	tap_is_int(ret, -E2BIG, "one container more than VIGIL_JSON_DEPTH_MAX is refused");
	ret = vigil_json_object_end(&o.j);
	tap_is_int(ret, -E2BIG, "the error sticks");
	ret = vigil_json_finish(&o.j);
	tap_is_int(ret, -E2BIG, "finish reports it");
	fflush(o.f);
	tap_is_int(o.len, VIGIL_JSON_DEPTH_MAX * strlen("{\"k\": "),
		   "nothing is written after the error");
	out_close(&o);
	free(o.buf);
}

/* Each misuse is refused with -EINVAL, and the error sticks. */
static void test_misuse(void)
{
	struct out o;
	size_t len;
	int ret;

	out_open(&o);
	vigil_json_object_begin(&o.j);
	ret = vigil_json_u64(&o.j, 1);
	tap_is_int(ret, -EINVAL, "value in an object without a key");
	fflush(o.f);
	len = o.len;
	ret = vigil_json_key(&o.j, "a");
	tap_is_int(ret, -EINVAL, "later calls return the first error");
	fflush(o.f);
	tap_is_int(o.len, len, "... and write nothing");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	vigil_json_array_begin(&o.j);
	tap_is_int(vigil_json_key(&o.j, "a"), -EINVAL, "key in an array");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	tap_is_int(vigil_json_key(&o.j, "a"), -EINVAL, "key at the top level");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	vigil_json_object_begin(&o.j);
	vigil_json_key(&o.j, "a");
	tap_is_int(vigil_json_key(&o.j, "b"), -EINVAL, "two keys in a row");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	vigil_json_object_begin(&o.j);
	vigil_json_key(&o.j, "a");
	tap_is_int(vigil_json_object_end(&o.j), -EINVAL, "object ends after a key");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	vigil_json_object_begin(&o.j);
	tap_is_int(vigil_json_array_end(&o.j), -EINVAL, "object closed as an array");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	tap_is_int(vigil_json_array_end(&o.j), -EINVAL, "end with nothing open");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	vigil_json_null(&o.j);
	tap_is_int(vigil_json_null(&o.j), -EINVAL, "second top-level value");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	vigil_json_array_begin(&o.j);
	tap_is_int(vigil_json_finish(&o.j), -EINVAL, "finish with an array open");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	tap_is_int(vigil_json_finish(&o.j), -EINVAL, "finish an empty document");
	out_close(&o);
	free(o.buf);

	out_open(&o);
	vigil_json_object_begin(&o.j);
	tap_is_int(vigil_json_key(&o.j, NULL), -EINVAL, "NULL key");
	out_close(&o);
	free(o.buf);
}

static void test_write_error(void)
{
	struct vigil_json j;
	FILE *f;

	f = fopen("/dev/full", "w");
	if (!f) {
		tap_skip("no /dev/full", "write error is reported by finish");
		return;
	}
	vigil_json_init(&j, f);
	vigil_json_string(&j, "lost");
	tap_is_int(vigil_json_finish(&j), -ENOSPC, "write error is reported by finish");
	fclose(f);
}

int main(void)
{
	test_control_chars();
	test_escapes();
	test_utf8();
	test_random_against_reference();
	test_structure();
	test_depth();
	test_misuse();
	test_write_error();
	return tap_done();
}
