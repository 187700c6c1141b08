// SPDX-License-Identifier: GPL-2.0
/*
 * vigild: the control socket and its line protocol (control.h,
 * Documentation/control.md).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "json.h"
#include "vigild.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct conn {
	int fd;				/* -1: free */
	size_t len;
	char buf[VIGILD_CONTROL_LINE_MAX];
};

struct vigild_control {
	int fd;
	char path[108];
	struct conn conns[VIGILD_CONTROL_CLIENTS];
};

static const struct {
	const char *word;
	enum vigild_request_type type;
	unsigned int min, max;		/* arguments */
	const char *usage;
} commands[] = {
	{ "status", VIGILD_REQ_STATUS, 0, 1, "status [json]" },
	{ "switchover", VIGILD_REQ_SWITCHOVER, 1, 2, "switchover GROUP [NODE]" },
	{ "act", VIGILD_REQ_ACT, 1, 1, "act GROUP" },
	{ "start", VIGILD_REQ_START, 1, 1, "start GROUP" },
	{ "stop", VIGILD_REQ_STOP, 1, 1, "stop GROUP" },
};

int vigild_control_parse(const char *line, struct vigild_request *req,
			 char *err, size_t len)
{
	char copy[VIGILD_CONTROL_LINE_MAX];
	char *words[4], *save = NULL, *w;
	unsigned int n = 0, i;
	size_t l = strlen(line);

	memset(req, 0, sizeof(*req));
	if (l >= sizeof(copy)) {
		snprintf(err, len, "request longer than %d bytes",
			 VIGILD_CONTROL_LINE_MAX - 1);
		return -EINVAL;
	}
	memcpy(copy, line, l + 1);
	if (l && copy[l - 1] == '\r')
		copy[--l] = '\0';
	for (i = 0; i < l; i++) {
		if ((unsigned char)copy[i] < 0x20 && copy[i] != '\t') {
			snprintf(err, len, "control character in the request");
			return -EINVAL;
		}
	}
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == ARRAY_SIZE(words)) {
			snprintf(err, len, "too many words in the request");
			return -EINVAL;
		}
		words[n++] = w;
	}
	if (!n) {
		snprintf(err, len, "empty request");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(words[0], commands[i].word))
			break;
	if (i == ARRAY_SIZE(commands)) {
		snprintf(err, len, "unknown command `%.64s'", words[0]);
		return -EINVAL;
	}
	if (n - 1 < commands[i].min || n - 1 > commands[i].max) {
		snprintf(err, len, "usage: %s", commands[i].usage);
		return -EINVAL;
	}
	req->type = commands[i].type;
	if (req->type == VIGILD_REQ_STATUS) {
		if (n == 2 && strcmp(words[1], "json")) {
			snprintf(err, len, "usage: %s", commands[i].usage);
			return -EINVAL;
		}
		req->json = n == 2;
		return 0;
	}
	if (strlen(words[1]) >= sizeof(req->group)) {
		snprintf(err, len, "no group `%.64s'", words[1]);
		return -EINVAL;
	}
	strcpy(req->group, words[1]);
	if (n == 3) {
		if (strlen(words[2]) >= sizeof(req->node)) {
			snprintf(err, len, "no node `%.64s'", words[2]);
			return -EINVAL;
		}
		strcpy(req->node, words[2]);
	}
	return 0;
}

/* Only printable text on a reply line. */
static void clean(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? ' ' : src[i];
	dst[i] = '\0';
}

static void iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void jstr(struct vigil_json *j, const char *key, const char *v)
{
	vigil_json_key(j, key);
	vigil_json_string(j, v);
}

