/* Zeroed tables that cost memory only where written (sipnab/lazytable.h):
 * the RTP and security modules size theirs for 100 000 calls or sources
 * and must not hold that memory before the traffic does. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sipnab/lazytable.h"

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
    if (f) fclose(f);
    return kib;
}

START_TEST(zeroed_and_resident_only_where_written)
{
    size_t n = (256u << 20) / sizeof(uint64_t); /* 256 MiB */
    long before = rss_kib();
    uint64_t *t = snb_lazy_table_new(n, sizeof *t);
    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < n; i += n / 64)
        ck_assert_uint_eq(t[i], 0);
    t[0] = 1;
    t[n - 1] = 2; /* the whole range is usable */
    ck_assert_uint_eq(t[0] + t[n - 1], 3);
    long grown = rss_kib() - before;
    ck_assert_msg(grown < 16 * 1024, "a 256 MiB table read in 64 places made %ld KiB resident",
                  grown);
    snb_lazy_table_free(t, n, sizeof *t);
}
END_TEST

START_TEST(overflow_and_empty_are_refused)
{
    ck_assert_ptr_null(snb_lazy_table_new(SIZE_MAX / 2, 4));
    ck_assert_ptr_null(snb_lazy_table_new(0, 8));
    ck_assert_ptr_null(snb_lazy_table_new(8, 0));
    snb_lazy_table_free(NULL, 8, 8);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lazytable");
    TCase *tc = tcase_create("lazytable");
    tcase_add_test(tc, zeroed_and_resident_only_where_written);
    tcase_add_test(tc, overflow_and_empty_are_refused);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
