// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for the generic netlink family of vigil.ko.
 *
 * They run as root inside a lab VM where vigil.ko was loaded at boot, and
 * talk to the real module over raw NETLINK_GENERIC sockets: every request is
 * built here byte by byte so that each refusal path of the kernel can be
 * reached, and every NLMSG_ERROR is parsed with its extended ACK TLVs.
 *
 * Two tests reload the module from $VIGIL_KO (default /lib/vigil/vigil.ko)
 * with finit_module() and delete_module(). The fixture teardown, and a
 * destructor in the harness process for tests killed on timeout, load it
 * again if a test left it unloaded. Never run this on a machine you care
 * about.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vigil.h>

#include "kselftest_harness.h"

#define VIGIL_KO_DEFAULT	"/lib/vigil/vigil.ko"
#define VIGIL_MODULE		"vigil"
#define VIGIL_SYSFS_STATE	"/sys/module/" VIGIL_MODULE "/initstate"

/* The kernel's own extended ACK messages (Debian linux-source-6.1). */
#define MSG_NO_ATTRS		"status request takes no attributes"
#define MSG_UNKNOWN_ATTR	"Unknown attribute type"
#define MSG_RESERVED		"genlmsghdr.reserved field is not 0"
#define MSG_NLMSG_FLAGS		"ambiguous or reserved bits set in nlmsg_flags"

#define NOBODY			65534

#define REQ_SIZE		256
#define REPLY_SIZE		8192
#define RX_SIZE			16384
/* Datagrams read while waiting for one request's ACK, at most. */
#define RX_MAX_DATAGRAMS	16
#define RX_TIMEOUT_SEC		5

struct req {
	union {
		struct nlmsghdr nlh;
		char buf[REQ_SIZE];
	};
};

/* What the kernel answered to one request. */
struct reply {
	int error;		/* of the final NLMSG_ERROR: 0 (ACK) or -errno */
	int n_msgs;		/* other messages for the request before it */
	bool has_msg;
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	bool has_offs;
	__u32 offs;		/* NLMSGERR_ATTR_OFFS */
	union {			/* the first of the other messages */
		struct nlmsghdr nlh;
		char buf[REPLY_SIZE];
	} data;
};

static __u32 next_seq = 1;

static const char *ko_path(void)
{
	const char *path = getenv("VIGIL_KO");

	return path && *path ? path : VIGIL_KO_DEFAULT;
}

/* 1 if vigil is loaded, 0 if not, -errno if sysfs cannot tell. */
static int vigil_loaded(void)
{
	if (!access(VIGIL_SYSFS_STATE, F_OK))
		return 1;
	if (!access("/sys/module", F_OK))
		return 0;
	return -errno;
}

