/* The cache of fetched x5u chains: which URLs are held and until when
 * (the chains themselves are in the stir_pki_t). Keyed by URL in a table
 * hashed with the process's secret key (a sender chooses the URLs), capped,
 * least recently used evicted first. An entry lives as long as the
 * server's Cache-Control allows and never past its leaf's notAfter. */
#ifndef STIR_CACHE_H
#define STIR_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/hash.h"

#define STIR_CACHE_DEFAULT_TTL_S 3600 /* without Cache-Control: max-age */

typedef struct stir_cache stir_cache_t;

/* Called when url leaves the cache (expired, evicted, or at free). */
typedef void (*stir_cache_evict_cb)(void *ud, const char *url);

stir_cache_t *stir_cache_new(size_t cap, const snb_hash_key_t *key, stir_cache_evict_cb cb,
                             void *ud);
void stir_cache_free(stir_cache_t *c);

/* true when url is held and fresh at `now` (epoch seconds, wall clock),
 * which makes it the most recently used; a stale entry is dropped. */
bool stir_cache_get(stir_cache_t *c, const char *url, int64_t now);
/* Hold url until `expires` (replacing an older entry), evicting the least
 * recently used one when full. 0, or -1 out of memory. */
int stir_cache_put(stir_cache_t *c, const char *url, int64_t expires);
size_t stir_cache_count(const stir_cache_t *c);

/* Until when a chain fetched at `now` may be kept: now + max-age of the
 * Cache-Control value (default_ttl when it has none), never past the leaf's
 * notAfter; -1 when it must not be kept (no-store, no-cache, max-age=0,
 * already past notAfter). cache_control may be NULL. */
int64_t stir_cache_expiry(const char *cache_control, int64_t now, int64_t not_after,
                          int64_t default_ttl);

#endif
