// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl set-config: the whole cluster configuration from the command
 * line, sent as one VIGIL_CMD_SET_CONFIG. The kernel checks consistency
 * (duplicates, limits, who is self); this checks syntax and names the
 * argument it could not read.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nl.h"
#include "opt.h"
#include "vigilctl.h"

#define CMD "set-config"

/* Longest option argument we copy to split it. */
#define ARG_MAX_LEN 4096

enum {
	OPT_CLUSTER = VIGIL_OPT_LONG_ONLY,
	OPT_NODE,
	OPT_TIMEOUT,
	OPT_TWO_NODE,
	OPT_WITNESS_VOTES,
	OPT_KEY,
	OPT_LINK,
	OPT_MEMBER,
	OPT_ADDR,
	OPT_LEASE,
	OPT_PROTECT,
	OPT_FENCE,
};

static const char optstring[] = "h";

static const struct option options[] = {
	{ "cluster", required_argument, NULL, OPT_CLUSTER },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "two-node", no_argument, NULL, OPT_TWO_NODE },
	{ "witness-votes", required_argument, NULL, OPT_WITNESS_VOTES },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "member", required_argument, NULL, OPT_MEMBER },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "lease", required_argument, NULL, OPT_LEASE },
	{ "protect", required_argument, NULL, OPT_PROTECT },
	{ "fence", required_argument, NULL, OPT_FENCE },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vigilctl set-config --cluster ID --node ID [--timeout MS] [--two-node]\n"
		"         [--witness-votes N] --key ID:PATH[:primary] [--key ...]\n"
		"         --link INDEX:NAME:TYPE:... [--link ...]\n"
		"         --member ID:NAME[:VOTES] [--member ...] [--addr ID:LINK:ADDR[:PORT] ...]\n"
		"         [--lease MS] [--protect IFNAME ...] [--fence CAUSE:ACTION[:DELAY_MS] ...]\n"
		"Replace the cluster configuration of this network namespace.\n"
		"  --cluster ID              cluster id, 1..4294967295\n"
		"  --node ID                 this node's id (one of the --member ids)\n"
		"  --timeout MS              peer timeout, %u..%u ms (default %u)\n"
		"  --two-node                two votes in all, no witness: each node alone is quorate\n"
		"  --witness-votes N         votes of the witness (vigilctl witness grants them)\n"
		"  --key ID:PATH[:primary]   a key: PATH holds 32 raw bytes or 64 hex digits;\n"
		"                            one or two keys, the one sending is :primary\n"
		"  --link INDEX:NAME:l2:IFNAME[:ETHERTYPE]\n"
		"  --link INDEX:NAME:udp4:[IFNAME][:PORT]\n"
		"  --link INDEX:NAME:udp6:[IFNAME][:PORT]\n"
		"                            a link, INDEX 0..%u, the same on every node\n"
		"  --member ID:NAME[:VOTES]  a node, every node including this one\n"
		"  --addr ID:LINK:ADDR[:PORT]\n"
		"                            where node ID is on link LINK: a MAC (l2), an IPv4\n"
		"                            address (udp4), an IPv6 address or [IPv6]:PORT (udp6)\n"
		"  --lease MS                the I/O lease, 1..%u ms (default: 9/10 of the\n"
		"                            timeout; the kernel checks it against the timeout)\n"
		"  --protect IFNAME          an interface whose traffic the lease gates; up to %u\n"
		"  --fence CAUSE:ACTION[:DELAY_MS]\n"
		"                            self-fence policy: CAUSE quorum, daemon or operator;\n"
		"                            ACTION none, freeze, panic or reboot; DELAY_MS\n"
		"                            0..%u (default 0); one per cause, unnamed: none\n"
		"Needs CAP_NET_ADMIN (root).\n",
		VIGIL_TIMEOUT_MIN_MS, VIGIL_TIMEOUT_MAX_MS,
		VIGIL_TIMEOUT_DEFAULT_MS, VIGIL_LINKS_MAX - 1,
		VIGIL_TIMEOUT_MAX_MS, VIGIL_PROTECT_MAX, VIGIL_TIMEOUT_MAX_MS);
}

/* An --addr, kept until every --link and --member is known. */
struct pending_addr {
	const char *arg;
	unsigned long node;
	unsigned long link;
	const char *addr;	/* into a copy of arg */
	char buf[INET6_ADDRSTRLEN + 16];
};

struct args {
	struct vigil_config *cfg;
	bool have_cluster, have_node;
	unsigned int n_addrs;
	struct pending_addr addrs[VIGIL_NODES_MAX * VIGIL_LINKS_MAX];
};

