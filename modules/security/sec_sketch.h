/* A distinct-count estimate in 32 bytes: linear counting (Whang et al.)
 * over a 256-bit map. Each key sets the bit its (already seeded) hash
 * picks; n ~ -m ln(zeros / m). Good to about 10% up to ~1000 keys, which is
 * what the thresholds need, and the same size for a phone and for a scan of
 * a million extensions. */
#ifndef SEC_SKETCH_H
#define SEC_SKETCH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define SEC_SKETCH_BITS 256

typedef struct sec_sketch {
    uint64_t w[SEC_SKETCH_BITS / 64];
} sec_sketch_t;

static inline void sec_sketch_add(sec_sketch_t *s, uint64_t hash)
{
    unsigned bit = (unsigned)(hash % SEC_SKETCH_BITS);
    s->w[bit / 64] |= 1ULL << (bit % 64);
}

static inline uint32_t sec_sketch_count(const sec_sketch_t *s)
{
    unsigned set = 0;
    for (unsigned i = 0; i < SEC_SKETCH_BITS / 64; i++)
        set += (unsigned)__builtin_popcountll(s->w[i]);
    if (set == 0) return 0;
    unsigned zeros = SEC_SKETCH_BITS - set;
    if (zeros == 0) zeros = 1; /* saturated: the estimate's ceiling (~1400) */
    double n = -(double)SEC_SKETCH_BITS * log((double)zeros / SEC_SKETCH_BITS);
    return (uint32_t)(n + 0.5);
}

static inline void sec_sketch_clear(sec_sketch_t *s)
{
    memset(s, 0, sizeof *s);
}

#endif
