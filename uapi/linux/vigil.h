/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) */
/*
 * vigil: in-kernel heartbeat, membership and self-fencing for HA clusters.
 *
 * This header is the one contract between vigil.ko and userspace (vigild,
 * vigilctl, tests). It uses only <linux/types.h> types.
 *
 * Generic netlink
 * ---------------
 * Family name VIGIL_GENL_NAME ("vigil"), version VIGIL_GENL_VERSION. The
 * family is registered when vigil.ko is loaded; the module can be loaded
 * on demand through the alias "net-pf-16-proto-16-family-vigil".
 *
 * Each network namespace has its own vigil instance (its own cluster
 * configuration, peers and quorum); a request acts on the instance of the
 * namespace of the netlink socket. Several instances in one kernel are
 * how the lab runs clusters of many nodes in one VM.
 *
 * Every command is strictly validated, and each command has its own
 * request policy (CTRL_CMD_GETPOLICY shows it):
 *  - an attribute the command does not take, of an unknown type, or of the
 *    wrong type: -EINVAL, with an extended ACK message (NETLINK_EXT_ACK)
 *    and the offending attribute (NLMSGERR_ATTR_OFFS);
 *  - a value outside the range or length its policy allows (a key that is
 *    not VIGIL_KEY_LEN bytes, a link index >= VIGIL_LINKS_MAX, an
 *    EtherType below 0x0600, a payload over VIGIL_PAYLOAD_MAX): -ERANGE,
 *    with a message and the offending attribute;
 *  - a value out of range or inconsistent with the rest of a request
 *    (a duplicate node id, a link that no address uses, ...): -EINVAL
 *    with a message that says why and the offending attribute;
 *  - a required attribute missing: -EINVAL with a message and the missing
 *    attribute's type (NLMSGERR_ATTR_MISS_TYPE), no offset;
 *  - an interface that does not exist: -ENODEV with a message naming it
 *    and the offending VIGIL_LINK_A_IFNAME;
 *  - a non-zero genlmsghdr.reserved, or nlmsg_flags other than REQUEST,
 *    ACK, ECHO and DUMP: -EINVAL with a message (no attribute);
 *  - an unknown command, or NLM_F_DUMP on a command that has no dump:
 *    -EOPNOTSUPP (no message);
 *  - a command that needs privileges, from a caller without them: -EPERM
 *    (no message). Every command needs CAP_NET_ADMIN in the user
 *    namespace owning the network namespace (GENL_UNS_ADMIN_PERM): the
 *    status names the cluster's nodes and addresses.
 * Userspace should enable NETLINK_EXT_ACK on its socket and print the
 * message when there is one. Replies may grow: userspace must ignore
 * attributes it does not know in replies.
 *
 * VIGIL_CMD_GET_STATUS
 *   A plain request (no NLM_F_DUMP) with no attributes. One reply:
 *
 *     VIGIL_A_VERSION: NLA_NUL_STRING, the module's version, at most
 *                      VIGIL_VERSION_MAX bytes including the NUL
 *     VIGIL_A_PROTOCOL: NLA_U32, the wire protocol (VIGIL_PROTOCOL_VERSION)
 *     VIGIL_A_CONFIGURED: NLA_U8, 1 once SET_CONFIG succeeded; when 0 the
 *                         attributes below are absent
 *     VIGIL_A_CLUSTER_ID: NLA_U32
 *     VIGIL_A_NODE_ID: NLA_U16, this node
 *     VIGIL_A_NODE_NAME: NLA_NUL_STRING, this node's name
 *     VIGIL_A_INCARNATION: NLA_U64, this node's incarnation
 *     VIGIL_A_TIMEOUT_MS: NLA_U32
 *     VIGIL_A_INTERVAL_MS: NLA_U32, the heartbeat interval derived from it
 *     VIGIL_A_QUORATE: NLA_U8, 0 or 1
 *     VIGIL_A_GENERATION: NLA_U64, changes on every change of membership
 *                         or quorum (and of the configuration)
 *     VIGIL_A_VOTES: NLA_U32, votes present (this node, peers up, witness)
 *     VIGIL_A_EXPECTED_VOTES: NLA_U32, all configured votes incl. witness
 *     VIGIL_A_QUORUM_VOTES: NLA_U32, votes needed for quorum
 *     VIGIL_A_WITNESS_VOTES: NLA_U32, the witness's votes (0: no witness)
 *     VIGIL_A_WITNESS_MS: NLA_U32, milliseconds the witness lease has left
 *                         (0: not granted or expired)
 *     VIGIL_A_FLAGS: NLA_U32, the VIGIL_CFG_F_* given to SET_CONFIG
 *     VIGIL_A_LEASE_MS: NLA_U32, the configured lease
 *     VIGIL_A_LEASE_LEFT_MS: NLA_U32, how long the lease is fresh from now,
 *                            rounded down (0: not fresh; U32_MAX: this
 *                            node's votes alone are a quorum)
 *     VIGIL_A_LEASE_END_NS: NLA_U64, when the lease ends, CLOCK_BOOTTIME ns
 *                           (0: no lease; U64_MAX: never). It never moves
 *                           back while the configuration and the witness
 *                           grant stay: a reading after an event bounds the
 *                           lease the gate saw at that event
 *     VIGIL_A_GATE: NLA_U8, enum vigil_gate
 *     VIGIL_A_GATE_DROPPED: NLA_U64, packets the gate dropped
 *     VIGIL_A_PROTECT: NLA_NESTED as in SET_CONFIG
 *     VIGIL_A_FENCE: NLA_NESTED as in SET_CONFIG, one nest per cause (no
 *                    action for VIGIL_CAUSE_OPERATOR: the request names it)
 *     VIGIL_A_FENCED: NLA_U8, the enum vigil_fence_cause whose FREEZE
 *                     latched the gate; absent: not latched
 *     VIGIL_A_FENCE_PENDING: NLA_NESTED, one nest per cause waiting for
 *                            its delay:
 *       0: NLA_NESTED
 *         VIGIL_FENCE_A_CAUSE, VIGIL_FENCE_A_ACTION as above
 *         VIGIL_FENCE_A_DELAY_MS: NLA_U32, ms left
 *     VIGIL_A_DAEMON_TIMEOUT_MS: NLA_U32, 0 while no daemon is registered
 *     VIGIL_A_DAEMON_LEFT_MS: NLA_U32, ms until the daemon cause fires
 *                             (registered only)
 *     VIGIL_A_LINKS: NLA_NESTED, one nest per local link:
 *       0: NLA_NESTED (any type: elements of a list)
 *         VIGIL_LINK_A_INDEX: NLA_U8
 *         VIGIL_LINK_A_NAME: NLA_NUL_STRING
 *         VIGIL_LINK_A_TYPE: NLA_U8, enum vigil_link_type
 *         VIGIL_LINK_A_IFINDEX: NLA_U32 (0 if the interface is gone)
 *         VIGIL_LINK_A_UP: NLA_U8, 1 while the interface exists and is up
 *         VIGIL_LINK_A_COUNTERS: NLA_NESTED, one NLA_U64 per enum
 *                                vigil_counter, the value as its type
 *
 * VIGIL_CMD_GET_PEERS
 *   NLM_F_DUMP only, no attributes. One message per configured node other
 *   than this one, each with:
 *
 *     VIGIL_A_GENERATION: NLA_U64, the generation the dump started at: a
 *                         dump whose messages disagree raced a change
 *     VIGIL_A_PEER: NLA_NESTED
 *       VIGIL_PEER_A_ID: NLA_U16
 *       VIGIL_PEER_A_NAME: NLA_NUL_STRING
 *       VIGIL_PEER_A_VOTES: NLA_U32
 *       VIGIL_PEER_A_STATE: NLA_U8, enum vigil_peer_state
 *       VIGIL_PEER_A_INCARNATION: NLA_U64 (0: never heard)
 *       VIGIL_PEER_A_LAST_SEEN_MS: NLA_U32, ms since the last valid
 *                                  heartbeat on any link (absent: never)
 *       VIGIL_PEER_A_QUORATE: NLA_U8, the peer's own quorum state
 *       VIGIL_PEER_A_GENERATION: NLA_U64, the peer's generation
 *       VIGIL_PEER_A_MEMBERS: NLA_BINARY, VIGIL_MEMBERS_BYTES, the
 *                             peer's membership view, as on the wire
 *       VIGIL_PEER_A_PAYLOAD: NLA_BINARY, up to VIGIL_PAYLOAD_MAX, the
 *                             payload the peer's daemon set (empty until
 *                             a heartbeat carried one)
 *       VIGIL_PEER_A_FENCE_CAUSE: NLA_U8, the enum vigil_fence_cause the
 *                                 peer announced (states SELF_FENCED and
 *                                 DUMPING only)
 *       VIGIL_PEER_A_LINKS: NLA_NESTED, one nest per link:
 *         0: NLA_NESTED
 *           VIGIL_LINK_A_INDEX, VIGIL_LINK_A_NAME as above
 *           VIGIL_LINK_A_UP: NLA_U8, 1 while heartbeats arrive in time
 *           VIGIL_LINK_A_LAST_SEEN_MS: NLA_U32 (absent: never)
 *           VIGIL_LINK_A_RTT_US: NLA_U32, smoothed round-trip time
 *                                (absent: no sample yet)
 *           VIGIL_LINK_A_COUNTERS: NLA_NESTED as above, for this peer
 *
 * VIGIL_CMD_SET_CONFIG
 *   Replaces the whole configuration of this namespace's instance at
 *   once; on any error nothing changes. Peers whose id, incarnation and
 *   links stay keep their state. Attributes:
 *
 *     VIGIL_A_CLUSTER_ID: NLA_U32, required, not 0
 *     VIGIL_A_NODE_ID: NLA_U16, required: which of VIGIL_A_NODES is us
 *     VIGIL_A_TIMEOUT_MS: NLA_U32, default VIGIL_TIMEOUT_DEFAULT_MS, in
 *                         [VIGIL_TIMEOUT_MIN_MS, VIGIL_TIMEOUT_MAX_MS];
 *                         the interval is timeout / VIGIL_INTERVAL_DIVISOR
 *     VIGIL_A_WITNESS_VOTES: NLA_U32, default 0, at most VIGIL_VOTES_MAX
 *     VIGIL_A_FLAGS: NLA_U32, VIGIL_CFG_F_* (others: -EINVAL)
 *     VIGIL_A_KEYS: NLA_NESTED, 1 or 2 nests, required:
 *       0: NLA_NESTED
 *         VIGIL_KEY_A_ID: NLA_U8, distinct
 *         VIGIL_KEY_A_SECRET: NLA_BINARY, exactly VIGIL_KEY_LEN bytes
 *         VIGIL_KEY_A_PRIMARY: NLA_FLAG, the key heartbeats are sent
 *                              with; exactly one key has it (a single
 *                              key is primary without it)
 *     VIGIL_A_LINKS: NLA_NESTED, 1..VIGIL_LINKS_MAX nests, required:
 *       0: NLA_NESTED
 *         VIGIL_LINK_A_INDEX: NLA_U8, < VIGIL_LINKS_MAX, distinct; the
 *                             same link has the same index on every node
 *         VIGIL_LINK_A_NAME: NLA_NUL_STRING, < VIGIL_NAME_MAX, required
 *         VIGIL_LINK_A_TYPE: NLA_U8, enum vigil_link_type, required
 *         VIGIL_LINK_A_IFNAME: NLA_NUL_STRING, < IFNAMSIZ, the interface;
 *                              required for L2, and for UDP with IPv6
 *                              link-local peers
 *         VIGIL_LINK_A_ETHERTYPE: NLA_U16, L2 only, default
 *                                 VIGIL_ETHERTYPE_DEFAULT, >= 0x0600
 *         VIGIL_LINK_A_PORT: NLA_U16, UDP only, local port, default
 *                            VIGIL_UDP_PORT_DEFAULT; sockets bind the
 *                            wildcard address, so two UDP links of one
 *                            family need different ports
 *         VIGIL_LINK_A_FAMILY: NLA_U8, UDP only, AF_INET or AF_INET6,
 *                              required for UDP
 *     VIGIL_A_NODES: NLA_NESTED, 1..VIGIL_NODES_MAX nests, required,
 *                    every node of the cluster including this one:
 *       0: NLA_NESTED
 *         VIGIL_NODE_A_ID: NLA_U16, 1..VIGIL_NODES_MAX, distinct
 *         VIGIL_NODE_A_NAME: NLA_NUL_STRING, < VIGIL_NAME_MAX, distinct
 *         VIGIL_NODE_A_VOTES: NLA_U32, default 1, at most VIGIL_VOTES_MAX
 *                             (0: the node is a member without a vote)
 *         VIGIL_NODE_A_ADDRS: NLA_NESTED, where to send to this node; one
 *                             nest per link (not needed for this node
 *                             itself; an L2 link without an address
 *                             sends to the broadcast MAC; a UDP link
 *                             needs one):
 *           0: NLA_NESTED
 *             VIGIL_ADDR_A_LINK: NLA_U8, a configured link index
 *             VIGIL_ADDR_A_MAC: NLA_BINARY, 6 bytes (L2)
 *             VIGIL_ADDR_A_IN: NLA_BINARY, 4 bytes (UDP over IPv4), or
 *             VIGIL_ADDR_A_IN6: NLA_BINARY, 16 bytes (UDP over IPv6)
 *             VIGIL_ADDR_A_PORT: NLA_U16, default VIGIL_UDP_PORT_DEFAULT
 *     VIGIL_A_LEASE_MS: NLA_U32, the I/O lease (below), default
 *                       timeout * 9 / 10; at least VIGIL_LEASE_MIN_INTERVALS
 *                       heartbeat intervals and at most
 *                       timeout * (1e6 - VIGIL_CLOCK_MARGIN_PPM) /
 *                       (1e6 + VIGIL_CLOCK_MARGIN_PPM)
 *     VIGIL_A_PROTECT: NLA_NESTED, 0..VIGIL_PROTECT_MAX interfaces whose
 *                      service traffic the lease gates:
 *       0: NLA_NUL_STRING, < IFNAMSIZ, an existing interface (-ENODEV)
 *     VIGIL_A_FENCE: NLA_NESTED, the self-fence policy, one nest per cause
 *                    (a cause not named: VIGIL_ACTION_NONE, no delay):
 *       0: NLA_NESTED
 *         VIGIL_FENCE_A_CAUSE: NLA_U8, enum vigil_fence_cause, distinct
 *         VIGIL_FENCE_A_ACTION: NLA_U8, enum vigil_fence_action (for
 *                               VIGIL_CAUSE_OPERATOR the request names
 *                               the action; only the delay is taken)
 *         VIGIL_FENCE_A_DELAY_MS: NLA_U32, at most VIGIL_TIMEOUT_MAX_MS
 *       VIGIL_ACTION_FREEZE needs at least one protected interface.
 *   A cluster of two nodes' worth of votes without a witness is refused
 *   unless VIGIL_CFG_F_TWO_NODE is set (then one node is quorate alone:
 *   only safe with fencing).
 *   Emits VIGIL_EV_CONFIG_CHANGED.
 *
 * VIGIL_CMD_SET_PAYLOAD
 *     VIGIL_A_PAYLOAD: NLA_BINARY, 0..VIGIL_PAYLOAD_MAX bytes, required:
 *                      carried opaquely in every heartbeat from now on
 *
 * VIGIL_CMD_SET_WITNESS
 *     VIGIL_A_WITNESS_MS: NLA_U32, required: grant the witness vote for
 *                         this long from now (at most VIGIL_TIMEOUT_MAX_MS;
 *                         0 revokes). The grant expires by itself.
 *   -ENOENT when the configuration has no witness votes.
 *
 * VIGIL_CMD_FENCE
 *     VIGIL_A_FENCE_ACTION: NLA_U8, enum vigil_fence_action, required:
 *                           fence this node now (cause VIGIL_CAUSE_OPERATOR,
 *                           after that cause's configured delay). NONE only
 *                           emits the events; FREEZE needs a protected
 *                           interface. -ENOENT when not configured.
 *
 * VIGIL_CMD_GATE_OPEN
 *   No attributes. Reopen a gate that a freeze latched closed and clear
 *   VIGIL_A_FENCED. Refused with -EAGAIN and a message while the node is
 *   not quorate or its lease is not fresh; a gate that is not latched is
 *   left as it is (success).
 *
 * VIGIL_CMD_DAEMON_REGISTER
 *     VIGIL_A_DAEMON_TIMEOUT_MS: NLA_U32, required, at least two heartbeat
 *                                intervals and at most VIGIL_TIMEOUT_MAX_MS:
 *   From now on the daemon must send VIGIL_CMD_DAEMON_PET at least this
 *   often, or the cause VIGIL_CAUSE_DAEMON fires. Registering again
 *   changes the timeout and counts as a pet. -ENOENT when not configured.
 * VIGIL_CMD_DAEMON_PET
 *   No attributes. -ENOENT when no daemon is registered.
 * VIGIL_CMD_DAEMON_UNREGISTER
 *   No attributes: a clean stop; the watchdog is off until the next
 *   registration. -ENOENT when no daemon is registered.
 *
 * Self-fencing
 * ------------
 * The I/O lease: a node may do service I/O only while it holds a fresh
 * lease. A heartbeat from a peer whose membership view counts this node
 * and that echoes one of this node's sequences is evidence: it lasts until
 * the local send time of that sequence + lease_ms. The lease runs until
 * the latest instant at which the evidence still lasting (and the witness
 * grant, until it expires) holds, with this node's own votes, a quorum.
 * On the protected interfaces a netfilter hook drops every IPv4, IPv6 and
 * ARP packet, both ways, unless the lease is fresh and the gate is not
 * latched; heartbeats always pass (L2 frames never meet these hooks; the
 * instance's own UDP sockets, datagrams to its UDP ports, and the ARP and
 * IPv6 neighbour solicitations and advertisements that name a peer's UDP
 * heartbeat address are let through). Documentation/fencing.md has the
 * timing argument.
 *
 * Causes: VIGIL_CAUSE_QUORUM fires when the node loses quorum, or when
 * its lease runs out, after it held one; VIGIL_CAUSE_DAEMON when a
 * registered daemon misses its timeout; VIGIL_CAUSE_OPERATOR on
 * VIGIL_CMD_FENCE. A fired cause waits for its delay
 * (VIGIL_EV_FENCE_PENDING) and then acts (VIGIL_EV_FENCE). Quorum and
 * daemon causes are called off (VIGIL_EV_FENCE_CANCELLED) if, before the
 * delay ends, the daemon pets again, or quorum returns while the lease
 * never ran out. FREEZE latches the gate closed until VIGIL_CMD_GATE_OPEN
 * and heartbeats carry VIGIL_HB_F_FENCING meanwhile; PANIC and REBOOT
 * first send a last heartbeat on every link with VIGIL_HB_F_FENCING, the
 * cause and, when a crash kernel is loaded, VIGIL_HB_F_DUMPING.
 *
 * Events
 * ------
 * Multicast group VIGIL_MCGRP_EVENTS ("events") of the family. Each event
 * is a message with command VIGIL_CMD_EVENT from the namespace's
 * instance:
 *     VIGIL_A_EVENT: NLA_U32, enum vigil_event
 *     VIGIL_A_GENERATION: NLA_U64, after the event
 *     VIGIL_A_QUORATE: NLA_U8, after the event
 *     VIGIL_A_EVENT_PEER: NLA_U16, for peer and link events
 *     VIGIL_A_EVENT_LINK: NLA_U8, for link events
 *     VIGIL_A_EVENT_INCARNATION: NLA_U64, for VIGIL_EV_PEER_UP and
 *                                VIGIL_EV_PEER_RESTARTED
 *     VIGIL_A_FENCE_CAUSE: NLA_U8, for the fence events and
 *                          VIGIL_EV_PEER_FENCED
 *     VIGIL_A_FENCE_ACTION: NLA_U8, for VIGIL_EV_FENCE_PENDING,
 *                           VIGIL_EV_FENCE and VIGIL_EV_FENCE_CANCELLED
 *     VIGIL_A_DUMPING: NLA_U8, for VIGIL_EV_PEER_FENCED: 1 if the peer
 *                      announced a crash dump
 * Events are sent from the heartbeat timer with GFP_ATOMIC; a listener
 * that falls behind gets ENOBUFS and must re-read the status.
 *
 * Heartbeat wire format, version 1
 * --------------------------------
 * One heartbeat per interval, per peer, per link: an Ethernet frame with
 * the link's EtherType (L2), or a UDP datagram to the peer's address and
 * port. The body is the same on both; all integers are big-endian:
 *
 *   offset size
 *    0     4   magic VIGIL_WIRE_MAGIC ("VGHB")
 *    4     1   version (VIGIL_PROTOCOL_VERSION)
 *    5     1   key id: which cluster key made the MAC
 *    6     1   link index the frame was sent on
 *    7     1   flags (VIGIL_HB_F_*; with VIGIL_HB_F_FENCING, bits 4-5
 *              hold the enum vigil_fence_cause)
 *    8     4   cluster id
 *   12     2   sender node id
 *   14     2   receiver node id (the peer this frame is for)
 *   16     8   sender incarnation
 *   24     8   sequence: per sender incarnation, +1 per interval; the
 *              frames of one interval on every link carry the same value
 *   32     8   echo: the last sequence the sender received from the
 *              receiver on this link (0: none)
 *   40     4   echo delay: microseconds between receiving that sequence
 *              and sending this frame
 *   44     8   sender's generation
 *   52    32   sender's membership view: node n is bit (n-1)%8 (least
 *              significant first) of byte (n-1)/8; the sender itself is
 *              set while it runs; the nodes it sees up, and the
 *              self-fenced (frozen) ones it still hears, which keep
 *              their vote
 *   84     2   payload length (<= VIGIL_PAYLOAD_MAX)
 *   86     2   reserved, 0
 *   88     n   payload
 *   88+n  32   HMAC-SHA256 over bytes 0 .. 88+n-1 under the key
 *
 * A receiver accepts a frame only if the length is exact, the magic,
 * version and cluster id match, the receiver id is its own, the sender is
 * a configured node other than itself, the key id names a configured key
 * and the MAC verifies, the link index is the link it arrived on, and the
 * frame is new: its incarnation is greater than the one known for the
 * sender (a new life: incarnations start with the wall-clock millisecond of
 * the module load in the high 48 bits), or equal with a sequence greater
 * than the last accepted on that link. Everything else is counted (enum
 * vigil_counter) and changes nothing.
 */

