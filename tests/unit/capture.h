/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capture what a piece of code writes to a file descriptor (stdout or
 * stderr) into a buffer, for the unit tests of the tools' output:
 *
 *	capture_begin(&c, STDERR_FILENO);
 *	ret = code_under_test();
 *	out = capture_end(&c);		NUL-terminated, until the next begin
 */
#ifndef _VIGIL_CAPTURE_H
#define _VIGIL_CAPTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CAPTURE_MAX (64 * 1024)

struct capture {
	int fd;		/* the descriptor captured */
	int saved;	/* its original, to put back */
	int file;	/* where the output went */
};

static char capture_buf[CAPTURE_MAX];

static inline void capture_begin(struct capture *c, int fd)
{
	fflush(stdout);
	fflush(stderr);
	c->fd = fd;
	c->saved = dup(fd);
	c->file = open(".", O_TMPFILE | O_RDWR, 0600);
	if (c->file < 0)
		c->file = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	if (c->saved < 0 || c->file < 0 || dup2(c->file, fd) < 0) {
		perror("capture");
		exit(1);
	}
}

static inline const char *capture_end(struct capture *c)
{
	ssize_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	n = pread(c->file, capture_buf, sizeof(capture_buf) - 1, 0);
	capture_buf[n > 0 ? n : 0] = '\0';
	close(c->file);
	return capture_buf;
}

#endif /* _VIGIL_CAPTURE_H */