static int bad(const char *opt, const char *arg, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vigilctl: " CMD ": bad --%s '%s': ", opt, arg);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

/*
 * Split a copy of arg at ':' into at most max fields; the last field
 * takes the rest. Returns the number of fields or -E2BIG.
 */
static int split(const char *arg, char *copy, size_t size, char **fields,
		 int max)
{
	char *p;
	int n = 0;

	if (strlen(arg) >= size)
		return -E2BIG;
	strcpy(copy, arg);
	p = copy;
	fields[n++] = p;
	while (n < max && (p = strchr(p, ':'))) {
		*p++ = '\0';
		fields[n++] = p;
	}
	return n;
}

static int copy_name(char *dst, size_t size, const char *src)
{
	if (!src[0] || strlen(src) >= size)
		return -EINVAL;
	strcpy(dst, src);
	return 0;
}

/* The key file: 32 raw bytes, or 64 hex digits and an optional newline. */
static int read_key(const char *path, __u8 *secret, const char *arg)
{
	char buf[2 * VIGIL_KEY_LEN + 2];
	size_t len = 0, got;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "vigilctl: " CMD ": --key '%s': %s: %s\n", arg,
			path, strerror(-ret));
		return ret;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			fprintf(stderr, "vigilctl: " CMD ": --key '%s': %s: %s\n",
				arg, path, strerror(-ret));
			goto out;
		}
		if (!n)
			break;
		len += n;
	}

	if (len == VIGIL_KEY_LEN) {
		memcpy(secret, buf, VIGIL_KEY_LEN);
		goto out;
	}
	if (len == 2 * VIGIL_KEY_LEN + 1 && buf[len - 1] == '\n')
		len--;
	if (len != 2 * VIGIL_KEY_LEN ||
	    vigilctl_parse_hex(buf, len, secret, VIGIL_KEY_LEN, &got)) {
		fprintf(stderr, "vigilctl: " CMD ": --key '%s': %s must hold %d raw bytes or %d hex digits\n",
			arg, path, VIGIL_KEY_LEN, 2 * VIGIL_KEY_LEN);
		ret = -EINVAL;
	}
out:
	close(fd);
	return ret;
}

static int parse_key(struct vigil_config *cfg, const char *arg)
{
	static const char primary[] = ":primary";
	char copy[ARG_MAX_LEN], *f[2], *path;
	struct vigil_config_key *k;
	unsigned long id;
	size_t len;
	int n;

	if (cfg->n_keys == VIGIL_CONFIG_KEYS_MAX)
		return bad("key", arg, "at most %d keys", VIGIL_CONFIG_KEYS_MAX);
	k = &cfg->keys[cfg->n_keys];

	n = split(arg, copy, sizeof(copy), f, 2);
	if (n != 2)
		return bad("key", arg, "expected ID:PATH[:primary]");
	if (vigilctl_parse_uint(f[0], 10, 255, &id))
		return bad("key", arg, "key id must be 0..255");
	path = f[1];
	len = strlen(path);
	if (len > strlen(primary) &&
	    !strcmp(path + len - strlen(primary), primary)) {
		path[len - strlen(primary)] = '\0';
		k->primary = true;
	}
	if (!path[0])
		return bad("key", arg, "no key file");
	k->id = id;
	n = read_key(path, k->secret, arg);
	if (n)
		return n;
	cfg->n_keys++;
	return 0;
}