#ifndef _UAPI_LINUX_VIGIL_H
#define _UAPI_LINUX_VIGIL_H

#include <linux/types.h>

#define VIGIL_GENL_NAME "vigil"
#define VIGIL_GENL_VERSION 1
#define VIGIL_MCGRP_EVENTS "events"

/* Heartbeat wire protocol version; see Documentation/protocol.md. */
#define VIGIL_PROTOCOL_VERSION 1

/* Longest module version string, including the terminating NUL. */
#define VIGIL_VERSION_MAX 32

/* Limits. */
#define VIGIL_NODES_MAX 256
#define VIGIL_MEMBERS_BYTES (VIGIL_NODES_MAX / 8)
#define VIGIL_LINKS_MAX 8
#define VIGIL_NAME_MAX 32		/* names, including the NUL */
#define VIGIL_KEY_LEN 32
#define VIGIL_PAYLOAD_MAX 128
#define VIGIL_VOTES_MAX 255

/* Timing: one knob. */
#define VIGIL_TIMEOUT_DEFAULT_MS 500
#define VIGIL_TIMEOUT_MIN_MS 50
#define VIGIL_TIMEOUT_MAX_MS 60000
#define VIGIL_INTERVAL_DIVISOR 5

/* Transports. */
#define VIGIL_ETHERTYPE_DEFAULT 0x88B5
#define VIGIL_UDP_PORT_DEFAULT 5405

