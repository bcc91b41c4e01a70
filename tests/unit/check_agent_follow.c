/* The agent's followed calls (modules/agent/agent_follow.c): capped,
 * seeded, session bits, media endpoints, expiry. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_follow.h"
#include "check_run.h"

static const snb_hash_key_t key = {.sip = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL}};

START_TEST(add_find_cap)
{
    agent_follow_t f;
    ck_assert_int_eq(agent_follow_init(&f, 3, &key), 0);
    ck_assert(agent_follow_add(&f, "a@h", 3, 1, 100) != NULL);
    ck_assert(agent_follow_add(&f, "b@h", 3, 2, 100) != NULL);
    agent_follow_entry_t *e = agent_follow_add(&f, "a@h", 3, 4, 200); /* existing: bits OR-ed */
    ck_assert(e != NULL);
    ck_assert_uint_eq(e->sessions, 5);
    ck_assert_uint_eq(e->last_us, 200);
    ck_assert_uint_eq(f.n, 2);
    ck_assert(agent_follow_add(&f, "c@h", 3, 1, 100) != NULL);
    ck_assert(agent_follow_add(&f, "d@h", 3, 1, 100) == NULL); /* cap 3 */
    ck_assert_uint_eq(f.refused, 1);
    ck_assert(agent_follow_find(&f, "d@h", 3) == NULL);
    ck_assert_str_eq(agent_follow_find(&f, "b@h", 3)->call_id, "b@h");
    ck_assert(agent_follow_find(&f, "b@", 2) == NULL);
    ck_assert(agent_follow_add(&f, "", 0, 1, 0) == NULL);
    char big[300];
    memset(big, 'x', sizeof big);
    ck_assert(agent_follow_add(&f, big, 256, 1, 0) == NULL); /* over 255 bytes */
    ck_assert(agent_follow_find(&f, big, 256) == NULL);
    agent_follow_free(&f);
}
END_TEST

START_TEST(many_calls_spread)
{
    agent_follow_t f;
    ck_assert_int_eq(agent_follow_init(&f, 5000, &key), 0);
    char id[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(id, sizeof id, "call-%d@h", i);
        ck_assert(agent_follow_add(&f, id, (size_t)n, 1ULL << (i % 64), (uint64_t)i) != NULL);
    }
    ck_assert_uint_eq(f.n, 5000);
    /* Seeded hashing spreads them: no bucket holds more than a handful. */
    size_t longest = 0;
    for (size_t b = 0; b < f.n_buckets; b++) {
        size_t len = 0;
        for (agent_follow_entry_t *e = f.buckets[b]; e; e = e->next)
            len++;
        if (len > longest) longest = len;
    }
    ck_assert_uint_le(longest, 12);
    for (int i = 0; i < 5000; i += 499) {
        int n = snprintf(id, sizeof id, "call-%d@h", i);
        ck_assert(agent_follow_find(&f, id, (size_t)n) != NULL);
    }
    /* A session ends: the calls only it followed go. */
    agent_follow_drop_session(&f, 0);
    ck_assert_uint_eq(f.n, 5000 - 79); /* i % 64 == 0 for 79 of 0..4999 */
    ck_assert(agent_follow_find(&f, "call-64@h", 9) == NULL);
    ck_assert(agent_follow_find(&f, "call-65@h", 9) != NULL);
    /* Idle calls go. */
    ck_assert_uint_eq(agent_follow_expire(&f, 1000), 1000 - 16);
    ck_assert(agent_follow_find(&f, "call-999@h", 10) == NULL);
    ck_assert(agent_follow_find(&f, "call-1001@h", 11) != NULL);
    agent_follow_free(&f);
}
END_TEST

START_TEST(session_bits)
{
    agent_follow_t f;
    ck_assert_int_eq(agent_follow_init(&f, 10, &key), 0);
    agent_follow_add(&f, "x", 1, (1ULL << 3) | (1ULL << 63), 0);
    agent_follow_drop_session(&f, 3);
    ck_assert_uint_eq(agent_follow_find(&f, "x", 1)->sessions, 1ULL << 63);
    agent_follow_drop_session(&f, 63);
    ck_assert(agent_follow_find(&f, "x", 1) == NULL);
    ck_assert_uint_eq(f.n, 0);
    agent_follow_free(&f);
}
END_TEST