/* finit_module() on $VIGIL_KO: 0 or -errno. */
static int load_ko(void)
{
	int fd, ret;

	fd = open(ko_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* 1 if vigil had to be loaded again, 0 if it was there, or -errno. */
static int ensure_loaded(void)
{
	int ret;

	if (vigil_loaded() == 1)
		return 0;
	ret = load_ko();
	if (ret == -EEXIST)	/* sysfs could not tell, it was there */
		return 0;
	return ret ? ret : 1;
}

static size_t attr_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

static const void *attr_data(const struct nlattr *nla)
{
	return (const char *)nla + NLA_HDRLEN;
}

/*
 * Index the attributes in [pos, pos + len) by type, like nla_parse() without
 * a policy. Types above @maxtype are skipped (replies may grow); a malformed
 * stream or a known type seen twice gives -EPROTO.
 */
static int parse_attrs(const char *pos, size_t len,
		       const struct nlattr **tb, int maxtype)
{
	const char *end = pos + len;

	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	while (end - pos >= NLA_HDRLEN) {
		const struct nlattr *nla = (const struct nlattr *)pos;
		int type = nla->nla_type & NLA_TYPE_MASK;

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > end - pos)
			return -EPROTO;
		if (type <= maxtype) {
			if (tb[type])
				return -EPROTO;
			tb[type] = nla;
		}
		pos += NLA_ALIGN(nla->nla_len);
	}
	return pos >= end ? 0 : -EPROTO;
}

static int nl_open(void)
{
	struct timeval tv = { .tv_sec = RX_TIMEOUT_SEC };
	int one = 1;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* Start a request; NLM_F_REQUEST and NLM_F_ACK are always set. */
static struct genlmsghdr *req_init(struct req *r, __u16 type, __u16 flags,
				   __u8 cmd, __u8 version)
{
	struct genlmsghdr *genl;

	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = type;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	genl = NLMSG_DATA(&r->nlh);
	genl->cmd = cmd;
	genl->version = version;
	return genl;
}

/*
 * Append an attribute. Returns its offset from the start of the message,
 * which is what the kernel reports in NLMSGERR_ATTR_OFFS, or -EMSGSIZE.
 */
static int req_put(struct req *r, __u16 type, const void *data, __u16 len)
{
	size_t off = NLMSG_ALIGN(r->nlh.nlmsg_len);
	struct nlattr *nla;

	if (off + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(r->buf))
		return -EMSGSIZE;
	nla = (struct nlattr *)(r->buf + off);
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy(nla + 1, data, len);
	r->nlh.nlmsg_len = off + NLA_ALIGN(nla->nla_len);
	return off;
}

static int parse_error(const struct nlmsghdr *nlh, struct reply *rep)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	const struct nlattr *msg, *offs;
	size_t tlv = NLMSG_SPACE(sizeof(*err));

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
		return -EPROTO;
	rep->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	/* Unless NETLINK_CAP_ACK, the request's payload is echoed first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return -EPROTO;
		tlv += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (tlv > nlh->nlmsg_len ||
	    parse_attrs((const char *)nlh + tlv, nlh->nlmsg_len - tlv, tb,
			NLMSGERR_ATTR_MAX))
		return -EPROTO;

	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg) {
		if (!attr_len(msg) || attr_len(msg) > sizeof(rep->msg) ||
		    ((const char *)attr_data(msg))[attr_len(msg) - 1])
			return -EPROTO;
		memcpy(rep->msg, attr_data(msg), attr_len(msg));
		rep->has_msg = true;
	}
	offs = tb[NLMSGERR_ATTR_OFFS];
	if (offs) {
		if (attr_len(offs) != sizeof(rep->offs))
			return -EPROTO;
		memcpy(&rep->offs, attr_data(offs), sizeof(rep->offs));
		rep->has_offs = true;
	}
	return 0;
}

/*
 * Send @r and read until the kernel's NLMSG_ERROR for it. Returns 0 with
 * @rep filled in, or -errno if the exchange itself failed: the kernel's
 * verdict is rep->error, never the return value.
 */
static int transact(int fd, struct req *r, struct reply *rep)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		struct nlmsghdr nlh;
		char buf[RX_SIZE];
	} rx;
	int i;

	memset(rep, 0, sizeof(*rep));
	r->nlh.nlmsg_seq = next_seq++;
	if (sendto(fd, r->buf, r->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;

	for (i = 0; i < RX_MAX_DATAGRAMS; i++) {
		struct iovec iov = { .iov_base = rx.buf, .iov_len = sizeof(rx) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		const struct nlmsghdr *nlh = &rx.nlh;
		ssize_t len;

		len = recvmsg(fd, &mh, 0);
		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;

		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != r->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return parse_error(nlh, rep);
			if (rep->n_msgs++)
				continue;
			if (nlh->nlmsg_len > sizeof(rep->data))
				return -EMSGSIZE;
			memcpy(rep->data.buf, nlh, nlh->nlmsg_len);
		}
	}
	return -EPROTO;
}

/* The first reply message's genetlink header, its attributes in @tb. */
static const struct genlmsghdr *reply_genl(const struct reply *rep,
					   const struct nlattr **tb,
					   int maxtype)
{
	const struct nlmsghdr *nlh = &rep->data.nlh;
	const char *attrs = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;

	if (!rep->n_msgs || nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return NULL;
	if (parse_attrs(attrs, (const char *)nlh + nlh->nlmsg_len - attrs,
			tb, maxtype))
		return NULL;
	return NLMSG_DATA(nlh);
}

/*
 * CTRL_CMD_GETFAMILY by @name, or by @id when @name is NULL. The verdict is
 * in @rep; when it is 0, *@found is the family's id. Returns -errno only if
 * the exchange failed or the reply is malformed.
 */
static int ctrl_getfamily(int fd, const char *name, __u16 id,
			  struct reply *rep, __u16 *found)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *nla;
	struct req r;
	int ret;

	req_init(&r, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	if (name)
		ret = req_put(&r, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	else
		ret = req_put(&r, CTRL_ATTR_FAMILY_ID, &id, sizeof(id));
	if (ret < 0)
		return ret;
	ret = transact(fd, &r, rep);
	if (ret || rep->error)
		return ret;

	if (rep->n_msgs != 1 || !reply_genl(rep, tb, CTRL_ATTR_MAX))
		return -EPROTO;
	nla = tb[CTRL_ATTR_FAMILY_ID];
	if (!nla || attr_len(nla) != sizeof(*found))
		return -EPROTO;
	memcpy(found, attr_data(nla), sizeof(*found));
	nla = tb[CTRL_ATTR_FAMILY_NAME];
	if (name && (!nla || attr_len(nla) != strlen(name) + 1 ||
		     memcmp(attr_data(nla), name, attr_len(nla))))
		return -EPROTO;
	return 0;
}

/* The id of family @name, or -errno (the kernel's or the exchange's). */
static int genl_resolve(int fd, const char *name, __u16 *id)
{
	struct reply rep;
	int ret;

	ret = ctrl_getfamily(fd, name, 0, &rep, id);
	return ret ? ret : rep.error;
}

/* Send a bare GET_STATUS to @family on @fd. */
static int get_status(int fd, __u16 family, struct reply *rep)
{
	struct req r;

	req_init(&r, family, 0, VIGIL_CMD_GET_STATUS, VIGIL_GENL_VERSION);
	return transact(fd, &r, rep);
}

/* GET_STATUS must answer exactly as uapi/linux/vigil.h documents. */
static void assert_status(struct __test_metadata *_metadata, int fd,
			  __u16 family)
{
	const struct nlattr *tb[VIGIL_A_MAX + 1];
	const struct genlmsghdr *genl;
	struct reply rep;
	__u32 proto;

	ASSERT_EQ(0, get_status(fd, family, &rep));
	ASSERT_EQ(0, rep.error) {
		TH_LOG("GET_STATUS refused: %s (%s)", strerror(-rep.error),
		       rep.has_msg ? rep.msg : "no extended ACK message");
	}
	ASSERT_EQ(1, rep.n_msgs);
	EXPECT_EQ(family, rep.data.nlh.nlmsg_type);

	genl = reply_genl(&rep, tb, VIGIL_A_MAX);
	ASSERT_NE(NULL, genl) TH_LOG("malformed GET_STATUS reply");
	EXPECT_EQ(VIGIL_CMD_GET_STATUS, genl->cmd);
	EXPECT_EQ(VIGIL_GENL_VERSION, genl->version);
	EXPECT_EQ(0, genl->reserved);

	ASSERT_NE(NULL, tb[VIGIL_A_VERSION]);
	ASSERT_EQ(sizeof(VIGIL_VERSION), attr_len(tb[VIGIL_A_VERSION]));
	EXPECT_EQ(0, memcmp(VIGIL_VERSION, attr_data(tb[VIGIL_A_VERSION]),
			    sizeof(VIGIL_VERSION))) {
		TH_LOG("VIGIL_A_VERSION is '%.*s', want '%s'",
		       (int)sizeof(VIGIL_VERSION),
		       (const char *)attr_data(tb[VIGIL_A_VERSION]),
		       VIGIL_VERSION);
	}

	ASSERT_NE(NULL, tb[VIGIL_A_PROTOCOL]);
	ASSERT_EQ(sizeof(proto), attr_len(tb[VIGIL_A_PROTOCOL]));
	memcpy(&proto, attr_data(tb[VIGIL_A_PROTOCOL]), sizeof(proto));
	EXPECT_EQ((__u32)VIGIL_PROTOCOL_VERSION, proto);
}

/* Exit codes of the unprivileged child, besides the errno it was given. */
enum {
	CHILD_DROP_FAILED = 200,	/* could not become nobody */
	CHILD_STILL_PRIVILEGED,		/* could become root again */
	CHILD_INHERITED_NOT_EPERM,	/* root's socket let nobody through */
	CHILD_NETLINK_FAILED,		/* the exchange itself failed */
};

/*
 * In a forked child: become nobody, then send GET_STATUS on the socket root
 * opened and on one opened as nobody. The kernel checks the capability of
 * both the socket's opener and the sender (__netlink_ns_capable()), so the
 * first must fail too. Returns the exit code: the errno of the second.
 */
static int unprivileged_get_status(struct __test_metadata *_metadata,
				   int root_fd, __u16 family)
{
	struct reply rep;
	int fd, ret;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		TH_LOG("dropping to uid %d: %s", NOBODY, strerror(errno));
		return CHILD_DROP_FAILED;
	}
	/* With no uid 0 left, the kernel cleared every capability. */
	if (!setresuid(0, 0, 0)) {
		TH_LOG("nobody could become root again");
		return CHILD_STILL_PRIVILEGED;
	}

	ret = get_status(root_fd, family, &rep);
	if (ret || rep.error != -EPERM) {
		TH_LOG("GET_STATUS as nobody on root's socket: %s / %s",
		       strerror(-ret), strerror(-rep.error));
		return CHILD_INHERITED_NOT_EPERM;
	}

	fd = nl_open();
	if (fd < 0) {
		TH_LOG("netlink socket as nobody: %s", strerror(-fd));
		return CHILD_NETLINK_FAILED;
	}
	ret = get_status(fd, family, &rep);
	close(fd);
	if (ret) {
		TH_LOG("GET_STATUS as nobody: %s", strerror(-ret));
		return CHILD_NETLINK_FAILED;
	}
	return -rep.error;
}

static bool loaded_at_start;

static void __attribute__((constructor)) note_vigil_state(void)
{
	loaded_at_start = vigil_loaded() != 0;
}

/*
 * The harness SIGKILLs a test that times out, so its fixture teardown never
 * runs; this runs when the harness process itself exits and puts back a
 * module that such a test left unloaded.
 */
static void __attribute__((destructor)) restore_vigil(void)
{
	int ret;

	if (!loaded_at_start || geteuid())
		return;
	ret = ensure_loaded();
	if (ret)
		fprintf(stderr, "# vigil was left unloaded; loading %s: %s\n",
			ko_path(), ret < 0 ? strerror(-ret) : "done");
}

FIXTURE(vigil) {
	int fd;			/* NETLINK_GENERIC, extended ACK on */
	__u16 family;		/* id of "vigil" when setup ran */
	bool restore;		/* vigil must be loaded after the test */
	const char *skip;	/* why the test cannot run, or NULL */
};

FIXTURE_SETUP(vigil)
{
	int ret;

	self->fd = -1;
	if (geteuid()) {
		self->skip = "needs root (CAP_NET_ADMIN, CAP_SYS_MODULE)";
		return;
	}
	self->restore = vigil_loaded() != 0;

	self->fd = nl_open();
	ASSERT_LE(0, self->fd) TH_LOG("netlink socket: %s", strerror(-self->fd));
	ret = genl_resolve(self->fd, VIGIL_GENL_NAME, &self->family);
	ASSERT_EQ(0, ret) {
		TH_LOG("family '%s' does not resolve: %s; is vigil.ko loaded?",
		       VIGIL_GENL_NAME, strerror(-ret));
	}
}

FIXTURE_TEARDOWN(vigil)
{
	int ret;

	if (self->fd >= 0)
		close(self->fd);
	if (!self->restore)
		return;
	ret = ensure_loaded();
	EXPECT_LE(0, ret) TH_LOG("reloading %s: %s", ko_path(), strerror(-ret));
	if (ret == 1)
		TH_LOG("the test left vigil unloaded; loaded it again");
}

TEST_F(vigil, family_is_registered)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct reply rep;
	__u32 val;
	__u16 id;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	ASSERT_EQ(0, ctrl_getfamily(self->fd, VIGIL_GENL_NAME, 0, &rep, &id));
	ASSERT_EQ(0, rep.error);
	EXPECT_EQ(self->family, id);
	ASSERT_NE(NULL, reply_genl(&rep, tb, CTRL_ATTR_MAX));

	ASSERT_NE(NULL, tb[CTRL_ATTR_VERSION]);
	ASSERT_EQ(sizeof(val), attr_len(tb[CTRL_ATTR_VERSION]));
	memcpy(&val, attr_data(tb[CTRL_ATTR_VERSION]), sizeof(val));
	EXPECT_EQ((__u32)VIGIL_GENL_VERSION, val);

	ASSERT_NE(NULL, tb[CTRL_ATTR_MAXATTR]);
	ASSERT_EQ(sizeof(val), attr_len(tb[CTRL_ATTR_MAXATTR]));
	memcpy(&val, attr_data(tb[CTRL_ATTR_MAXATTR]), sizeof(val));
	EXPECT_EQ((__u32)VIGIL_A_MAX, val);
}

TEST_F(vigil, get_status_reports_version_and_protocol)
{
	if (self->skip)
		SKIP(return, "%s", self->skip);

	assert_status(_metadata, self->fd, self->family);
}

TEST_F(vigil, get_status_refuses_known_attribute)
{
	const __u32 proto = VIGIL_PROTOCOL_VERSION;
	const struct {
		__u16 type;
		const void *data;
		__u16 len;
	} attrs[] = {
		{ VIGIL_A_PROTOCOL, &proto, sizeof(proto) },
		{ VIGIL_A_VERSION, VIGIL_VERSION, sizeof(VIGIL_VERSION) },
	};
	struct reply rep;
	struct req r;
	size_t i;
	int off;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		TH_LOG("attribute type %u", attrs[i].type);
		req_init(&r, self->family, 0, VIGIL_CMD_GET_STATUS,
			 VIGIL_GENL_VERSION);
		off = req_put(&r, attrs[i].type, attrs[i].data, attrs[i].len);
		ASSERT_LT(0, off);

		ASSERT_EQ(0, transact(self->fd, &r, &rep));
		EXPECT_EQ(-EINVAL, rep.error);
		EXPECT_EQ(0, rep.n_msgs);
		ASSERT_TRUE(rep.has_msg);
		EXPECT_STREQ(MSG_NO_ATTRS, rep.msg);
		ASSERT_TRUE(rep.has_offs);
		EXPECT_EQ((__u32)off, rep.offs);
	}
}

TEST_F(vigil, get_status_refuses_unknown_attribute_type)
{
	const __u16 types[] = { VIGIL_A_UNSPEC, VIGIL_A_MAX + 1 };
	const __u32 val = 0;
	struct reply rep;
	struct req r;
	size_t i;
	int off;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		TH_LOG("attribute type %u", types[i]);
		req_init(&r, self->family, 0, VIGIL_CMD_GET_STATUS,
			 VIGIL_GENL_VERSION);
		off = req_put(&r, types[i], &val, sizeof(val));
		ASSERT_LT(0, off);

		ASSERT_EQ(0, transact(self->fd, &r, &rep));
		EXPECT_EQ(-EINVAL, rep.error);
		EXPECT_EQ(0, rep.n_msgs);
		ASSERT_TRUE(rep.has_msg);
		EXPECT_STREQ(MSG_UNKNOWN_ATTR, rep.msg);
		ASSERT_TRUE(rep.has_offs);
		EXPECT_EQ((__u32)off, rep.offs);
	}
}