/* Wire format. */
#define VIGIL_WIRE_MAGIC 0x56474842	/* "VGHB" */
#define VIGIL_WIRE_HDR_LEN 88
#define VIGIL_WIRE_MAC_LEN 32
#define VIGIL_WIRE_MIN_LEN (VIGIL_WIRE_HDR_LEN + VIGIL_WIRE_MAC_LEN)
#define VIGIL_WIRE_MAX_LEN (VIGIL_WIRE_MIN_LEN + VIGIL_PAYLOAD_MAX)

enum vigil_hb_flags {
	VIGIL_HB_F_QUORATE = 1U << 0,	/* the sender has quorum */
	VIGIL_HB_F_LEAVING = 1U << 1,	/* clean leave: not a failure */
	VIGIL_HB_F_FENCING = 1U << 2,	/* self-fenced (frozen) or about to */
	VIGIL_HB_F_DUMPING = 1U << 3,	/* panicking into a crash kernel */
	VIGIL_HB_F_CAUSE_MASK = 3U << 4,	/* enum vigil_fence_cause */
};
#define VIGIL_HB_F_CAUSE_SHIFT 4

/* The I/O lease (Documentation/fencing.md). */
#define VIGIL_LEASE_MIN_INTERVALS 3
#define VIGIL_CLOCK_MARGIN_PPM 10000	/* clock-rate error allowed: 1% */
#define VIGIL_PROTECT_MAX 8

