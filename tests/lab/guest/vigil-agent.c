// SPDX-License-Identifier: GPL-2.0
/*
 * vigil-agent: runs commands inside a lab VM on behalf of the host, over a
 * virtio-serial port. The host side is tests/lab/lablib/agent.py.
 *
 *	vigil-agent		use the virtio port named "vigil.agent"
 *	vigil-agent PATH	use the character device PATH as the port
 *	vigil-agent --stdio	read requests from fd 0, answer on fd 1 (tests)
 *
 * Wire format. Integers are little-endian. A "blob" is a u32 length followed
 * by that many bytes.
 *
 * Request, host to guest, at most 1 MiB in all:
 *	"VGQ1"		magic
 *	u32 id		copied into the response
 *	u32 timeout_ms	0: none. Otherwise the command's process group gets
 *			SIGKILL when it runs out. Ignored with DETACH.
 *	u32 flags	SHELL  (1): run "/bin/sh -c argv[0] argv[1] ...", so
 *			            argv[1] becomes $0
 *			DETACH (2): start the command in its own session with
 *			            stdin, stdout and stderr on /dev/null and
 *			            answer at once with its pid (status 0)
 *			LOG    (4): with DETACH only: argv[0] names a file that
 *			            gets stdout and stderr (created 0644,
 *			            appended to); the command is argv[1] ...
 *			any other bit: refused
 *	u32 argc	0 is a ping, answered at once with status 0
 *	argc x blob	the arguments; none may contain a NUL byte
 *	blob		stdin for the command, closed after it; must be empty
 *			with DETACH
 *	u32 crc		CRC-32 (as zlib's crc32()) of all the bytes above
 *
 * Response, guest to host:
 *	"VGR1"		magic
 *	u32 id		the request's
 *	i32 status	exit code 0-255; 128+N if killed by signal N; -1 if the
 *			request was refused or the command could not be
 *			started, and then stderr says why
 *	u32 flags	TIMED_OUT (1): the timeout killed the process group
 *			TRUNCATED (2): stdout or stderr passed 8 MiB; the rest
 *			was read and dropped
 *	u64 pid		the command's pid; 0 for a ping or if it did not start
 *	blob		stdout, at most 8 MiB
 *	blob		stderr, at most 8 MiB
 *
 * One request runs at a time. Each command gets its own session (setsid) and
 * pipes for stdin, stdout and stderr. The agent answers once the command has
 * exited and both output pipes have closed, or 200 ms after it exited if
 * something it left running in the background still holds them.
 *
 * The link. While no host is connected, read() on the port returns 0 and
 * poll() reports POLLHUP at once, so the agent drops any partial request
 * (its host is gone) and sleeps until virtio_console's SIGIO says the
 * connection changed (at most 1 s; 100 ms if the port cannot signal). That
 * alone does not do: when a host dies mid-request and the next one connects
 * straight away, the agent may never see the port disconnected, and the next
 * request's bytes follow the partial one. Hence the CRC, and a partial
 * request that gets no more bytes for 2 s is given up. In all these cases
 * the agent looks for "VGQ1" again one byte further on; bytes that are not a
 * request are skipped and logged.
 *
 * Writes cannot be delivered while no host is connected: the agent waits,
 * and a response whose host went away meanwhile goes to the next host that
 * connects. Hosts therefore pick random ids and skip responses that are not
 * theirs.
 *
 * In --stdio mode an empty read is taken as a disconnect too, so a test can
 * stand in for a host going away by sending an empty SOCK_SEQPACKET message;
 * POLLHUP there means the peer is gone for good, and the agent exits.
 *
 * Logs go to /dev/kmsg (stderr in --stdio mode). The agent keeps running
 * whatever the requests: it never exits on a bad one.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __noreturn	__attribute__((noreturn))

#define REQ_MAGIC	"VGQ1"
#define RESP_MAGIC	"VGR1"
#define MAGIC_LEN	4
#define REQ_HDR_LEN	20
#define RESP_HDR_LEN	24

#define F_SHELL		0x1u
#define F_DETACH	0x2u
#define F_LOG		0x4u
#define F_ALL		(F_SHELL | F_DETACH | F_LOG)

#define RF_TIMED_OUT	0x1u
#define RF_TRUNCATED	0x2u

#define MAX_REQUEST	(1u << 20)
#define MAX_OUTPUT	(8u << 20)

/* Room for one whole request and one more read behind it. */
#define IN_CAP		(MAX_REQUEST + 64 * 1024)
/* virtio-serial takes at most 32 KiB per write(). */
#define CHUNK		(32 * 1024)

