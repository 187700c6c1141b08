// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the netlink client (tools/libvigil/nl.c), which is
 * included here so that its static helpers are in reach. The parsers are
 * fed messages built by hand with libnl; a last group talks to the running
 * kernel's generic netlink controller (always there, unlike vigil.ko) and
 * is skipped if no generic netlink socket can be opened.
 */

#include <errno.h>
#include <stdlib.h>

#include "config.c"
#include "nl.c"
#include "tap.h"

#define FAKE_FAMILY 0x42

static struct nl_msg *genl_msg(int type, __u8 cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 1, type, 0, 0, cmd, 1)) {
		fprintf(stderr, "cannot build a message\n");
		exit(1);
	}
	return msg;
}

static struct nl_msg *status_msg(void)
{
	return genl_msg(FAKE_FAMILY, VIGIL_CMD_GET_STATUS);
}

static const struct vigil_status sentinel = {
	.version = "sentinel",
	.protocol = 0xdeadbeef,
};

/* Parse msg; the status is left alone on failure. */
static int parse(struct nl_msg *msg, struct vigil_status *st)
{
	int ret;

	*st = sentinel;
	ret = vigil_nl_parse_status(nlmsg_hdr(msg), st);
	nlmsg_free(msg);
	return ret;
}

static void is_refused(struct nl_msg *msg, const char *what)
{
	struct vigil_status st;

	tap_is_int(parse(msg, &st), -EBADMSG, "%s: -EBADMSG", what);
	tap_ok(!memcmp(&st, &sentinel, sizeof(st)), "%s: status untouched", what);
}

static void test_status_good(void)
{
	struct vigil_status st;
	struct nl_msg *msg;
	char v31[32];

	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	tap_is_int(parse(msg, &st), 0, "good reply parses");
	tap_is_str(st.version, "0.1.0", "good reply: version");
	tap_is_int(st.protocol, 1, "good reply: protocol");

	/* Order does not matter; unknown attributes anywhere are ignored. */
	msg = status_msg();
	nla_put_u64(msg, VIGIL_A_MAX + 1, 7);
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 0x01020304);
	nla_put(msg, 200, 3, "abc");
	nla_put_string(msg, VIGIL_A_VERSION, "1.2.3-rc1");
	nla_put_flag(msg, VIGIL_A_MAX + 2);
	tap_is_int(parse(msg, &st), 0, "unknown attributes are ignored");
	tap_is_str(st.version, "1.2.3-rc1", "... version read");
	tap_is_int(st.protocol, 0x01020304, "... protocol read");

	/* The longest version that fits: VIGIL_VERSION_MAX - 1 characters. */
	memset(v31, 'v', sizeof(v31) - 1);
	v31[sizeof(v31) - 1] = '\0';
	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, v31);
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	tap_is_int(parse(msg, &st), 0, "version of VIGIL_VERSION_MAX - 1 characters");
	tap_is_str(st.version, v31, "... copied whole");
}

static void test_status_bad(void)
{
	char v32[33];
	struct nl_msg *msg;
	struct nlattr *nla;

	msg = status_msg();
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "missing version");

	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	is_refused(msg, "missing protocol");

	is_refused(status_msg(), "no attributes at all");

	msg = status_msg();
	nla_put(msg, VIGIL_A_VERSION, 5, "0.1.0");
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "version without NUL");

	memset(v32, 'v', sizeof(v32) - 1);
	v32[sizeof(v32) - 1] = '\0';
	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, v32);
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "version of VIGIL_VERSION_MAX characters");

	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "");
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "empty version");

	msg = status_msg();
	nla_put(msg, VIGIL_A_VERSION, 0, NULL);
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "zero-length version");

	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	nla_put_u8(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "protocol as u8");

	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	nla_put_u16(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "protocol as u16");

	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	nla_put_u64(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "protocol as u64");

	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	nla_put_string(msg, VIGIL_A_PROTOCOL, "1");
	is_refused(msg, "protocol as string");

	msg = genl_msg(FAKE_FAMILY, VIGIL_CMD_UNSPEC);
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	is_refused(msg, "wrong command");

	/* An attribute header that claims more than the message holds. */
	msg = status_msg();
	nla_put_string(msg, VIGIL_A_VERSION, "0.1.0");
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	nla = nlmsg_reserve(msg, NLA_HDRLEN, NLA_ALIGNTO);
	nla->nla_len = 200;
	nla->nla_type = 9;
	is_refused(msg, "truncated attribute after the good ones");

	/* Shorter than a genetlink header. */
	msg = status_msg();
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN + 2;
	is_refused(msg, "message shorter than its genetlink header");
}

