// SPDX-License-Identifier: GPL-2.0
/*
 * vigild: logging to stderr, which systemd hands to the journal.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vigild.h"

bool vigild_verbose;

static void vlog(const char *fmt, va_list ap)
{
	char line[512];

	/* One write per line, so that lines from two processes do not mix. */
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "vigild: %s\n", line);
}

void vigild_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void vigild_debug(const char *fmt, ...)
{
	va_list ap;

	if (!vigild_verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void vigild_log_error(const char *what, int err, const char *ackmsg)
{
	if (ackmsg && ackmsg[0])
		vigild_log("%s: %s (kernel: %s)", what, strerror(-err), ackmsg);
	else
		vigild_log("%s: %s", what, strerror(-err));
}