static int parse_link_arg(struct vigil_config *cfg, const char *arg)
{
	char copy[ARG_MAX_LEN], *f[5];
	struct vigil_config_link *l;
	unsigned long v;
	int n;

	if (cfg->n_links == VIGIL_LINKS_MAX)
		return bad("link", arg, "at most %d links", VIGIL_LINKS_MAX);
	l = &cfg->links[cfg->n_links];
	memset(l, 0, sizeof(*l));

	n = split(arg, copy, sizeof(copy), f, 5);
	if (n < 3)
		return bad("link", arg, "expected INDEX:NAME:TYPE:...");
	if (vigilctl_parse_uint(f[0], 10, VIGIL_LINKS_MAX - 1, &v))
		return bad("link", arg, "index must be 0..%d",
			   VIGIL_LINKS_MAX - 1);
	l->index = v;
	if (copy_name(l->name, sizeof(l->name), f[1]))
		return bad("link", arg, "name must be 1..%d characters",
			   VIGIL_NAME_MAX - 1);

	if (!strcmp(f[2], "l2")) {
		l->type = VIGIL_LINK_L2;
		if (n < 4 || !f[3][0])
			return bad("link", arg, "an l2 link needs an interface");
		if (n == 5 && (vigilctl_parse_uint(f[4], 0, 0xffff, &v) || !v))
			return bad("link", arg, "ethertype must be 1..0xffff");
		if (n == 5)
			l->ethertype = v;
	} else if (!strcmp(f[2], "udp4") || !strcmp(f[2], "udp6")) {
		l->type = VIGIL_LINK_UDP;
		l->family = f[2][3] == '4' ? AF_INET : AF_INET6;
		if (n == 5 && (vigilctl_parse_uint(f[4], 10, 0xffff, &v) || !v))
			return bad("link", arg, "port must be 1..65535");
		if (n == 5)
			l->port = v;
	} else {
		return bad("link", arg, "type must be l2, udp4 or udp6");
	}
	if (n >= 4 && f[3][0] && copy_name(l->ifname, sizeof(l->ifname), f[3]))
		return bad("link", arg, "interface name must be 1..%d characters",
			   IFNAMSIZ - 1);
	cfg->n_links++;
	return 0;
}

static int parse_member(struct vigil_config *cfg, const char *arg)
{
	char copy[ARG_MAX_LEN], *f[3];
	struct vigil_config_node *node;
	unsigned long v;
	int n;

	if (cfg->n_nodes == VIGIL_NODES_MAX)
		return bad("member", arg, "at most %d nodes", VIGIL_NODES_MAX);
	node = &cfg->nodes[cfg->n_nodes];
	memset(node, 0, sizeof(*node));

	n = split(arg, copy, sizeof(copy), f, 3);
	if (n < 2)
		return bad("member", arg, "expected ID:NAME[:VOTES]");
	if (vigilctl_parse_uint(f[0], 10, 0xffff, &v))
		return bad("member", arg, "node id must be a number");
	node->id = v;
	if (copy_name(node->name, sizeof(node->name), f[1]))
		return bad("member", arg, "name must be 1..%d characters",
			   VIGIL_NAME_MAX - 1);
	if (n == 3) {
		if (vigilctl_parse_uint(f[2], 10, 0xffffffffUL, &v))
			return bad("member", arg, "votes must be a number");
		node->has_votes = true;
		node->votes = v;
	}
	cfg->n_nodes++;
	return 0;
}

/* What the kernel takes as an interface name (dev_valid_name()). */
static bool valid_ifname(const char *name)
{
	const char *p;

	if (!name[0] || strlen(name) >= IFNAMSIZ || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	}
	return true;
}

static int parse_protect(struct vigil_config *cfg, const char *arg)
{
	unsigned int i;

	if (!valid_ifname(arg))
		return bad("protect", arg, "an interface name is 1..%d characters, without '/', ':' or blanks",
			   IFNAMSIZ - 1);
	for (i = 0; i < cfg->n_protect; i++) {
		if (!strcmp(cfg->protect[i], arg))
			return bad("protect", arg, "interface given twice");
	}
	if (cfg->n_protect == VIGIL_PROTECT_MAX)
		return bad("protect", arg, "at most %d interfaces",
			   VIGIL_PROTECT_MAX);
	strcpy(cfg->protect[cfg->n_protect++], arg);
	return 0;
}

/* --fence CAUSE:ACTION[:DELAY_MS] */
static int parse_fence(struct vigil_config *cfg, const char *arg)
{
	char copy[ARG_MAX_LEN], *f[3];
	struct vigil_fence_rule r = {};
	unsigned long v;
	unsigned int i;
	int n, cause, action;

	n = split(arg, copy, sizeof(copy), f, 3);
	if (n < 2)
		return bad("fence", arg, "expected CAUSE:ACTION[:DELAY_MS]");
	cause = vigil_fence_cause_parse(f[0]);
	if (cause < 0)
		return bad("fence", arg, "cause must be quorum, daemon or operator");
	action = vigil_fence_action_parse(f[1]);
	if (action < 0)
		return bad("fence", arg, "action must be none, freeze, panic or reboot");
	if (n == 3) {
		if (vigilctl_parse_uint(f[2], 10, VIGIL_TIMEOUT_MAX_MS, &v))
			return bad("fence", arg, "delay must be 0..%d ms",
				   VIGIL_TIMEOUT_MAX_MS);
		r.delay_ms = v;
	}
	for (i = 0; i < cfg->n_fence; i++) {
		if (cfg->fence[i].cause == cause)
			return bad("fence", arg, "cause %s given twice", f[0]);
	}
	/* Distinct known causes cannot overflow the array. */
	r.cause = cause;
	r.action = action;
	cfg->fence[cfg->n_fence++] = r;
	return 0;
}