#define PORT_NAME	"vigil.agent"
#define PORTS_DIR	"/sys/class/virtio-ports"
#define IDLE_MS		100
#define IDLE_ASYNC_MS	1000
#define GRACE_MS	200
#define KILL_WAIT_MS	2000
#define STALL_MS	2000
#define REOPEN_MS	1000
#define DEFAULT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct obuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool truncated;
};

struct request {
	uint32_t id;
	uint32_t timeout_ms;
	uint32_t flags;
	uint32_t argc;
	char **argv;
	char *strings;		/* what argv[] points into */
	const uint8_t *stdin_data;
	uint32_t stdin_len;
	uint32_t nul_arg;	/* 1 + index of the first argument with a NUL */
};

struct response {
	uint32_t id;
	int32_t status;
	uint32_t flags;
	uint64_t pid;
	struct obuf out;
	struct obuf err;
};

/* Why a child could not run its command, sent back before exec. */
struct start_report {
	int stage;
	int err;
};

enum { STAGE_LOG = 1, STAGE_DUP, STAGE_EXEC };
enum { FRAME_MORE, FRAME_BAD, FRAME_CORRUPT, FRAME_OK };

static bool stdio_mode;
static const char *port_arg;
static int in_fd = -1;
static int out_fd = -1;
static int kmsg_fd = -1;
static int null_fd = -1;
static int sig_rd = -1;
static int sig_wr = -1;
static bool hardened;
static bool port_async;		/* SIGIO tells when a host connects */

static uint8_t inbuf[IN_CAP];
static size_t inlen;
static int64_t last_rx;		/* last read or request done, for STALL_MS */
static uint32_t crc_table[256];

/* The command being waited for; others are reaped as they exit. */
static pid_t job_pid;
static bool job_done;
static int job_wstatus;

/* For writes whose failure leaves nothing to do. */
static void try_write(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) < 0)
		return;
}

static void say(const char *fmt, ...) __printf(1, 2);

static void say(const char *fmt, ...)
{
	char line[512];
	size_t n;
	int r;
	va_list ap;

	r = snprintf(line, sizeof(line), "%svigil-agent: ",
		     kmsg_fd >= 0 ? "<4>" : "");
	n = r > 0 ? (size_t)r : 0;
	va_start(ap, fmt);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (r > 0)
		n += (size_t)r;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	try_write(kmsg_fd >= 0 ? kmsg_fd : STDERR_FILENO, line, n);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* CRC-32, reflected, polynomial 0xedb88320: the one zlib computes. */
static void crc_init(void)
{
	uint32_t c, i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void obuf_add(struct obuf *b, const void *p, size_t n)
{
	size_t cap;
	void *q;

	if (n > MAX_OUTPUT - b->len) {
		n = MAX_OUTPUT - b->len;
		b->truncated = true;
	}
	if (!n)
		return;
	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap : 64 * 1024;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > MAX_OUTPUT)
			cap = MAX_OUTPUT;
		q = realloc(b->data, cap);
		if (!q) {
			b->truncated = true;
			return;
		}
		b->data = q;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void obuf_printf(struct obuf *b, const char *fmt, ...) __printf(2, 3);

static void obuf_printf(struct obuf *b, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	obuf_add(b, msg, n);
}

/* SIGCHLD, and SIGIO from the port: wake up the poll() loops. */
static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	/* If the pipe is full, a wakeup is pending anyway. */
	try_write(sig_wr, "c", 1);
	errno = saved;
}

static void drain_signals(void)
{
	char buf[64];

	while (read(sig_rd, buf, sizeof(buf)) > 0)
		;
}

static void reap(void)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == job_pid) {
			job_done = true;
			job_wstatus = st;
		}
	}
}