TEST_F(vigil, reserved_header_field_is_refused)
{
	struct genlmsghdr *genl;
	struct reply rep;
	struct req r;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	genl = req_init(&r, self->family, 0, VIGIL_CMD_GET_STATUS,
			VIGIL_GENL_VERSION);
	genl->reserved = 1;
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	EXPECT_EQ(-EINVAL, rep.error);
	EXPECT_EQ(0, rep.n_msgs);
	ASSERT_TRUE(rep.has_msg);
	EXPECT_STREQ(MSG_RESERVED, rep.msg);
}

TEST_F(vigil, reserved_nlmsg_flags_are_refused)
{
	/* NLM_F_ROOT and NLM_F_MATCH are each half of NLM_F_DUMP. */
	const __u16 flags[] = { NLM_F_MULTI, NLM_F_ROOT, NLM_F_MATCH,
				NLM_F_ATOMIC };
	struct reply rep;
	struct req r;
	size_t i;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		TH_LOG("nlmsg_flags |= 0x%x", flags[i]);
		req_init(&r, self->family, flags[i], VIGIL_CMD_GET_STATUS,
			 VIGIL_GENL_VERSION);
		ASSERT_EQ(0, transact(self->fd, &r, &rep));
		EXPECT_EQ(-EINVAL, rep.error);
		EXPECT_EQ(0, rep.n_msgs);
		ASSERT_TRUE(rep.has_msg);
		EXPECT_STREQ(MSG_NLMSG_FLAGS, rep.msg);
	}
}

