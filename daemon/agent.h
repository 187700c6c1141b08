/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resource agents: the actions that start, stop and monitor the resources
 * of vigil.conf on this machine, run without ever blocking the event loop.
 * Documentation/agents.md describes each agent; this header is the API.
 *
 * A runner (struct vigil_agents) owns every action in flight. It shows the
 * daemon one file descriptor: when epoll says it is readable, the daemon
 * calls vigil_agents_dispatch(), which reaps children, reads their output,
 * enforces deadlines, repeats the ip agent's announcements and calls the
 * completion callbacks. Behind that fd is the runner's own epoll set: a
 * pidfd per child (no SIGCHLD handling, no signal state touched), the
 * children's stdout and stderr pipes, one timerfd armed for the earliest
 * deadline, and an eventfd that wakes the loop for results known at once.
 *
 * Children (exec, ocf, the fs agent's mount and umount, fence agents) run
 * in their own process group with a clean environment, stdin /dev/null
 * (fence agents: their parameters), every other fd closed and the signal
 * mask and dispositions reset. When an action's timeout expires, its whole
 * process group gets SIGTERM, then SIGKILL after the runner's grace; the
 * result is VIGIL_AGENT_TIMEOUT, reported once the leader has died or at
 * the SIGKILL, whichever comes first (a process stuck in the kernel cannot
 * hold up the report). An action that ends by itself leaves its process
 * group alone: a start may leave a daemon running.
 *
 * The ip agent works in-process over rtnetlink (fast, answered by the
 * kernel at once); its result, like every result, is delivered from
 * vigil_agents_dispatch(), never from inside vigil_agent_run().
 *
 * Callbacks run from vigil_agents_dispatch() only. They may start and
 * cancel actions; they must not free the runner.
 *
 * The process must not ignore SIGCHLD (SIG_IGN reaps children before
 * their pidfd can be waited on) nor reap with wait(-1) elsewhere.
 */
#ifndef _VIGIL_AGENT_H
#define _VIGIL_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "conf.h"

enum vigil_agent_action {
	VIGIL_AGENT_START = 1,
	VIGIL_AGENT_STOP,
	VIGIL_AGENT_MONITOR,
	VIGIL_AGENT_META_DATA,		/* ocf only */
};

/* Every agent's outcome, normalised. */
enum vigil_agent_result {
	VIGIL_AGENT_OK = 0,		/* done; monitor: running */
	VIGIL_AGENT_NOT_RUNNING,	/* monitor: cleanly stopped (OCF 7) */
	VIGIL_AGENT_ERR_GENERIC,	/* failed (OCF 1, unknown exit codes) */
	VIGIL_AGENT_ERR_ARGS,		/* OCF 2: invalid arguments */
	VIGIL_AGENT_ERR_UNIMPLEMENTED,	/* OCF 3: action not supported */
	VIGIL_AGENT_ERR_PERM,		/* OCF 4: insufficient privileges */
	VIGIL_AGENT_ERR_INSTALLED,	/* OCF 5; the agent or command is missing */
	VIGIL_AGENT_ERR_CONFIGURED,	/* OCF 6: the configuration is wrong */
	VIGIL_AGENT_ERR_PROMOTED,	/* OCF 8, 9: promoted states, which
					 * vigil does not use: an error */
	VIGIL_AGENT_ERR_BUSY,		/* fs stop: the filesystem is in use */
	VIGIL_AGENT_KILLED,		/* died of a signal it was not sent */
	VIGIL_AGENT_TIMEOUT,		/* the timeout expired: killed */
	__VIGIL_AGENT_RESULT_MAX,
};

/* Defaults of struct vigil_agents_opts. */
#define VIGIL_AGENT_KILL_GRACE_MS 5000	/* SIGTERM .. SIGKILL */
#define VIGIL_AGENT_OUTPUT_MAX 16384	/* bytes kept of stdout, and of stderr */
#define VIGIL_AGENT_ARP_COUNT 5		/* gratuitous ARPs / NAs after a start */
#define VIGIL_AGENT_ARP_INTERVAL_MS 200
#define VIGIL_AGENT_REASON_LEN 256
/* The PATH children get. */
#define VIGIL_AGENT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct vigil_agents_opts {
	const char *ocf_root;		/* NULL: VIGIL_CONF_OCF_ROOT */
	__u32 kill_grace_ms;		/* 0: VIGIL_AGENT_KILL_GRACE_MS */
	size_t output_max;		/* 0: VIGIL_AGENT_OUTPUT_MAX */
	unsigned int arp_count;		/* 0: VIGIL_AGENT_ARP_COUNT */
	__u32 arp_interval_ms;		/* 0: VIGIL_AGENT_ARP_INTERVAL_MS */
};

/* What became of an action; valid during the callback only. */
struct vigil_agent_outcome {
	enum vigil_agent_result result;
	/*
	 * The child's exit code (0..255); -SIGNAL when a signal killed it;
	 * -1 when no child ran or it was not reaped yet (in-process
	 * actions, a timeout reported at the SIGKILL, a child that could not
	 * start).
	 */
	int exit_status;
	__u32 elapsed_ms;
	/* Captured output, NUL-terminated; *_dropped bytes beyond the bound. */
	const char *out;
	size_t out_len, out_dropped;
	const char *err;
	size_t err_len, err_dropped;
	/* One line for the log: why, in words ("exit 1", "ocf-exit-reason: ..."). */
	char reason[VIGIL_AGENT_REASON_LEN];
};

