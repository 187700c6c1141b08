/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigild's control socket (Documentation/control.md): a SOCK_STREAM
 * AF_UNIX socket, /run/vigil/vigild.sock, mode 0600, root only (the
 * peer's SO_PEERCRED uid must be 0). One request per connection: a line
 * of words; the reply is lines, the last one `ok' or `error: MESSAGE'.
 */
#ifndef _VIGILD_CONTROL_H
#define _VIGILD_CONTROL_H

#include <stdbool.h>
#include <stdio.h>

#include "cluster.h"

#define VIGILD_CONTROL_PATH "/run/vigil/vigild.sock"
#define VIGILD_CONTROL_LINE_MAX 512	/* a request, newline included */
#define VIGILD_CONTROL_CLIENTS 16	/* connections at once */

enum vigild_request_type {
	VIGILD_REQ_STATUS,
	VIGILD_REQ_SWITCHOVER,
	VIGILD_REQ_ACT,
	VIGILD_REQ_START,
	VIGILD_REQ_STOP,
};

struct vigild_request {
	enum vigild_request_type type;
	bool json;			/* status json */
	char group[VIGIL_ENGINE_NAME_MAX];
	char node[VIGIL_NAME_MAX];	/* "": none given */
};

/*
 * One request line (without its newline). 0, or -EINVAL with the
 * message for the `error:' line in err.
 */
int vigild_control_parse(const char *line, struct vigild_request *req,
			 char *err, size_t len);

/*
 * Carry out req against c and write the whole reply on out. now_ms and
 * now_real: the monotonic and the wall clock (seconds), to turn the
 * groups' since into wall-clock time.
 */
void vigild_control_handle(struct vigild_cluster *c,
			   const struct vigild_request *req, uint64_t now_ms,
			   time_t now_real, FILE *out);

struct vigild_control;
struct vigild_control_conn;

/*
 * Listen on path (its directory created 0755 if missing; a stale socket
 * replaced; -EADDRINUSE if a vigild answers on it). 0 or -errno.
 */
int vigild_control_open(const char *path, struct vigild_control **out);
void vigild_control_close(struct vigild_control *ctl);
int vigild_control_fd(const struct vigild_control *ctl);
/*
 * The listening socket is readable: accept. Each new connection, after
 * its credentials were checked, is handed to add(arg, fd) for the loop
 * (which then calls vigild_control_read() when fd is readable). 0 or
 * -errno.
 */
int vigild_control_accept(struct vigild_control *ctl,
			  int (*add)(void *arg, int fd), void *arg);
/*
 * A connection is readable: read; once the request line is complete,
 * handle it with c, write the reply and close. Returns 1 when fd was
 * closed (the loop forgets it), 0 to wait for more.
 */
int vigild_control_read(struct vigild_control *ctl, int fd,
			struct vigild_cluster *c);
/* Whether uid may use the socket: root only. */
bool vigild_control_allowed(uid_t uid);

#endif /* _VIGILD_CONTROL_H */