/*
 * An NLMSG_ERROR the way the kernel builds it: struct nlmsgerr, the
 * request echoed unless capped, then the TLVs.
 */
static struct nl_msg *error_msg(int flags, const void *echo, size_t echo_len)
{
	struct nlmsgerr e = {
		.error = -EINVAL,
		.msg = {
			.nlmsg_len = NLMSG_HDRLEN + echo_len,
			.nlmsg_type = FAKE_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
			.nlmsg_seq = 1,
		},
	};
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(NLMSG_ERROR, flags);
	if (!msg || nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO) ||
	    (echo_len && nlmsg_append(msg, (void *)echo, echo_len, NLMSG_ALIGNTO))) {
		fprintf(stderr, "cannot build an error message\n");
		exit(1);
	}
	return msg;
}

static int ackmsg(struct nl_msg *msg, char *buf, size_t len)
{
	int ret;

	memset(buf, 'x', len);
	ret = vigil_nl_parse_ackmsg(nlmsg_hdr(msg), buf, len);
	nlmsg_free(msg);
	return ret;
}

static void test_ackmsg(void)
{
	/* A GET_STATUS request payload: genlmsghdr and a u32 attribute. */
	static const unsigned char echo[] = {
		VIGIL_CMD_GET_STATUS, 1, 0, 0,
		8, 0, VIGIL_A_PROTOCOL, 0, 1, 0, 0, 0,
	};
	char buf[VIGIL_NL_ACKMSG_MAX];
	struct nl_msg *msg;

	msg = error_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "vigil: status request takes no attributes");
	nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), 0, "capped error with a message");
	tap_is_str(buf, "vigil: status request takes no attributes", "... message read");

	msg = error_msg(NLM_F_ACK_TLVS, echo, sizeof(echo));
	nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "after the echo");
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), 0, "uncapped error, request echoed");
	tap_is_str(buf, "after the echo", "... message found after the echo");

	msg = error_msg(NLM_F_CAPPED, NULL, 0);
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), 0, "error without TLVs");
	tap_is_str(buf, "", "... no message");

	msg = error_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);
	nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), 0, "TLVs without a message");
	tap_is_str(buf, "", "... no message");

	msg = error_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "0123456789");
	tap_is_int(ackmsg(msg, buf, 8), 0, "message longer than the buffer");
	tap_is_str(buf, "0123456", "... truncated and terminated");

	msg = error_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "no buffer");
	tap_is_int(vigil_nl_parse_ackmsg(nlmsg_hdr(msg), NULL, 0), 0,
		   "no buffer given");
	nlmsg_free(msg);

	msg = error_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);
	nla_put(msg, NLMSGERR_ATTR_MSG, 4, "oops");
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), -EBADMSG, "message without NUL");
	tap_is_str(buf, "", "... buffer cleared");

	/* The echo claims more than the message holds. */
	msg = error_msg(NLM_F_ACK_TLVS, echo, sizeof(echo));
	((struct nlmsgerr *)nlmsg_data(nlmsg_hdr(msg)))->msg.nlmsg_len = 1000;
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), -EBADMSG, "echo longer than the error");
	tap_is_str(buf, "", "... buffer cleared");

	msg = error_msg(NLM_F_ACK_TLVS, echo, sizeof(echo));
	((struct nlmsgerr *)nlmsg_data(nlmsg_hdr(msg)))->msg.nlmsg_len = 4;
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), -EBADMSG, "echo shorter than a header");

	msg = error_msg(NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN + 8;
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), -EBADMSG, "shorter than struct nlmsgerr");

	msg = status_msg();
	tap_is_int(ackmsg(msg, buf, sizeof(buf)), -EBADMSG, "not an NLMSG_ERROR");
}

