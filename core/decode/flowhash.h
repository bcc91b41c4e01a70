/* A small, fast hash for the fragment and TCP tables. Keys are fixed-size
 * packed structs (multiple of 8 bytes), so hashing is a few multiply-mix steps
 * over 64-bit words; no need for a general-purpose byte hash. */
#ifndef SNB_FLOWHASH_H
#define SNB_FLOWHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t snb_flowhash(const void *key, size_t len)
{
    const uint8_t *p = key;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h ^= w;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h;
}

/* Smallest power of two >= n (n >= 1), capped so a table stays sane. */
static inline uint32_t snb_pow2_buckets(uint32_t n)
{
    uint32_t b = 64;
    while (b < n && b < (1u << 22))
        b <<= 1;
    return b;
}

#endif