/* --addr ID:LINK:REST, REST read once the link's type is known. */
static int parse_addr(struct args *a, const char *arg)
{
	struct pending_addr *p;
	char copy[ARG_MAX_LEN], *f[3];
	int n;

	if (a->n_addrs == sizeof(a->addrs) / sizeof(a->addrs[0]))
		return bad("addr", arg, "too many addresses");
	p = &a->addrs[a->n_addrs];
	n = split(arg, copy, sizeof(copy), f, 3);
	if (n != 3 || !f[2][0])
		return bad("addr", arg, "expected ID:LINK:ADDR[:PORT]");
	if (vigilctl_parse_uint(f[0], 10, 0xffff, &p->node))
		return bad("addr", arg, "node id must be a number");
	if (vigilctl_parse_uint(f[1], 10, 0xff, &p->link))
		return bad("addr", arg, "link must be a link index");
	if (strlen(f[2]) >= sizeof(p->buf))
		return bad("addr", arg, "address too long");
	strcpy(p->buf, f[2]);
	p->addr = p->buf;
	p->arg = arg;
	a->n_addrs++;
	return 0;
}

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int b[6];
	char end;
	int i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (s[3 * i + 2] != ':' && i < 5)
			return -EINVAL;
		mac[i] = b[i];
	}
	return 0;
}

static int parse_port(const char *s, __u16 *port)
{
	unsigned long v;

	if (vigilctl_parse_uint(s, 10, 0xffff, &v) || !v)
		return -EINVAL;
	*port = v;
	return 0;
}

/* The address of p for a link of type/family. */
static int resolve_addr(const struct pending_addr *p,
			const struct vigil_config_link *l,
			struct vigil_config_addr *out)
{
	char host[INET6_ADDRSTRLEN + 16];
	const char *port = NULL;
	char *close;

	out->link = l->index;
	if (l->type == VIGIL_LINK_L2) {
		out->kind = VIGIL_ADDR_MAC;
		if (parse_mac(p->addr, out->mac))
			return bad("addr", p->arg, "link %u is l2: expected a MAC address like 52:54:00:12:34:56",
				   l->index);
		return 0;
	}

	strcpy(host, p->addr);
	if (l->family == AF_INET) {
		out->kind = VIGIL_ADDR_IN;
		port = strchr(host, ':');
		if (port)
			*(char *)port++ = '\0';
		if (inet_pton(AF_INET, host, &out->in) != 1)
			return bad("addr", p->arg, "link %u is udp4: expected an IPv4 address[:PORT]",
				   l->index);
	} else {
		out->kind = VIGIL_ADDR_IN6;
		if (host[0] == '[') {
			close = strchr(host, ']');
			if (!close || (close[1] && close[1] != ':') ||
			    (close[1] == ':' && !close[2]))
				return bad("addr", p->arg, "expected [IPv6]:PORT");
			*close = '\0';
			if (close[1])
				port = close + 2;
			memmove(host, host + 1, strlen(host + 1) + 1);
		}
		if (inet_pton(AF_INET6, host, &out->in6) != 1)
			return bad("addr", p->arg, "link %u is udp6: expected an IPv6 address, or [IPv6]:PORT",
				   l->index);
	}
	if (port && parse_port(port, &out->port))
		return bad("addr", p->arg, "port must be 1..65535");
	return 0;
}

static int resolve_addrs(struct args *a)
{
	struct vigil_config *cfg = a->cfg;
	unsigned int i, j;
	int ret;

	for (i = 0; i < a->n_addrs; i++) {
		const struct pending_addr *p = &a->addrs[i];
		struct vigil_config_link *l = NULL;
		struct vigil_config_node *node = NULL;

		for (j = 0; j < cfg->n_nodes && !node; j++) {
			if (cfg->nodes[j].id == p->node)
				node = &cfg->nodes[j];
		}
		if (!node)
			return bad("addr", p->arg, "no --member with id %lu",
				   p->node);
		for (j = 0; j < cfg->n_links && !l; j++) {
			if (cfg->links[j].index == p->link)
				l = &cfg->links[j];
		}
		if (!l)
			return bad("addr", p->arg, "no --link with index %lu",
				   p->link);
		if (node->n_addrs == VIGIL_LINKS_MAX)
			return bad("addr", p->arg, "more than %d addresses for node %lu",
				   VIGIL_LINKS_MAX, p->node);
		ret = resolve_addr(p, l, &node->addrs[node->n_addrs]);
		if (ret)
			return ret;
		node->n_addrs++;
	}
	return 0;
}