enum vigil_fence_cause {
	VIGIL_CAUSE_NONE,
	VIGIL_CAUSE_QUORUM = 1,		/* quorum lost, or the lease ran out */
	VIGIL_CAUSE_DAEMON = 2,		/* the registered daemon went quiet */
	VIGIL_CAUSE_OPERATOR = 3,	/* VIGIL_CMD_FENCE */
	__VIGIL_CAUSE_LAST
};
#define VIGIL_CAUSE_MAX (__VIGIL_CAUSE_LAST - 1)

enum vigil_fence_action {
	VIGIL_ACTION_UNSPEC,
	VIGIL_ACTION_NONE = 1,		/* events only */
	VIGIL_ACTION_FREEZE = 2,	/* latch the lease gate closed */
	VIGIL_ACTION_PANIC = 3,		/* panic: kdump if loaded */
	VIGIL_ACTION_REBOOT = 4,	/* emergency restart, no sync */
	__VIGIL_ACTION_LAST
};
#define VIGIL_ACTION_MAX (__VIGIL_ACTION_LAST - 1)

enum vigil_gate {
	VIGIL_GATE_NONE = 0,		/* no protected interface */
	VIGIL_GATE_OPEN = 1,		/* lease fresh: service traffic passes */
	VIGIL_GATE_CLOSED = 2,		/* lease not fresh: dropped */
	VIGIL_GATE_LATCHED = 3,		/* frozen until VIGIL_CMD_GATE_OPEN */
};

