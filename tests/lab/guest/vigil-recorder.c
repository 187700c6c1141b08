// SPDX-License-Identifier: GPL-2.0
/*
 * vigil-recorder: the guest half of the lab's stall proof (scenario
 * 20-stall). Every INTERVAL ms it reads this node's I/O lease from vigil.ko
 * (VIGIL_A_LEASE_LEFT_MS of GET_STATUS, over raw generic netlink) and sends
 * one numbered UDP record to the lab's log server (tests/lab/logserver, on
 * the host side of the service LAN), whatever the lease said: the gate, not
 * the recorder, must keep a record from leaving once the lease has run out.
 *
 *	vigil-recorder [-i INTERVAL_MS] [-n COUNT] [-d IFNAME]
 *		       [--fake-lease MS] HOST PORT
 *
 * A record is 64 bytes, big-endian:
 *	 0  u32  magic 'VREC'
 *	 4  u16  version (2)
 *	 6  u16  flags: bit 0 the status request failed, bit 1 the reply had
 *		 no VIGIL_A_LEASE_LEFT_MS; bits 8-15 VIGIL_A_GATE
 *	 8  u32  run: random, one per recorder process
 *	12  u32  lease_left_ms as read (0xffffffff: this node alone is a
 *		 quorum, the lease never runs out)
 *	16  u64  seq, from 0, one per attempt (a record the gate dropped
 *		 leaves a hole)
 *	24  u64  t_read: CLOCK_BOOTTIME (ns) just before the status request,
 *		 so t_read + lease_left_ms is never later than the lease end
 *		 the kernel computed
 *	32  u64  t_reply: CLOCK_BOOTTIME when the reply was parsed
 *	40  u64  t_send: CLOCK_BOOTTIME just before sendto()
 *	48  u64  end: VIGIL_A_LEASE_END_NS read with lease_left_ms
 *	56  u64  prev_end_after: VIGIL_A_LEASE_END_NS read right after the
 *		 previous record's sendto() returned (its seq is seq - 1)
 * Lease ends: CLOCK_BOOTTIME ns, 0 no lease, all ones never. The lease end
 * never moves back, and the gate looks at a record at or after its t_send:
 * so a record with end > t_send may pass, and a record that passed with
 * end <= t_send (the lease was renewed between the reading and the send)
 * is a violation exactly when the next record's prev_end_after <= its
 * t_send (the gate let it out although the lease had ended).
 * --fake-lease MS reports MS for every reading without asking the kernel
 * (to test the log server on a machine without vigil.ko). On SIGTERM or
 * SIGINT, or after COUNT records, it prints one summary line: records
 * attempted, sent, refused with EPERM (the gate), other errors, and
 * readings that said the lease was not fresh.
 */

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vigil.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REC_MAGIC 0x56524543u	/* "VREC" */
#define REC_VERSION 2
#define REC_F_STATUS_FAILED 0x1
#define REC_F_NO_LEASE 0x2
#define REC_GATE_SHIFT 8

struct record {
	uint32_t magic;
	uint16_t version;
	uint16_t flags;
	uint32_t run;
	uint32_t lease_left_ms;
	uint64_t seq;
	uint64_t t_read;
	uint64_t t_reply;
	uint64_t t_send;
	uint64_t end;
	uint64_t prev_end_after;
} __attribute__((packed));

_Static_assert(sizeof(struct record) == 64, "record layout");

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* --- raw generic netlink ------------------------------------------------ */

struct genl {
	int fd;
	uint16_t family;
	uint32_t seq;
	unsigned char buf[65536];
};

#define NLA_DATA(nla) ((void *)((char *)(nla) + NLA_HDRLEN))

static int genl_request(struct genl *g, uint16_t type, uint8_t cmd, uint8_t version,
			const void *attrs, size_t attrs_len)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr gh;
		unsigned char attrs[64];
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (attrs_len > sizeof(req.attrs))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + attrs_len);
	req.nlh.nlmsg_type = type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.nlh.nlmsg_seq = ++g->seq;
	req.gh.cmd = cmd;
	req.gh.version = version;
	memcpy(req.attrs, attrs, attrs_len);
	if (sendto(g->fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/*
 * Receive the reply to the last request; point *attrs and *len at its
 * attributes. Returns 0, or a negative errno (the kernel's, for an error).
 */
static int genl_reply(struct genl *g, struct nlattr **attrs, int *len)
{
	for (;;) {
		ssize_t n = recv(g->fd, g->buf, sizeof(g->buf), 0);
		struct nlmsghdr *nlh;

		if (n < 0) {
			if (errno == EINTR && !stop)
				continue;
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)g->buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != g->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				return e->error ? e->error : -ENOMSG;
			}
			*attrs = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
			*len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			return 0;
		}
	}
}

#define for_each_attr(nla, attrs, len)						\
	for (int __rem = (len), __l;						\
	     nla = (attrs), __rem >= (int)NLA_HDRLEN &&				\
	     (__l = (nla)->nla_len) >= (int)NLA_HDRLEN && __l <= __rem;		\
	     __rem -= NLA_ALIGN(__l),						\
	     attrs = (struct nlattr *)((char *)(attrs) + NLA_ALIGN(__l)))

