/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvigil: generic netlink client for vigil.ko (libnl-3), shared by vigild
 * and vigilctl. The contract is uapi/linux/vigil.h.
 *
 * Every function returns 0 or a negative errno. Functions that send a
 * request take a buffer for the kernel's extended ACK message
 * (NLMSGERR_ATTR_MSG); it is set to "" first and filled only when the
 * kernel refused the request with a message. It may be NULL.
 */
#ifndef _VIGIL_NL_H
#define _VIGIL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/vigil.h>

#include "config.h"

/* Room for an extended ACK message; longer messages are truncated. */
#define VIGIL_NL_ACKMSG_MAX 256

/*
 * A link as GET_STATUS (this node's links) and GET_PEERS (a peer's links)
 * report it. Fields a reply does not carry are 0; the has_* flags tell
 * the optional ones apart from a real 0.
 */
struct vigil_link_status {
	__u8 index;
	char name[VIGIL_NAME_MAX];
	__u8 type;			/* enum vigil_link_type; status only */
	__u32 ifindex;			/* status only */
	bool up;
	bool has_last_seen;		/* peers only */
	__u32 last_seen_ms;
	bool has_rtt;			/* peers only */
	__u32 rtt_us;
	bool has_counters;
	__u64 counters[__VIGIL_CNT_LAST];	/* by enum vigil_counter */
};

struct vigil_status {
	char version[VIGIL_VERSION_MAX];	/* never empty, NUL-terminated */
	__u32 protocol;
	/* The rest is only set when configured. */
	bool configured;
	__u32 cluster_id;
	__u16 node_id;
	char node_name[VIGIL_NAME_MAX];
	__u64 incarnation;
	__u32 timeout_ms;
	__u32 interval_ms;
	bool quorate;
	__u64 generation;
	__u32 votes;
	__u32 expected_votes;
	__u32 quorum_votes;
	__u32 witness_votes;
	__u32 witness_ms;
	__u32 flags;
	unsigned int n_links;
	struct vigil_link_status links[VIGIL_LINKS_MAX];
	/*
	 * Self-fencing. A module that does not report an attribute leaves
	 * its has_* false (and its list empty).
	 */
	bool has_lease;
	__u32 lease_ms;
	bool has_lease_left;
	__u32 lease_left_ms;		/* 0: not fresh; U32_MAX: alone quorate */
	bool has_gate;
	__u8 gate;			/* enum vigil_gate */
	bool has_gate_dropped;
	__u64 gate_dropped;
	unsigned int n_protect;
	char protect[VIGIL_PROTECT_MAX][IFNAMSIZ];
	unsigned int n_fence;		/* the policy, known causes only */
	struct vigil_fence_rule fence[VIGIL_CONFIG_FENCE_MAX];
	bool fenced;			/* VIGIL_A_FENCED present */
	__u8 fenced_cause;		/* enum vigil_fence_cause */
	unsigned int n_fence_pending;	/* delay_ms: ms left */
	struct vigil_fence_rule fence_pending[VIGIL_CONFIG_FENCE_MAX];
	bool has_daemon;		/* VIGIL_A_DAEMON_TIMEOUT_MS present */
	__u32 daemon_timeout_ms;	/* 0: no daemon registered */
	bool has_daemon_left;
	__u32 daemon_left_ms;
};

/* One message of a GET_PEERS dump. */
struct vigil_peer {
	__u16 id;
	char name[VIGIL_NAME_MAX];
	__u32 votes;
	__u8 state;			/* enum vigil_peer_state */
	__u64 incarnation;
	bool has_last_seen;
	__u32 last_seen_ms;
	bool quorate;
	__u64 generation;		/* the peer's own */
	bool has_members;
	__u8 members[VIGIL_MEMBERS_BYTES];
	bool has_payload;
	__u16 payload_len;
	__u8 payload[VIGIL_PAYLOAD_MAX];
	bool has_fence_cause;		/* self-fenced and dumping only */
	__u8 fence_cause;		/* enum vigil_fence_cause */
	unsigned int n_links;
	struct vigil_link_status links[VIGIL_LINKS_MAX];
};

/* A whole GET_PEERS dump. */
struct vigil_peers {
	__u64 generation;	/* the generation the dump started at */
	unsigned int n;
	struct vigil_peer peers[VIGIL_NODES_MAX];
};

