// SPDX-License-Identifier: GPL-2.0
/*
 * vigil.conf: read with libinih (the syntax), checked here (the meaning).
 * See conf.h and Documentation/config.md.
 *
 * Two passes. While libinih reads, each key's value is only recorded, with
 * its line, in the raw shadow of its section (a section's keys may come in
 * any order, and what a key means can depend on another, like a
 * resource's type). Then each section is checked and turned into the
 * model, references are resolved, and the rules that span sections (the
 * kernel's among them, from kmod/core/ through libvigil's core.h) are
 * applied. Errors are collected, not fatal, up to VIGIL_CONF_ERRORS_MAX.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "nl.h"
#include "conf.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* How much of a value a message quotes. */
#define SHOW_MAX 64

/* ------------------------------------------------------------------ */
/* Sections and their keys */

enum kind {
	K_CLUSTER,
	K_LINK,
	K_NODE,
	K_FENCE,
	K_GROUP,
	K_RESOURCE,
	K_AWS,
	K_COUNT,
};

static const char *const kind_names[K_COUNT] = {
	[K_CLUSTER] = "cluster",
	[K_LINK] = "link",
	[K_NODE] = "node",
	[K_FENCE] = "fence",
	[K_GROUP] = "group",
	[K_RESOURCE] = "resource",
	[K_AWS] = "aws",
};

/* Sections without a name, at most one of each. */
static bool unnamed(enum kind k)
{
	return k == K_CLUSTER || k == K_AWS;
}

enum {
	C_NAME, C_ID, C_KEY_FILE, C_KEY_ID, C_TIMEOUT, C_LEASE, C_TWO_NODE,
	C_WITNESS, C_ON_QUORUM, C_ON_QUORUM_DELAY, C_ON_DAEMON,
	C_ON_DAEMON_DELAY, C_OPERATOR_DELAY, C_WATCHDOG, C_PROTECT,
	C_FAILBACK, C_COUNT,
};

static const char *const cluster_keys[C_COUNT] = {
	[C_NAME] = "name",
	[C_ID] = "id",
	[C_KEY_FILE] = "key_file",
	[C_KEY_ID] = "key_id",
	[C_TIMEOUT] = "timeout_ms",
	[C_LEASE] = "lease_ms",
	[C_TWO_NODE] = "two_node",
	[C_WITNESS] = "witness_votes",
	[C_ON_QUORUM] = "on_quorum_loss",
	[C_ON_QUORUM_DELAY] = "on_quorum_loss_delay_ms",
	[C_ON_DAEMON] = "on_daemon_failure",
	[C_ON_DAEMON_DELAY] = "on_daemon_failure_delay_ms",
	[C_OPERATOR_DELAY] = "operator_fence_delay_ms",
	[C_WATCHDOG] = "daemon_watchdog_ms",
	[C_PROTECT] = "protect",
	[C_FAILBACK] = "failback",
};

enum { L_INDEX, L_TYPE, L_INTERFACE, L_ETHERTYPE, L_PORT, L_COUNT };

static const char *const link_keys[L_COUNT] = {
	[L_INDEX] = "index",
	[L_TYPE] = "type",
	[L_INTERFACE] = "interface",
	[L_ETHERTYPE] = "ethertype",
	[L_PORT] = "port",
};

enum { N_ID, N_VOTES, N_RESET_PRIORITY, N_FENCE, N_COUNT };

static const char *const node_keys[N_COUNT] = {
	[N_ID] = "id",
	[N_VOTES] = "votes",
	[N_RESET_PRIORITY] = "reset_priority",
	[N_FENCE] = "fence",
};

enum {
	F_TYPE, F_AGENT, F_ACTION, F_TIMEOUT, F_STATUS_TIMEOUT,
	F_INSTANCE_ID, F_ENIS, F_DUMP_TIMEOUT, F_RECOVER, F_COUNT,
};

static const char *const fence_keys[F_COUNT] = {
	[F_TYPE] = "type",
	[F_AGENT] = "agent",
	[F_ACTION] = "action",
	[F_TIMEOUT] = "timeout",
	[F_STATUS_TIMEOUT] = "status_timeout",
	[F_INSTANCE_ID] = "instance_id",
	[F_ENIS] = "enis",
	[F_DUMP_TIMEOUT] = "dump_timeout",
	[F_RECOVER] = "recover",
};

enum {
	A_REGION, A_ENDPOINT, A_CREDENTIALS_FILE, A_PROFILE, A_CA_FILE,
	A_IMDS_ENDPOINT, A_CALL_TIMEOUT, A_COUNT,
};

static const char *const aws_keys[A_COUNT] = {
	[A_REGION] = "region",
	[A_ENDPOINT] = "endpoint",
	[A_CREDENTIALS_FILE] = "credentials_file",
	[A_PROFILE] = "profile",
	[A_CA_FILE] = "ca_file",
	[A_IMDS_ENDPOINT] = "imds_endpoint",
	[A_CALL_TIMEOUT] = "call_timeout",
};

/* The timing keys groups and resources share come first, in this order. */
enum {
	T_MONITOR_INTERVAL, T_START_TIMEOUT, T_STOP_TIMEOUT,
	T_MONITOR_TIMEOUT, T_COUNT,
};

enum {
	G_MONITOR_INTERVAL = T_MONITOR_INTERVAL,
	G_START_TIMEOUT = T_START_TIMEOUT,
	G_STOP_TIMEOUT = T_STOP_TIMEOUT,
	G_MONITOR_TIMEOUT = T_MONITOR_TIMEOUT,
	G_RESOURCES = T_COUNT, G_NODES, G_RESTART_LIMIT, G_RESTART_WINDOW,
	G_COUNT,
};

static const char *const group_keys[G_COUNT] = {
	[G_MONITOR_INTERVAL] = "monitor_interval",
	[G_START_TIMEOUT] = "start_timeout",
	[G_STOP_TIMEOUT] = "stop_timeout",
	[G_MONITOR_TIMEOUT] = "monitor_timeout",
	[G_RESOURCES] = "resources",
	[G_NODES] = "nodes",
	[G_RESTART_LIMIT] = "restart_limit",
	[G_RESTART_WINDOW] = "restart_window",
};

enum {
	R_MONITOR_INTERVAL = T_MONITOR_INTERVAL,
	R_START_TIMEOUT = T_START_TIMEOUT,
	R_STOP_TIMEOUT = T_STOP_TIMEOUT,
	R_MONITOR_TIMEOUT = T_MONITOR_TIMEOUT,
	R_TYPE = T_COUNT, R_ADDRESS, R_INTERFACE, R_DEVICE, R_MOUNTPOINT,
	R_FSTYPE, R_OPTIONS, R_START, R_STOP, R_MONITOR, R_COUNT,
};

static const char *const resource_keys[R_COUNT] = {
	[R_MONITOR_INTERVAL] = "monitor_interval",
	[R_START_TIMEOUT] = "start_timeout",
	[R_STOP_TIMEOUT] = "stop_timeout",
	[R_MONITOR_TIMEOUT] = "monitor_timeout",
	[R_TYPE] = "type",
	[R_ADDRESS] = "address",
	[R_INTERFACE] = "interface",
	[R_DEVICE] = "device",
	[R_MOUNTPOINT] = "mountpoint",
	[R_FSTYPE] = "fstype",
	[R_OPTIONS] = "options",
	[R_START] = "start",
	[R_STOP] = "stop",
	[R_MONITOR] = "monitor",
};

#define KEYS_MAX C_COUNT

struct kind_def {
	const char *const *keys;
	unsigned int n_keys;
	const char *prefix;	/* "address." or "param.": KEY.SUFFIX */
	const char *prefix_doc;	/* for "allowed:" */
	unsigned int max;	/* sections of this kind */
};

static const struct kind_def kinds[K_COUNT] = {
	[K_CLUSTER] = { cluster_keys, C_COUNT, NULL, NULL, 1 },
	[K_LINK] = { link_keys, L_COUNT, NULL, NULL, VIGIL_LINKS_MAX },
	[K_NODE] = { node_keys, N_COUNT, "address.", "address.LINK",
		     VIGIL_NODES_MAX },
	[K_FENCE] = { fence_keys, F_COUNT, "param.", "param.NAME",
		      VIGIL_CONF_FENCES_MAX },
	[K_GROUP] = { group_keys, G_COUNT, NULL, NULL, VIGIL_CONF_GROUPS_MAX },
	[K_RESOURCE] = { resource_keys, R_COUNT, "param.", "param.NAME",
			 VIGIL_CONF_RESOURCES_MAX },
	[K_AWS] = { aws_keys, A_COUNT, NULL, NULL, 1 },
};

/* ------------------------------------------------------------------ */
/* The parser */

struct raw_val {
	const char *v;		/* NULL: not given */
	unsigned int line;
};

struct raw_pfx {
	const char *suffix;
	const char *v;
	unsigned int line;
};

/* One section as read: its values by key, its KEY.SUFFIX lines in order. */
struct raw {
	char name[VIGIL_NAME_MAX];
	unsigned int line;
	struct raw_val val[KEYS_MAX];
	unsigned int n_pfx;
	struct raw_pfx pfx[VIGIL_CONF_PARAMS_MAX];
};

struct parser {
	struct vigil_conf *conf;
	struct vigil_conf_errors *errs;
	unsigned int flags;
	const char *name;

	/* The reader. */
	const char *pos, *end;
	unsigned int lineno;		/* of the last line handed to libinih */
	unsigned int headers;		/* "[...]" lines since the last key */
	unsigned int header_line;	/* the last of them */
	unsigned int first_header_line;	/* the first of them */

	/* The section keys go to. */
	struct raw *cur;		/* NULL: skipped (errors said why) */
	enum kind cur_kind;
	bool in_section;

	unsigned int n[K_COUNT];
	struct raw *raw[K_COUNT];	/* kinds[k].max each */

	char show[SHOW_MAX + 4];
};

__attribute__((format(printf, 3, 4)))
static void err(struct parser *p, unsigned int line, const char *fmt, ...)
{
	struct vigil_conf_errors *e = p->errs;
	va_list ap;
	char *m;
	int n;

	if (!e)
		return;
	if (e->n++ >= VIGIL_CONF_ERRORS_MAX)
		return;
	m = e->msg[e->n - 1];
	if (line)
		n = snprintf(m, VIGIL_CONF_ERROR_LEN, "%s:%u: ", p->name, line);
	else
		n = snprintf(m, VIGIL_CONF_ERROR_LEN, "%s: ", p->name);
	if (n < 0 || n >= VIGIL_CONF_ERROR_LEN)
		return;
	va_start(ap, fmt);
	vsnprintf(m + n, VIGIL_CONF_ERROR_LEN - n, fmt, ap);
	va_end(ap);
}

/* A value as messages quote it: cut short, and printable. */
static const char *show(struct parser *p, const char *v)
{
	size_t i;

	for (i = 0; v[i] && i < SHOW_MAX; i++)
		p->show[i] = isprint((unsigned char)v[i]) ? v[i] : '?';
	if (v[i])
		strcpy(p->show + i, "...");
	else
		p->show[i] = '\0';
	return p->show;
}