struct vigil_agents;
struct vigil_agent_op;

typedef void vigil_agent_done_fn(void *arg, const struct vigil_agent_outcome *o);

/* 0 and *out, or -errno. opts may be NULL (every default). */
int vigil_agents_new(const struct vigil_agents_opts *opts,
		     struct vigil_agents **out);
/*
 * Kills the process group of every child still running (SIGKILL), reaps
 * those already dead, stops announcements; no callback is called. NULL
 * is fine.
 */
void vigil_agents_free(struct vigil_agents *a);
/* For the daemon's epoll set (EPOLLIN): call vigil_agents_dispatch(). */
int vigil_agents_fd(const struct vigil_agents *a);
/* Handle whatever is ready, callbacks included; 0 or -errno. Never blocks. */
int vigil_agents_dispatch(struct vigil_agents *a);
/* Actions in flight (reported or not, until reaped) and announcements. */
unsigned int vigil_agents_busy(const struct vigil_agents *a);

/*
 * Run action on res. timeout_ms 0: the resource's own timeout for that
 * action (meta-data: its monitor timeout). res is read during the call
 * only. 0 and done(arg, ...) called later, exactly once unless cancelled;
 * *op (may be NULL) is valid until then. -EOPNOTSUPP: the action does not
 * exist for the type (meta-data of a built-in agent, monitor of an exec
 * resource without a monitor command); -EINVAL; -ENOMEM; -errno of the
 * fork, pipes or epoll.
 */
int vigil_agent_run(struct vigil_agents *a,
		    const struct vigil_conf_resource *res,
		    enum vigil_agent_action action, __u32 timeout_ms,
		    vigil_agent_done_fn *done, void *arg,
		    struct vigil_agent_op **op);

/*
 * Forget op: its callback will not be called; a child's process group is
 * killed (SIGKILL) and reaped later. Only before its callback ran.
 */
void vigil_agent_cancel(struct vigil_agent_op *op);

/* Exit codes to results. */
enum vigil_agent_result vigil_agent_ocf_result(int exit_code);
enum vigil_agent_result vigil_agent_exec_result(enum vigil_agent_action action,
						int exit_code);

const char *vigil_agent_result_name(enum vigil_agent_result r);
const char *vigil_agent_action_name(enum vigil_agent_action a);

/* ------------------------------------------------------------------ */
/* For the agents' own files (agent_ip.c, agent_fs.c, fence_agent.c).  */

/* A child to run: built by the caller, consumed by vigil_agent_spawn(). */
struct vigil_agent_child {
	const char *path;		/* executable (execve: no PATH search) */
	char **argv;			/* NULL-terminated */
	char **envp;			/* NULL-terminated */
	/* Or, instead of path: a function run in the child (fs agent). */
	int (*fn)(void *ctx);		/* its return: the exit code */
	void *ctx;
	const char *input;		/* bytes for stdin, or NULL: /dev/null */
	size_t input_len;
	__u32 timeout_ms;
	size_t out_max;			/* stdout bound; 0: the runner's */
	/*
	 * Exit code -> result, and the reason in words (filled with
	 * "exit N (result)" before the call). NULL: 0 is VIGIL_AGENT_OK,
	 * anything else VIGIL_AGENT_ERR_GENERIC. err: the captured stderr.
	 */
	enum vigil_agent_result (*map)(int exit_code, int map_arg,
				       const char *err, char *reason,
				       size_t len);
	int map_arg;
	const char *what;		/* "web-ip start": for reasons */
};

/*
 * For a map function: append ": LAST" to reason, LAST being the last
 * non-empty line of err (a fence agent's or vigil-aws's stderr, whose
 * last line says most); nothing when err has none.
 */
void vigil_agent_reason_last_line(const char *err, char *reason, size_t len);

int vigil_agent_spawn(struct vigil_agents *a, const struct vigil_agent_child *c,
		      vigil_agent_done_fn *done, void *arg,
		      struct vigil_agent_op **op);

/* Report result at once (from the next dispatch); reason may be NULL. */
int vigil_agent_immediate(struct vigil_agents *a,
			  enum vigil_agent_result result, const char *reason,
			  vigil_agent_done_fn *done, void *arg,
			  struct vigil_agent_op **op);

/* agent_ip.c */
enum vigil_agent_result vigil_agent_ip(const struct vigil_conf_resource *res,
				       enum vigil_agent_action action,
				       char *reason, size_t len);
/* One gratuitous ARP (IPv4) or unsolicited neighbour advertisement
 * (IPv6) for res's address on its interface; 0 or -errno. */
int vigil_agent_ip_announce(int family, const void *addr, const char *ifname);

/* agent_fs.c */
int vigil_agent_fs(struct vigil_agents *a,
		   const struct vigil_conf_resource *res,
		   enum vigil_agent_action action, __u32 timeout_ms,
		   vigil_agent_done_fn *done, void *arg,
		   struct vigil_agent_op **op);
/*
 * Whether mountinfo (the text of /proc/self/mountinfo) has something
 * mounted at mountpoint: 1 and the source matches device (a block
 * device: by its number; else by name), 2 and something else is mounted
 * there (described in other), 0 not mounted, -errno.
 */
int vigil_agent_fs_mounted(const char *mountinfo, const char *mountpoint,
			   const char *device, char *other, size_t len);

#endif /* _VIGIL_AGENT_H */
