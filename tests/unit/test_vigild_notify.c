// SPDX-License-Identifier: GPL-2.0
/*
 * vigild's sd_notify (daemon/notify.c): one datagram to $NOTIFY_SOCKET,
 * a path or an abstract name (@...); nothing without it; $WATCHDOG_USEC
 * in ms, only for this process ($WATCHDOG_PID).
 */

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../daemon/notify.c"
#include "tap.h"

static int listen_dgram(const char *name, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	strcpy(sa.sun_path, name);
	len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	if (abstract)
		sa.sun_path[0] = '\0';
	else
		unlink(name);
	if (bind(fd, (struct sockaddr *)&sa, len))
		return -1;
	return fd;
}

static void expect(int fd, const char *want, const char *what)
{
	char buf[64] = "";
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	tap_ok(n == (ssize_t)strlen(want) && !memcmp(buf, want, n),
	       "%s: got `%s'", what, n > 0 ? buf : "");
}

int main(void)
{
	char path[64], abs_name[64], pid[16];
	int fd;

	unsetenv("NOTIFY_SOCKET");
	tap_is_int(vigild_notify("READY=1"), 0, "no NOTIFY_SOCKET: nothing, no error");

	snprintf(path, sizeof(path), "/tmp/vigil-notify-%d", getpid());
	fd = listen_dgram(path, false);
	tap_ok(fd >= 0, "a socket to listen on");
	setenv("NOTIFY_SOCKET", path, 1);
	tap_is_int(vigild_notify("READY=1"), 0, "READY=1 sent");
	expect(fd, "READY=1", "... received");
	close(fd);
	unlink(path);
	tap_is_int(vigild_notify("WATCHDOG=1"), -ENOENT, "the socket gone: -ENOENT");

	snprintf(abs_name, sizeof(abs_name), "@vigil-notify-%d", getpid());
	fd = listen_dgram(abs_name, true);
	setenv("NOTIFY_SOCKET", abs_name, 1);
	tap_is_int(vigild_notify("WATCHDOG=1"), 0, "abstract socket: sent");
	expect(fd, "WATCHDOG=1", "... received");
	close(fd);
	setenv("NOTIFY_SOCKET", "relative", 1);
	tap_is_int(vigild_notify("READY=1"), -EINVAL, "a relative path: -EINVAL");

	unsetenv("WATCHDOG_USEC");
	tap_is_int(vigild_notify_watchdog_ms(), 0, "no WATCHDOG_USEC: 0");
	setenv("WATCHDOG_USEC", "10000000", 1);
	unsetenv("WATCHDOG_PID");
	tap_is_int(vigild_notify_watchdog_ms(), 10000, "WATCHDOG_USEC=10000000: 10000 ms");
	snprintf(pid, sizeof(pid), "%d", getpid());
	setenv("WATCHDOG_PID", pid, 1);
	tap_is_int(vigild_notify_watchdog_ms(), 10000, "... for this pid");
	setenv("WATCHDOG_PID", "1", 1);
	tap_is_int(vigild_notify_watchdog_ms(), 0, "... for another pid: 0");
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "12abc", 1);
	tap_is_int(vigild_notify_watchdog_ms(), 0, "garbage: 0");
	setenv("WATCHDOG_USEC", "500", 1);
	tap_is_int(vigild_notify_watchdog_ms(), 1, "under a millisecond: 1 ms");
	return tap_done();
}
