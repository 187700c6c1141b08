/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIGIL_AUTH_H
#define _VIGIL_AUTH_H

#include "core/wire.h"

/* Allocate @key's HMAC transform and set its secret (process context). */
int vigil_key_setup(struct vigil_key *key);
/* Free the transform and wipe the secret. */
void vigil_key_destroy(struct vigil_key *key);

#endif /* _VIGIL_AUTH_H */