static void status(struct vigild_cluster *c, bool json, uint64_t now_ms,
		   time_t now_real, FILE *out)
{
	struct vigil_json j;
	unsigned int g;

	if (json) {
		vigil_json_init(&j, out);
		vigil_json_object_begin(&j);
		jstr(&j, "node", c->conf->nodes[c->self].name);
		vigil_json_key(&j, "groups");
		vigil_json_array_begin(&j);
	} else {
		fprintf(out, "node\t%s\n", c->conf->nodes[c->self].name);
	}
	for (g = 0; g < c->conf->n_groups; g++) {
		struct vigild_group_info gi;
		char since[32], err[VIGILD_ERROR_LEN];
		time_t t;

		vigild_cluster_group_info(c, g, &gi);
		t = now_real - (time_t)((now_ms - gi.since_ms) / 1000);
		if (gi.since_ms > now_ms)
			t = now_real;
		iso_time(t, since, sizeof(since));
		clean(err, gi.last_error, sizeof(err));
		if (json) {
			vigil_json_object_begin(&j);
			jstr(&j, "name", gi.name);
			jstr(&j, "state", gi.state);
			jstr(&j, "node", gi.node[0] ? gi.node : NULL);
			jstr(&j, "since", since);
			jstr(&j, "reason", gi.reason);
			jstr(&j, "last_error", err[0] ? err : NULL);
			vigil_json_object_end(&j);
		} else {
			fprintf(out, "group\t%s\t%s\t%s\t%s\t%s\t%s\n", gi.name,
				gi.state, gi.node[0] ? gi.node : "-", since,
				gi.reason, err);
		}
	}
	if (json) {
		vigil_json_array_end(&j);
		vigil_json_object_end(&j);
		vigil_json_finish(&j);
	}
	fprintf(out, "ok\n");
}

void vigild_control_handle(struct vigild_cluster *c,
			   const struct vigild_request *req, uint64_t now_ms,
			   time_t now_real, FILE *out)
{
	struct vigil_engine_input in = { 0 };
	const char *what = "";
	int g, n, ret;

	if (req->type == VIGILD_REQ_STATUS) {
		status(c, req->json, now_ms, now_real, out);
		return;
	}
	g = vigild_cluster_group_find(c, req->group);
	if (g < 0) {
		fprintf(out, "error: no group `%s' in %s\n", req->group,
			c->conf->path);
		return;
	}
	in.group = g;
	switch (req->type) {
	case VIGILD_REQ_SWITCHOVER:
		in.type = VIGIL_EIN_OP_SWITCHOVER;
		what = "switchover";
		if (req->node[0]) {
			n = vigil_conf_node_find(c->conf, req->node);
			if (n < 0) {
				fprintf(out, "error: no node `%s' in %s\n",
					req->node, c->conf->path);
				return;
			}
			in.node = c->conf->nodes[n].id;
		}
		break;
	case VIGILD_REQ_ACT:
		in.type = VIGIL_EIN_OP_ACT;
		what = "act";
		break;
	case VIGILD_REQ_START:
		in.type = VIGIL_EIN_OP_START;
		what = "start";
		break;
	default:
		in.type = VIGIL_EIN_OP_STOP;
		what = "stop";
		break;
	}
	vigild_log("control: %s %s%s%s", what, req->group,
		   req->node[0] ? " " : "", req->node);
	ret = vigild_cluster_feed(c, &in);
	if (!ret)
		fprintf(out, "ok\n");
	else if (ret == -EAGAIN)
		fprintf(out, "error: %s %s: refused now: this node is not quorate with a fresh lease, or the group is not in a state for it (see status)\n",
			what, req->group);
	else if (ret == -EINVAL && req->node[0])
		fprintf(out, "error: %s %s: node %s cannot run it now (not in its nodes, not up, or the group failed there)\n",
			what, req->group, req->node);
	else
		fprintf(out, "error: %s %s: %s\n", what, req->group,
			strerror(-ret));
}

bool vigild_control_allowed(uid_t uid)
{
	return uid == 0;
}

/* --- the socket -------------------------------------------------------------- */