/* Sleep up to @ms, reaping children meanwhile. */
static void idle(int ms)
{
	struct pollfd pfd = { .fd = sig_rd, .events = POLLIN };

	if (poll(&pfd, 1, ms) > 0)
		drain_signals();
	reap();
}

/* No host connected: wait for one without spinning on POLLHUP. */
static void wait_for_host(void)
{
	idle(port_async ? IDLE_ASYNC_MS : IDLE_MS);
}

/*
 * Run by the child between fork() and exec: new session, the signal state a
 * fresh process expects, the agent's priority and OOM protection undone,
 * stdio in place. On failure, tell the parent why through @report.
 */
static void __noreturn
child(char **argv, int fd0, int fd1, int fd2, const char *log, int report)
{
	struct start_report rep = { 0, 0 };
	sigset_t none;
	int fd;

	setsid();
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (hardened) {
		fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			try_write(fd, "0", 1);
			close(fd);
		}
		setpriority(PRIO_PROCESS, 0, 0);
	}
	if (log) {
		fd1 = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY |
			   O_CLOEXEC, 0644);
		if (fd1 < 0) {
			rep.stage = STAGE_LOG;
			goto fail;
		}
		fd2 = fd1;
	}
	if (dup2(fd0, 0) < 0 || dup2(fd1, 1) < 0 || dup2(fd2, 2) < 0) {
		rep.stage = STAGE_DUP;
		goto fail;
	}
	execvp(argv[0], argv);
	rep.stage = STAGE_EXEC;
fail:
	rep.err = errno;
	/* Should that fail, the parent sees exit status 127. */
	try_write(report, &rep, sizeof(rep));
	_exit(127);
}

/*
 * Fork a child running @argv with the given descriptors as its stdio and
 * wait until it has exec'd. Returns its pid, or -1 with the reason in @err.
 */
