/* The rate limits of --kill-scanner replies: `total` per second overall and
 * `per_dest` per minute to any one destination address, in a fixed table
 * (4-way set-associative, seeded hash, the stalest entry of a set is
 * reused), so a spoofed flood of scanners cannot turn us into a reflector. */
#ifndef SEC_KILL_LIMIT_H
#define SEC_KILL_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/hash.h"
#include "sipnab/packet.h"

typedef struct sec_kill_limit sec_kill_limit_t;

sec_kill_limit_t *sec_kill_limit_new(uint32_t total_per_s, uint32_t per_dest_per_min,
                                     uint32_t slots, const snb_hash_key_t *key);
void sec_kill_limit_free(sec_kill_limit_t *l);
/* true: send this one (charged). */
bool sec_kill_limit_allow(sec_kill_limit_t *l, const snb_addr_t *dst, uint64_t now_us);

#endif