/* One VIGIL_CMD_EVENT. */
struct vigil_nl_event {
	__u32 type;			/* enum vigil_event */
	__u64 generation;
	bool quorate;
	bool has_peer;
	__u16 peer;
	bool has_link;
	__u8 link;
	bool has_incarnation;
	__u64 incarnation;
	bool has_fence_cause;
	__u8 fence_cause;		/* enum vigil_fence_cause */
	bool has_fence_action;
	__u8 fence_action;		/* enum vigil_fence_action */
	bool has_dumping;
	bool dumping;
};

struct vigil_nl;
struct vigil_nl_watch;
struct vigil_nl_events;

/*
 * Open a generic netlink socket with NETLINK_EXT_ACK and NETLINK_CAP_ACK on
 * and resolve the family VIGIL_GENL_NAME. -ENOENT: the family is not
 * registered, i.e. vigil.ko is not loaded (resolving asks the kernel, which
 * loads vigil.ko through its module alias first if it is installed).
 */
int vigil_nl_open(struct vigil_nl **nlp, char *ackmsg, size_t ackmsg_len);
void vigil_nl_close(struct vigil_nl *nl);

/*
 * Resolve the family again: 0 if it is registered under the id found by
 * vigil_nl_open(), -ENOENT if it is gone, -ESTALE if it was registered
 * again under another id (the module was reloaded).
 */
int vigil_nl_recheck(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len);

/* VIGIL_CMD_GET_STATUS. -EPERM without CAP_NET_ADMIN. */
int vigil_nl_get_status(struct vigil_nl *nl, struct vigil_status *st,
			char *ackmsg, size_t ackmsg_len);

/*
 * Parse a VIGIL_CMD_GET_STATUS reply. Unknown attributes are ignored; a
 * reply without VIGIL_A_VERSION or VIGIL_A_PROTOCOL, with any known
 * attribute of the wrong type or size, or configured but without the
 * cluster id, node id and name, timeout, quorum state, generation and
 * votes, is -EBADMSG and leaves *st alone. So is a VIGIL_A_PROTECT list
 * of more than VIGIL_PROTECT_MAX names, a VIGIL_A_FENCE element without
 * its cause, a VIGIL_A_FENCE_PENDING element without its cause, action
 * or time left, and a list naming a known cause twice; elements of causes
 * this build does not know are skipped. A policy element without an
 * action (the operator cause's) has VIGIL_ACTION_UNSPEC.
 */
int vigil_nl_parse_status(struct nlmsghdr *nlh, struct vigil_status *st);

/*
 * VIGIL_CMD_GET_PEERS, a dump: every configured node but this one, in
 * peers->peers[0 .. n-1]. -EAGAIN if the dump's messages disagree on the
 * generation (it raced a change; ask again).
 */
int vigil_nl_get_peers(struct vigil_nl *nl, struct vigil_peers *peers,
		       char *ackmsg, size_t ackmsg_len);

/*
 * Parse one message of a GET_PEERS dump into *peer and the generation
 * the dump started at. -EBADMSG (and *peer, *generation untouched) for a
 * malformed message or one without the id, name, state or generation.
 */
int vigil_nl_parse_peer(struct nlmsghdr *nlh, struct vigil_peer *peer,
			__u64 *generation);

/* VIGIL_CMD_SET_CONFIG with everything in cfg (see config.h). */
int vigil_nl_set_config(struct vigil_nl *nl, const struct vigil_config *cfg,
			char *ackmsg, size_t ackmsg_len);

/* VIGIL_CMD_SET_PAYLOAD: len <= VIGIL_PAYLOAD_MAX bytes (else -EMSGSIZE). */
int vigil_nl_set_payload(struct vigil_nl *nl, const void *payload,
			 size_t len, char *ackmsg, size_t ackmsg_len);

/* VIGIL_CMD_SET_WITNESS: grant the witness vote for ms (0 revokes). */
int vigil_nl_set_witness(struct vigil_nl *nl, __u32 ms, char *ackmsg,
			 size_t ackmsg_len);

/*
 * VIGIL_CMD_FENCE: fence this node now with action (enum
 * vigil_fence_action), cause VIGIL_CAUSE_OPERATOR, after that cause's
 * configured delay. -ENOENT when not configured. With PANIC or REBOOT and
 * no delay, success may never be seen.
 */
int vigil_nl_fence(struct vigil_nl *nl, __u8 action, char *ackmsg,
		   size_t ackmsg_len);

/*
 * VIGIL_CMD_GATE_OPEN: reopen a gate a freeze latched. -EAGAIN (with a
 * message) while not quorate or the lease is not fresh.
 */
int vigil_nl_gate_open(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len);