enum vigil_cfg_flags {
	/* Two votes in all and no witness: each node alone is quorate. */
	VIGIL_CFG_F_TWO_NODE = 1U << 0,
	__VIGIL_CFG_F_ALL = VIGIL_CFG_F_TWO_NODE,
};

enum vigil_link_type {
	VIGIL_LINK_L2 = 1,
	VIGIL_LINK_UDP = 2,
};

enum vigil_peer_state {
	VIGIL_PEER_UNKNOWN = 0,		/* never heard since configuration */
	VIGIL_PEER_UP = 1,		/* a link delivers heartbeats in time */
	VIGIL_PEER_DOWN = 2,		/* every link timed out */
	VIGIL_PEER_LEFT = 3,		/* said it was leaving */
	VIGIL_PEER_SELF_FENCED = 4,	/* announced a self-fence */
	VIGIL_PEER_DUMPING = 5,		/* announced a crash dump */
};

enum vigil_counter {
	VIGIL_CNT_UNSPEC,
	VIGIL_CNT_TX,			/* heartbeats sent */
	VIGIL_CNT_TX_ERRORS,		/* could not be sent */
	VIGIL_CNT_RX,			/* heartbeats accepted */
	VIGIL_CNT_RX_LOST,		/* sequence gaps in accepted ones */
	VIGIL_CNT_RX_BAD_LENGTH,	/* truncated, oversized */
	VIGIL_CNT_RX_BAD_MAGIC,
	VIGIL_CNT_RX_BAD_VERSION,
	VIGIL_CNT_RX_BAD_CLUSTER,
	VIGIL_CNT_RX_BAD_NODE,		/* unknown sender, not for us, ourselves */
	VIGIL_CNT_RX_BAD_KEY,		/* unknown key id */
	VIGIL_CNT_RX_BAD_MAC,		/* forged or corrupted */
	VIGIL_CNT_RX_BAD_LINK,		/* arrived on another link */
	VIGIL_CNT_RX_REPLAY,		/* old incarnation or sequence */
	__VIGIL_CNT_LAST
};
#define VIGIL_CNT_MAX (__VIGIL_CNT_LAST - 1)