static int genl_open(struct genl *g)
{
	unsigned char attrs[NLA_HDRLEN + NLA_ALIGN(sizeof(VIGIL_GENL_NAME))];
	struct nlattr *nla = (struct nlattr *)attrs, *a, *it;
	struct timeval tv = { .tv_sec = 2 };
	int len, ret;

	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -errno;
	/* A status request never waits long: don't hang on a lost reply. */
	setsockopt(g->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(attrs, 0, sizeof(attrs));
	nla->nla_type = CTRL_ATTR_FAMILY_NAME;
	nla->nla_len = NLA_HDRLEN + sizeof(VIGIL_GENL_NAME);
	memcpy(NLA_DATA(nla), VIGIL_GENL_NAME, sizeof(VIGIL_GENL_NAME));
	ret = genl_request(g, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, attrs, sizeof(attrs));
	if (!ret)
		ret = genl_reply(g, &a, &len);
	if (ret)
		return ret;
	it = a;
	for_each_attr(nla, it, len) {
		if (nla->nla_type == CTRL_ATTR_FAMILY_ID) {
			g->family = *(uint16_t *)NLA_DATA(nla);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Read the lease: its time left, its end and the gate. Sets REC_F_* in
 * *flags; leaves *end alone when the reply has none.
 */
static void read_lease(struct genl *g, uint32_t *left, uint64_t *end,
		       uint16_t *flags)
{
	struct nlattr *a, *nla;
	int len, ret;

	*left = 0;
	ret = genl_request(g, g->family, VIGIL_CMD_GET_STATUS, VIGIL_GENL_VERSION, NULL, 0);
	if (!ret)
		ret = genl_reply(g, &a, &len);
	if (ret) {
		*flags |= REC_F_STATUS_FAILED;
		return;
	}
	*flags |= REC_F_NO_LEASE;
	for_each_attr(nla, a, len) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case VIGIL_A_LEASE_LEFT_MS:
			*left = *(uint32_t *)NLA_DATA(nla);
			*flags &= ~REC_F_NO_LEASE;
			break;
		case VIGIL_A_GATE:
			*flags |= *(uint8_t *)NLA_DATA(nla) << REC_GATE_SHIFT;
			break;
		case VIGIL_A_LEASE_END_NS:
			memcpy(end, NLA_DATA(nla), sizeof(*end));
			break;
		}
	}
}

/* --- main ----------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: vigil-recorder [-i INTERVAL_MS] [-n COUNT] [-d IFNAME] "
		"[--fake-lease MS] HOST PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "dev", required_argument, NULL, 'd' },
		{ "fake-lease", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long sent = 0, refused = 0, errors = 0, stale = 0, count = 0;
	long interval_ms = 10, fake = -1;
	const char *dev = NULL;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct timespec next;
	struct genl *g = NULL;
	struct sigaction sa;
	uint32_t run;
	uint64_t seq, prev_end_after;
	int c, fd;

	while ((c = getopt_long(argc, argv, "i:n:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			interval_ms = strtol(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			dev = optarg;
			break;
		case 'F':
			fake = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || interval_ms < 1 ||
	    inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
		usage();
	dst.sin_port = htons(atoi(argv[optind + 1]));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev) + 1)) {
		perror("SO_BINDTODEVICE");
		return 1;
	}
	if (fake < 0) {
		int ret;

		g = calloc(1, sizeof(*g));
		if (!g)
			return 1;
		ret = genl_open(g);
		if (ret) {
			fprintf(stderr, "vigil-recorder: generic netlink family %s: %s\n",
				VIGIL_GENL_NAME, strerror(-ret));
			return 1;
		}
	}
	if (getrandom(&run, sizeof(run), 0) != sizeof(run))
		run = getpid() ^ (uint32_t)boottime_ns();

	clock_gettime(CLOCK_MONOTONIC, &next);
	prev_end_after = 0;
	for (seq = 0; !stop && (!count || seq < count); seq++) {
		struct record r;
		uint16_t flags = 0;
		uint32_t left;
		uint64_t t_read, t_reply, t_send, end = 0;
		uint16_t after_flags = 0;
		uint32_t after_left;
		struct timespec now;

		t_read = boottime_ns();
		if (g) {
			read_lease(g, &left, &end, &flags);
		} else {
			left = fake;
			end = fake == UINT32_MAX ? UINT64_MAX :
			      t_read + fake * 1000000ULL;
		}
		t_reply = boottime_ns();
		if (!left)
			stale++;
		r.magic = htobe32(REC_MAGIC);
		r.version = htobe16(REC_VERSION);
		r.flags = htobe16(flags);
		r.run = htobe32(run);
		r.lease_left_ms = htobe32(left);
		r.seq = htobe64(seq);
		r.t_read = htobe64(t_read);
		r.t_reply = htobe64(t_reply);
		r.end = htobe64(end);
		r.prev_end_after = htobe64(prev_end_after);
		t_send = boottime_ns();
		r.t_send = htobe64(t_send);
		if (sendto(fd, &r, sizeof(r), 0, (struct sockaddr *)&dst, sizeof(dst)) == sizeof(r))
			sent++;
		else if (errno == EPERM)
			refused++;
		else
			errors++;
		/* What the lease was once the gate had seen the record. */
		prev_end_after = end;
		if (g)
			read_lease(g, &after_left, &prev_end_after, &after_flags);

		/* The next tick; after a stall, start afresh instead of
		 * sending a burst to catch up. */
		next.tv_nsec += interval_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec))
			next = now;
		while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	printf("vigil-recorder: run %08x: %llu records, %llu sent, %llu refused (EPERM), "
	       "%llu other errors, %llu readings not fresh\n",
	       run, (unsigned long long)seq, sent, refused, errors, stale);
	return 0;
}