static struct nl_msg *ctrl_msg(__u8 cmd, const char *name, int id)
{
	struct nl_msg *msg = genl_msg(GENL_ID_CTRL, cmd);

	if (name)
		nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name);
	if (id)
		nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, id);
	return msg;
}

static int ctrl_event(struct nl_msg *msg)
{
	int ret = vigil_nl_parse_ctrl_event(nlmsg_hdr(msg), VIGIL_GENL_NAME);

	nlmsg_free(msg);
	return ret;
}

static void test_ctrl_event(void)
{
	struct nl_msg *msg;

	tap_is_int(ctrl_event(ctrl_msg(CTRL_CMD_DELFAMILY, "vigil", 0x20)), 1,
		   "DELFAMILY vigil");
	tap_is_int(ctrl_event(ctrl_msg(CTRL_CMD_DELFAMILY, "vigil2", 0x20)), 0,
		   "DELFAMILY vigil2 is another family");
	tap_is_int(ctrl_event(ctrl_msg(CTRL_CMD_DELFAMILY, "vigi", 0x20)), 0,
		   "DELFAMILY vigi is another family");
	tap_is_int(ctrl_event(ctrl_msg(CTRL_CMD_NEWFAMILY, "vigil", 0x20)), 0,
		   "NEWFAMILY vigil");
	tap_is_int(ctrl_event(ctrl_msg(CTRL_CMD_DELMCAST_GRP, "vigil", 0x20)), 0,
		   "DELMCAST_GRP vigil");
	tap_is_int(ctrl_event(ctrl_msg(CTRL_CMD_DELFAMILY, NULL, 0x20)), -EBADMSG,
		   "DELFAMILY without a name");

	msg = ctrl_msg(CTRL_CMD_DELFAMILY, NULL, 0x20);
	nla_put(msg, CTRL_ATTR_FAMILY_NAME, 5, "vigil");
	tap_is_int(ctrl_event(msg), -EBADMSG, "DELFAMILY, name without NUL");

	msg = ctrl_msg(CTRL_CMD_DELFAMILY, "vigil", 0);
	nla_put_u32(msg, CTRL_ATTR_FAMILY_ID, 0x20);
	tap_is_int(ctrl_event(msg), -EBADMSG, "DELFAMILY, id as u32");
}

static struct nl_msg *family_msg(const char *name, int id, const char *grp,
				 __u32 grp_id)
{
	struct nl_msg *msg = ctrl_msg(CTRL_CMD_NEWFAMILY, name, id);
	struct nlattr *groups, *g;

	groups = nla_nest_start(msg, CTRL_ATTR_MCAST_GROUPS);
	g = nla_nest_start(msg, 1);
	nla_put_u32(msg, CTRL_ATTR_MCAST_GRP_ID, 0x77);
	nla_put_string(msg, CTRL_ATTR_MCAST_GRP_NAME, "other");
	nla_nest_end(msg, g);
	if (grp) {
		g = nla_nest_start(msg, 2);
		nla_put_string(msg, CTRL_ATTR_MCAST_GRP_NAME, grp);
		nla_put_u32(msg, CTRL_ATTR_MCAST_GRP_ID, grp_id);
		nla_nest_end(msg, g);
	}
	nla_nest_end(msg, groups);
	return msg;
}