/* 0, or an exit status. */
static int parse_args(struct args *a, int argc, char *argv[])
{
	struct vigil_config *cfg = a->cfg;
	unsigned long v;
	int c, ret = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (c) {
		case OPT_CLUSTER:
			if (vigilctl_parse_uint(optarg, 10, 0xffffffffUL, &v))
				return bad("cluster", optarg, "expected a number"),
				       VIGILCTL_USAGE;
			cfg->cluster_id = v;
			a->have_cluster = true;
			break;
		case OPT_NODE:
			if (vigilctl_parse_uint(optarg, 10, 0xffff, &v))
				return bad("node", optarg, "expected a node id"),
				       VIGILCTL_USAGE;
			cfg->node_id = v;
			a->have_node = true;
			break;
		case OPT_TIMEOUT:
			if (vigilctl_parse_uint(optarg, 10, 0xffffffffUL, &v) || !v)
				return bad("timeout", optarg, "expected milliseconds"),
				       VIGILCTL_USAGE;
			cfg->timeout_ms = v;
			break;
		case OPT_TWO_NODE:
			cfg->flags |= VIGIL_CFG_F_TWO_NODE;
			break;
		case OPT_WITNESS_VOTES:
			if (vigilctl_parse_uint(optarg, 10, 0xffffffffUL, &v))
				return bad("witness-votes", optarg, "expected a number"),
				       VIGILCTL_USAGE;
			cfg->witness_votes = v;
			break;
		case OPT_KEY:
			ret = parse_key(cfg, optarg);
			/* An unreadable key file is a failure, not a usage error. */
			if (ret == -EINVAL)
				return VIGILCTL_USAGE;
			if (ret)
				return VIGILCTL_FAIL;
			break;
		case OPT_LINK:
			ret = parse_link_arg(cfg, optarg);
			break;
		case OPT_MEMBER:
			ret = parse_member(cfg, optarg);
			break;
		case OPT_ADDR:
			ret = parse_addr(a, optarg);
			break;
		case OPT_LEASE:
			if (vigilctl_parse_uint(optarg, 10, VIGIL_TIMEOUT_MAX_MS, &v) || !v)
				return bad("lease", optarg, "expected milliseconds, 1..%d",
					   VIGIL_TIMEOUT_MAX_MS),
				       VIGILCTL_USAGE;
			cfg->lease_ms = v;
			break;
		case OPT_PROTECT:
			ret = parse_protect(cfg, optarg);
			break;
		case OPT_FENCE:
			ret = parse_fence(cfg, optarg);
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return vigilctl_bad_option(CMD, argv, optstring);
		}
		if (ret)
			return VIGILCTL_USAGE;
	}
	if (optind < argc)
		return vigilctl_bad_argument(CMD, argv[optind]);

	if (!a->have_cluster || !a->have_node || !cfg->n_keys ||
	    !cfg->n_links || !cfg->n_nodes) {
		fprintf(stderr, "vigilctl: " CMD ": --cluster, --node, --key, --link and --member are required\n");
		fprintf(stderr, "Try 'vigilctl " CMD " --help'.\n");
		return VIGILCTL_USAGE;
	}
	if (resolve_addrs(a))
		return VIGILCTL_USAGE;
	return 0;
}

int set_config_main(int argc, char *argv[])
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_nl *nl;
	struct args *a;
	int ret, err;

	a = calloc(1, sizeof(*a));
	if (!a || !(a->cfg = calloc(1, sizeof(*a->cfg)))) {
		vigilctl_error(CMD, -ENOMEM, NULL);
		ret = VIGILCTL_FAIL;
		goto out;
	}
	ret = parse_args(a, argc, argv);
	if (ret) {
		if (ret < 0)	/* --help */
			ret = VIGILCTL_OK;
		goto out;
	}

	ret = VIGILCTL_FAIL;
	if (vigilctl_connect(&nl))
		goto out;
	err = vigil_nl_set_config(nl, a->cfg, ackmsg, sizeof(ackmsg));
	if (err)
		vigilctl_report(CMD, err, ackmsg);
	else
		ret = VIGILCTL_OK;
	vigil_nl_close(nl);
out:
	if (a && a->cfg) {
		/* The keys were in there. */
		explicit_bzero(a->cfg, sizeof(*a->cfg));
		free(a->cfg);
	}
	free(a);
	return ret;
}