START_TEST(media_endpoints)
{
    agent_follow_t f;
    ck_assert_int_eq(agent_follow_init(&f, 10, &key), 0);
    agent_follow_entry_t *e = agent_follow_add(&f, "m@h", 3, 1, 0);
    agent_endpoint_t ep = {.family = 4, .a = {127, 0, 0, 1}, .port = 6000};
    agent_follow_add_media(&f, e, &ep);
    agent_follow_add_media(&f, e, &ep); /* no duplicate */
    ck_assert_uint_eq(e->n_media, 1);
    agent_endpoint_t none = {.family = 4, .a = {127, 0, 0, 1}, .port = 0};
    agent_follow_add_media(&f, e, &none); /* port 0: a disabled stream */
    ck_assert_uint_eq(e->n_media, 1);
    uint8_t lo[16] = {127, 0, 0, 1};
    ck_assert(agent_follow_find_media(&f, 4, lo, 6000) == e);
    ck_assert(agent_follow_find_media(&f, 4, lo, 6002) == NULL);
    ck_assert(agent_follow_find_media(&f, 6, lo, 6000) == NULL);
    for (uint16_t p = 1; p <= AGENT_FOLLOW_MEDIA_MAX; p++) {
        ep.port = (uint16_t)(7000 + p);
        agent_follow_add_media(&f, e, &ep);
    }
    ck_assert_uint_eq(e->n_media, AGENT_FOLLOW_MEDIA_MAX);
    ck_assert(agent_follow_find_media(&f, 4, lo, 6000) == NULL); /* the oldest went */
    ck_assert(agent_follow_find_media(&f, 4, lo, 7000 + AGENT_FOLLOW_MEDIA_MAX) == e);
    /* Another call's endpoint; then the first call ends: its endpoints go. */
    agent_follow_entry_t *e2 = agent_follow_add(&f, "n@h", 3, 2, 0);
    ep.port = 9000;
    agent_follow_add_media(&f, e2, &ep);
    ck_assert(agent_follow_find_media(&f, 4, lo, 9000) == e2);
    agent_follow_drop_session(&f, 0);
    ck_assert(agent_follow_find_media(&f, 4, lo, 7001) == NULL);
    ck_assert(agent_follow_find_media(&f, 4, lo, 9000) == e2);
    const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    agent_endpoint_t ep6 = {.family = 6, .port = 9000};
    memcpy(ep6.a, v6, 16);
    agent_follow_add_media(&f, e2, &ep6);
    ck_assert(agent_follow_find_media(&f, 6, v6, 9000) == e2);
    ck_assert(agent_follow_find_media(&f, 0, v6, 9000) == NULL);
    agent_follow_free(&f);
}
END_TEST

START_TEST(sample_when_packets_changed)
{
    agent_follow_t f;
    ck_assert_int_eq(agent_follow_init(&f, 10, &key), 0);
    agent_follow_entry_t *e = agent_follow_add(&f, "s@h", 3, 1, 0);
    ck_assert(agent_follow_sampled(e, 0, 10));  /* stream id 0 is a real id */
    ck_assert(!agent_follow_sampled(e, 0, 10)); /* no new packets: quiet */
    ck_assert(agent_follow_sampled(e, 0, 12));
    ck_assert(agent_follow_sampled(e, 7, 12)); /* another stream */
    ck_assert(!agent_follow_sampled(e, 7, 12));
    for (uint64_t id = 100; id < 100 + AGENT_FOLLOW_MEDIA_MAX; id++)
        ck_assert(agent_follow_sampled(e, id, 1));
    /* Stream 0's record was the oldest and went: it counts as new. */
    ck_assert(agent_follow_sampled(e, 0, 12));
    agent_follow_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_follow");
    TCase *tc = tcase_create("agent_follow");
    tcase_add_test(tc, add_find_cap);
    tcase_add_test(tc, many_calls_spread);
    tcase_add_test(tc, session_bits);
    tcase_add_test(tc, media_endpoints);
    tcase_add_test(tc, sample_when_packets_changed);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
