/* Token buckets per source address, and optionally in total: the rate limit
 * in front of every listener (HEP input, the REST API). Pure and bounded:
 * sources live in a fixed table of `slots`, 4-way set-associative, and a new
 * source takes over the stalest bucket of its set. Time is the caller's clock
 * in microseconds. Burst = one second's worth of tokens. Header of the
 * snb_util static library (no core needed). */
#ifndef SIPNAB_RATELIMIT_H
#define SIPNAB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/packet.h"

typedef struct snb_ratelimit snb_ratelimit_t;

/* `per_source` events per second for each source (0 = unlimited: allow()
 * is always true), `total` for all together (0 = no total limit). */
snb_ratelimit_t *snb_ratelimit_new(uint32_t per_source, uint32_t total, uint32_t slots);
void snb_ratelimit_free(snb_ratelimit_t *r);
/* true: let this one through (and charge it). */
bool snb_ratelimit_allow(snb_ratelimit_t *r, const snb_addr_t *src, uint64_t now_us);

#endif
