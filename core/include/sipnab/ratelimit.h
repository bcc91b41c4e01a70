/* Token buckets per source address, and optionally in total: the rate limit
 * in front of every listener (HEP input, the REST API). Pure and bounded:
 * sources live in a fixed table of `slots`, 4-way set-associative, and a new
 * source takes over the stalest bucket of its set. Time is the caller's clock
 * in microseconds. Burst = one second's worth of tokens unless set
 * (snb_ratelimit_set_burst). Header of the
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
/* How many seconds' worth of tokens a quiet source may spend at once
 * (default 1): with 0.1, no one-second window lets through more than the
 * rate plus a tenth of it (the REST API's "100 per second"). */
void snb_ratelimit_set_burst(snb_ratelimit_t *r, double seconds);
/* A sliding one-second window (a counter per second, weighted) instead of
 * token buckets: about `rate` in any one-second window, never 2 x rate as a
 * full bucket plus a second of refill allows, while a quiet source may
 * still send `rate` at once. */
void snb_ratelimit_set_sliding(snb_ratelimit_t *r);
/* true: let this one through (and charge it). */
bool snb_ratelimit_allow(snb_ratelimit_t *r, const snb_addr_t *src, uint64_t now_us);

#endif
