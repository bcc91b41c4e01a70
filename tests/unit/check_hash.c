/* Seeded hashing (sipnab/hash.h): SipHash-1-3 against reference values, the
 * keyed NH word hash, and the reason for both: Call-IDs built to collide
 * under the old unseeded FNV hash of the dialog store all landed in one
 * bucket; under the process key they spread out. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_dialog_testlib.h"
#include "sipnab/hash.h"

/* Key 00 01 .. 0f, input 00 01 .. (n-1). The values come from an
 * independent Python implementation of SipHash-c-d, checked first against
 * the SipHash paper's published SipHash-2-4 value for the empty input with
 * this key (0x726fdb47dd0e0e31); the empty-input SipHash-1-3 value equals
 * the one in the Rust standard library's sip.rs tests (dc c4 0f 05 58 01
 * ac ab, little-endian). */
START_TEST(siphash13_reference_values)
{
    snb_hash_key_t key = {.sip = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL}};
    static const struct {
        size_t n;
        uint64_t h;
    } want[] = {{0, 0xabac0158050fc4dcULL},  {1, 0xc9f49bf37d57ca93ULL},
                {7, 0xd3927d989bb11140ULL},  {8, 0x369095118d299a8eULL},
                {9, 0x25a48eb36c063de4ULL},  {15, 0xd320d86d2a519956ULL},
                {16, 0xcc4fdd1a7d908b66ULL}, {63, 0x9d199062b7bbb3a8ULL}};
    uint8_t in[64];
    for (int i = 0; i < 64; i++)
        in[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(snb_hash_bytes(&key, in, want[i].n) == want[i].h, "length %zu", want[i].n);
}
END_TEST

START_TEST(word_hash_is_keyed_and_spreads)
{
    snb_hash_key_t a, b, a2;
    snb_hash_key_from_seed(&a, 1, 2);
    snb_hash_key_from_seed(&a2, 1, 2);
    snb_hash_key_from_seed(&b, 3, 4);
    uint32_t w[4] = {0x0a000001, 0x0a000002, 5060u << 16 | 5062, 0xdeadbeef};
    ck_assert(snb_hash_words(&a, w, 4) == snb_hash_words(&a2, w, 4)); /* same key, same hash */
    ck_assert(snb_hash_words(&a, w, 4) != snb_hash_words(&b, w, 4));  /* the key matters */
    ck_assert(snb_hash_words(&a, w, 4) != snb_hash_words(&a, w, 3));  /* so does the length */
    /* 100 000 sequential IPv4 5-tuples into 65 536 buckets: the fullest
     * bucket stays small (a Poisson tail at mean 1.5 is about 10). */
    snb_hash_key_t k;
    snb_hash_key_random(&k);
    static uint16_t count[65536];
    memset(count, 0, sizeof count);
    uint16_t most = 0;
    for (uint32_t i = 0; i < 100000; i++) {
        uint32_t t[4] = {0x0a000000 + (i >> 8), 0x0a010000 + (i & 0xff),
                         (10000 + 2 * i) << 16 | 5060, i};
        uint16_t c = ++count[snb_hash_words(&k, t, 4) & 0xffff];
        if (c > most) most = c;
    }
    ck_assert_uint_le(most, 16);
    /* random keys differ */
    snb_hash_key_t r1, r2;
    snb_hash_key_random(&r1);
    snb_hash_key_random(&r2);
    ck_assert(memcmp(&r1, &r2, sizeof r1) != 0);
}
END_TEST

/* The dialog store's hash before this change: FNV-1a, then h ^ (h >> 29),
 * bucket = low bits. Known to anyone reading the source. */
static uint64_t old_id_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

START_TEST(call_ids_built_to_collide_spread_out)
{
    /* 2000 Call-IDs that all share one bucket of a 4096-bucket table under
     * the old hash (found by brute force, as an attacker would). */
    enum { N = 2000 };
    static char ids[N][32];
    int found = 0;
    for (uint32_t i = 0; found < N; i++) {
        char id[32];
        int len = snprintf(id, sizeof id, "flood-%u@evil", i);
        if ((old_id_hash(id, (size_t)len) & 4095) == 0) memcpy(ids[found++], id, (size_t)len + 1);
    }
    sip_store_limits_t l = tl_limits();
    l.max_dialogs = 10000;
    snb_hash_key_random(&l.hash_key);
    sip_store_t *st = sip_store_new(&l);
    for (int i = 0; i < N; i++) {
        tl_call_t c;
        tl_init(&c, st, ids[i]);
        tl_req(&c, TL_T0 + (uint64_t)i, SIDE_A, "OPTIONS", 1, NULL, NULL);
    }
    ck_assert_uint_eq(sip_store_count(st), N);
    /* Under the old hash the chain would be all 2000; now a handful. */
    ck_assert_uint_le(sip_store_longest_chain(st), 12);
    sip_store_free(st);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("hash");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, siphash13_reference_values);
    tcase_add_test(tc, word_hash_is_keyed_and_spreads);
    tcase_add_test(tc, call_ids_built_to_collide_spread_out);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
