// SPDX-License-Identifier: GPL-2.0
/*
 * Heartbeat authentication: HMAC-SHA256 under a cluster key, through the
 * crypto API. Each configured key owns one keyed "hmac(sha256)" transform,
 * allocated when the configuration is built (process context); computing a
 * MAC only uses a descriptor on the stack, so vigil_mac() neither sleeps
 * nor allocates and is safe in softirq context.
 */

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <crypto/hash.h>

#include "core/seam.h"
#include "core/wire.h"
#include "auth.h"

int vigil_key_setup(struct vigil_key *key)
{
	struct crypto_shash *tfm;
	int ret;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	if (crypto_shash_digestsize(tfm) != VIGIL_WIRE_MAC_LEN) {
		ret = -EINVAL;
		goto err_free;
	}
	ret = crypto_shash_setkey(tfm, key->secret, VIGIL_KEY_LEN);
	if (ret)
		goto err_free;
	key->ctx = tfm;
	return 0;

err_free:
	crypto_free_shash(tfm);
	return ret;
}

void vigil_key_destroy(struct vigil_key *key)
{
	if (key->ctx)
		crypto_free_shash(key->ctx);	/* zeroes its key material */
	key->ctx = NULL;
	memzero_explicit(key->secret, sizeof(key->secret));
}

int vigil_mac(const struct vigil_key *key, const void *data, size_t len,
	      u8 out[VIGIL_WIRE_MAC_LEN])
{
	struct crypto_shash *tfm = key->ctx;
	int ret;

	if (!tfm)
		return -ENOKEY;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_digest(desc, data, len, out);
		shash_desc_zero(desc);
	}
	return ret;
}
