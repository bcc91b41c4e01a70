/* The per-source token buckets in front of every listener. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

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

int main(void)
{
    Suite *s = suite_create("ratelimit");
    TCase *tc = tcase_create("ratelimit");
    tcase_add_test(tc, rate_limit_per_source_and_total);
    tcase_add_test(tc, sources_do_not_share_buckets);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
