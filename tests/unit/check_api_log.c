/* Log lines of remote origin (api_log.c): a flood of 3000 lines (what one
 * client made of malformed requests in 0.4 s) writes one second's burst,
 * then says how many it held back. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_log.h"
#include "check_run.h"

static void say(api_log_t *l, uint64_t now_us, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    api_log_remote(l, now_us, fmt, ap);
    va_end(ap);
}

static int lines(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* The figures of every "N log lines ... suppressed" line, added up. */
static unsigned long reported(const char *text)
{
    unsigned long sum = 0;
    for (const char *p = text; (p = strstr(p, "sipnab-api: ")); p++) {
        char *end;
        unsigned long n = strtoul(p + 12, &end, 10);
        if (end != p + 12 && !strncmp(end, " log lines caused by clients were suppressed", 44))
            sum += n;
    }
    return sum;
}

START_TEST(flood_is_cut_and_counted)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    api_log_t *l = api_log_new(out, 5);
    for (int i = 0; i < 3000; i++) /* 3000 lines in 0.4 s */
        say(l, 1000000 + (uint64_t)i * 133, "bad request %d\n", i);
    api_log_flush(l, 1300000); /* no token yet: still held */
    ck_assert_uint_gt(api_log_suppressed(l), 0);
    api_log_flush(l, 3000000);
    ck_assert_uint_eq(api_log_suppressed(l), 0);
    fflush(out);
    /* one second's burst (5), then 5/s: 1 more in 0.4 s; the rest counted */
    ck_assert_int_eq(lines(text, "sipnab-api: bad request "), 6);
    ck_assert_uint_eq(reported(text), 3000 - 6);
    ck_assert_ptr_null(strstr(text, "\n\n")); /* trailing newlines trimmed */
    /* Lines flow again; a later hold-back is said before the next line. */
    say(l, 10000000, "x");
    for (int i = 0; i < 10; i++)
        say(l, 10000001, "y");
    say(l, 20000000, "z");
    fflush(out);
    ck_assert_ptr_nonnull(strstr(text, "sipnab-api: 6 log lines caused by clients were "
                                       "suppressed (rate limit)\nsipnab-api: z\n"));
    api_log_free(l);
    fclose(out);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_log");
    TCase *tc = tcase_create("log");
    tcase_add_test(tc, flood_is_cut_and_counted);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
