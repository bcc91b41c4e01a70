/* Syslog messages byte for byte: RFC 5424 with structured data (escapes,
 * NILVALUEs, PRI), RFC 3164 for the local socket, and hostile field values
 * that must not forge a field, a parameter or a second line. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_run.h"
#include "syslog_format.h"

static char buf[SYSLOG_MSG_MAX];

START_TEST(rfc5424_with_structured_data)
{
    const syslog_param_t params[] = {{"type", "scanner"},
                                     {"source", "127.0.66.10"},
                                     {"reason", "User-Agent \"friendly-scanner\" [x] \\ y"}};
    syslog_msg_t m = {.facility = 16,
                      .severity = 4,
                      .ts_us = 1764989613123456ull, /* 2025-12-06T02:53:33.123456Z */
                      .hostname = "pbx1",
                      .app_name = "sipnab",
                      .msgid = "scanner",
                      .procid = 4242,
                      .params = params,
                      .n_params = 3,
                      .text = "scanner from 127.0.66.10"};
    size_t n = syslog_format_5424(&m, buf, sizeof buf);
    ck_assert_str_eq(buf,
                     "<132>1 2025-12-06T02:53:33.123456Z pbx1 sipnab 4242 scanner "
                     "[sipnab@32473 type=\"scanner\" source=\"127.0.66.10\" reason=\"User-Agent "
                     "\\\"friendly-scanner\\\" [x\\] \\\\ y\"] scanner from 127.0.66.10");
    ck_assert_uint_eq(n, strlen(buf));
    /* no parameters, no host, no message id: NILVALUEs */
    m = (syslog_msg_t){.facility = 3, .severity = 5, .ts_us = 0, .procid = 1, .text = "hi"};
    syslog_format_5424(&m, buf, sizeof buf);
    ck_assert_str_eq(buf, "<29>1 1970-01-01T00:00:00.000000Z - - 1 - - hi");
}
END_TEST

START_TEST(hostile_values_stay_in_their_field)
{
    const syslog_param_t params[] = {{"ua\"] x=\"1", "a\nb\rc"}};
    syslog_msg_t m = {.facility = 16,
                      .severity = 1,
                      .ts_us = 1,
                      .hostname = "h o\nst",
                      .app_name = "sip nab",
                      .msgid = "m",
                      .procid = 7,
                      .params = params,
                      .n_params = 1,
                      .text = "line one\nforged <1>1 line"};
    syslog_format_5424(&m, buf, sizeof buf);
    ck_assert_ptr_null(strchr(buf, '\n'));
    ck_assert_ptr_null(strchr(buf, '\r'));
    ck_assert_str_eq(buf, "<129>1 1970-01-01T00:00:00.000001Z host sipnab 7 m [sipnab@32473 "
                          "uax1=\"a b c\"] line one forged <1>1 line");
    /* a huge message is cut to the buffer, still terminated */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    m.text = big;
    size_t n = syslog_format_5424(&m, buf, sizeof buf);
    ck_assert_uint_eq(n, sizeof buf - 1);
    ck_assert_uint_eq(strlen(buf), n);
}
END_TEST

START_TEST(rfc3164_for_the_local_socket)
{
    setenv("TZ", "UTC", 1);
    tzset();
    syslog_msg_t m = {.facility = 16,
                      .severity = 4,
                      .ts_us = 1764989613123456ull,
                      .hostname = "ignored",
                      .app_name = "sipnab",
                      .procid = 99,
                      .text = "scanner from 127.0.66.10: User-Agent friendly-scanner"};
    syslog_format_3164(&m, buf, sizeof buf);
    ck_assert_str_eq(buf, "<132>Dec  6 02:53:33 sipnab[99]: scanner from 127.0.66.10: User-Agent "
                          "friendly-scanner");
    ck_assert_int_eq(syslog_facility("local0"), 16);
    ck_assert_int_eq(syslog_facility("LOCAL7"), 23);
    ck_assert_int_eq(syslog_facility("daemon"), 3);
    ck_assert_int_eq(syslog_facility("nope"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("syslog_format");
    TCase *tc = tcase_create("syslog_format");
    tcase_add_test(tc, rfc5424_with_structured_data);
    tcase_add_test(tc, hostile_values_stay_in_their_field);
    tcase_add_test(tc, rfc3164_for_the_local_socket);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