TEST_F(vigil, get_status_dump_is_not_supported)
{
	struct reply rep;
	struct req r;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	req_init(&r, self->family, NLM_F_DUMP, VIGIL_CMD_GET_STATUS,
		 VIGIL_GENL_VERSION);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	EXPECT_EQ(-EOPNOTSUPP, rep.error);
	EXPECT_EQ(0, rep.n_msgs);
}

TEST_F(vigil, unknown_command_is_not_supported)
{
	/* Below resv_start_op, at the first unused number, and far out. */
	const __u8 cmds[] = { VIGIL_CMD_UNSPEC, VIGIL_CMD_MAX + 1, 0xff };
	struct reply rep;
	struct req r;
	size_t i;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		TH_LOG("command %u", cmds[i]);
		req_init(&r, self->family, 0, cmds[i], VIGIL_GENL_VERSION);
		ASSERT_EQ(0, transact(self->fd, &r, &rep));
		EXPECT_EQ(-EOPNOTSUPP, rep.error);
		EXPECT_EQ(0, rep.n_msgs);
	}
}

TEST_F(vigil, unprivileged_get_status_is_refused)
{
	pid_t pid;
	int status;

	if (self->skip)
		SKIP(return, "%s", self->skip);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged_get_status(_metadata, self->fd,
					      self->family));

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("child status 0x%x", status);
	ASSERT_EQ(EPERM, WEXITSTATUS(status));
}

