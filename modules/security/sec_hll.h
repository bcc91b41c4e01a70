/* A distinct-count estimate that does not saturate: HyperLogLog (Flajolet
 * et al.) with 128 one-byte registers, about 9% standard error at any
 * count, with linear counting over the empty registers for small counts.
 * Used for the users a source addresses: an enumeration of ten thousand
 * extensions must still look like one request per user, not like a flood
 * repeating a thousand of them. Hashes are already seeded. */
#ifndef SEC_HLL_H
#define SEC_HLL_H

#include <math.h>
#include <stdint.h>

#define SEC_HLL_REGISTERS 128

typedef struct sec_hll {
    uint8_t r[SEC_HLL_REGISTERS];
} sec_hll_t;

static inline void sec_hll_add(sec_hll_t *h, uint64_t hash)
{
    unsigned idx = (unsigned)(hash >> 57); /* top 7 bits */
    uint64_t rest = hash << 7 | 1ULL << 6; /* never all zero */
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > h->r[idx]) h->r[idx] = rank;
}

static inline uint32_t sec_hll_count(const sec_hll_t *h)
{
    double sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < SEC_HLL_REGISTERS; i++) {
        sum += ldexp(1.0, -(int)h->r[i]);
        zeros += h->r[i] == 0;
    }
    const double m = SEC_HLL_REGISTERS, alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros) e = m * log(m / zeros); /* linear counting */
    return (uint32_t)(e + 0.5);
}

#endif
