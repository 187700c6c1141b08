// SPDX-License-Identifier: GPL-2.0
/*
 * vigild: the engine's state on disk, written atomically (state.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

static uint32_t fnv1a(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t h = 2166136261u;

	while (len--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int vigild_state_write(const char *dir, const char *name, const void *buf,
		       size_t len)
{
	char tmp[256];
	int dfd, fd, ret;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto err_dir;
	}
	ret = write_all(fd, buf, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		goto err_tmp;
	if (renameat(dfd, tmp, dfd, name)) {
		ret = -errno;
		goto err_tmp;
	}
	if (fsync(dfd))
		ret = -errno;
	close(dfd);
	return ret;

err_tmp:
	unlinkat(dfd, tmp, 0);
err_dir:
	close(dfd);
	return ret;
}

struct state_file {
	struct vigil_engine_persist p;
	uint32_t sum;
};

int vigild_state_save(const char *dir, const struct vigil_engine_persist *p)
{
	struct state_file f;

	memset(&f, 0, sizeof(f));	/* padding too: the checksum covers it */
	f.p = *p;
	f.sum = fnv1a(&f.p, sizeof(f.p));
	return vigild_state_write(dir, VIGILD_STATE_FILE, &f, sizeof(f));
}

int vigild_state_load(const char *dir, struct vigil_engine_persist *p)
{
	struct state_file f;
	char path[512];
	ssize_t n;
	char extra;
	int fd, ret = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, VIGILD_STATE_FILE) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, &f, sizeof(f));
	if (n < 0)
		ret = -errno;
	else if (n != sizeof(f) || read(fd, &extra, 1) != 0)
		ret = -EBADMSG;
	close(fd);
	if (ret)
		return ret;
	if (f.sum != fnv1a(&f.p, sizeof(f.p)) ||
	    f.p.magic != VIGIL_ENGINE_PERSIST_MAGIC ||
	    f.p.version != VIGIL_ENGINE_PERSIST_VERSION ||
	    f.p.ngroups > VIGIL_ENGINE_GROUPS_MAX)
		return -EBADMSG;
	*p = f.p;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vigild_boot_id(const char *path, uint8_t id[VIGIL_ENGINE_BOOT_ID_LEN])
{
	char buf[64];
	unsigned int k = 0;
	ssize_t n;
	int fd, i;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (i = 0; buf[i] && buf[i] != '\n'; i++) {
		int hi, lo;

		if (buf[i] == '-')
			continue;
		hi = hexval(buf[i]);
		lo = buf[i + 1] ? hexval(buf[i + 1]) : -1;
		if (hi < 0 || lo < 0 || k == VIGIL_ENGINE_BOOT_ID_LEN)
			return -EBADMSG;
		id[k++] = hi << 4 | lo;
		i++;
	}
	return k == VIGIL_ENGINE_BOOT_ID_LEN ? 0 : -EBADMSG;
}