static pid_t start(char **argv, int fd0, int fd1, int fd2, const char *log,
		   struct obuf *err)
{
	struct start_report rep;
	int report[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(report, O_CLOEXEC)) {
		obuf_printf(err, "pipe: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		obuf_printf(err, "fork: %s\n", strerror(errno));
		goto out;
	}
	if (!pid) {
		close(report[0]);
		child(argv, fd0, fd1, fd2, log, report[1]);
	}
	close_fd(&report[1]);
	do {
		n = read(report[0], &rep, sizeof(rep));
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		goto out;	/* exec closed the pipe: it runs */

	if (n < 0)
		kill(pid, SIGKILL);	/* cannot tell: do not leave it half set up */
	if (n != (ssize_t)sizeof(rep))
		obuf_printf(err, "exec %s: lost the child's report\n", argv[0]);
	else if (rep.stage == STAGE_LOG)
		obuf_printf(err, "open %s: %s\n", log, strerror(rep.err));
	else if (rep.stage == STAGE_DUP)
		obuf_printf(err, "dup2: %s\n", strerror(rep.err));
	else
		obuf_printf(err, "exec %s: %s\n", argv[0], strerror(rep.err));
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	pid = -1;
out:
	close_fd(&report[0]);
	close_fd(&report[1]);
	return pid;
}

/*
 * Read what is there into @b. Returns 1 if it read something, 0 if the pipe
 * is empty for now, -1 once it is closed (end of file or error).
 */
static int pump(int *fd, struct obuf *b)
{
	uint8_t buf[64 * 1024];
	ssize_t n;

	n = read(*fd, buf, sizeof(buf));
	if (n > 0) {
		obuf_add(b, buf, n);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	close_fd(fd);
	return -1;
}

/*
 * After the grace period: take what the command wrote before it exited and
 * is still in the pipe, but no more than a full pipe, as whoever holds the
 * pipe now may write forever. Then close it.
 */
static void pump_rest(int *fd, struct obuf *b)
{
	int i;

	for (i = 0; i < 16 && *fd >= 0; i++) {
		if (pump(fd, b) <= 0)
			break;
	}
	close_fd(fd);
}

/*
 * Feed stdin, collect stdout and stderr and wait for the job to end. The
 * caller set job_pid; job_done tells when it has been reaped.
 */
static void collect(const struct request *rq, pid_t pid, int in, int out,
		    int err, struct response *rs)
{
	int64_t deadline = 0, grace = 0, killed = 0, now;
	size_t fed = 0, n;
	struct pollfd pfd[4];
	ssize_t w;
	int wait;

	if (rq->timeout_ms)
		deadline = now_ms() + rq->timeout_ms;
	if (!rq->stdin_len)
		close_fd(&in);

	for (;;) {
		reap();
		now = now_ms();
		if (job_done) {
			close_fd(&in);
			if (out < 0 && err < 0)
				break;
			if (!grace)
				grace = now + GRACE_MS;
			if (now >= grace)
				break;
		} else if (killed && now >= killed + KILL_WAIT_MS) {
			break;
		}
		if (deadline && !killed && now >= deadline) {
			kill(-pid, SIGKILL);
			rs->flags |= RF_TIMED_OUT;
			killed = now;
		}

		wait = -1;
		if (deadline && !killed)
			wait = deadline - now;
		if (killed && !job_done)
			wait = killed + KILL_WAIT_MS - now;
		if (grace)
			wait = grace - now;

		pfd[0] = (struct pollfd){ .fd = sig_rd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = in, .events = POLLOUT };
		pfd[2] = (struct pollfd){ .fd = out, .events = POLLIN };
		pfd[3] = (struct pollfd){ .fd = err, .events = POLLIN };
		if (poll(pfd, 4, wait) < 0) {
			if (errno != EINTR) {
				say("poll: %s", strerror(errno));
				idle(IDLE_MS);
			}
			continue;
		}
		if (pfd[0].revents)
			drain_signals();
		if (in >= 0 && pfd[1].revents) {
			n = rq->stdin_len - fed;
			if (n > CHUNK)
				n = CHUNK;
			w = write(in, rq->stdin_data + fed, n);
			if (w > 0)
				fed += w;
			else if (errno != EAGAIN && errno != EINTR)
				close_fd(&in);	/* it closed stdin: fine */
			if (fed == rq->stdin_len)
				close_fd(&in);
		}
		if (out >= 0 && pfd[2].revents)
			pump(&out, &rs->out);
		if (err >= 0 && pfd[3].revents)
			pump(&err, &rs->err);
	}

	close_fd(&in);
	pump_rest(&out, &rs->out);
	pump_rest(&err, &rs->err);
}

static void run_job(const struct request *rq, char **argv,
		    struct response *rs)
{
	int fds[6] = { -1, -1, -1, -1, -1, -1 };
	pid_t pid;
	int i;

	/* fds: stdin read/write, stdout read/write, stderr read/write */
	for (i = 0; i < 6; i += 2) {
		if (pipe2(fds + i, O_CLOEXEC)) {
			obuf_printf(&rs->err, "pipe: %s\n", strerror(errno));
			rs->status = -1;
			goto out;
		}
	}
	pid = start(argv, fds[0], fds[3], fds[5], NULL, &rs->err);
	close_fd(&fds[0]);
	close_fd(&fds[3]);
	close_fd(&fds[5]);
	if (pid < 0) {
		rs->status = -1;
		goto out;
	}
	set_nonblock(fds[1]);
	set_nonblock(fds[2]);
	set_nonblock(fds[4]);

	rs->pid = pid;
	job_pid = pid;
	job_done = false;
	collect(rq, pid, fds[1], fds[2], fds[4], rs);
	/* collect() closed them. */
	fds[1] = fds[2] = fds[4] = -1;
	job_pid = 0;

	if (!job_done) {
		obuf_printf(&rs->err,
			    "vigil-agent: pid %d did not exit within %d ms of SIGKILL\n",
			    pid, KILL_WAIT_MS);
		rs->status = -1;
	} else if (WIFSIGNALED(job_wstatus)) {
		rs->status = 128 + WTERMSIG(job_wstatus);
	} else {
		rs->status = WEXITSTATUS(job_wstatus);
	}
out:
	for (i = 0; i < 6; i++)
		close_fd(&fds[i]);
}

static void run_detached(char **argv, const char *log, struct response *rs)
{
	pid_t pid;

	pid = start(argv, null_fd, null_fd, null_fd, log, &rs->err);
	if (pid < 0) {
		rs->status = -1;
		return;
	}
	rs->pid = pid;
}

static const char *check_request(const struct request *rq, char *why,
				 size_t len)
{
	if (rq->flags & ~F_ALL) {
		snprintf(why, len, "unknown flags %#x", rq->flags & ~F_ALL);
		return why;
	}
	if (!rq->argc)
		return NULL;
	if (rq->nul_arg) {
		snprintf(why, len, "argument %u contains a NUL byte",
			 rq->nul_arg - 1);
		return why;
	}
	if ((rq->flags & F_LOG) && !(rq->flags & F_DETACH))
		return "flag LOG needs DETACH";
	if ((rq->flags & F_LOG) && rq->argc < 2)
		return "flag LOG needs a file and a command";
	if ((rq->flags & F_DETACH) && rq->stdin_len)
		return "stdin data cannot go with DETACH";
	return NULL;
}

static void execute(const struct request *rq, struct response *rs)
{
	char **cmd = rq->argv, **argv = NULL;
	const char *log = NULL;
	uint32_t i, cmdc = rq->argc;
	char why[128];
	const char *bad;

	bad = check_request(rq, why, sizeof(why));
	if (bad) {
		obuf_printf(&rs->err, "vigil-agent: %s\n", bad);
		rs->status = -1;
		return;
	}
	if (!rq->argc)
		return;

	if (rq->flags & F_LOG) {
		log = cmd[0];
		cmd++;
		cmdc--;
	}
	if (rq->flags & F_SHELL) {
		argv = calloc(cmdc + 3, sizeof(*argv));
		if (!argv) {
			obuf_printf(&rs->err, "vigil-agent: out of memory\n");
			rs->status = -1;
			return;
		}
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		for (i = 0; i < cmdc; i++)
			argv[i + 2] = cmd[i];
		cmd = argv;
	}

	if (rq->flags & F_DETACH)
		run_detached(cmd, log, rs);
	else
		run_job(rq, cmd, rs);
	free(argv);
}

/* Wait until the link takes more output. Returns false if it never will. */
static bool wait_writable(void)
{
	struct pollfd pfd[2] = {
		{ .fd = out_fd, .events = POLLOUT },
		{ .fd = sig_rd, .events = POLLIN },
	};

	if (poll(pfd, 2, -1) < 0)
		return errno == EINTR;
	if (pfd[1].revents) {
		drain_signals();
		reap();
	}
	if (pfd[0].revents & POLLOUT)
		return true;
	if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
		if (stdio_mode)
			return false;
		/* No host connected: the next one gets it. */
		wait_for_host();
	}
	return true;
}

static bool send_all(const void *p, size_t len)
{
	const uint8_t *b = p;
	ssize_t n;

	while (len) {
		n = write(out_fd, b, len < CHUNK ? len : CHUNK);
		if (n > 0) {
			b += n;
			len -= n;
		} else if (n < 0 && errno == EAGAIN) {
			if (!wait_writable())
				return false;
		} else if (n < 0 && errno != EINTR) {
			say("write: %s", strerror(errno));
			return false;
		}
	}
	return true;
}

static void send_response(const struct response *rs)
{
	uint8_t hdr[RESP_HDR_LEN + 4], len[4];
	uint32_t flags = rs->flags;

	if (rs->out.truncated || rs->err.truncated)
		flags |= RF_TRUNCATED;
	memcpy(hdr, RESP_MAGIC, MAGIC_LEN);
	put32(hdr + 4, rs->id);
	put32(hdr + 8, (uint32_t)rs->status);
	put32(hdr + 12, flags);
	put64(hdr + 16, rs->pid);
	put32(hdr + 24, rs->out.len);
	put32(len, rs->err.len);
	if (send_all(hdr, sizeof(hdr)) && send_all(rs->out.data, rs->out.len) &&
	    send_all(len, sizeof(len)) && send_all(rs->err.data, rs->err.len))
		return;
	if (stdio_mode)
		exit(0);
	say("response %#x not sent", rs->id);
}

/*
 * Is there a well-formed request at the start of @buf (which starts with
 * the magic)? FRAME_OK sets *len to its length; FRAME_MORE means it could
 * still be one; FRAME_BAD (sizes out of bounds) and FRAME_CORRUPT (CRC
 * mismatch) set *why.
 */
static int frame_check(const uint8_t *buf, size_t n, size_t *len,
		       const char **why)
{
	uint64_t off = REQ_HDR_LEN;
	uint32_t argc, i;

	if (n < REQ_HDR_LEN)
		return FRAME_MORE;
	argc = get32(buf + 16);
	if (REQ_HDR_LEN + 4ull * argc + 8 > MAX_REQUEST) {
		*why = "too many arguments";
		return FRAME_BAD;
	}
	/* argc arguments, then stdin, then the CRC */
	for (i = 0; i <= argc; i++) {
		if (off + 4 > n)
			return FRAME_MORE;
		off += 4 + (uint64_t)get32(buf + off);
		if (off + 4ull * (argc - i) + 4 > MAX_REQUEST) {
			*why = "request larger than 1 MiB";
			return FRAME_BAD;
		}
	}
	if (off + 4 > n)
		return FRAME_MORE;
	if (crc32(buf, off) != get32(buf + off)) {
		*why = "CRC mismatch";
		return FRAME_CORRUPT;
	}
	*len = off + 4;
	return FRAME_OK;
}

/* Decode a frame that frame_check() passed. Returns false if out of memory. */
static bool frame_decode(const uint8_t *buf, struct request *rq)
{
	size_t off = REQ_HDR_LEN, i, alen, total = 0;
	char *strings;

	memset(rq, 0, sizeof(*rq));
	rq->id = get32(buf + 4);
	rq->timeout_ms = get32(buf + 8);
	rq->flags = get32(buf + 12);
	rq->argc = get32(buf + 16);
	for (i = 0; i < rq->argc; i++) {
		alen = get32(buf + off);
		total += alen + 1;
		off += 4 + alen;
	}
	rq->stdin_len = get32(buf + off);
	rq->stdin_data = buf + off + 4;

	rq->argv = calloc(rq->argc + 1, sizeof(*rq->argv));
	strings = malloc(total ? total : 1);
	rq->strings = strings;
	if (!rq->argv || !strings)
		return false;
	off = REQ_HDR_LEN;
	for (i = 0; i < rq->argc; i++) {
		alen = get32(buf + off);
		memcpy(strings, buf + off + 4, alen);
		strings[alen] = '\0';
		if (!rq->nul_arg && memchr(strings, '\0', alen))
			rq->nul_arg = i + 1;
		rq->argv[i] = strings;
		strings += alen + 1;
		off += 4 + alen;
	}
	return true;
}

static void request_free(struct request *rq)
{
	free(rq->strings);
	free(rq->argv);
}

static void response_free(struct response *rs)
{
	free(rs->out.data);
	free(rs->err.data);
}

static void handle_frame(const uint8_t *buf)
{
	struct response rs = { .id = get32(buf + 4) };
	struct request rq;

	if (!frame_decode(buf, &rq)) {
		obuf_printf(&rs.err, "vigil-agent: out of memory\n");
		rs.status = -1;
	} else {
		execute(&rq, &rs);
	}
	send_response(&rs);
	request_free(&rq);
	response_free(&rs);
}

/* Refuse a frame whose header is intact but whose sizes are not. */
static void refuse_frame(const uint8_t *buf, const char *why)
{
	struct response rs = { .id = get32(buf + 4), .status = -1 };

	obuf_printf(&rs.err, "vigil-agent: %s\n", why);
	send_response(&rs);
	response_free(&rs);
}

/* Where the magic, or the start of it at the very end, first appears. */
static size_t find_magic(const uint8_t *p, size_t n)
{
	size_t i, m;

	for (i = 0; i < n; i++) {
		m = n - i < MAGIC_LEN ? n - i : MAGIC_LEN;
		if (!memcmp(p + i, REQ_MAGIC, m))
			return i;
	}
	return n;
}

static void process_input(void)
{
	size_t start = 0, skipped = 0, off, len;
	const char *why;
	uint8_t *p;

	while (start < inlen) {
		p = inbuf + start;
		off = find_magic(p, inlen - start);
		if (off) {
			skipped += off;
			start += off;
			continue;
		}
		switch (frame_check(p, inlen - start, &len, &why)) {
		case FRAME_MORE:
			goto out;
		case FRAME_BAD:
			say("request %#x refused: %s", get32(p + 4), why);
			refuse_frame(p, why);
			/* Resync on the next magic. */
			start += 1;
			skipped += 1;
			break;
		case FRAME_CORRUPT:
			/*
			 * Likely a dead host's partial request and the next
			 * host's bytes: answer neither, look further on.
			 */
			say("request %#x dropped: %s", get32(p + 4), why);
			start += 1;
			skipped += 1;
			break;
		default:
			handle_frame(p);
			start += len;
			break;
		}
	}
out:
	if (skipped)
		say("skipped %zu bytes that were not a request", skipped);
	inlen -= start;
	memmove(inbuf, inbuf + start, inlen);
	if (inlen == IN_CAP) {
		/* Cannot happen: frame_check() bounds a partial frame. */
		say("input buffer full, dropped");
		inlen = 0;
	}
}

static int open_port(void)
{
	char path[512], name[64];
	struct dirent *de;
	int fd = -1, nfd;
	ssize_t n;
	DIR *dir;

	if (port_arg)
		return open(port_arg, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	dir = opendir(PORTS_DIR);
	if (!dir)
		return -1;
	while (fd < 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PORTS_DIR "/%s/name", de->d_name);
		nfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nfd < 0)
			continue;
		n = read(nfd, name, sizeof(name) - 1);
		close(nfd);
		if (n <= 0)
			continue;
		name[n] = '\0';
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, PORT_NAME))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			say("open %s: %s", path, strerror(errno));
	}
	closedir(dir);
	if (fd < 0)
		errno = ENOENT;
	return fd;
}

