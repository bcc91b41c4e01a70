/* Seeded hashing for every table keyed by what a sender controls (Call-IDs,
 * addresses, ports, SSRCs), so nobody can aim a flood of keys at one
 * bucket. The process has one random key (snb_core_hash_key); pure
 * libraries take it in their configuration.
 *
 * Two functions, because the keys are of two kinds:
 *  - snb_hash_bytes: SipHash-1-3 (Aumasson and Bernstein), for strings of
 *    any length such as Call-IDs; a keyed PRF, so an outsider learns
 *    nothing useful from timing.
 *  - snb_hash_words: NH, the universal hash of UMAC and VMAC, over 32-bit
 *    words (a 5-tuple and SSRC: 4 words for IPv4, 10 for IPv6), then a
 *    keyed final mix. Sum of (w[2i] + k[2i]) * (w[2i+1] + k[2i+1]) mod 2^64
 *    with secret random k: two different keys of the same length collide
 *    with probability about 2^-32 whatever they are, so a sender who does
 *    not know k cannot build colliding tuples. It costs one multiply per
 *    two words: cheap enough for every RTP packet, where SipHash is not.
 * Header-only for the hot path. */
#ifndef SIPNAB_HASH_H
#define SIPNAB_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SNB_HASH_MAX_WORDS 16

typedef struct snb_hash_key {
    uint64_t sip[2];                 /* SipHash key */
    uint32_t nh[SNB_HASH_MAX_WORDS]; /* NH key, one per word position */
    uint64_t fin;                    /* final mix of NH */
} snb_hash_key_t;

/* A new random key (getrandom(2), else /dev/urandom). */
void snb_hash_key_random(snb_hash_key_t *key);
/* A key made from two seed words (the same seed, the same key: for tests
 * and for a process that must hash like another). */
void snb_hash_key_from_seed(snb_hash_key_t *key, uint64_t s0, uint64_t s1);

#define SNB_SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void snb_sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = SNB_SIP_ROTL(v[1], 13);
    v[1] ^= v[0];
    v[0] = SNB_SIP_ROTL(v[0], 32);
    v[2] += v[3];
    v[3] = SNB_SIP_ROTL(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = SNB_SIP_ROTL(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = SNB_SIP_ROTL(v[1], 17);
    v[1] ^= v[2];
    v[2] = SNB_SIP_ROTL(v[2], 32);
}

/* SipHash-1-3 of data under key->sip. */
static inline uint64_t snb_hash_bytes(const snb_hash_key_t *key, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v[4] = {key->sip[0] ^ 0x736f6d6570736575ULL, key->sip[1] ^ 0x646f72616e646f6dULL,
                     key->sip[0] ^ 0x6c7967656e657261ULL, key->sip[1] ^ 0x7465646279746573ULL};
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&m, p + i, 8); /* one load: GCC does not merge the byte loop */
#else
        for (int j = 0; j < 8; j++)
            m |= (uint64_t)p[i + j] << (8 * j);
#endif
        v[3] ^= m;
        snb_sip_round(v);
        v[0] ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t j = 0; j < (len & 7); j++)
        last |= (uint64_t)p[full + j] << (8 * j);
    v[3] ^= last;
    snb_sip_round(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    snb_sip_round(v);
    snb_sip_round(v);
    snb_sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* NH over n <= SNB_HASH_MAX_WORDS words (an odd last word is paired with
 * 0), the length folded in, then a keyed MurmurHash3 finaliser so every
 * bit of the result depends on every word (buckets use the low bits). */
static inline uint64_t snb_hash_words(const snb_hash_key_t *key, const uint32_t *w, size_t n)
{
    if (n > SNB_HASH_MAX_WORDS) n = SNB_HASH_MAX_WORDS;
    uint64_t acc = (uint64_t)n << 56;
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        acc += (uint64_t)(uint32_t)(w[i] + key->nh[i]) *
               (uint64_t)(uint32_t)(w[i + 1] + key->nh[i + 1]);
    if (i < n) acc += (uint64_t)(uint32_t)(w[i] + key->nh[i]) * (uint64_t)key->nh[i + 1];
    acc ^= key->fin;
    acc ^= acc >> 33;
    acc *= 0xff51afd7ed558ccdULL;
    acc ^= acc >> 33;
    acc *= 0xc4ceb9fe1a85ec53ULL;
    return acc ^ (acc >> 33);
}

/* The words of a byte string whose length is a multiple of 4 (a packed
 * key struct), at most SNB_HASH_MAX_WORDS of them. */
static inline uint64_t snb_hash_fixed(const snb_hash_key_t *key, const void *data, size_t len)
{
    uint32_t w[SNB_HASH_MAX_WORDS];
    size_t n = len / 4 < SNB_HASH_MAX_WORDS ? len / 4 : SNB_HASH_MAX_WORDS;
    memcpy(w, data, n * 4);
    return snb_hash_words(key, w, n);
}

#endif