int vigild_control_open(const char *path, struct vigild_control **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vigild_control *ctl;
	char dir[sizeof(sa.sun_path)], *slash;
	unsigned int i;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(ctl->conns); i++)
		ctl->conns[i].fd = -1;
	strcpy(ctl->path, path);

	/* Someone answering there: another vigild. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		ret = -EADDRINUSE;
		goto err_free;
	}
	close(fd);
	unlink(path);

	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	/* Mode 0600 from the start: bind under a umask that says so. */
	{
		mode_t old = umask(0177);

		ret = bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
		umask(old);
	}
	if (!ret && chmod(path, 0600))
		ret = -errno;
	if (!ret && listen(ctl->fd, 16))
		ret = -errno;
	if (ret)
		goto err_close;
	*out = ctl;
	return 0;

err_close:
	close(ctl->fd);
err_free:
	free(ctl);
	return ret;
}

void vigild_control_close(struct vigild_control *ctl)
{
	unsigned int i;

	if (!ctl)
		return;
	for (i = 0; i < ARRAY_SIZE(ctl->conns); i++)
		if (ctl->conns[i].fd >= 0)
			close(ctl->conns[i].fd);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
}

int vigild_control_fd(const struct vigild_control *ctl)
{
	return ctl->fd;
}

/* Best effort: the client is local and the reply small. */
static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

static void refuse(int fd, const char *msg)
{
	send_all(fd, msg, strlen(msg));
	close(fd);
}

int vigild_control_accept(struct vigild_control *ctl,
			  int (*add)(void *arg, int fd), void *arg)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	unsigned int i;
	int fd;

	for (;;) {
		fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				return 0;
			return -errno;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
		    !vigild_control_allowed(cred.uid)) {
			vigild_log("control: refused a connection from uid %d pid %d: root only",
				   clen == sizeof(cred) ? (int)cred.uid : -1,
				   clen == sizeof(cred) ? (int)cred.pid : -1);
			refuse(fd, "error: permission denied: the control socket is for root only\n");
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(ctl->conns); i++)
			if (ctl->conns[i].fd < 0)
				break;
		if (i == ARRAY_SIZE(ctl->conns)) {
			refuse(fd, "error: too many connections; try again\n");
			continue;
		}
		if (add(arg, fd)) {
			refuse(fd, "error: internal error\n");
			continue;
		}
		ctl->conns[i].fd = fd;
		ctl->conns[i].len = 0;
	}
}

static struct conn *find_conn(struct vigild_control *ctl, int fd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctl->conns); i++)
		if (ctl->conns[i].fd == fd)
			return &ctl->conns[i];
	return NULL;
}

int vigild_control_read(struct vigild_control *ctl, int fd,
			struct vigild_cluster *c)
{
	struct conn *cn = find_conn(ctl, fd);
	struct vigild_request req;
	struct timespec ts;
	char err[256], *nl, *reply = NULL;
	size_t rlen = 0;
	ssize_t n;
	FILE *out;

	if (!cn) {
		close(fd);
		return 1;
	}
	n = recv(fd, cn->buf + cn->len, sizeof(cn->buf) - 1 - cn->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		goto done;
	cn->len += n;
	cn->buf[cn->len] = '\0';
	nl = memchr(cn->buf, '\n', cn->len);
	if (!nl) {
		if (cn->len < sizeof(cn->buf) - 1)
			return 0;
		refuse(fd, "error: request line too long\n");
		cn->fd = -1;
		return 1;
	}
	*nl = '\0';
	out = open_memstream(&reply, &rlen);
	if (!out)
		goto done;
	if (vigild_control_parse(cn->buf, &req, err, sizeof(err))) {
		fprintf(out, "error: %s\n", err);
	} else {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		vigild_control_handle(c, &req,
				      (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
				      time(NULL), out);
	}
	fclose(out);
	send_all(fd, reply, rlen);
	free(reply);
done:
	close(fd);
	cn->fd = -1;
	return 1;
}