static void test_family(void)
{
	struct family fam = { .name = "nlctrl", .group = "notify" };
	struct nl_msg *msg;

	msg = family_msg("nlctrl", GENL_ID_CTRL, "notify", 0x10);
	tap_is_int(parse_family(nlmsg_hdr(msg), &fam), 0, "family reply with groups");
	tap_is_int(fam.id, GENL_ID_CTRL, "... family id");
	tap_is_int(fam.group_id, 0x10, "... the group asked for, not another");
	nlmsg_free(msg);

	fam = (struct family){ .name = "nlctrl", .group = "notify" };
	msg = family_msg("nlctrl", GENL_ID_CTRL, NULL, 0);
	tap_is_int(parse_family(nlmsg_hdr(msg), &fam), 0, "family without the group");
	tap_is_int(fam.group_id, 0, "... no group id");
	nlmsg_free(msg);

	fam = (struct family){ .name = "vigil" };
	msg = family_msg("nlctrl", GENL_ID_CTRL, NULL, 0);
	tap_is_int(parse_family(nlmsg_hdr(msg), &fam), -EBADMSG,
		   "reply for another family than asked");
	nlmsg_free(msg);

	fam = (struct family){ .name = "vigil" };
	msg = ctrl_msg(CTRL_CMD_NEWFAMILY, "vigil", 0);
	tap_is_int(parse_family(nlmsg_hdr(msg), &fam), -EBADMSG, "family without id");
	nlmsg_free(msg);
}

/* Against the running kernel's generic netlink controller. */
static void test_kernel(void)
{
	const char *why = "no generic netlink socket here";
	char ack[VIGIL_NL_ACKMSG_MAX], name[GENL_NAMSIZ + 8];
	struct family fam = { .name = CTRL_NAME, .group = CTRL_NOTIFY_GROUP };
	struct vigil_nl_watch *w;
	struct vigil_nl fake;
	struct vigil_status st;
	struct nl_sock *sk;
	int ret;

	ret = sock_open(&sk);
	if (ret) {
		tap_diag("sock_open: %s", strerror(-ret));
		tap_skip(why, "resolve nlctrl and its notify group");
		tap_skip(why, "overlong family name refused with a message");
		tap_skip(why, "socket still in step after a refusal");
		tap_skip(why, "unknown command refused");
		tap_skip(why, "watch socket opens");
		tap_skip(why, "watch read does not block");
		return;
	}

	ret = resolve(sk, &fam, ack, sizeof(ack));
	tap_ok(!ret && fam.id == GENL_ID_CTRL && fam.group_id,
	       "resolve nlctrl and its notify group (ret %d, id %d, group %u)",
	       ret, fam.id, fam.group_id);

	/* The controller's policy refuses a name longer than GENL_NAMSIZ - 1. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fam = (struct family){ .name = name };
	ret = resolve(sk, &fam, ack, sizeof(ack));
	tap_ok((ret == -ERANGE || ret == -EINVAL) && ack[0],
	       "overlong family name refused with a message (ret %d, \"%s\")",
	       ret, ack);

	fam = (struct family){ .name = CTRL_NAME };
	ret = resolve(sk, &fam, ack, sizeof(ack));
	tap_ok(!ret && fam.id == GENL_ID_CTRL && !ack[0],
	       "socket still in step after a refusal (ret %d)", ret);

	/* nlctrl has no command 1 (VIGIL_CMD_GET_STATUS's number) to run. */
	fake = (struct vigil_nl){ .sk = sk, .family = GENL_ID_CTRL };
	ret = vigil_nl_get_status(&fake, &st, ack, sizeof(ack));
	tap_is_int(ret, -EOPNOTSUPP, "unknown command refused");
	nl_socket_free(sk);

	ret = vigil_nl_watch_open(&w, ack, sizeof(ack));
	tap_is_int(ret, 0, "watch socket opens");
	if (ret) {
		tap_skip("no watch socket", "watch read does not block");
		return;
	}
	tap_is_int(vigil_nl_watch_read(w), 0, "watch read does not block");
	vigil_nl_watch_close(w);
}

int main(void)
{
	test_status_good();
	test_status_bad();
	test_ackmsg();
	test_ctrl_event();
	test_family();
	test_kernel();
	return tap_done();
}