/* "LINE: KEY = VALUE: ..." */
__attribute__((format(printf, 4, 5)))
static void bad(struct parser *p, const struct raw_val *rv, const char *key,
		const char *fmt, ...)
{
	char why[VIGIL_CONF_ERROR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	err(p, rv->line, "%s = %s: %s", key, show(p, rv->v), why);
}

static char *pool_dup(struct parser *p, const char *s)
{
	struct vigil_conf *c = p->conf;
	size_t len = strlen(s) + 1;
	char *d;

	/* Sized so that everything a file can hold fits (see parse()). */
	if (len > c->pool_size - c->pool_used)
		abort();
	d = c->pool + c->pool_used;
	memcpy(d, s, len);
	c->pool_used += len;
	return d;
}

/* ------------------------------------------------------------------ */
/* Reading: libinih calls these */

/*
 * fgets() over the text, one physical line per call. A line libinih could
 * not hold whole, or one with a NUL byte, is reported and replaced by an
 * empty line, so that libinih never sees half a line. Lines that start
 * with '[' and have a ']' are counted: the next key opens a section, and
 * a second one before it means a section without keys.
 */
static char *reader(char *buf, int size, void *stream)
{
	struct parser *p = stream;
	const char *nl, *s;
	size_t len;

	if (p->pos >= p->end || size < 2)
		return NULL;
	nl = memchr(p->pos, '\n', p->end - p->pos);
	len = nl ? (size_t)(nl - p->pos) + 1 : (size_t)(p->end - p->pos);
	p->lineno++;
	if (len > (size_t)size - 1) {
		err(p, p->lineno, "line longer than %d characters", size - 2);
		strcpy(buf, "\n");
	} else if (memchr(p->pos, '\0', len)) {
		err(p, p->lineno, "NUL byte in a line");
		strcpy(buf, "\n");
	} else {
		memcpy(buf, p->pos, len);
		buf[len] = '\0';
		for (s = buf; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '[' && strchr(s, ']')) {
			if (!p->headers++)
				p->first_header_line = p->lineno;
			p->header_line = p->lineno;
		}
	}
	p->pos += len;
	return buf;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* Names of links, nodes, fences, groups, resources, the cluster. */
static bool valid_name(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++) {
		if (!name_char(s[i]) || i >= VIGIL_NAME_MAX - 1)
			return false;
	}
	return true;
}

#define NAME_RULE "1..31 letters, digits, '.', '_' or '-', starting with a letter or digit"

static void open_section(struct parser *p, const char *section,
			 unsigned int line)
{
	char buf[64], *word, *name, *rest;
	unsigned int k, i;
	struct raw *r;

	p->cur = NULL;
	p->in_section = true;
	if (strlen(section) >= sizeof(buf) - 1 || strlen(section) >= 49) {
		/* libinih keeps 49 characters of a section name. */
		err(p, line, "[%s...]: section name too long", show(p, section));
		return;
	}
	strcpy(buf, section);
	word = buf;
	while (isspace((unsigned char)*word))
		word++;
	for (name = word; *name && !isspace((unsigned char)*name); name++)
		;
	if (*name)
		*name++ = '\0';
	while (isspace((unsigned char)*name))
		name++;
	for (rest = name; *rest && !isspace((unsigned char)*rest); rest++)
		;
	if (*rest) {
		*rest++ = '\0';
		while (isspace((unsigned char)*rest))
			rest++;
	}

	for (k = 0; k < K_COUNT; k++) {
		if (!strcmp(word, kind_names[k]))
			break;
	}
	if (k == K_COUNT) {
		err(p, line, "[%s]: unknown section (allowed: [cluster], [link NAME], [node NAME], [fence NAME], [group NAME], [resource NAME], [aws])",
		    show(p, section));
		return;
	}
	if (unnamed(k) && *name) {
		err(p, line, "[%s]: [%s] takes no name", show(p, section),
		    kind_names[k]);
		return;
	}
	if (!unnamed(k) && !*name) {
		err(p, line, "[%s]: needs a name: [%s NAME]", show(p, section),
		    kind_names[k]);
		return;
	}
	if (*rest) {
		err(p, line, "[%s]: one name only: [%s NAME]", show(p, section),
		    kind_names[k]);
		return;
	}
	if (!unnamed(k) && !valid_name(name)) {
		err(p, line, "[%s]: bad name '%s': must be " NAME_RULE,
		    show(p, section), name);
		return;
	}
	for (i = 0; i < p->n[k]; i++) {
		r = &p->raw[k][i];
		if (!strcmp(r->name, name)) {
			if (unnamed(k))
				err(p, line, "[%s] given twice (first at line %u)",
				    kind_names[k], r->line);
			else
				err(p, line, "[%s %s] given twice (first at line %u)",
				    kind_names[k], name, r->line);
			return;
		}
	}
	if (p->n[k] == kinds[k].max) {
		err(p, line, "[%s %s]: more than %u [%s] sections", kind_names[k],
		    name, kinds[k].max, kind_names[k]);
		return;
	}
	r = &p->raw[k][p->n[k]++];
	strcpy(r->name, name);
	r->line = line;
	p->cur = r;
	p->cur_kind = k;
}

static void unknown_key(struct parser *p, const char *key, unsigned int line)
{
	const struct kind_def *d = &kinds[p->cur_kind];
	char allowed[512];
	size_t n = 0;
	unsigned int i;

	allowed[0] = '\0';
	for (i = 0; i < d->n_keys; i++)
		n += snprintf(allowed + n, sizeof(allowed) - n, "%s%s",
			      i ? ", " : "", d->keys[i]);
	if (d->prefix_doc)
		snprintf(allowed + n, sizeof(allowed) - n, ", %s", d->prefix_doc);
	err(p, line, "%s: unknown key in [%s] (allowed: %s)", show(p, key),
	    kind_names[p->cur_kind], allowed);
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parser *p = user;
	unsigned int line = p->lineno, i;
	const struct kind_def *d;
	struct raw *r;

	if (p->headers) {
		if (p->headers > 1)
			err(p, p->first_header_line, "section without keys");
		p->headers = 0;
		open_section(p, section, p->header_line);
	} else if (!p->in_section) {
		err(p, line, "%s: a key before the first [section]",
		    show(p, key));
		return 1;
	}
	r = p->cur;
	if (!r)
		return 1;
	d = &kinds[p->cur_kind];

	for (i = 0; i < d->n_keys; i++) {
		if (strcmp(key, d->keys[i]))
			continue;
		if (r->val[i].v) {
			err(p, line, "%s given twice in this section (first at line %u)",
			    key, r->val[i].line);
			return 1;
		}
		r->val[i].v = pool_dup(p, value);
		r->val[i].line = line;
		return 1;
	}
	if (d->prefix && !strncmp(key, d->prefix, strlen(d->prefix))) {
		const char *suffix = key + strlen(d->prefix);

		for (i = 0; i < r->n_pfx; i++) {
			if (!strcmp(r->pfx[i].suffix, suffix)) {
				err(p, line, "%s given twice in this section (first at line %u)",
				    key, r->pfx[i].line);
				return 1;
			}
		}
		if (r->n_pfx == ARRAY_LEN(r->pfx)) {
			err(p, line, "%s: more than %zu %s keys in a section",
			    show(p, key), ARRAY_LEN(r->pfx), d->prefix_doc);
			return 1;
		}
		r->pfx[r->n_pfx].suffix = pool_dup(p, suffix);
		r->pfx[r->n_pfx].v = pool_dup(p, value);
		r->pfx[r->n_pfx].line = line;
		r->n_pfx++;
		return 1;
	}
	unknown_key(p, key, line);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Values */

static int get_uint(struct parser *p, const struct raw_val *rv,
		    const char *key, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	bool hex = !strcmp(key, "ethertype");	/* decimal or 0xHEX */
	const char *digits = rv->v;
	unsigned long v;
	int base = 10;
	char *end;

	if (hex && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		digits += 2;
		base = 16;
	}
	if (!(base == 16 ? isxdigit : isdigit)((unsigned char)digits[0]))
		goto bad;
	errno = 0;
	v = strtoul(digits, &end, base);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	if (hex)
		bad(p, rv, key, "must be 0x%04lx..0x%04lx", min, max);
	else
		bad(p, rv, key, "must be %lu..%lu", min, max);
	return -EINVAL;
}

/* Set *out only when the key was given and good. */
static int opt_uint(struct parser *p, const struct raw *r, unsigned int k,
		    const char *const *keys, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	if (!r->val[k].v)
		return 0;
	return get_uint(p, &r->val[k], keys[k], min, max, out);
}

static int opt_bool(struct parser *p, const struct raw *r, unsigned int k,
		    const char *const *keys, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	const char *v = r->val[k].v;
	unsigned int i;

	if (!v)
		return 0;
	for (i = 0; i < ARRAY_LEN(yes); i++) {
		if (!strcmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	bad(p, &r->val[k], keys[k], "must be yes or no");
	return -EINVAL;
}

/* "1500ms", "90s", "1m"... for messages. */
static const char *fmt_ms(char *buf, size_t size, __u32 ms)
{
	if (ms && !(ms % 3600000))
		snprintf(buf, size, "%uh", ms / 3600000);
	else if (ms && !(ms % 60000))
		snprintf(buf, size, "%um", ms / 60000);
	else if (!(ms % 1000))
		snprintf(buf, size, "%us", ms / 1000);
	else
		snprintf(buf, size, "%ums", ms);
	return buf;
}

/*
 * A duration: a number and a unit, ms, s, m or h; within [min, max], or 0
 * when zero_ok.
 */
static int opt_duration(struct parser *p, const struct raw *r, unsigned int k,
			const char *const *keys, __u32 min, __u32 max,
			bool zero_ok, __u32 *out)
{
	static const struct { const char *unit; unsigned long ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	const struct raw_val *rv = &r->val[k];
	char lo[16], hi[16];
	unsigned long long v;
	unsigned int i;
	char *end;

	if (!rv->v)
		return 0;
	errno = 0;
	if (!isdigit((unsigned char)rv->v[0]))
		goto bad;
	v = strtoull(rv->v, &end, 10);
	if (errno || v > UINT_MAX)
		goto bad;
	for (i = 0; i < ARRAY_LEN(units); i++) {
		if (!strcmp(end, units[i].unit))
			break;
	}
	if (i == ARRAY_LEN(units))
		goto bad;
	v *= units[i].ms;
	if ((v == 0 && zero_ok) || (v >= min && v <= max)) {
		*out = v;
		return 0;
	}
bad:
	bad(p, rv, keys[k], "must be a duration from %s to %s%s, like 30s, 500ms, 5m or 1h",
	    fmt_ms(lo, sizeof(lo), min), fmt_ms(hi, sizeof(hi), max),
	    zero_ok ? " (or 0s: off)" : "");
	return -EINVAL;
}

/* What the kernel takes as an interface name (dev_valid_name()). */
static bool valid_ifname(const char *name)
{
	const char *s;

	if (!name[0] || strlen(name) >= IFNAMSIZ || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (s = name; *s; s++) {
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	}
	return true;
}

#define IFNAME_RULE "must be an interface name: 1..15 characters, without '/', ':' or blanks"

static int opt_ifname(struct parser *p, const struct raw *r, unsigned int k,
		      const char *const *keys, char *out)
{
	if (!r->val[k].v)
		return 0;
	if (!valid_ifname(r->val[k].v)) {
		bad(p, &r->val[k], keys[k], IFNAME_RULE);
		return -EINVAL;
	}
	strcpy(out, r->val[k].v);
	return 0;
}

static bool missing(struct parser *p, const struct raw *r, enum kind kind,
		    unsigned int k, const char *const *keys, const char *what)
{
	if (r->val[k].v && r->val[k].v[0])
		return false;
	if (r->val[k].v)
		bad(p, &r->val[k], keys[k], "must not be empty (%s)", what);
	else if (unnamed(kind))
		err(p, r->line, "[%s]: no %s (%s)", kind_names[kind], keys[k],
		    what);
	else
		err(p, r->line, "[%s %s]: no %s (%s)", kind_names[kind], r->name,
		    keys[k], what);
	return true;
}

/* A key that the section's type does not take. */
static void not_for_type(struct parser *p, const struct raw *r, unsigned int k,
			 const char *const *keys, const char *type,
			 const char *allowed)
{
	if (r->val[k].v)
		bad(p, &r->val[k], keys[k], "not a key of type %s (its keys: %s)",
		    type, allowed);
}

/* The text of a command line, path or option: printable, one line. */
static bool printable(const char *s)
{
	for (; *s; s++) {
		if (!isprint((unsigned char)*s) && *s != '\t')
			return false;
	}
	return true;
}

static int opt_string(struct parser *p, const struct raw *r, unsigned int k,
		      const char *const *keys, const char **out)
{
	if (!r->val[k].v)
		return 0;
	if (!printable(r->val[k].v)) {
		bad(p, &r->val[k], keys[k], "control characters are not allowed");
		return -EINVAL;
	}
	*out = r->val[k].v;
	return 0;
}

static int opt_path(struct parser *p, const struct raw *r, unsigned int k,
		    const char *const *keys, const char **out)
{
	const char *v = r->val[k].v;

	if (!v)
		return 0;
	if (v[0] != '/' || strlen(v) >= PATH_MAX || !printable(v) ||
	    strpbrk(v, " \t")) {
		bad(p, &r->val[k], keys[k], "must be an absolute path, without blanks");
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* param.NAME: NAME an environment variable's or agent argument's name. */
static int params(struct parser *p, const struct raw *r,
		  struct vigil_conf_param *out, unsigned int *n)
{
	unsigned int i;
	const char *s;
	int ret = 0;

	for (i = 0; i < r->n_pfx; i++) {
		const struct raw_pfx *x = &r->pfx[i];
		bool ok = x->suffix[0] && !isdigit((unsigned char)x->suffix[0]);

		for (s = x->suffix; *s; s++)
			ok &= isalnum((unsigned char)*s) || *s == '_';
		if (!ok || strlen(x->suffix) > 63) {
			err(p, x->line, "param.%s: parameter names are 1..63 letters, digits or '_', not starting with a digit",
			    show(p, x->suffix));
			ret = -EINVAL;
			continue;
		}
		if (!printable(x->v)) {
			err(p, x->line, "param.%s = %s: control characters are not allowed",
			    x->suffix, show(p, x->v));
			ret = -EINVAL;
			continue;
		}
		out[*n].key = x->suffix;
		out[*n].value = x->v;
		out[*n].line = x->line;
		(*n)++;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* [cluster] */

static const char *const fence_action_rule = "must be none, freeze, panic or reboot";

static int fence_action(struct parser *p, const struct raw *r, unsigned int k,
			__u8 *out)
{
	int a;

	if (!r->val[k].v)
		return 0;
	a = vigil_fence_action_parse(r->val[k].v);
	if (a < VIGIL_ACTION_NONE) {
		bad(p, &r->val[k], cluster_keys[k], "%s", fence_action_rule);
		return -EINVAL;
	}
	*out = a;
	return 0;
}

static void protect_list(struct parser *p, const struct raw *r,
			 struct vigil_conf_cluster *c)
{
	const struct raw_val *rv = &r->val[C_PROTECT];
	char *copy, *tok, *save;
	unsigned int i;

	if (!rv->v)
		return;
	copy = strdupa(rv->v);
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (!valid_ifname(tok)) {
			bad(p, rv, "protect", "'%s' " IFNAME_RULE, show(p, tok));
			return;
		}
		for (i = 0; i < c->n_protect; i++) {
			if (!strcmp(c->protect[i], tok)) {
				bad(p, rv, "protect", "'%s' given twice", tok);
				return;
			}
		}
		if (c->n_protect == VIGIL_PROTECT_MAX) {
			bad(p, rv, "protect", "at most %d interfaces",
			    VIGIL_PROTECT_MAX);
			return;
		}
		strcpy(c->protect[c->n_protect++], tok);
	}
	if (!c->n_protect)
		bad(p, rv, "protect", "must name at least one interface");
}

static void check_cluster(struct parser *p)
{
	struct vigil_conf_cluster *c = &p->conf->cluster;
	const char *const *keys = cluster_keys;
	unsigned long v;
	const char *why;
	struct raw *r;

	/* Defaults, kept if the keys are missing or wrong. */
	c->timeout_ms = VIGIL_TIMEOUT_DEFAULT_MS;
	c->interval_ms = c->timeout_ms / VIGIL_INTERVAL_DIVISOR;
	c->daemon_watchdog_ms = VIGIL_CONF_DAEMON_WATCHDOG_DEFAULT_MS;
	c->key_id = VIGIL_CONF_KEY_ID_DEFAULT;
	c->fence[VIGIL_CAUSE_QUORUM].action = VIGIL_ACTION_REBOOT;
	c->fence[VIGIL_CAUSE_DAEMON].action = VIGIL_ACTION_REBOOT;
	c->fence[VIGIL_CAUSE_OPERATOR].action = VIGIL_ACTION_UNSPEC;
	for (v = VIGIL_CAUSE_QUORUM; v <= VIGIL_CAUSE_MAX; v++)
		c->fence[v].cause = v;

	if (!p->n[K_CLUSTER]) {
		err(p, 0, "no [cluster] section");
		return;
	}
	r = &p->raw[K_CLUSTER][0];
	c->line = r->line;

	if (!missing(p, r, K_CLUSTER, C_NAME, keys, NAME_RULE)) {
		if (!valid_name(r->val[C_NAME].v))
			bad(p, &r->val[C_NAME], keys[C_NAME], "must be " NAME_RULE);
		else
			c->name = r->val[C_NAME].v;
	}
	if (!missing(p, r, K_CLUSTER, C_ID, keys, "1..4294967295, the same on every node") &&
	    !opt_uint(p, r, C_ID, keys, 1, UINT32_MAX, &v))
		c->id = v;
	if (!missing(p, r, K_CLUSTER, C_KEY_FILE, keys,
		     "a file of 32 bytes or 64 hex digits, mode 0600, owned by root"))
		opt_path(p, r, C_KEY_FILE, keys, &c->key_file);
	if (!opt_uint(p, r, C_KEY_ID, keys, 0, 255, &v) && r->val[C_KEY_ID].v)
		c->key_id = v;

	if (!opt_uint(p, r, C_TIMEOUT, keys, VIGIL_TIMEOUT_MIN_MS,
		      VIGIL_TIMEOUT_MAX_MS, &v) && r->val[C_TIMEOUT].v)
		c->timeout_ms = v;
	/* The kernel's own rule, for the interval. */
	if (vigil_timing(c->timeout_ms, &c->interval_ms, &why))
		abort();	/* the range above is the same */

	c->lease_ms = vigil_lease_default(c->timeout_ms);
	if (!opt_uint(p, r, C_LEASE, keys, 1, VIGIL_TIMEOUT_MAX_MS, &v) &&
	    r->val[C_LEASE].v) {
		if (vigil_lease_check(c->timeout_ms, c->interval_ms, v, &why))
			bad(p, &r->val[C_LEASE], keys[C_LEASE],
			    "%s; with timeout_ms = %u it must be %u..%u",
			    why, c->timeout_ms,
			    VIGIL_LEASE_MIN_INTERVALS * c->interval_ms,
			    vigil_lease_max(c->timeout_ms));
		else
			c->lease_ms = v;
	}

	opt_bool(p, r, C_TWO_NODE, keys, &c->two_node);
	if (!opt_uint(p, r, C_WITNESS, keys, 0, VIGIL_VOTES_MAX, &v) &&
	    r->val[C_WITNESS].v)
		c->witness_votes = v;

	fence_action(p, r, C_ON_QUORUM, &c->fence[VIGIL_CAUSE_QUORUM].action);
	fence_action(p, r, C_ON_DAEMON, &c->fence[VIGIL_CAUSE_DAEMON].action);
	if (!opt_uint(p, r, C_ON_QUORUM_DELAY, keys, 0, VIGIL_TIMEOUT_MAX_MS, &v) &&
	    r->val[C_ON_QUORUM_DELAY].v)
		c->fence[VIGIL_CAUSE_QUORUM].delay_ms = v;
	if (!opt_uint(p, r, C_ON_DAEMON_DELAY, keys, 0, VIGIL_TIMEOUT_MAX_MS, &v) &&
	    r->val[C_ON_DAEMON_DELAY].v)
		c->fence[VIGIL_CAUSE_DAEMON].delay_ms = v;
	if (!opt_uint(p, r, C_OPERATOR_DELAY, keys, 0, VIGIL_TIMEOUT_MAX_MS, &v) &&
	    r->val[C_OPERATOR_DELAY].v)
		c->fence[VIGIL_CAUSE_OPERATOR].delay_ms = v;

	/* The kernel's rule: 0 (off) or two heartbeat intervals at least. */
	if (r->val[C_WATCHDOG].v) {
		__u32 lo = 2 * c->interval_ms;

		if (opt_uint(p, r, C_WATCHDOG, keys, 0, VIGIL_TIMEOUT_MAX_MS, &v)) {
			/* said */
		} else if (v && v < lo) {
			bad(p, &r->val[C_WATCHDOG], keys[C_WATCHDOG],
			    "must be 0 (off) or %u..%u: at least two heartbeat intervals of timeout_ms = %u",
			    lo, VIGIL_TIMEOUT_MAX_MS, c->timeout_ms);
		} else {
			c->daemon_watchdog_ms = v;
		}
	}

	protect_list(p, r, c);
	if (!c->n_protect) {
		if (c->fence[VIGIL_CAUSE_QUORUM].action == VIGIL_ACTION_FREEZE)
			bad(p, &r->val[C_ON_QUORUM], keys[C_ON_QUORUM],
			    "freeze needs protect = INTERFACE...: it closes the gate on the protected interfaces");
		if (c->fence[VIGIL_CAUSE_DAEMON].action == VIGIL_ACTION_FREEZE)
			bad(p, &r->val[C_ON_DAEMON], keys[C_ON_DAEMON],
			    "freeze needs protect = INTERFACE...: it closes the gate on the protected interfaces");
	}
	opt_bool(p, r, C_FAILBACK, keys, &c->failback);
}

/* The key file: a regular file, root's, for root's eyes only. */
static void check_key(struct parser *p)
{
	struct vigil_conf_cluster *c = &p->conf->cluster;
	const struct raw_val *rv = &p->raw[K_CLUSTER][0].val[C_KEY_FILE];
	char buf[2 * VIGIL_KEY_LEN + 2];
	size_t len = 0, i;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(c->key_file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		bad(p, rv, "key_file", "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &st)) {
		bad(p, rv, "key_file", "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		bad(p, rv, "key_file", "not a regular file");
		goto out;
	}
	if (st.st_uid != 0) {
		bad(p, rv, "key_file", "owned by uid %u: must be owned by root",
		    (unsigned int)st.st_uid);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO) & ~(S_IXGRP | S_IXOTH)) {
		bad(p, rv, "key_file", "mode %04o: must not be readable or writable by group or others (chmod 600 %s)",
		    (unsigned int)(st.st_mode & 07777), show(p, c->key_file));
		goto out;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bad(p, rv, "key_file", "%s", strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	if (len == VIGIL_KEY_LEN) {
		memcpy(c->key, buf, VIGIL_KEY_LEN);
		c->have_key = true;
		goto out;
	}
	if (len == 2 * VIGIL_KEY_LEN + 1 && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < len && isxdigit((unsigned char)buf[i]); i++)
		;
	if (len != 2 * VIGIL_KEY_LEN || i != len) {
		bad(p, rv, "key_file", "must hold %d bytes, or %d hex digits and a newline",
		    VIGIL_KEY_LEN, 2 * VIGIL_KEY_LEN);
		goto out;
	}
	for (i = 0; i < VIGIL_KEY_LEN; i++) {
		char h[3] = { buf[2 * i], buf[2 * i + 1], '\0' };

		c->key[i] = strtoul(h, NULL, 16);
	}
	c->have_key = true;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* [link NAME] */

static void check_links(struct parser *p)
{
	static const char l2_keys[] = "index, type, interface, ethertype";
	static const char udp_keys[] = "index, type, interface, port";
	const char *const *keys = link_keys;
	struct vigil_conf *conf = p->conf;
	unsigned int i, j;
	unsigned long v;

	for (i = 0; i < p->n[K_LINK]; i++) {
		const struct raw *r = &p->raw[K_LINK][i];
		struct vigil_conf_link *l = &conf->links[conf->n_links];
		const char *type = r->val[L_TYPE].v;
		bool ok = true;

		strcpy(l->name, r->name);
		l->line = r->line;
		if (missing(p, r, K_LINK, L_INDEX, keys,
			    "0..7, the same on every node"))
			ok = false;
		else if (opt_uint(p, r, L_INDEX, keys, 0, VIGIL_LINKS_MAX - 1, &v))
			ok = false;
		else
			l->index = v;
		if (missing(p, r, K_LINK, L_TYPE, keys, "l2, udp4 or udp6"))
			continue;
		if (!strcmp(type, "l2")) {
			l->type = VIGIL_LINK_L2;
			l->ethertype = VIGIL_ETHERTYPE_DEFAULT;
			if (missing(p, r, K_LINK, L_INTERFACE, keys,
				    "an l2 link sends on one interface"))
				ok = false;
			if (!opt_uint(p, r, L_ETHERTYPE, keys, 0x0600, 0xffff, &v) &&
			    r->val[L_ETHERTYPE].v)
				l->ethertype = v;
			not_for_type(p, r, L_PORT, keys, "l2", l2_keys);
		} else if (!strcmp(type, "udp4") || !strcmp(type, "udp6")) {
			l->type = VIGIL_LINK_UDP;
			l->family = type[3] == '4' ? AF_INET : AF_INET6;
			l->port = VIGIL_UDP_PORT_DEFAULT;
			if (!opt_uint(p, r, L_PORT, keys, 1, 65535, &v) &&
			    r->val[L_PORT].v)
				l->port = v;
			not_for_type(p, r, L_ETHERTYPE, keys, type, udp_keys);
		} else {
			bad(p, &r->val[L_TYPE], "type", "must be l2, udp4 or udp6");
			continue;
		}
		if (opt_ifname(p, r, L_INTERFACE, keys, l->ifname))
			ok = false;
		if (!ok)
			continue;
		for (j = 0; j < conf->n_links; j++) {
			const struct vigil_conf_link *o = &conf->links[j];

			if (o->index == l->index) {
				bad(p, &r->val[L_INDEX], "index", "link %s (line %u) has it too",
				    o->name, o->line);
				ok = false;
			} else if (o->type == VIGIL_LINK_UDP && l->type == o->type &&
				   o->family == l->family && o->port == l->port) {
				err(p, r->line, "[link %s]: port %u is link %s's too (line %u): two UDP links of one family need different ports",
				    l->name, l->port, o->name, o->line);
				ok = false;
			} else if (o->type == VIGIL_LINK_L2 && l->type == o->type &&
				   o->ethertype == l->ethertype &&
				   !strcmp(o->ifname, l->ifname)) {
				err(p, r->line, "[link %s]: interface %s and ethertype 0x%04x are link %s's too (line %u)",
				    l->name, l->ifname, l->ethertype, o->name, o->line);
				ok = false;
			}
		}
		if (ok)
			conf->n_links++;
	}
}

/* ------------------------------------------------------------------ */
/* [fence NAME] */

/* "i-" or "eni-" and 8 or 17 lowercase hexadecimal digits. */
static bool aws_id(const char *v, const char *prefix)
{
	size_t n = strlen(prefix), i;

	if (strncmp(v, prefix, n))
		return false;
	for (i = n; v[i]; i++) {
		if (!isxdigit((unsigned char)v[i]) || isupper((unsigned char)v[i]))
			return false;
	}
	return i - n == 8 || i - n == 17;
}

#define ENIS_RULE "must be 1..8 ENIs as eni-ID:DEVICE_INDEX, like eni-0123456789abcdef0:1 (device index 1..31; 0 is the primary ENI, which cannot be detached)"

static void opt_enis(struct parser *p, const struct raw *r,
		     struct vigil_conf_fence *f)
{
	const struct raw_val *rv = &r->val[F_ENIS];
	char copy[512], *tok, *save, *colon, *end;
	unsigned int i;
	long idx;

	if (strlen(rv->v) >= sizeof(copy)) {
		bad(p, rv, "enis", ENIS_RULE);
		return;
	}
	strcpy(copy, rv->v);
	for (tok = strtok_r(copy, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		colon = strchr(tok, ':');
		if (!colon) {
			bad(p, rv, "enis", "%s: no device index: " ENIS_RULE, tok);
			return;
		}
		*colon = '\0';
		errno = 0;
		idx = strtol(colon + 1, &end, 10);
		if (!aws_id(tok, "eni-") || !isdigit((unsigned char)colon[1]) ||
		    *end || errno || idx < 1 || idx > 31) {
			bad(p, rv, "enis", "%s:%s: " ENIS_RULE, tok, colon + 1);
			return;
		}
		for (i = 0; i < f->n_enis; i++) {
			if (!strcmp(f->enis[i].id, tok)) {
				bad(p, rv, "enis", "%s named twice", tok);
				return;
			}
		}
		if (f->n_enis == VIGIL_CONF_ENIS_MAX) {
			bad(p, rv, "enis", "at most %d ENIs", VIGIL_CONF_ENIS_MAX);
			return;
		}
		strcpy(f->enis[f->n_enis].id, tok);
		f->enis[f->n_enis++].device_index = (int)idx;
	}
	if (!f->n_enis)
		bad(p, rv, "enis", ENIS_RULE);
}

static const char *const agent_only = "type, agent, action, timeout, status_timeout, param.NAME";
static const char *const isolate_only = "type, instance_id, enis, timeout";
static const char *const stop_only = "type, instance_id, timeout, dump_timeout, recover";

/* type = aws-isolate or aws-stop */
static void check_aws_fence(struct parser *p, const struct raw *r,
			    struct vigil_conf_fence *f)
{
	const char *const *keys = fence_keys;
	bool isolate = f->type == VIGIL_CONF_FENCE_AWS_ISOLATE;
	const char *type = isolate ? "aws-isolate" : "aws-stop";
	const char *allowed = isolate ? isolate_only : stop_only;
	unsigned int k;

	for (k = F_AGENT; k < F_COUNT; k++) {
		if (k == F_TIMEOUT || k == F_INSTANCE_ID ||
		    (isolate && k == F_ENIS) ||
		    (!isolate && (k == F_DUMP_TIMEOUT || k == F_RECOVER)))
			continue;
		not_for_type(p, r, k, keys, type, allowed);
	}
	if (r->n_pfx)
		err(p, r->pfx[0].line, "param.%s: not a key of type %s (its keys: %s)",
		    show(p, r->pfx[0].suffix), type, allowed);
	f->timeout_ms = isolate ? VIGIL_CONF_AWS_ISOLATE_TIMEOUT_DEFAULT_MS :
				  VIGIL_CONF_AWS_STOP_TIMEOUT_DEFAULT_MS;
	f->dump_timeout_ms = VIGIL_CONF_DUMP_TIMEOUT_DEFAULT_MS;
	f->recover = true;
	if (!missing(p, r, K_FENCE, F_INSTANCE_ID, keys,
		     "the node's EC2 instance, like i-0123456789abcdef0")) {
		if (aws_id(r->val[F_INSTANCE_ID].v, "i-"))
			strcpy(f->instance_id, r->val[F_INSTANCE_ID].v);
		else
			bad(p, &r->val[F_INSTANCE_ID], "instance_id",
			    "must be an EC2 instance id: i- and 8 or 17 lowercase hexadecimal digits");
	}
	if (isolate && !missing(p, r, K_FENCE, F_ENIS, keys,
				"the service ENIs to detach, as eni-ID:DEVICE_INDEX"))
		opt_enis(p, r, f);
	opt_duration(p, r, F_TIMEOUT, keys, VIGIL_CONF_TIMEOUT_MIN_MS,
		     VIGIL_CONF_TIMEOUT_MAX_MS, false, &f->timeout_ms);
	opt_duration(p, r, F_DUMP_TIMEOUT, keys, VIGIL_CONF_TIMEOUT_MIN_MS,
		     VIGIL_CONF_TIMEOUT_MAX_MS, false, &f->dump_timeout_ms);
	opt_bool(p, r, F_RECOVER, keys, &f->recover);
}

static void check_fences(struct parser *p)
{
	const char *const *keys = fence_keys;
	struct vigil_conf *conf = p->conf;
	unsigned int i, k;

	for (i = 0; i < p->n[K_FENCE]; i++) {
		const struct raw *r = &p->raw[K_FENCE][i];
		struct vigil_conf_fence *f = &conf->fences[conf->n_fences++];
		const char *action = r->val[F_ACTION].v;
		const char *type = r->val[F_TYPE].v;

		/* Kept even when wrong: node references resolve. */
		strcpy(f->name, r->name);
		f->line = r->line;
		f->action = VIGIL_CONF_FENCE_OFF;
		f->timeout_ms = VIGIL_CONF_FENCE_TIMEOUT_DEFAULT_MS;
		f->status_timeout_ms = VIGIL_CONF_FENCE_STATUS_TIMEOUT_DEFAULT_MS;
		if (missing(p, r, K_FENCE, F_TYPE, keys,
			    "agent, aws-isolate or aws-stop"))
			continue;
		if (!strcmp(type, "aws-isolate") || !strcmp(type, "aws-stop")) {
			f->type = type[4] == 'i' ? VIGIL_CONF_FENCE_AWS_ISOLATE :
						   VIGIL_CONF_FENCE_AWS_STOP;
			check_aws_fence(p, r, f);
			if (!p->n[K_AWS])
				err(p, r->line, "[fence %s]: type %s needs an [aws] section",
				    r->name, type);
			continue;
		}
		if (strcmp(type, "agent")) {
			bad(p, &r->val[F_TYPE], "type",
			    "must be agent, aws-isolate or aws-stop");
			continue;
		}
		f->type = VIGIL_CONF_FENCE_AGENT;
		for (k = F_INSTANCE_ID; k < F_COUNT; k++)
			not_for_type(p, r, k, keys, "agent", agent_only);
		if (!missing(p, r, K_FENCE, F_AGENT, keys,
			     "the fence agent's path, like /usr/sbin/fence_ipmilan"))
			opt_path(p, r, F_AGENT, keys, &f->agent);
		if (action && !strcmp(action, "reboot"))
			f->action = VIGIL_CONF_FENCE_REBOOT;
		else if (action && strcmp(action, "off"))
			bad(p, &r->val[F_ACTION], "action", "must be off or reboot");
		opt_duration(p, r, F_TIMEOUT, keys, VIGIL_CONF_TIMEOUT_MIN_MS,
			     VIGIL_CONF_TIMEOUT_MAX_MS, false, &f->timeout_ms);
		opt_duration(p, r, F_STATUS_TIMEOUT, keys,
			     VIGIL_CONF_TIMEOUT_MIN_MS, VIGIL_CONF_TIMEOUT_MAX_MS,
			     false, &f->status_timeout_ms);
		params(p, r, f->params, &f->n_params);
	}
}

/* [aws] */

static bool url_with(const char *v, const char *scheme)
{
	size_t n = strlen(scheme);

	return !strncmp(v, scheme, n) && v[n] && v[n] != '/' &&
	       printable(v) && !strpbrk(v, " \t") && strlen(v) < 256;
}

static void check_aws(struct parser *p)
{
	const char *const *keys = aws_keys;
	struct vigil_conf_aws *a = &p->conf->aws;
	const struct raw *r;
	const char *v;
	size_t i;

	if (!p->n[K_AWS])
		return;
	r = &p->raw[K_AWS][0];
	a->present = true;
	a->line = r->line;
	v = r->val[A_REGION].v;
	if (v) {
		for (i = 0; v[i]; i++) {
			if (!islower((unsigned char)v[i]) &&
			    !isdigit((unsigned char)v[i]) && v[i] != '-')
				break;
		}
		if (!i || v[i] || i > 31)
			bad(p, &r->val[A_REGION], "region",
			    "must be an AWS region, like us-east-1 (lowercase letters, digits and '-')");
		else
			a->region = v;
	}
	v = r->val[A_ENDPOINT].v;
	if (v && !url_with(v, "https://"))
		bad(p, &r->val[A_ENDPOINT], "endpoint",
		    "must be an https:// URL (TLS is always verified), like https://ec2.us-east-1.amazonaws.com");
	else
		a->endpoint = v;
	v = r->val[A_IMDS_ENDPOINT].v;
	if (v && !url_with(v, "http://"))
		bad(p, &r->val[A_IMDS_ENDPOINT], "imds_endpoint",
		    "must be an http:// URL, like http://169.254.169.254");
	else
		a->imds_endpoint = v;
	opt_path(p, r, A_CREDENTIALS_FILE, keys, &a->credentials_file);
	opt_path(p, r, A_CA_FILE, keys, &a->ca_file);
	v = r->val[A_PROFILE].v;
	if (v && !valid_name(v))
		bad(p, &r->val[A_PROFILE], "profile", "must be " NAME_RULE);
	else
		a->profile = v;
	if (a->profile && !a->credentials_file)
		bad(p, &r->val[A_PROFILE], "profile",
		    "names a profile of credentials_file, which is not given");
	opt_duration(p, r, A_CALL_TIMEOUT, keys, 100, 60000, false,
		     &a->call_timeout_ms);
}

static int find_fence(const struct vigil_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->n_fences; i++) {
		if (!strcmp(conf->fences[i].name, name))
			return i;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* [node NAME] */

static bool parse_mac(const char *s, __u8 mac[6])
{
	unsigned int i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		const char *b = s + 3 * i;
		char h[3] = { b[0], b[1], '\0' };

		if (!isxdigit((unsigned char)b[0]) ||
		    !isxdigit((unsigned char)b[1]) ||
		    (i < 5 && b[2] != ':'))
			return false;
		mac[i] = strtoul(h, NULL, 16);
	}
	return true;
}

static bool parse_port(const char *s, __u16 *port)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > 65535)
		return false;
	*port = v;
	return true;
}

/* ADDR[:PORT] for the link: a MAC, IPv4[:PORT], IPv6 or [IPv6]:PORT. */
static void node_addr(struct parser *p, const struct raw_pfx *x,
		      const struct vigil_conf_link *l,
		      struct vigil_config_addr *a)
{
	char host[INET6_ADDRSTRLEN + 16], *port = NULL, *close;
	static const __u8 zero[6];

	if (l->type == VIGIL_LINK_L2) {
		a->kind = VIGIL_ADDR_MAC;
		if (!parse_mac(x->v, a->mac) || !memcmp(a->mac, zero, 6)) {
			err(p, x->line, "address.%s = %s: link %s is l2: must be a MAC address like 52:54:00:12:34:56, not all zeroes",
			    x->suffix, show(p, x->v), l->name);
			a->kind = VIGIL_ADDR_NONE;
		}
		return;
	}
	a->port = VIGIL_UDP_PORT_DEFAULT;
	if (strlen(x->v) >= sizeof(host))
		goto bad;
	strcpy(host, x->v);
	if (l->family == AF_INET) {
		a->kind = VIGIL_ADDR_IN;
		port = strchr(host, ':');
		if (port)
			*port++ = '\0';
		if (inet_pton(AF_INET, host, &a->in) != 1)
			goto bad;
	} else {
		a->kind = VIGIL_ADDR_IN6;
		if (host[0] == '[') {
			close = strchr(host, ']');
			if (!close || close[1] != ':')
				goto bad;
			*close = '\0';
			port = close + 2;
			memmove(host, host + 1, strlen(host + 1) + 1);
		}
		if (inet_pton(AF_INET6, host, &a->in6) != 1)
			goto bad;
		if (IN6_IS_ADDR_LINKLOCAL(&a->in6) && !l->ifname[0]) {
			err(p, x->line, "address.%s = %s: an IPv6 link-local address needs [link %s] to name its interface",
			    x->suffix, show(p, x->v), l->name);
			a->kind = VIGIL_ADDR_NONE;
			return;
		}
	}
	if (port && !parse_port(port, &a->port))
		goto bad;
	return;
bad:
	err(p, x->line, "address.%s = %s: link %s is %s: must be %s", x->suffix,
	    show(p, x->v), l->name, l->family == AF_INET ? "udp4" : "udp6",
	    l->family == AF_INET ? "an IPv4 address, or IPv4:PORT" :
				   "an IPv6 address, or [IPv6]:PORT");
	a->kind = VIGIL_ADDR_NONE;
}

static bool same_addr(const struct vigil_config_addr *a,
		      const struct vigil_config_addr *b)
{
	if (a->kind != b->kind || a->kind == VIGIL_ADDR_NONE)
		return false;
	switch (a->kind) {
	case VIGIL_ADDR_MAC:
		return !memcmp(a->mac, b->mac, 6);
	case VIGIL_ADDR_IN:
		return a->port == b->port && !memcmp(&a->in, &b->in, sizeof(a->in));
	default:
		return a->port == b->port &&
		       !memcmp(&a->in6, &b->in6, sizeof(a->in6));
	}
}

static void node_fences(struct parser *p, const struct raw *r,
			struct vigil_conf_node *n)
{
	const struct raw_val *rv = &r->val[N_FENCE];
	char *copy, *tok, *save;
	unsigned int i;
	int f;

	if (!rv->v)
		return;
	copy = strdupa(rv->v);
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		f = find_fence(p->conf, tok);
		if (f < 0) {
			bad(p, rv, "fence", "no [fence %s]", show(p, tok));
			continue;
		}
		for (i = 0; i < n->n_fence; i++) {
			if (n->fence[i] == (unsigned int)f)
				break;
		}
		if (i < n->n_fence) {
			bad(p, rv, "fence", "%s named twice", tok);
			continue;
		}
		if (n->n_fence == VIGIL_CONF_NODE_FENCES_MAX) {
			bad(p, rv, "fence", "at most %d methods",
			    VIGIL_CONF_NODE_FENCES_MAX);
			return;
		}
		n->fence[n->n_fence++] = f;
	}
	if (!n->n_fence && !rv->v[0])
		bad(p, rv, "fence", "must name at least one [fence] section");
}

static void check_nodes(struct parser *p)
{
	const char *const *keys = node_keys;
	struct vigil_conf *conf = p->conf;
	unsigned int i, j, k;
	unsigned long v;

	for (i = 0; i < p->n[K_NODE]; i++) {
		const struct raw *r = &p->raw[K_NODE][i];
		struct vigil_conf_node *n = &conf->nodes[conf->n_nodes++];

		/* Kept even when wrong: group references resolve. */
		strcpy(n->name, r->name);
		n->line = r->line;
		n->votes = 1;
		n->reset_priority = VIGIL_CONF_RESET_PRIORITY_DEFAULT;
		if (!missing(p, r, K_NODE, N_ID, keys, "1..256, distinct") &&
		    !opt_uint(p, r, N_ID, keys, 1, VIGIL_NODES_MAX, &v)) {
			n->id = v;
			for (j = 0; j < conf->n_nodes - 1; j++) {
				if (conf->nodes[j].id == n->id)
					bad(p, &r->val[N_ID], "id", "node %s (line %u) has it too",
					    conf->nodes[j].name, conf->nodes[j].line);
			}
		}
		if (!opt_uint(p, r, N_VOTES, keys, 0, VIGIL_VOTES_MAX, &v) &&
		    r->val[N_VOTES].v)
			n->votes = v;
		if (!opt_uint(p, r, N_RESET_PRIORITY, keys, 0, 65535, &v) &&
		    r->val[N_RESET_PRIORITY].v)
			n->reset_priority = v;
		node_fences(p, r, n);

		for (j = 0; j < r->n_pfx; j++) {
			const struct raw_pfx *x = &r->pfx[j];
			int li = vigil_conf_link_find(conf, x->suffix);

			if (li < 0) {
				/* A link with errors has had its say. */
				for (k = 0; k < p->n[K_LINK]; k++) {
					if (!strcmp(p->raw[K_LINK][k].name, x->suffix))
						break;
				}
				if (k == p->n[K_LINK])
					err(p, x->line, "address.%s: no [link %s]",
					    show(p, x->suffix), show(p, x->suffix));
				continue;
			}
			node_addr(p, x, &conf->links[li], &n->addr[li]);
			if (n->addr[li].kind == VIGIL_ADDR_NONE)
				continue;
			n->addr[li].link = conf->links[li].index;
			for (k = 0; k < conf->n_nodes - 1; k++) {
				if (same_addr(&conf->nodes[k].addr[li],
					      &n->addr[li]))
					err(p, x->line, "address.%s = %s: node %s (line %u) has it too",
					    x->suffix, show(p, x->v),
					    conf->nodes[k].name,
					    conf->nodes[k].line);
			}
		}
		for (j = 0; j < conf->n_links; j++) {
			const struct vigil_conf_link *l = &conf->links[j];
			bool given = false;

			for (k = 0; k < r->n_pfx; k++)
				given |= !strcmp(r->pfx[k].suffix, l->name);
			if (l->type == VIGIL_LINK_UDP && !given)
				err(p, r->line, "[node %s]: no address.%s: every node needs an address on a UDP link",
				    n->name, l->name);
		}
	}
	if (!p->n[K_NODE])
		err(p, 0, "no [node NAME] section");
	if (!p->n[K_LINK])
		err(p, 0, "no [link NAME] section");
}

/* ------------------------------------------------------------------ */
/* [resource NAME] */

static void timing(struct parser *p, const struct raw *r,
		   const char *const *keys, struct vigil_conf_timing *t)
{
	opt_duration(p, r, T_MONITOR_INTERVAL, keys, VIGIL_CONF_INTERVAL_MIN_MS,
		     VIGIL_CONF_INTERVAL_MAX_MS, true, &t->monitor_interval_ms);
	opt_duration(p, r, T_START_TIMEOUT, keys, VIGIL_CONF_TIMEOUT_MIN_MS,
		     VIGIL_CONF_TIMEOUT_MAX_MS, false, &t->start_timeout_ms);
	opt_duration(p, r, T_STOP_TIMEOUT, keys, VIGIL_CONF_TIMEOUT_MIN_MS,
		     VIGIL_CONF_TIMEOUT_MAX_MS, false, &t->stop_timeout_ms);
	opt_duration(p, r, T_MONITOR_TIMEOUT, keys, VIGIL_CONF_TIMEOUT_MIN_MS,
		     VIGIL_CONF_TIMEOUT_MAX_MS, false, &t->monitor_timeout_ms);
}

/* Keys each type takes, besides type and the timings. */
static const unsigned int type_keys[][5] = {
	[VIGIL_CONF_RES_IP] = { R_ADDRESS, R_INTERFACE },
	[VIGIL_CONF_RES_FS] = { R_DEVICE, R_MOUNTPOINT, R_FSTYPE, R_OPTIONS },
	[VIGIL_CONF_RES_EXEC] = { R_START, R_STOP, R_MONITOR },
	[VIGIL_CONF_RES_OCF] = { 0 },
};

static const char *const type_keys_doc[] = {
	[VIGIL_CONF_RES_IP] = "address, interface",
	[VIGIL_CONF_RES_FS] = "device, mountpoint, fstype, options",
	[VIGIL_CONF_RES_EXEC] = "start, stop, monitor",
	[VIGIL_CONF_RES_OCF] = "param.NAME",
};

static void resource_ip(struct parser *p, const struct raw *r,
			struct vigil_conf_resource *res)
{
	const struct raw_val *rv = &r->val[R_ADDRESS];
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long prefix;
	char *end;

	if (!missing(p, r, K_RESOURCE, R_ADDRESS, resource_keys,
		     "ADDRESS/PREFIX, IPv4 or IPv6")) {
		if (strlen(rv->v) >= sizeof(buf))
			goto bad;
		strcpy(buf, rv->v);
		slash = strchr(buf, '/');
		if (!slash || !isdigit((unsigned char)slash[1]))
			goto bad;
		*slash = '\0';
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (errno || *end)
			goto bad;
		if (inet_pton(AF_INET, buf, &res->ip.in) == 1 && prefix <= 32)
			res->ip.family = AF_INET;
		else if (inet_pton(AF_INET6, buf, &res->ip.in6) == 1 &&
			 prefix <= 128)
			res->ip.family = AF_INET6;
		else
			goto bad;
		res->ip.prefix = prefix;
	}
	goto iface;
bad:
	bad(p, rv, "address", "must be IPv4/PREFIX (0..32) or IPv6/PREFIX (0..128), like 192.0.2.10/24");
iface:
	if (!missing(p, r, K_RESOURCE, R_INTERFACE, resource_keys,
		     "the interface the address goes on"))
		opt_ifname(p, r, R_INTERFACE, resource_keys, res->ip.ifname);
}

static void resource_fs(struct parser *p, const struct raw *r,
			struct vigil_conf_resource *res)
{
	const char *const *keys = resource_keys;
	const char *fstype = r->val[R_FSTYPE].v;
	const char *s;

	if (!missing(p, r, K_RESOURCE, R_DEVICE, keys,
		     "a block device or a network filesystem, like /dev/vdb1 or server:/export"))
		opt_string(p, r, R_DEVICE, keys, &res->fs.device);
	if (!missing(p, r, K_RESOURCE, R_MOUNTPOINT, keys, "an absolute path"))
		opt_path(p, r, R_MOUNTPOINT, keys, &res->fs.mountpoint);
	if (!missing(p, r, K_RESOURCE, R_FSTYPE, keys, "like ext4, xfs or nfs")) {
		for (s = fstype; *s; s++) {
			if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_')
				break;
		}
		if (*s)
			bad(p, &r->val[R_FSTYPE], "fstype",
			    "must be a filesystem type, like ext4, xfs or nfs");
		else
			res->fs.fstype = fstype;
	}
	if (r->val[R_OPTIONS].v) {
		if (!r->val[R_OPTIONS].v[0] || strpbrk(r->val[R_OPTIONS].v, " \t") ||
		    !printable(r->val[R_OPTIONS].v))
			bad(p, &r->val[R_OPTIONS], "options",
			    "must be mount options separated by commas, without blanks");
		else
			res->fs.options = r->val[R_OPTIONS].v;
	}
}

static void resource_exec(struct parser *p, const struct raw *r,
			  struct vigil_conf_resource *res)
{
	const char *const *keys = resource_keys;

	if (!missing(p, r, K_RESOURCE, R_START, keys, "a command line"))
		opt_string(p, r, R_START, keys, &res->exec.start);
	if (!missing(p, r, K_RESOURCE, R_STOP, keys, "a command line"))
		opt_string(p, r, R_STOP, keys, &res->exec.stop);
	if (r->val[R_MONITOR].v &&
	    !missing(p, r, K_RESOURCE, R_MONITOR, keys, "a command line"))
		opt_string(p, r, R_MONITOR, keys, &res->exec.monitor);
}

/* ocf:PROVIDER:AGENT, each part a file name. */
static bool resource_ocf(struct parser *p, const struct raw *r,
			 struct vigil_conf_resource *res)
{
	const char *type = r->val[R_TYPE].v, *agent, *s;
	char *prov;

	if (strncmp(type, "ocf:", 4))
		return false;
	prov = pool_dup(p, type + 4);
	agent = strchr(prov, ':');
	if (agent)
		*(char *)agent++ = '\0';
	for (s = prov; agent && *s && name_char(*s); s++)
		;
	if (!agent || !prov[0] || *s || prov[0] == '.')
		goto bad;
	for (s = agent; *s && name_char(*s); s++)
		;
	if (!agent[0] || *s || agent[0] == '.')
		goto bad;
	res->type = VIGIL_CONF_RES_OCF;
	res->ocf.provider = prov;
	res->ocf.agent = agent;
	params(p, r, res->ocf.params, &res->ocf.n_params);
	return true;
bad:
	bad(p, &r->val[R_TYPE], "type",
	    "must be ocf:PROVIDER:AGENT, like ocf:heartbeat:IPaddr2");
	res->type = VIGIL_CONF_RES_OCF;
	return true;
}

static void check_resources(struct parser *p)
{
	struct vigil_conf *conf = p->conf;
	unsigned int i, j, k;

	for (i = 0; i < p->n[K_RESOURCE]; i++) {
		const struct raw *r = &p->raw[K_RESOURCE][i];
		struct vigil_conf_resource *res = &conf->resources[conf->n_resources++];
		const char *type = r->val[R_TYPE].v;

		strcpy(res->name, r->name);
		res->line = r->line;
		res->group = UINT_MAX;
		if (missing(p, r, K_RESOURCE, R_TYPE, resource_keys,
			    "ip, fs, exec or ocf:PROVIDER:AGENT"))
			continue;
		/* The timings are checked here and applied with the group's. */
		if (!strcmp(type, "ip")) {
			res->type = VIGIL_CONF_RES_IP;
			resource_ip(p, r, res);
		} else if (!strcmp(type, "fs")) {
			res->type = VIGIL_CONF_RES_FS;
			resource_fs(p, r, res);
		} else if (!strcmp(type, "exec")) {
			res->type = VIGIL_CONF_RES_EXEC;
			resource_exec(p, r, res);
		} else if (!resource_ocf(p, r, res)) {
			bad(p, &r->val[R_TYPE], "type",
			    "must be ip, fs, exec or ocf:PROVIDER:AGENT");
			continue;
		}
		for (k = R_TYPE + 1; k < R_COUNT; k++) {
			for (j = 0; j < ARRAY_LEN(type_keys[0]); j++) {
				if (type_keys[res->type][j] == k)
					break;
			}
			if (j == ARRAY_LEN(type_keys[0]))
				not_for_type(p, r, k, resource_keys, type,
					     type_keys_doc[res->type]);
		}
		if (res->type != VIGIL_CONF_RES_OCF && r->n_pfx)
			err(p, r->pfx[0].line, "param.%s: not a key of type %s (its keys: %s)",
			    show(p, r->pfx[0].suffix), type,
			    type_keys_doc[res->type]);
	}
}

static int find_resource(const struct vigil_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->n_resources; i++) {
		if (!strcmp(conf->resources[i].name, name))
			return i;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* [group NAME] */

static void group_resources(struct parser *p, const struct raw *r,
			    unsigned int gi)
{
	struct vigil_conf *conf = p->conf;
	struct vigil_conf_group *g = &conf->groups[gi];
	const struct raw_val *rv = &r->val[G_RESOURCES];
	char *copy, *tok, *save;
	int ri;

	if (missing(p, r, K_GROUP, G_RESOURCES, group_keys,
		    "the group's resources in start order"))
		return;
	copy = strdupa(rv->v);
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		struct vigil_conf_resource *res;

		ri = find_resource(conf, tok);
		if (ri < 0) {
			bad(p, rv, "resources", "no [resource %s]", show(p, tok));
			continue;
		}
		res = &conf->resources[ri];
		if (res->group == gi) {
			bad(p, rv, "resources", "%s named twice", tok);
			continue;
		}
		if (res->group != UINT_MAX) {
			bad(p, rv, "resources", "%s is in group %s already (line %u): a resource belongs to one group",
			    tok, conf->groups[res->group].name,
			    conf->groups[res->group].line);
			continue;
		}
		if (g->n_resources == VIGIL_CONF_GROUP_RESOURCES_MAX) {
			bad(p, rv, "resources", "at most %d resources in a group",
			    VIGIL_CONF_GROUP_RESOURCES_MAX);
			return;
		}
		res->group = gi;
		g->resources[g->n_resources++] = ri;
	}
}

static void group_nodes(struct parser *p, const struct raw *r,
			struct vigil_conf_group *g)
{
	const struct raw_val *rv = &r->val[G_NODES];
	char *copy, *tok, *save;
	unsigned int i;
	int ni;

	if (missing(p, r, K_GROUP, G_NODES, group_keys,
		    "the nodes that may run it, best first"))
		return;
	copy = strdupa(rv->v);
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		ni = vigil_conf_node_find(p->conf, tok);
		if (ni < 0) {
			bad(p, rv, "nodes", "no [node %s]", show(p, tok));
			continue;
		}
		for (i = 0; i < g->n_nodes; i++) {
			if (g->nodes[i] == (unsigned int)ni)
				break;
		}
		if (i < g->n_nodes) {
			bad(p, rv, "nodes", "%s named twice", tok);
			continue;
		}
		g->nodes[g->n_nodes++] = ni;
	}
}

static void check_groups(struct parser *p)
{
	const char *const *keys = group_keys;
	struct vigil_conf *conf = p->conf;
	unsigned long v;
	unsigned int i;

	for (i = 0; i < p->n[K_GROUP]; i++) {
		const struct raw *r = &p->raw[K_GROUP][i];
		struct vigil_conf_group *g = &conf->groups[conf->n_groups];

		strcpy(g->name, r->name);
		g->line = r->line;
		g->restart_limit = VIGIL_CONF_RESTART_LIMIT_DEFAULT;
		g->restart_window_ms = VIGIL_CONF_RESTART_WINDOW_DEFAULT_MS;
		g->timing.monitor_interval_ms = VIGIL_CONF_MONITOR_INTERVAL_DEFAULT_MS;
		g->timing.start_timeout_ms = VIGIL_CONF_START_TIMEOUT_DEFAULT_MS;
		g->timing.stop_timeout_ms = VIGIL_CONF_STOP_TIMEOUT_DEFAULT_MS;
		g->timing.monitor_timeout_ms = VIGIL_CONF_MONITOR_TIMEOUT_DEFAULT_MS;
		timing(p, r, keys, &g->timing);
		if (!opt_uint(p, r, G_RESTART_LIMIT, keys, 0,
			      VIGIL_CONF_RESTART_LIMIT_MAX, &v) &&
		    r->val[G_RESTART_LIMIT].v)
			g->restart_limit = v;
		opt_duration(p, r, G_RESTART_WINDOW, keys, VIGIL_CONF_WINDOW_MIN_MS,
			     VIGIL_CONF_WINDOW_MAX_MS, false, &g->restart_window_ms);
		group_resources(p, r, conf->n_groups);
		group_nodes(p, r, g);
		conf->n_groups++;
	}

	/* Every resource in a group; its timings the group's or its own. */
	for (i = 0; i < conf->n_resources; i++) {
		struct vigil_conf_resource *res = &conf->resources[i];
		const struct raw *r = &p->raw[K_RESOURCE][i];

		if (res->group == UINT_MAX) {
			err(p, res->line, "[resource %s]: in no group's resources: it would never run",
			    res->name);
			res->group = 0;
			continue;
		}
		res->timing = conf->groups[res->group].timing;
		timing(p, r, resource_keys, &res->timing);
	}
}

/* ------------------------------------------------------------------ */
/* Across sections: what the kernel will refuse */

static void check_quorum(struct parser *p)
{
	const struct vigil_conf *conf = p->conf;
	const struct vigil_conf_cluster *c = &conf->cluster;
	const struct raw *r;
	struct vigil_quorum q;
	const char *why;
	unsigned int i, line;
	__u64 votes = 0;

	if (!p->n[K_CLUSTER] || !conf->n_nodes)
		return;
	r = &p->raw[K_CLUSTER][0];
	for (i = 0; i < conf->n_nodes; i++)
		votes += conf->nodes[i].votes;
	if (!vigil_quorum_init(&q, votes, c->witness_votes,
			       c->two_node ? VIGIL_CFG_F_TWO_NODE : 0, &why))
		return;
	line = r->val[C_TWO_NODE].v ? r->val[C_TWO_NODE].line : r->line;
	err(p, line, "[cluster]: %s (the nodes have %llu votes, witness_votes = %u, two_node = %s)",
	    why, (unsigned long long)votes, c->witness_votes,
	    c->two_node ? "yes" : "no");
}

/* The line of a kept message, 0 for the file as a whole. */
static unsigned long msg_line(const struct parser *p, const char *m)
{
	size_t n = strlen(p->name);

	if (strncmp(m, p->name, n) || m[n] != ':' || !isdigit((unsigned char)m[n + 1]))
		return 0;
	return strtoul(m + n + 1, NULL, 10);
}

/* The kept messages in file order (stable: insertion sort). */
static void sort_errors(struct parser *p)
{
	struct vigil_conf_errors *e = p->errs;
	char tmp[VIGIL_CONF_ERROR_LEN];
	unsigned int i, j, n = vigil_conf_errors_kept(e);

	for (i = 1; i < n; i++) {
		unsigned long line = msg_line(p, e->msg[i]);

		for (j = i; j > 0 && msg_line(p, e->msg[j - 1]) > line; j--)
			;
		if (j == i)
			continue;
		memcpy(tmp, e->msg[i], sizeof(tmp));
		memmove(e->msg[j + 1], e->msg[j], (i - j) * sizeof(tmp));
		memcpy(e->msg[j], tmp, sizeof(tmp));
	}
}

static struct raw *alloc_raw(struct parser *p)
{
	unsigned int k;

	for (k = 0; k < K_COUNT; k++) {
		p->raw[k] = calloc(kinds[k].max, sizeof(struct raw));
		if (!p->raw[k])
			return NULL;
	}
	return p->raw[0];
}

static void free_raw(struct parser *p)
{
	unsigned int k;

	for (k = 0; k < K_COUNT; k++)
		free(p->raw[k]);
}

/* libinih's knobs (Debian's build makes them variables). */
static void ini_setup(void)
{
	ini_allow_multiline = false;	/* an indented line is a line */
	ini_allow_bom = true;
	/* Comments are whole lines: a command line may hold " ;". */
	ini_allow_inline_comments = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = false;
	ini_use_stack = false;
	ini_allow_realloc = false;
	/* A line, its newline and the NUL. */
	ini_initial_alloc = VIGIL_CONF_LINE_MAX + 2;
	ini_max_line = VIGIL_CONF_LINE_MAX + 2;
}

static int parse(const char *name, const char *text, size_t len,
		 unsigned int flags, struct vigil_conf **out,
		 struct vigil_conf_errors *errs)
{
	struct parser p = {
		.errs = errs, .flags = flags, .name = name,
		.pos = text, .end = text + len,
	};
	struct vigil_conf *conf;
	int ret;

	if (len > VIGIL_CONF_SIZE_MAX) {
		err(&p, 0, "larger than %d bytes", VIGIL_CONF_SIZE_MAX);
		return -EFBIG;
	}
	conf = calloc(1, sizeof(*conf));
	if (!conf)
		return -ENOMEM;
	/*
	 * Each value and KEY.SUFFIX suffix is a piece of one line: twice the
	 * text holds them with their NULs, once more the split ocf types.
	 */
	conf->pool_size = 3 * len + strlen(name) + 64;
	conf->pool = malloc(conf->pool_size);
	p.conf = conf;
	if (!conf->pool || !alloc_raw(&p)) {
		ret = -ENOMEM;
		goto out;
	}
	conf->path = pool_dup(&p, name);

	ini_setup();
	ret = ini_parse_stream(reader, &p, handler, &p);
	if (ret > 0)
		err(&p, ret, "syntax error: expected [SECTION], KEY = VALUE, or a comment starting with ; or #");
	else if (ret < 0)
		err(&p, 0, "libinih failed (%d)", ret);
	if (p.headers)
		err(&p, p.first_header_line, "section without keys");

	check_cluster(&p);
	check_links(&p);
	check_aws(&p);
	check_fences(&p);
	check_nodes(&p);
	check_resources(&p);
	check_groups(&p);
	check_quorum(&p);
	if (conf->cluster.key_file && !(flags & VIGIL_CONF_NO_KEY))
		check_key(&p);
	sort_errors(&p);
	ret = errs->n ? -EINVAL : 0;
out:
	free_raw(&p);
	if (ret) {
		vigil_conf_free(conf);
		return ret;
	}
	*out = conf;
	return 0;
}

/* Without errs, errors still refuse the file: they go to a local list. */
int vigil_conf_parse(const char *name, const char *text, size_t len,
		     unsigned int flags, struct vigil_conf **out,
		     struct vigil_conf_errors *errs)
{
	struct vigil_conf_errors *local = NULL;
	int ret;

	*out = NULL;
	if (!errs) {
		local = malloc(sizeof(*local));
		if (!local)
			return -ENOMEM;
		errs = local;
	}
	memset(errs, 0, sizeof(*errs));
	ret = parse(name, text, len, flags, out, errs);
	free(local);
	return ret;
}

int vigil_conf_load(const char *path, unsigned int flags,
		    struct vigil_conf **out, struct vigil_conf_errors *errs)
{
	struct parser p = { .errs = errs, .name = path };
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	*out = NULL;
	if (errs)
		memset(errs, 0, sizeof(*errs));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		err(&p, 0, "%s", strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		err(&p, 0, "%s", strerror(-ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		err(&p, 0, "not a regular file");
		goto out;
	}
	text = malloc(VIGIL_CONF_SIZE_MAX + 1);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		n = read(fd, text + len, VIGIL_CONF_SIZE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			err(&p, 0, "%s", strerror(-ret));
			goto out;
		}
		if (!n)
			break;
		len += n;
		if (len > VIGIL_CONF_SIZE_MAX) {
			ret = -EFBIG;
			err(&p, 0, "larger than %d bytes", VIGIL_CONF_SIZE_MAX);
			goto out;
		}
	}
	ret = vigil_conf_parse(path, text, len, flags, out, errs);
out:
	free(text);
	close(fd);
	return ret;
}

void vigil_conf_free(struct vigil_conf *conf)
{
	if (!conf)
		return;
	explicit_bzero(conf->cluster.key, sizeof(conf->cluster.key));
	free(conf->pool);
	free(conf);
}

int vigil_conf_node_find(const struct vigil_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->n_nodes; i++) {
		if (!strcmp(conf->nodes[i].name, name))
			return i;
	}
	return -1;
}

int vigil_conf_link_find(const struct vigil_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->n_links; i++) {
		if (!strcmp(conf->links[i].name, name))
			return i;
	}
	return -1;
}

int vigil_conf_group_find(const struct vigil_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->n_groups; i++) {
		if (!strcmp(conf->groups[i].name, name))
			return i;
	}
	return -1;
}

const char *vigil_conf_resource_type_name(enum vigil_conf_resource_type t)
{
	switch (t) {
	case VIGIL_CONF_RES_IP:
		return "ip";
	case VIGIL_CONF_RES_FS:
		return "fs";
	case VIGIL_CONF_RES_EXEC:
		return "exec";
	case VIGIL_CONF_RES_OCF:
		return "ocf";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* What a reload may change */

struct differ {
	const struct vigil_conf *cur, *next;
	struct vigil_conf_errors *why;
	int n;
};

__attribute__((format(printf, 4, 5)))
static void change(struct differ *d, const struct vigil_conf *in,
		   unsigned int line, const char *fmt, ...)
{
	struct parser p = { .errs = d->why, .name = in->path };
	char msg[VIGIL_CONF_ERROR_LEN];
	va_list ap;

	d->n++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err(&p, line, "%s: cannot change while vigild runs", msg);
}

static const char *str_or_none(const char *s)
{
	return s ? s : "(none)";
}

#define DIFF_NUM(d, line, sect, key, a, b)					\
	do {									\
		if ((a) != (b))							\
			change(d, (d)->next, line, "%s %s: %llu -> %llu", sect,	\
			       key, (unsigned long long)(a),			\
			       (unsigned long long)(b));			\
	} while (0)

#define DIFF_STR(d, line, sect, key, a, b)					\
	do {									\
		if (strcmp(str_or_none(a), str_or_none(b)))			\
			change(d, (d)->next, line, "%s %s: %s -> %s", sect, key,	\
			       str_or_none(a), str_or_none(b));			\
	} while (0)

static void diff_cluster(struct differ *d)
{
	const struct vigil_conf_cluster *a = &d->cur->cluster;
	const struct vigil_conf_cluster *b = &d->next->cluster;
	const char *s = "[cluster]";
	unsigned int i, line = b->line;
	bool protect;

	DIFF_STR(d, line, s, "name", a->name, b->name);
	DIFF_NUM(d, line, s, "id", a->id, b->id);
	DIFF_STR(d, line, s, "key_file", a->key_file, b->key_file);
	DIFF_NUM(d, line, s, "key_id", a->key_id, b->key_id);
	if (a->have_key != b->have_key ||
	    memcmp(a->key, b->key, sizeof(a->key)))
		change(d, d->next, line, "%s key_file: the key in it", s);
	DIFF_NUM(d, line, s, "timeout_ms", a->timeout_ms, b->timeout_ms);
	DIFF_NUM(d, line, s, "lease_ms", a->lease_ms, b->lease_ms);
	DIFF_NUM(d, line, s, "two_node", a->two_node, b->two_node);
	DIFF_NUM(d, line, s, "witness_votes", a->witness_votes, b->witness_votes);
	DIFF_NUM(d, line, s, "on_quorum_loss", a->fence[VIGIL_CAUSE_QUORUM].action,
		 b->fence[VIGIL_CAUSE_QUORUM].action);
	DIFF_NUM(d, line, s, "on_quorum_loss_delay_ms",
		 a->fence[VIGIL_CAUSE_QUORUM].delay_ms,
		 b->fence[VIGIL_CAUSE_QUORUM].delay_ms);
	DIFF_NUM(d, line, s, "on_daemon_failure",
		 a->fence[VIGIL_CAUSE_DAEMON].action,
		 b->fence[VIGIL_CAUSE_DAEMON].action);
	DIFF_NUM(d, line, s, "on_daemon_failure_delay_ms",
		 a->fence[VIGIL_CAUSE_DAEMON].delay_ms,
		 b->fence[VIGIL_CAUSE_DAEMON].delay_ms);
	DIFF_NUM(d, line, s, "operator_fence_delay_ms",
		 a->fence[VIGIL_CAUSE_OPERATOR].delay_ms,
		 b->fence[VIGIL_CAUSE_OPERATOR].delay_ms);
	DIFF_NUM(d, line, s, "daemon_watchdog_ms", a->daemon_watchdog_ms,
		 b->daemon_watchdog_ms);
	protect = a->n_protect != b->n_protect;
	for (i = 0; !protect && i < a->n_protect; i++)
		protect = strcmp(a->protect[i], b->protect[i]);
	if (protect)
		change(d, d->next, line, "%s protect", s);
	DIFF_NUM(d, line, s, "failback", a->failback, b->failback);
}

/* Added and removed sections, by name. */
#define DIFF_SET(d, kind, arr, n_arr, find)					\
	do {									\
		unsigned int i_;						\
										\
		for (i_ = 0; i_ < (d)->next->n_arr; i_++) {			\
			if (find((d)->cur, (d)->next->arr[i_].name) < 0)	\
				change(d, (d)->next, (d)->next->arr[i_].line,	\
				       "[%s %s] added", kind,			\
				       (d)->next->arr[i_].name);		\
		}								\
		for (i_ = 0; i_ < (d)->cur->n_arr; i_++) {			\
			if (find((d)->next, (d)->cur->arr[i_].name) < 0)	\
				change(d, (d)->cur, (d)->cur->arr[i_].line,	\
				       "[%s %s] removed", kind,			\
				       (d)->cur->arr[i_].name);		\
		}								\
	} while (0)

static const char *link_type(const struct vigil_conf_link *l)
{
	if (l->type == VIGIL_LINK_L2)
		return "l2";
	return l->family == AF_INET ? "udp4" : "udp6";
}

static void diff_links(struct differ *d)
{
	char s[VIGIL_NAME_MAX + 8];
	unsigned int i;
	int j;

	DIFF_SET(d, "link", links, n_links, vigil_conf_link_find);
	for (i = 0; i < d->next->n_links; i++) {
		const struct vigil_conf_link *b = &d->next->links[i], *a;

		j = vigil_conf_link_find(d->cur, b->name);
		if (j < 0)
			continue;
		a = &d->cur->links[j];
		snprintf(s, sizeof(s), "[link %s]", b->name);
		DIFF_NUM(d, b->line, s, "index", a->index, b->index);
		DIFF_STR(d, b->line, s, "type", link_type(a), link_type(b));
		DIFF_STR(d, b->line, s, "interface", a->ifname, b->ifname);
		DIFF_NUM(d, b->line, s, "ethertype", a->ethertype, b->ethertype);
		DIFF_NUM(d, b->line, s, "port", a->port, b->port);
	}
}

static int fence_find(const struct vigil_conf *conf, const char *name)
{
	return find_fence(conf, name);
}

static int resource_find(const struct vigil_conf *conf, const char *name)
{
	return find_resource(conf, name);
}

static void diff_nodes(struct differ *d)
{
	char s[VIGIL_NAME_MAX + 8];
	unsigned int i, k;
	bool fences;
	int j, l;

	DIFF_SET(d, "node", nodes, n_nodes, vigil_conf_node_find);
	for (i = 0; i < d->next->n_nodes; i++) {
		const struct vigil_conf_node *b = &d->next->nodes[i], *a;

		j = vigil_conf_node_find(d->cur, b->name);
		if (j < 0)
			continue;
		a = &d->cur->nodes[j];
		snprintf(s, sizeof(s), "[node %s]", b->name);
		DIFF_NUM(d, b->line, s, "id", a->id, b->id);
		DIFF_NUM(d, b->line, s, "votes", a->votes, b->votes);
		DIFF_NUM(d, b->line, s, "reset_priority", a->reset_priority,
			 b->reset_priority);
		for (k = 0; k < d->next->n_links; k++) {
			const struct vigil_config_addr *y = &b->addr[k];

			l = vigil_conf_link_find(d->cur, d->next->links[k].name);
			if (l < 0)
				continue;
			if (y->kind != a->addr[l].kind ||
			    (y->kind != VIGIL_ADDR_NONE && !same_addr(y, &a->addr[l])))
				change(d, d->next, b->line, "%s address.%s", s,
				       d->next->links[k].name);
		}
		fences = a->n_fence != b->n_fence;
		for (k = 0; !fences && k < b->n_fence; k++)
			fences = strcmp(d->cur->fences[a->fence[k]].name,
					d->next->fences[b->fence[k]].name);
		if (fences)
			change(d, d->next, b->line, "%s fence", s);
	}
}

static bool same_params(const struct vigil_conf_param *a, unsigned int na,
			const struct vigil_conf_param *b, unsigned int nb)
{
	unsigned int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		if (strcmp(a[i].key, b[i].key) || strcmp(a[i].value, b[i].value))
			return false;
	}
	return true;
}

static void diff_fences(struct differ *d)
{
	char s[VIGIL_NAME_MAX + 8];
	unsigned int i;
	int j;

	DIFF_SET(d, "fence", fences, n_fences, fence_find);
	for (i = 0; i < d->next->n_fences; i++) {
		const struct vigil_conf_fence *b = &d->next->fences[i], *a;

		j = find_fence(d->cur, b->name);
		if (j < 0)
			continue;
		a = &d->cur->fences[j];
		snprintf(s, sizeof(s), "[fence %s]", b->name);
		DIFF_NUM(d, b->line, s, "type", a->type, b->type);
		DIFF_STR(d, b->line, s, "agent", a->agent, b->agent);
		DIFF_NUM(d, b->line, s, "action", a->action, b->action);
		DIFF_NUM(d, b->line, s, "timeout (ms)", a->timeout_ms,
			 b->timeout_ms);
		DIFF_NUM(d, b->line, s, "status_timeout (ms)",
			 a->status_timeout_ms, b->status_timeout_ms);
		if (!same_params(a->params, a->n_params, b->params, b->n_params))
			change(d, d->next, b->line, "%s param.*", s);
	}
}

static void diff_resources(struct differ *d)
{
	char s[VIGIL_NAME_MAX + 16];
	unsigned int i;
	int j;

	DIFF_SET(d, "resource", resources, n_resources, resource_find);
	for (i = 0; i < d->next->n_resources; i++) {
		const struct vigil_conf_resource *b = &d->next->resources[i], *a;

		j = find_resource(d->cur, b->name);
		if (j < 0)
			continue;
		a = &d->cur->resources[j];
		snprintf(s, sizeof(s), "[resource %s]", b->name);
		if (a->type != b->type) {
			change(d, d->next, b->line, "%s type: %s -> %s", s,
			       vigil_conf_resource_type_name(a->type),
			       vigil_conf_resource_type_name(b->type));
			continue;
		}
		switch (b->type) {
		case VIGIL_CONF_RES_IP:
			if (a->ip.family != b->ip.family ||
			    a->ip.prefix != b->ip.prefix ||
			    memcmp(&a->ip.in6, &b->ip.in6, b->ip.family == AF_INET ?
				   sizeof(b->ip.in) : sizeof(b->ip.in6)))
				change(d, d->next, b->line, "%s address", s);
			DIFF_STR(d, b->line, s, "interface", a->ip.ifname,
				 b->ip.ifname);
			break;
		case VIGIL_CONF_RES_FS:
			DIFF_STR(d, b->line, s, "device", a->fs.device, b->fs.device);
			DIFF_STR(d, b->line, s, "mountpoint", a->fs.mountpoint,
				 b->fs.mountpoint);
			DIFF_STR(d, b->line, s, "fstype", a->fs.fstype, b->fs.fstype);
			DIFF_STR(d, b->line, s, "options", a->fs.options,
				 b->fs.options);
			break;
		case VIGIL_CONF_RES_EXEC:
			DIFF_STR(d, b->line, s, "start", a->exec.start, b->exec.start);
			DIFF_STR(d, b->line, s, "stop", a->exec.stop, b->exec.stop);
			DIFF_STR(d, b->line, s, "monitor", a->exec.monitor,
				 b->exec.monitor);
			break;
		case VIGIL_CONF_RES_OCF:
			DIFF_STR(d, b->line, s, "provider", a->ocf.provider,
				 b->ocf.provider);
			DIFF_STR(d, b->line, s, "agent", a->ocf.agent, b->ocf.agent);
			if (!same_params(a->ocf.params, a->ocf.n_params,
					 b->ocf.params, b->ocf.n_params))
				change(d, d->next, b->line, "%s param.*", s);
			break;
		}
	}
}

static void diff_groups(struct differ *d)
{
	char s[VIGIL_NAME_MAX + 8];
	unsigned int i, k;
	bool differ;
	int j;

	DIFF_SET(d, "group", groups, n_groups, vigil_conf_group_find);
	for (i = 0; i < d->next->n_groups; i++) {
		const struct vigil_conf_group *b = &d->next->groups[i], *a;

		j = vigil_conf_group_find(d->cur, b->name);
		if (j < 0)
			continue;
		a = &d->cur->groups[j];
		snprintf(s, sizeof(s), "[group %s]", b->name);
		differ = a->n_resources != b->n_resources;
		for (k = 0; !differ && k < b->n_resources; k++)
			differ = strcmp(d->cur->resources[a->resources[k]].name,
					d->next->resources[b->resources[k]].name);
		if (differ)
			change(d, d->next, b->line, "%s resources", s);
		differ = a->n_nodes != b->n_nodes;
		for (k = 0; !differ && k < b->n_nodes; k++)
			differ = strcmp(d->cur->nodes[a->nodes[k]].name,
					d->next->nodes[b->nodes[k]].name);
		if (differ)
			change(d, d->next, b->line, "%s nodes", s);
		/* Timings, restart limit and window: live. */
	}
}

int vigil_conf_live_diff(const struct vigil_conf *cur,
			 const struct vigil_conf *next,
			 struct vigil_conf_errors *why)
{
	struct differ d = { .cur = cur, .next = next, .why = why };

	if (why)
		memset(why, 0, sizeof(*why));
	diff_cluster(&d);
	diff_links(&d);
	diff_nodes(&d);
	diff_fences(&d);
	diff_resources(&d);
	diff_groups(&d);
	return d.n;
}

/* ------------------------------------------------------------------ */
/* To the kernel */

int vigil_conf_to_kernel(const struct vigil_conf *conf, unsigned int self,
			 struct vigil_config *out)
{
	const struct vigil_conf_cluster *c = &conf->cluster;
	unsigned int i, j, cause;

	if (self >= conf->n_nodes)
		return -EINVAL;
	if (!c->have_key)
		return -ENOKEY;
	memset(out, 0, sizeof(*out));
	out->cluster_id = c->id;
	out->node_id = conf->nodes[self].id;
	out->timeout_ms = c->timeout_ms;
	out->flags = c->two_node ? VIGIL_CFG_F_TWO_NODE : 0;
	out->witness_votes = c->witness_votes;
	out->n_keys = 1;
	out->keys[0].id = c->key_id;
	out->keys[0].primary = true;
	memcpy(out->keys[0].secret, c->key, VIGIL_KEY_LEN);

	out->n_links = conf->n_links;
	for (i = 0; i < conf->n_links; i++) {
		const struct vigil_conf_link *l = &conf->links[i];
		struct vigil_config_link *o = &out->links[i];

		o->index = l->index;
		strcpy(o->name, l->name);
		o->type = l->type;
		strcpy(o->ifname, l->ifname);
		if (l->type == VIGIL_LINK_L2) {
			o->ethertype = l->ethertype;
		} else {
			o->port = l->port;
			o->family = l->family;
		}
	}

	out->n_nodes = conf->n_nodes;
	for (i = 0; i < conf->n_nodes; i++) {
		const struct vigil_conf_node *n = &conf->nodes[i];
		struct vigil_config_node *o = &out->nodes[i];

		o->id = n->id;
		strcpy(o->name, n->name);
		o->has_votes = true;
		o->votes = n->votes;
		for (j = 0; j < conf->n_links; j++) {
			if (n->addr[j].kind != VIGIL_ADDR_NONE)
				o->addrs[o->n_addrs++] = n->addr[j];
		}
	}

	out->lease_ms = c->lease_ms;
	out->n_protect = c->n_protect;
	memcpy(out->protect, c->protect, sizeof(out->protect));
	for (cause = VIGIL_CAUSE_QUORUM; cause <= VIGIL_CAUSE_MAX; cause++) {
		struct vigil_fence_rule *r = &out->fence[out->n_fence++];

		*r = c->fence[cause];
		/* The kernel takes the operator's delay only, but an action. */
		if (r->action == VIGIL_ACTION_UNSPEC)
			r->action = VIGIL_ACTION_NONE;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* check-config */

static const char *plural(unsigned int n)
{
	return n == 1 ? "" : "s";
}

int vigil_conf_check(const char *path, unsigned int flags, FILE *out,
		     FILE *errf)
{
	struct vigil_conf_errors *errs;
	struct vigil_conf *conf;
	unsigned int i;
	int ret;

	errs = malloc(sizeof(*errs));
	if (!errs) {
		fprintf(errf, "%s: %s\n", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = vigil_conf_load(path, flags, &conf, errs);
	if (!ret) {
		fprintf(out, "%s: ok: cluster %s (id %u), %u node%s, %u link%s, %u group%s, %u resource%s, %u fence method%s%s\n",
			path, conf->cluster.name, conf->cluster.id,
			conf->n_nodes, plural(conf->n_nodes),
			conf->n_links, plural(conf->n_links),
			conf->n_groups, plural(conf->n_groups),
			conf->n_resources, plural(conf->n_resources),
			conf->n_fences, plural(conf->n_fences),
			flags & VIGIL_CONF_NO_KEY ? " (key file not checked)" : "");
		vigil_conf_free(conf);
	} else if (!errs->n) {
		fprintf(errf, "%s: %s\n", path, strerror(-ret));
	} else {
		for (i = 0; i < vigil_conf_errors_kept(errs); i++)
			fprintf(errf, "%s\n", errs->msg[i]);
		if (errs->n > VIGIL_CONF_ERRORS_MAX)
			fprintf(errf, "%s: %u more error%s not shown\n", path,
				errs->n - VIGIL_CONF_ERRORS_MAX,
				plural(errs->n - VIGIL_CONF_ERRORS_MAX));
	}
	free(errs);
	return ret;
}