enum vigil_event {
	VIGIL_EV_UNSPEC,
	VIGIL_EV_PEER_UP,
	VIGIL_EV_PEER_DOWN,
	VIGIL_EV_PEER_RESTARTED,	/* new incarnation seen */
	VIGIL_EV_PEER_LEFT,
	VIGIL_EV_LINK_UP,
	VIGIL_EV_LINK_DOWN,
	VIGIL_EV_QUORUM_GAINED,
	VIGIL_EV_QUORUM_LOST,
	VIGIL_EV_PAYLOAD_CHANGED,
	VIGIL_EV_CONFIG_CHANGED,
	VIGIL_EV_LEASE_EXPIRED,		/* this node's lease ran out */
	VIGIL_EV_LEASE_RENEWED,		/* fresh again (or for the first time) */
	VIGIL_EV_FENCE_PENDING,		/* a cause fired; waiting for its delay */
	VIGIL_EV_FENCE_CANCELLED,	/* the cause cleared within the delay */
	VIGIL_EV_FENCE,			/* acting now */
	VIGIL_EV_GATE_OPENED,		/* a latched gate was reopened */
	VIGIL_EV_PEER_FENCED,		/* a peer announced a self-fence */
	VIGIL_EV_DAEMON_REGISTERED,
	VIGIL_EV_DAEMON_UNREGISTERED,
	__VIGIL_EV_LAST
};
#define VIGIL_EV_MAX (__VIGIL_EV_LAST - 1)

