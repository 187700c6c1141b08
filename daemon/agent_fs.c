// SPDX-License-Identifier: GPL-2.0
/*
 * The fs resource agent: mount and unmount a filesystem. mount(2) and
 * umount2(2) run in a child (a mount of a dying disk or an unreachable
 * server can block for minutes: the child carries the timeout, not the
 * loop); network filesystems go through /bin/mount, whose helpers
 * (mount.nfs, mount.cifs) resolve servers and options. The monitor reads
 * /proc/self/mountinfo in-process. A stop never forces: a filesystem in
 * use fails the stop with VIGIL_AGENT_ERR_BUSY, which is what must
 * escalate to a self-fence upstream.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "agent.h"

#define MOUNTINFO "/proc/self/mountinfo"
#define MOUNTINFO_MAX (4 * 1024 * 1024)
#define MOUNT_BIN "/bin/mount"

/* The fs children's exit codes. */
enum {
	FS_EXIT_OK = 0,
	FS_EXIT_ERROR = 1,
	FS_EXIT_BUSY = 2,
};

static const char *const network_fs[] = {
	"nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", "9p", NULL,
};

static bool is_network_fs(const char *fstype)
{
	unsigned int i;

	if (!strncmp(fstype, "fuse", 4))
		return true;
	for (i = 0; network_fs[i]; i++)
		if (!strcmp(fstype, network_fs[i]))
			return true;
	return false;
}

/* mountinfo's octal escapes (\040 for a blank, ...), in place. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int vigil_agent_fs_mounted(const char *mountinfo, const char *mountpoint,
			   const char *device, char *other, size_t len)
{
	char *text, *line, *save = NULL;
	unsigned int maj = 0, min = 0, dmaj = 0, dmin = 0;
	bool blk = false;
	struct stat st;
	int found = 0;

	if (device && !stat(device, &st) && S_ISBLK(st.st_mode)) {
		blk = true;
		dmaj = major(st.st_rdev);
		dmin = minor(st.st_rdev);
	}
	text = strdup(mountinfo);
	if (!text)
		return -ENOMEM;
	/* The last mount at the path is the one on top. */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[24], *p, *s2 = NULL, *src = NULL, *type = NULL;
		unsigned int n = 0, i;

		for (p = strtok_r(line, " ", &s2); p && n < 24;
		     p = strtok_r(NULL, " ", &s2))
			f[n++] = p;
		/* id parent maj:min root mountpoint options [optional...] -
		 * type source superoptions */
		if (n < 9 || sscanf(f[2], "%u:%u", &maj, &min) != 2)
			continue;
		unescape(f[4]);
		if (strcmp(f[4], mountpoint))
			continue;
		for (i = 6; i + 2 < n; i++) {
			if (!strcmp(f[i], "-")) {
				type = f[i + 1];
				src = f[i + 2];
				break;
			}
		}
		if (!src)
			continue;
		unescape(src);
		if (blk ? maj == dmaj && min == dmin : device && !strcmp(src, device)) {
			found = 1;
		} else {
			found = 2;
			if (other)
				snprintf(other, len, "%s (%s)", src, type);
		}
	}
	free(text);
	return found;
}

static int read_mountinfo(char **out)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(MOUNTINFO, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= MOUNTINFO_MAX) {
				ret = -EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* 1 ours, 2 something else, 0 nothing, -errno; why says which. */
static int mounted(const struct vigil_conf_resource *res, char *why, size_t len)
{
	char other[256] = "", *mi = NULL;
	int ret;

	ret = read_mountinfo(&mi);
	if (ret) {
		snprintf(why, len, "%s: reading %s: %s", res->name, MOUNTINFO,
			 strerror(-ret));
		return ret;
	}
	ret = vigil_agent_fs_mounted(mi, res->fs.mountpoint, res->fs.device,
				     other, sizeof(other));
	free(mi);
	if (ret == 1)
		snprintf(why, len, "%s: %s is mounted on %s", res->name,
			 res->fs.device, res->fs.mountpoint);
	else if (ret == 2)
		snprintf(why, len, "%s: %.100s is mounted on %s, not %s", res->name,
			 other, res->fs.mountpoint, res->fs.device);
	else if (ret == 0)
		snprintf(why, len, "%s: nothing is mounted on %s", res->name,
			 res->fs.mountpoint);
	else
		snprintf(why, len, "%s: %s", res->name, strerror(-ret));
	return ret;
}

static const struct {
	const char *name;
	unsigned long set, clear;
} mount_flags[] = {
	{ "defaults", 0, 0 },
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 },
	{ "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "lazytime", MS_LAZYTIME, 0 },
	{ "silent", MS_SILENT, 0 },
};

/* In the child: mount(2), the flag options split from the filesystem's. */
static int mount_child(void *ctx)
{
	const struct vigil_conf_resource *res = ctx;
	const char *opts = res->fs.options ? res->fs.options : "";
	char *copy = strdup(opts), *data = calloc(1, strlen(opts) + 1);
	char *tok, *save = NULL;
	unsigned long flags = 0;
	unsigned int i;

	if (!copy || !data) {
		dprintf(2, "mount: out of memory\n");
		return FS_EXIT_ERROR;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++)
			if (!strcmp(tok, mount_flags[i].name))
				break;
		if (i < sizeof(mount_flags) / sizeof(mount_flags[0])) {
			flags = (flags | mount_flags[i].set) & ~mount_flags[i].clear;
			continue;
		}
		if (*data)
			strcat(data, ",");
		strcat(data, tok);
	}
	if (mount(res->fs.device, res->fs.mountpoint, res->fs.fstype, flags,
		  *data ? data : NULL)) {
		dprintf(2, "mount %s on %s (%s): %s\n", res->fs.device,
			res->fs.mountpoint, res->fs.fstype, strerror(errno));
		return FS_EXIT_ERROR;
	}
	return FS_EXIT_OK;
}

