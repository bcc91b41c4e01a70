/* The text forms of sipnab/format.h against the libc functions they stand
 * in for: the timestamp against gmtime_r + strftime + snprintf (the former
 * implementation), IPv4 addresses against inet_ntop. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_run.h"
#include "sipnab/format.h"

static void libc_utc(uint64_t ts_us, bool iso, char *buf, size_t len)
{
#pragma GCC diagnostic ignored "-Wformat-truncation" /* truncation is under test */
    time_t secs = (time_t)(ts_us / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[24];
    strftime(day, sizeof day, iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06u%s", day, (unsigned)(ts_us % 1000000u), iso ? "Z" : "");
}

static uint64_t next(uint64_t *s) /* splitmix64: the same sequence every run */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void same_utc(uint64_t ts)
{
    for (int iso = 0; iso < 2; iso++) {
        char a[48], b[48];
        snb_format_utc(ts, iso, a, sizeof a);
        libc_utc(ts, iso, b, sizeof b);
        ck_assert_msg(!strcmp(a, b), "%llu: %s, libc %s", (unsigned long long)ts, a, b);
    }
}

START_TEST(timestamps_equal_libc)
{
    /* edges: the epoch, leap days (2000 is one, 2100 is not), 2038, year 9999 */
    static const char *days[] = {"1970-01-01", "1972-02-29", "1999-12-31", "2000-02-29",
                                 "2000-03-01", "2038-01-19", "2100-02-28", "2100-03-01",
                                 "2400-02-29", "9999-12-31"};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        struct tm tm = {0};
        ck_assert_ptr_nonnull(strptime(days[i], "%Y-%m-%d", &tm));
        uint64_t day = (uint64_t)timegm(&tm);
        for (uint64_t s = 0; s < 86400; s += 3599)
            same_utc((day + s) * 1000000u + s % 1000000u);
        same_utc((day + 86399) * 1000000u + 999999u);
    }
    uint64_t seed = 1;
    for (int i = 0; i < 200000; i++) /* up to the year 10000 */
        same_utc(next(&seed) % 253402300800000000u);
}
END_TEST

START_TEST(timestamps_truncate_like_snprintf)
{
    char a[48], b[48];
    for (size_t len = 1; len < 30; len++) {
        memset(a, 'x', sizeof a);
        snb_format_utc(1120469540839312u, true, a, len);
        libc_utc(1120469540839312u, true, b, len);
        ck_assert_str_eq(a, b);
    }
    ck_assert_str_eq(snb_format_utc(1120469540839312u, true, a, sizeof a),
                     "2005-07-04T09:32:20.839312Z");
    ck_assert_str_eq(snb_format_utc(1120469540839312u, false, a, sizeof a),
                     "2005-07-04 09:32:20.839312");
}
END_TEST

START_TEST(ipv4_equals_inet_ntop)
{
    uint64_t seed = 7;
    for (int i = 0; i < 100000; i++) {
        snb_addr_t a = {.family = 4};
        uint64_t r = next(&seed);
        for (int k = 0; k < 4; k++) /* single, double and triple digits alike */
            a.a[k] = (uint8_t)(i < 1000 ? (uint64_t)((i * 7 + k * 50) % 256) : r >> (8 * k));
        char ours[64], libc[64];
        snb_format_addr(&a, ours, sizeof ours);
        inet_ntop(AF_INET, a.a, libc, sizeof libc);
        ck_assert_str_eq(ours, libc);
    }
    snb_addr_t six = {.family = 6, .a = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
    char buf[64];
    ck_assert_str_eq(snb_format_addr(&six, buf, sizeof buf), "2001:db8::1");
    snb_addr_t none = {.family = 0};
    ck_assert_str_eq(snb_format_addr(&none, buf, sizeof buf), "");
    snb_addr_t v4 = {.family = 4, .a = {192, 168, 100, 200}};
    ck_assert_str_eq(snb_format_addr(&v4, buf, 8), "192.168");
}
END_TEST

START_TEST(endpoints_equal_snprintf)
{
    uint64_t seed = 3;
    for (int i = 0; i < 20000; i++) {
        uint64_t r = next(&seed);
        snb_addr_t a = {.family = (uint8_t)(i % 3 == 0 ? 6 : i % 3 == 1 ? 4 : 0)};
        for (int k = 0; k < 16; k++)
            a.a[k] = (uint8_t)(i % 5 ? r >> (k % 8 * 8) : 0u);
        uint16_t port = (uint16_t)(i < 100 ? (uint64_t)i : r >> 48);
        char ip[64], want[80], got[80];
        snb_format_addr(&a, ip, sizeof ip);
        snprintf(want, sizeof want, a.family == 6 ? "[%s]:%u" : "%s:%u", ip, port);
        ck_assert_str_eq(snb_format_endpoint(&a, port, got, sizeof got), want);
    }
}
END_TEST

START_TEST(seconds_equal_snprintf)
{
    uint64_t seed = 5;
    for (int i = 0; i < 400000; i++) {
        uint64_t r = next(&seed), us;
        switch (i % 6) {
        case 0:
            us = r % 100000u;
            break; /* under 0.1 s */
        case 1:
            us = r % 100000000000u;
            break; /* a day and more */
        case 2:
            us = (r % 1000000u) * 1000u + 500u;
            break; /* on a half millisecond */
        case 3:
            us = (r % 1000000u) * 1000u + 499u + (r >> 63);
            break; /* next to one */
        case 4:
            us = r;
            break; /* a capture running backwards */
        default:
            us = (1ull << 52) - 2 + (r % 4);
            break; /* where the shortcut stops */
        }
        char want[48], got[48];
        snprintf(want, sizeof want, "%.3f", (double)us / 1e6);
        ck_assert_msg(!strcmp(snb_format_secs3(us, got, sizeof got), want), "%llu: %s, want %s",
                      (unsigned long long)us, got, want);
    }
    char small[4];
    ck_assert_str_eq(snb_format_secs3(12345678, small, sizeof small), "12.");
}
END_TEST

/* The escaping loop as it was before its plain-text shortcut. */
static void md_reference(FILE *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '&')
            fputs("&amp;", out);
        else if (strchr("\\`*_[]<>|#~!", *p))
            fprintf(out, "\\%c", *p);
        else if (*p == '\n' || *p == '\r')
            fputc(' ', out);
        else
            fputc(*p, out);
    }
}

START_TEST(markdown_escapes_equal_the_loop)
{
    static const char alphabet[] = "ab <>&\\`*_[]|#~!\n\r9.";
    uint64_t seed = 5;
    for (int i = 0; i < 20000; i++) {
        char text[32];
        size_t n = next(&seed) % 31;
        for (size_t k = 0; k < n; k++) /* half of them plain */
            text[k] = alphabet[next(&seed) % (i % 2 ? sizeof alphabet - 1 : 3)];
        text[n] = '\0';
        char *a = NULL, *b = NULL;
        size_t al, bl;
        FILE *fa = open_memstream(&a, &al), *fb = open_memstream(&b, &bl);
        snb_format_md(fa, text);
        md_reference(fb, text);
        fclose(fa);
        fclose(fb);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("format");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, timestamps_equal_libc);
    tcase_add_test(tc, timestamps_truncate_like_snprintf);
    tcase_add_test(tc, ipv4_equals_inet_ntop);
    tcase_add_test(tc, endpoints_equal_snprintf);
    tcase_add_test(tc, markdown_escapes_equal_the_loop);
    tcase_add_test(tc, seconds_equal_snprintf);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
