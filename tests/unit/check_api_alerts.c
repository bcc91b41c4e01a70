/* GET /v1/alerts' store: a ring of the last N alerts, filters by type,
 * source and capture time, paging like /v1/dialogs, and time parsing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_alerts.h"
#include "check_run.h"

static void add(api_alerts_t *a, const char *type, const char *src, int sec)
{
    char j[256];
    int n =
        snprintf(j, sizeof j,
                 "{\"ts\":\"2026-12-06T02:%02d:%02d.500000Z\",\"type\":\"%s\",\"source\":\"%s\"}",
                 sec / 60, sec % 60, type, src);
    ck_assert_int_eq(api_alerts_add(a, j, (size_t)n), 0);
}

static json_t *render(const api_alerts_t *a, api_alerts_query_t q)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_alerts_render(a, &q, &b), 0);
    json_error_t e;
    json_t *o = json_loads(b.data, 0, &e);
    ck_assert_msg(o != NULL, "%s", b.data);
    api_buf_free(&b);
    return o;
}

START_TEST(filters_and_paging)
{
    api_alerts_t *a = api_alerts_new(100);
    add(a, "scanner", "10.0.0.1", 1);
    add(a, "reg_flood", "10.0.0.2", 2);
    add(a, "scanner", "10.0.0.3", 3);
    add(a, "scanner", "10.0.0.1", 4);
    json_t *o = render(a, (api_alerts_query_t){.limit = 50});
    ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 4);
    ck_assert_int_eq(json_array_size(json_object_get(o, "alerts")), 4);
    json_decref(o);
    o = render(a, (api_alerts_query_t){.type = "scanner", .limit = 1, .offset = 1});
    ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 3);
    json_t *only = json_array_get(json_object_get(o, "alerts"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(only, "source")), "10.0.0.3");
    json_decref(o);
    o = render(a, (api_alerts_query_t){.source = "10.0.0.1", .limit = 50});
    ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 2);
    json_decref(o);
    int64_t t2 = api_alerts_parse_time("2026-12-06T02:00:02.500000Z");
    int64_t t3 = api_alerts_parse_time("2026-12-06T02:00:03.500000Z");
    o = render(a, (api_alerts_query_t){.since_us = t2, .until_us = t3, .limit = 50});
    ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 2);
    json_decref(o);
    api_alerts_free(a);
}
END_TEST

START_TEST(ring_and_bad_input)
{
    api_alerts_t *a = api_alerts_new(3);
    for (int i = 0; i < 10; i++)
        add(a, "scanner", i % 2 ? "10.0.0.1" : "10.0.0.2", i);
    ck_assert_uint_eq(api_alerts_count(a), 3);
    ck_assert_uint_eq(api_alerts_evicted(a), 7);
    json_t *o = render(a, (api_alerts_query_t){.limit = 50});
    json_t *first = json_array_get(json_object_get(o, "alerts"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "ts")),
                     "2026-12-06T02:00:07.500000Z");
    json_decref(o);
    ck_assert_int_eq(api_alerts_add(a, "not json", 8), -1);
    ck_assert_int_eq(api_alerts_add(a, "[1]", 3), -1);
    ck_assert_int_eq(api_alerts_add(a, "{\"type\":\"x\",\"source\":\"y\"}", 25), -1); /* no ts */
    ck_assert_uint_eq(api_alerts_count(a), 3);
    api_alerts_clear(a);
    ck_assert_uint_eq(api_alerts_count(a), 0);
    api_alerts_free(a);
}
END_TEST

START_TEST(times)
{
    ck_assert_int_eq(api_alerts_parse_time("1970-01-01T00:00:01Z"), 1000000);
    ck_assert_int_eq(api_alerts_parse_time("1970-01-01T00:00:01.25Z"), 1250000);
    ck_assert_int_eq(api_alerts_parse_time("1764989613"), 1764989613000000LL);
    ck_assert_int_eq(api_alerts_parse_time("1764989613.5"), 1764989613500000LL);
    ck_assert_int_eq(api_alerts_parse_time("2026-13-01T00:00:00Z"), -1);
    ck_assert_int_eq(api_alerts_parse_time("2026-12-01T00:00:00+01:00"), -1);
    ck_assert_int_eq(api_alerts_parse_time("yesterday"), -1);
    ck_assert_int_eq(api_alerts_parse_time(""), -1);
    ck_assert_int_eq(api_alerts_parse_time("-5"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_alerts");
    TCase *tc = tcase_create("api_alerts");
    tcase_add_test(tc, filters_and_paging);
    tcase_add_test(tc, ring_and_bad_input);
    tcase_add_test(tc, times);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
