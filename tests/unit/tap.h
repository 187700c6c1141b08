/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP (Test Anything Protocol) producer for the unit tests.
 *
 *	tap_plan(n);			optional; else the plan is printed last
 *	tap_ok(cond, "what %d", x);
 *	tap_is_int(got, want, "what");	prints got and want when they differ
 *	tap_is_str(got, want, "what");
 *	tap_skip("why", "what");	ok N - what # SKIP why
 *	tap_diag("note");		# note
 *	return tap_done();		1 if any test failed or the count is off
 *
 * Or, for a file that cannot run here at all: return tap_skip_all("why").
 * Every line is flushed at once, so a sanitizer abort loses nothing.
 */
#ifndef _VIGIL_TAP_H
#define _VIGIL_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_planned = -1;
static int tap_count;
static int tap_failed;

static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline void tap_vresult(bool pass, const char *skip, const char *fmt,
			       va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	if (skip)
		printf(" # SKIP %s", skip);
	putchar('\n');
	fflush(stdout);
}

__attribute__((format(printf, 2, 3)))
static inline bool tap_ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, NULL, fmt, ap);
	va_end(ap);
	return pass;
}

__attribute__((format(printf, 2, 3)))
static inline void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(true, reason, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 5, 6)))
static inline bool tap_is_int_at(const char *file, int line, long long got,
				 long long want, const char *fmt, ...)
{
	bool pass = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		tap_diag("%s:%d: got %lld, want %lld", file, line, got, want);
	return pass;
}

__attribute__((format(printf, 5, 6)))
static inline bool tap_is_str_at(const char *file, int line, const char *got,
				 const char *want, const char *fmt, ...)
{
	bool pass = got && want ? !strcmp(got, want) : got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		tap_diag("%s:%d: got \"%s\", want \"%s\"", file, line,
			 got ? got : "(null)", want ? want : "(null)");
	return pass;
}

#define tap_is_int(got, want, ...) \
	tap_is_int_at(__FILE__, __LINE__, (got), (want), __VA_ARGS__)
#define tap_is_str(got, want, ...) \
	tap_is_str_at(__FILE__, __LINE__, (got), (want), __VA_ARGS__)

static inline int tap_done(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_count);
	if (tap_planned >= 0 && tap_count != tap_planned) {
		tap_diag("planned %d tests but ran %d", tap_planned, tap_count);
		return 1;
	}
	if (tap_failed)
		tap_diag("failed %d of %d tests", tap_failed, tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

/*
 * One skipped result rather than "1..0 # SKIP": tests/run counts a binary
 * that reports no result at all as a failure.
 */
static inline int tap_skip_all(const char *reason)
{
	printf("ok 1 - all tests # SKIP %s\n1..1\n", reason);
	fflush(stdout);
	return 0;
}

#endif /* _VIGIL_TAP_H */
