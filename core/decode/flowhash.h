/* Bucket counts for the fragment and TCP tables (their keys are hashed
 * with the process key: sipnab/hash.h, snb_hash_fixed). */
#ifndef SNB_FLOWHASH_H
#define SNB_FLOWHASH_H

#include <stdint.h>

/* Smallest power of two >= n (n >= 1), capped so a table stays sane. */
static inline uint32_t snb_pow2_buckets(uint32_t n)
{
    uint32_t b = 64;
    while (b < n && b < (1u << 22))
        b <<= 1;
    return b;
}

#endif
