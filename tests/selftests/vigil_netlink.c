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

#include "nl_helpers.h"


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