TEST_F(vigil, second_load_fails_with_eexist)
{
	long ret;
	int fd, err;
	__u16 id;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	fd = open(ko_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "%s: %s (set VIGIL_KO)", ko_path(), strerror(errno));

	ret = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	close(fd);
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EEXIST, err) TH_LOG("finit_module: %s", strerror(err));

	ASSERT_EQ(0, genl_resolve(self->fd, VIGIL_GENL_NAME, &id));
	EXPECT_EQ(self->family, id);
	assert_status(_metadata, self->fd, self->family);
}

TEST_F(vigil, unload_with_open_socket_then_reload)
{
	const __u16 stale = self->family;
	struct reply rep;
	__u16 id = 0;
	int ret;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	if (access(ko_path(), R_OK))
		SKIP(return, "%s: %s (set VIGIL_KO)", ko_path(), strerror(errno));

	/*
	 * finit_module() reaches -EEXIST only after the signature, vermagic
	 * and modversions checks: a file that gets it can be loaded again
	 * below, so the module is not unloaded for nothing.
	 */
	ret = load_ko();
	ASSERT_EQ(-EEXIST, ret) TH_LOG("%s: %s", ko_path(), strerror(-ret));

	ASSERT_EQ(0, syscall(SYS_delete_module, VIGIL_MODULE, O_NONBLOCK)) {
		TH_LOG("delete_module(%s): %s", VIGIL_MODULE, strerror(errno));
	}

	/* Gone by id, and by name: the alias must not bring it back. */
	ASSERT_EQ(0, ctrl_getfamily(self->fd, NULL, stale, &rep, &id));
	EXPECT_EQ(-ENOENT, rep.error);
	ASSERT_EQ(0, ctrl_getfamily(self->fd, VIGIL_GENL_NAME, 0, &rep, &id));
	EXPECT_EQ(-ENOENT, rep.error) {
		TH_LOG("family resolved after unload (id %u): autoloaded?",
		       id);
	}

	/* The old socket still works; the stale family id does not. */
	ASSERT_EQ(0, get_status(self->fd, stale, &rep));
	EXPECT_EQ(-ENOENT, rep.error);
	EXPECT_EQ(0, rep.n_msgs);

	ret = load_ko();
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", ko_path(), strerror(-ret));

	ASSERT_EQ(0, genl_resolve(self->fd, VIGIL_GENL_NAME, &id));
	TH_LOG("family id %u before the unload, %u after", stale, id);
	assert_status(_metadata, self->fd, id);
}

TEST_HARNESS_MAIN
