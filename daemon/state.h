/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigild: the engine's state on disk (/var/lib/vigil/engine.state), and
 * the little that is read from /proc and the environment at start.
 *
 * The file is struct vigil_engine_persist followed by a 32-bit FNV-1a of
 * it, native byte order (the file never leaves the machine). It is
 * written atomically: a temporary file in the same directory, fsync,
 * rename over the old one, fsync of the directory. A file of the wrong
 * size or checksum (a torn write on a filesystem that lost the rename's
 * ordering, an older format) is ignored with a message: the engine then
 * starts without a persisted state.
 */
#ifndef _VIGILD_STATE_H
#define _VIGILD_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define VIGILD_STATE_DIR "/var/lib/vigil"
#define VIGILD_STATE_FILE "engine.state"
#define VIGILD_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* Write buf[0..len) as dir/name atomically. 0 or -errno. */
int vigild_state_write(const char *dir, const char *name, const void *buf,
		       size_t len);
/*
 * Save p as dir/VIGILD_STATE_FILE. 0 or -errno.
 * Load it: 0 and *p; -ENOENT (no file); -EBADMSG (wrong size, checksum,
 * magic or version: ignore it); another -errno.
 */
int vigild_state_save(const char *dir, const struct vigil_engine_persist *p);
int vigild_state_load(const char *dir, struct vigil_engine_persist *p);

/* The UUID in path (VIGILD_BOOT_ID_PATH) as 16 bytes. 0 or -errno. */
int vigild_boot_id(const char *path, uint8_t id[VIGIL_ENGINE_BOOT_ID_LEN]);

#endif /* _VIGILD_STATE_H */