/* Open the port, waiting for it to show up. */
static void connect_port(void)
{
	bool told = false;
	int fl;

	for (;;) {
		in_fd = open_port();
		if (in_fd >= 0)
			break;
		if (!told)
			say("waiting for port %s: %s",
			    port_arg ? port_arg : PORT_NAME, strerror(errno));
		told = true;
		idle(REOPEN_MS);
	}
	out_fd = in_fd;
	/*
	 * virtio_console signals a change of host connection (and data) with
	 * SIGIO; without it, poll every IDLE_MS while no host is connected.
	 */
	fl = fcntl(in_fd, F_GETFL);
	port_async = fl >= 0 && fcntl(in_fd, F_SETOWN, getpid()) == 0 &&
		     fcntl(in_fd, F_SETFL, fl | O_ASYNC) == 0;
	say("ready on %s%s", port_arg ? port_arg : PORT_NAME,
	    port_async ? "" : " (no SIGIO: polling)");
}


/* Stay alive and responsive while the guest's other processes misbehave. */
static void harden(void)
{
	int fd;

	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-1000", 5) == 5)
			hardened = true;
		close(fd);
	}
	if (!setpriority(PRIO_PROCESS, 0, -10))
		hardened = true;
}

static int setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal,
				.sa_flags = SA_RESTART | SA_NOCLDSTOP };
	int fds[2], fd;

	/* Keep fds 0-2 taken so no pipe of ours lands there. */
	do {
		fd = open("/dev/null", O_RDWR);
	} while (fd >= 0 && fd <= STDERR_FILENO);
	if (fd < 0)
		return -errno;
	close(fd);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;

	umask(022);
	if (chdir("/") < 0)
		return -errno;
	if (!getenv("PATH") && setenv("PATH", DEFAULT_PATH, 1) < 0)
		return -errno;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	sig_rd = fds[0];
	sig_wr = fds[1];
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL) < 0 || sigaction(SIGIO, &sa, NULL) < 0)
		return -errno;

	if (stdio_mode) {
		in_fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		out_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (in_fd < 0 || out_fd < 0)
			return -errno;
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
		set_nonblock(in_fd);
		set_nonblock(out_fd);
		return 0;
	}
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	harden();
	return 0;
}