static int umount_child(void *ctx)
{
	const struct vigil_conf_resource *res = ctx;

	if (umount2(res->fs.mountpoint, UMOUNT_NOFOLLOW)) {
		int e = errno;

		dprintf(2, "umount %s: %s\n", res->fs.mountpoint, strerror(e));
		return e == EBUSY ? FS_EXIT_BUSY : FS_EXIT_ERROR;
	}
	return FS_EXIT_OK;
}

static enum vigil_agent_result fs_map(int code, int action, const char *err,
				      char *reason, size_t len)
{
	size_t l = strlen(reason);
	const char *nl = strchr(err, '\n');

	(void)action;
	if (code == FS_EXIT_OK)
		return VIGIL_AGENT_OK;
	/* The child's one line says it best. */
	if (*err)
		snprintf(reason + l, len - l, ": %.*s",
			 nl ? (int)(nl - err) : (int)strlen(err), err);
	if (code == FS_EXIT_BUSY && action == VIGIL_AGENT_STOP)
		return VIGIL_AGENT_ERR_BUSY;
	return VIGIL_AGENT_ERR_GENERIC;
}

int vigil_agent_fs(struct vigil_agents *a,
		   const struct vigil_conf_resource *res,
		   enum vigil_agent_action action, __u32 timeout_ms,
		   vigil_agent_done_fn *done, void *arg,
		   struct vigil_agent_op **op)
{
	static const char *const env[] = { "PATH=" VIGIL_AGENT_PATH, "LC_ALL=C", NULL };
	struct vigil_agent_child c = {
		.timeout_ms = timeout_ms,
		.map = fs_map,
		.map_arg = action,
		.envp = (char **)env,
	};
	char why[VIGIL_AGENT_REASON_LEN], what[96];
	const char *argv[8];
	unsigned int n = 0;
	int m;

	m = mounted(res, why, sizeof(why));
	if (action == VIGIL_AGENT_MONITOR) {
		enum vigil_agent_result r = m == 1 ? VIGIL_AGENT_OK :
			m == 0 ? VIGIL_AGENT_NOT_RUNNING : VIGIL_AGENT_ERR_GENERIC;

		return vigil_agent_immediate(a, r, why, done, arg, op);
	}
	if (m < 0)
		return vigil_agent_immediate(a, VIGIL_AGENT_ERR_GENERIC, why,
					     done, arg, op);
	if (action == VIGIL_AGENT_START && m)	/* 1: started; 2: taken */
		return vigil_agent_immediate(a, m == 1 ? VIGIL_AGENT_OK :
					     VIGIL_AGENT_ERR_GENERIC, why,
					     done, arg, op);
	if (action == VIGIL_AGENT_STOP && m != 1)	/* ours is not there */
		return vigil_agent_immediate(a, VIGIL_AGENT_OK, why, done, arg, op);

	snprintf(what, sizeof(what), "%s %s", res->name, vigil_agent_action_name(action));
	c.what = what;
	if (action == VIGIL_AGENT_STOP) {
		c.fn = umount_child;
		c.ctx = (void *)res;
	} else if (is_network_fs(res->fs.fstype)) {
		argv[n++] = "mount";
		argv[n++] = "-t";
		argv[n++] = res->fs.fstype;
		if (res->fs.options) {
			argv[n++] = "-o";
			argv[n++] = res->fs.options;
		}
		argv[n++] = res->fs.device;
		argv[n++] = res->fs.mountpoint;
		argv[n] = NULL;
		c.path = MOUNT_BIN;
		c.argv = (char **)argv;
	} else {
		c.fn = mount_child;
		c.ctx = (void *)res;
	}
	return vigil_agent_spawn(a, &c, done, arg, op);
}