enum vigil_cmd {
	VIGIL_CMD_UNSPEC,
	VIGIL_CMD_GET_STATUS,
	VIGIL_CMD_GET_PEERS,
	VIGIL_CMD_SET_CONFIG,
	VIGIL_CMD_SET_PAYLOAD,
	VIGIL_CMD_SET_WITNESS,
	VIGIL_CMD_EVENT,
	VIGIL_CMD_FENCE,
	VIGIL_CMD_GATE_OPEN,
	VIGIL_CMD_DAEMON_REGISTER,
	VIGIL_CMD_DAEMON_PET,
	VIGIL_CMD_DAEMON_UNREGISTER,
	__VIGIL_CMD_MAX
};
#define VIGIL_CMD_MAX (__VIGIL_CMD_MAX - 1)

enum vigil_attr {
	VIGIL_A_UNSPEC,
	VIGIL_A_VERSION,
	VIGIL_A_PROTOCOL,
	VIGIL_A_CONFIGURED,
	VIGIL_A_CLUSTER_ID,
	VIGIL_A_NODE_ID,
	VIGIL_A_NODE_NAME,
	VIGIL_A_INCARNATION,
	VIGIL_A_TIMEOUT_MS,
	VIGIL_A_INTERVAL_MS,
	VIGIL_A_QUORATE,
	VIGIL_A_GENERATION,
	VIGIL_A_VOTES,
	VIGIL_A_EXPECTED_VOTES,
	VIGIL_A_QUORUM_VOTES,
	VIGIL_A_WITNESS_VOTES,
	VIGIL_A_WITNESS_MS,
	VIGIL_A_FLAGS,
	VIGIL_A_KEYS,
	VIGIL_A_LINKS,
	VIGIL_A_NODES,
	VIGIL_A_PEER,
	VIGIL_A_PAYLOAD,
	VIGIL_A_EVENT,
	VIGIL_A_EVENT_PEER,
	VIGIL_A_EVENT_LINK,
	VIGIL_A_EVENT_INCARNATION,
	VIGIL_A_LEASE_MS,
	VIGIL_A_LEASE_LEFT_MS,
	VIGIL_A_GATE,
	VIGIL_A_GATE_DROPPED,
	VIGIL_A_PROTECT,
	VIGIL_A_FENCE,
	VIGIL_A_FENCED,
	VIGIL_A_FENCE_PENDING,
	VIGIL_A_FENCE_CAUSE,
	VIGIL_A_FENCE_ACTION,
	VIGIL_A_DUMPING,
	VIGIL_A_DAEMON_TIMEOUT_MS,
	VIGIL_A_DAEMON_LEFT_MS,
	VIGIL_A_LEASE_END_NS,
	__VIGIL_A_LAST
};
#define VIGIL_A_MAX (__VIGIL_A_LAST - 1)