/*
 * A partial request that has not grown for STALL_MS: its host died and the
 * bytes that came after it, if any, are the next host's. Look for a request
 * one byte further on.
 */
static void give_up_partial(void)
{
	say("partial request %#x stalled, looking further on",
	    inlen >= 8 ? get32(inbuf + 4) : 0);
	inlen--;
	memmove(inbuf, inbuf + 1, inlen);
	process_input();
	last_rx = now_ms();
}

static void serve(void)
{
	struct pollfd pfd[2];
	int64_t now;
	int wait;
	ssize_t n;

	for (;;) {
		wait = -1;
		if (inlen) {
			now = now_ms();
			wait = now < last_rx + STALL_MS ? last_rx + STALL_MS - now : 0;
		}
		pfd[0] = (struct pollfd){ .fd = in_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sig_rd, .events = POLLIN };
		if (poll(pfd, 2, wait) < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			idle(IDLE_MS);
			continue;
		}
		if (pfd[1].revents)
			drain_signals();
		reap();
		if (!pfd[0].revents) {
			if (inlen && now_ms() >= last_rx + STALL_MS)
				give_up_partial();
			continue;
		}

		n = read(in_fd, inbuf + inlen, IN_CAP - inlen);
		if (n > 0) {
			inlen += n;
			process_input();
			/* From now: a request may have run meanwhile. */
			last_rx = now_ms();
		} else if (n == 0) {
			if (stdio_mode && (pfd[0].revents & POLLHUP))
				return;
			if (inlen)
				say("host went away mid-request, dropped %zu bytes",
				    inlen);
			inlen = 0;
			/* No host: poll() would report POLLHUP at once. */
			if (!stdio_mode)
				wait_for_host();
		} else if (errno != EAGAIN && errno != EINTR) {
			say("read: %s", strerror(errno));
			if (stdio_mode)
				return;
			close_fd(&in_fd);
			out_fd = -1;
			inlen = 0;
			idle(REOPEN_MS);
			connect_port();
		}
	}
}

int main(int argc, char **argv)
{
	int ret;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-' &&
			 strcmp(argv[1], "--stdio"))) {
		fprintf(stderr, "Usage: %s [--stdio | PORT]\n", argv[0]);
		return 2;
	}
	if (argc == 2 && !strcmp(argv[1], "--stdio"))
		stdio_mode = true;
	else if (argc == 2)
		port_arg = argv[1];

	crc_init();
	ret = setup();
	if (ret) {
		fprintf(stderr, "vigil-agent: setup: %s\n", strerror(-ret));
		return 1;
	}
	if (!stdio_mode)
		connect_port();
	serve();
	return 0;
}
