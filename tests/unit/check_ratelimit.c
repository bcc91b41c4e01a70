/* The per-source token buckets in front of every listener. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check_run.h"
#include "sipnab/ratelimit.h"
#include "support.h"

START_TEST(rate_limit_per_source_and_total)
{
    snb_ratelimit_t *r = snb_ratelimit_new(10, 40, 64);
    snb_addr_t a = snb_test_addr("192.0.2.1"), b = snb_test_addr("192.0.2.2");
    int ok = 0;
    for (int i = 0; i < 50; i++)
        ok += snb_ratelimit_allow(r, &a, 1000000);
    ck_assert_int_eq(ok, 10);                        /* one second's burst */
    ck_assert(snb_ratelimit_allow(r, &b, 1000000));  /* another source has its own bucket */
    ck_assert(!snb_ratelimit_allow(r, &a, 1050000)); /* 50 ms later: half a token */
    ck_assert(snb_ratelimit_allow(r, &a, 1100000));  /* 100 ms later: one token */
    /* A second later the bucket is full again, but never above the burst. */
    ok = 0;
    for (int i = 0; i < 50; i++)
        ok += snb_ratelimit_allow(r, &a, 5000000);
    ck_assert_int_eq(ok, 10);
    snb_ratelimit_free(r);
    /* Total: 20 per second across all sources. */
    r = snb_ratelimit_new(5, 20, 4096);
    ok = 0;
    char text[32];
    for (int i = 0; i < 100; i++) {
        snprintf(text, sizeof text, "198.51.100.%d", i + 1);
        snb_addr_t s = snb_test_addr(text);
        ok += snb_ratelimit_allow(r, &s, 2000000);
    }
    ck_assert_int_eq(ok, 20);
    snb_ratelimit_free(r);
    r = snb_ratelimit_new(0, 0, 16); /* 0: unlimited */
    for (int i = 0; i < 1000; i++)
        ck_assert(snb_ratelimit_allow(r, &a, 0));
    snb_ratelimit_free(r);
}
END_TEST

START_TEST(sources_do_not_share_buckets)
{
    /* 4 sources in a table of 4 slots (one set): each keeps its own bucket. */
    snb_ratelimit_t *r = snb_ratelimit_new(3, 0, 4);
    char text[32];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 4; i++) {
            snprintf(text, sizeof text, "203.0.113.%d", i + 1);
            snb_addr_t s = snb_test_addr(text);
            ck_assert(snb_ratelimit_allow(r, &s, 1000000));
        }
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof text, "203.0.113.%d", i + 1);
        snb_addr_t s = snb_test_addr(text);
        ck_assert_msg(!snb_ratelimit_allow(r, &s, 1000000), "%s got a fourth token", text);
    }
    /* A fifth source takes over the stalest bucket and starts full. */
    snb_addr_t s5 = snb_test_addr("203.0.113.5");
    ck_assert(snb_ratelimit_allow(r, &s5, 1000001));
    snb_ratelimit_free(r);
}
END_TEST

/* A tenth of a second's burst: in any one second no more than the rate
 * plus a tenth of it (the REST API's "100 per second"). */
START_TEST(short_burst)
{
    snb_ratelimit_t *r = snb_ratelimit_new(100, 0, 64);
    snb_ratelimit_set_burst(r, 0.1);
    snb_addr_t a = {.family = 4, .a = {10, 0, 0, 1}};
    int ok = 0;
    for (uint64_t us = 0; us < 1000000; us += 100) /* 10 000 requests in one second */
        ok += snb_ratelimit_allow(r, &a, 1000000 + us);
    ck_assert_int_le(ok, 110);
    ck_assert_int_ge(ok, 100);
    snb_ratelimit_free(r);
}
END_TEST

/* The sliding window: a quiet client may send 100 at once, and no window
 * of one second (checked every 10 ms over 5 s of flood) lets more than 100
 * through. */
START_TEST(sliding_window)
{
    snb_ratelimit_t *r = snb_ratelimit_new(100, 0, 64);
    snb_ratelimit_set_sliding(r);
    snb_addr_t a = {.family = 4, .a = {10, 0, 0, 2}};
    int first = 0;
    for (int i = 0; i < 1000; i++)
        first += snb_ratelimit_allow(r, &a, 5000000);
    ck_assert_int_eq(first, 100); /* a page-through burst fits */
    static uint8_t allowed[5000]; /* per ms, from 5.001 s on */
    int total = 0;
    for (int ms = 0; ms < 5000; ms++)
        for (int k = 0; k < 10; k++) { /* 10 000 requests per second */
            allowed[ms] += snb_ratelimit_allow(r, &a, 5001000 + (uint64_t)ms * 1000 + (uint64_t)k);
        }
    for (int ms = 0; ms < 5000; ms++)
        total += allowed[ms];
    ck_assert_int_ge(total, 380); /* about 100/s once the burst's second has passed */
    for (int start = 0; start + 1000 <= 5000; start += 10) {
        int in = 0;
        for (int ms = start; ms < start + 1000; ms++)
            in += allowed[ms];
        ck_assert_msg(in <= 105, "%d in the second from %d ms", in, start);
    }
    snb_ratelimit_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ratelimit");
    TCase *tc = tcase_create("ratelimit");
    tcase_add_test(tc, rate_limit_per_source_and_total);
    tcase_add_test(tc, sources_do_not_share_buckets);
    tcase_add_test(tc, short_burst);
    tcase_add_test(tc, sliding_window);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