/*
 * The daemon watchdog. VIGIL_CMD_DAEMON_REGISTER: pet at least every
 * timeout_ms from now on, or the cause VIGIL_CAUSE_DAEMON fires; again
 * changes the timeout and counts as a pet; -ENOENT when not configured.
 * VIGIL_CMD_DAEMON_PET and VIGIL_CMD_DAEMON_UNREGISTER (a clean stop):
 * -ENOENT when no daemon is registered.
 */
int vigil_nl_daemon_register(struct vigil_nl *nl, __u32 timeout_ms,
			     char *ackmsg, size_t ackmsg_len);
int vigil_nl_daemon_pet(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len);
int vigil_nl_daemon_unregister(struct vigil_nl *nl, char *ackmsg,
			       size_t ackmsg_len);

/*
 * Events: a socket subscribed to the family's VIGIL_MCGRP_EVENTS group.
 * Its file descriptor is non-blocking; poll it for input and call
 * vigil_nl_events_read(), which reads one datagram and calls fn for each
 * event in it. It returns the number of events passed to fn (0 if there
 * was nothing to read), -ENOBUFS if events were dropped because the
 * socket buffer overflowed (re-read the status: the socket stays usable),
 * -EBADMSG for a malformed event, fn's own negative return, or another
 * negative errno. -ENOENT from open: vigil.ko is not loaded.
 */
int vigil_nl_events_open(struct vigil_nl_events **ep, char *ackmsg,
			 size_t ackmsg_len);
int vigil_nl_events_fd(const struct vigil_nl_events *e);
int vigil_nl_events_read(struct vigil_nl_events *e,
			 int (*fn)(const struct vigil_nl_event *ev, void *arg),
			 void *arg);
void vigil_nl_events_close(struct vigil_nl_events *e);

/*
 * Parse a VIGIL_CMD_EVENT message. -EBADMSG (*ev untouched) if malformed
 * or without the event type, generation or quorum state. Unknown
 * attributes are ignored.
 */
int vigil_nl_parse_event(struct nlmsghdr *nlh, struct vigil_nl_event *ev);

/*
 * Names for people and JSON: "peer-up", "up", "rx_bad_mac", ...; NULL
 * for a value this build does not know.
 */
const char *vigil_event_name(__u32 type);
const char *vigil_peer_state_name(__u8 state);
const char *vigil_counter_name(unsigned int counter);
const char *vigil_link_type_name(__u8 type);
/* "none", "open", "closed", "latched" */
const char *vigil_gate_name(__u8 gate);
/* "quorum", "daemon", "operator" (VIGIL_CAUSE_NONE has none) */
const char *vigil_fence_cause_name(__u8 cause);
/* "none", "freeze", "panic", "reboot" (VIGIL_ACTION_UNSPEC has none) */
const char *vigil_fence_action_name(__u8 action);

/*
 * The other way: the enum value of a cause or action name above, or
 * -EINVAL for anything else (exact, case-sensitive).
 */
int vigil_fence_cause_parse(const char *name);
int vigil_fence_action_parse(const char *name);

/*
 * Copy the NLMSGERR_ATTR_MSG of an NLMSG_ERROR message into buf (truncated
 * to len - 1 bytes, always NUL-terminated; "" if there is none). -EBADMSG if
 * the message is not a well-formed NLMSG_ERROR.
 */
int vigil_nl_parse_ackmsg(struct nlmsghdr *nlh, char *buf, size_t len);

/*
 * Watch for vigil.ko going away: a socket subscribed to the "notify"
 * multicast group of the generic netlink controller ("nlctrl"). Its file
 * descriptor is non-blocking; poll it for input and call
 * vigil_nl_watch_read(), which reads one datagram and returns 1 if
 * the family VIGIL_GENL_NAME was unregistered, 0 if not (or if there was
 * nothing to read), -ENOBUFS if notifications were dropped because the
 * socket buffer overflowed (recheck with vigil_nl_recheck()), or another
 * negative errno.
 */
int vigil_nl_watch_open(struct vigil_nl_watch **wp, char *ackmsg,
			size_t ackmsg_len);
int vigil_nl_watch_fd(const struct vigil_nl_watch *w);
int vigil_nl_watch_read(struct vigil_nl_watch *w);
void vigil_nl_watch_close(struct vigil_nl_watch *w);

/*
 * Parse a controller notification: 1 if it is CTRL_CMD_DELFAMILY for the
 * family called name, 0 if it is any other controller message, -EBADMSG if
 * it is malformed.
 */
int vigil_nl_parse_ctrl_event(struct nlmsghdr *nlh, const char *name);

#endif /* _VIGIL_NL_H */