enum vigil_key_attr {
	VIGIL_KEY_A_UNSPEC,
	VIGIL_KEY_A_ID,
	VIGIL_KEY_A_SECRET,
	VIGIL_KEY_A_PRIMARY,
	__VIGIL_KEY_A_LAST
};
#define VIGIL_KEY_A_MAX (__VIGIL_KEY_A_LAST - 1)

enum vigil_link_attr {
	VIGIL_LINK_A_UNSPEC,
	VIGIL_LINK_A_INDEX,
	VIGIL_LINK_A_NAME,
	VIGIL_LINK_A_TYPE,
	VIGIL_LINK_A_IFNAME,
	VIGIL_LINK_A_IFINDEX,
	VIGIL_LINK_A_ETHERTYPE,
	VIGIL_LINK_A_PORT,
	VIGIL_LINK_A_FAMILY,
	VIGIL_LINK_A_UP,
	VIGIL_LINK_A_LAST_SEEN_MS,
	VIGIL_LINK_A_RTT_US,
	VIGIL_LINK_A_COUNTERS,
	__VIGIL_LINK_A_LAST
};
#define VIGIL_LINK_A_MAX (__VIGIL_LINK_A_LAST - 1)

enum vigil_node_attr {
	VIGIL_NODE_A_UNSPEC,
	VIGIL_NODE_A_ID,
	VIGIL_NODE_A_NAME,
	VIGIL_NODE_A_VOTES,
	VIGIL_NODE_A_ADDRS,
	__VIGIL_NODE_A_LAST
};
#define VIGIL_NODE_A_MAX (__VIGIL_NODE_A_LAST - 1)

enum vigil_addr_attr {
	VIGIL_ADDR_A_UNSPEC,
	VIGIL_ADDR_A_LINK,
	VIGIL_ADDR_A_MAC,
	VIGIL_ADDR_A_IN,
	VIGIL_ADDR_A_IN6,
	VIGIL_ADDR_A_PORT,
	__VIGIL_ADDR_A_LAST
};
#define VIGIL_ADDR_A_MAX (__VIGIL_ADDR_A_LAST - 1)

enum vigil_peer_attr {
	VIGIL_PEER_A_UNSPEC,
	VIGIL_PEER_A_ID,
	VIGIL_PEER_A_NAME,
	VIGIL_PEER_A_VOTES,
	VIGIL_PEER_A_STATE,
	VIGIL_PEER_A_INCARNATION,
	VIGIL_PEER_A_LAST_SEEN_MS,
	VIGIL_PEER_A_QUORATE,
	VIGIL_PEER_A_GENERATION,
	VIGIL_PEER_A_MEMBERS,
	VIGIL_PEER_A_PAYLOAD,
	VIGIL_PEER_A_LINKS,
	VIGIL_PEER_A_FENCE_CAUSE,
	__VIGIL_PEER_A_LAST
};
#define VIGIL_PEER_A_MAX (__VIGIL_PEER_A_LAST - 1)

enum vigil_fence_attr {
	VIGIL_FENCE_A_UNSPEC,
	VIGIL_FENCE_A_CAUSE,
	VIGIL_FENCE_A_ACTION,
	VIGIL_FENCE_A_DELAY_MS,
	__VIGIL_FENCE_A_LAST
};
#define VIGIL_FENCE_A_MAX (__VIGIL_FENCE_A_LAST - 1)

#endif /* _UAPI_LINUX_VIGIL_H */
