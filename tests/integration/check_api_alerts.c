/* GET /v1/alerts against the real API process and Debian's curl: the alerts
 * of scan-svwar-enum (three svwar runs) are the objects --alerts-json prints,
 * in the same order; type, source and time filters and paging work; a bad
 * time is a 400. (An addition to the REST spec, docs/modules/http.md.) */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"

#define CAPTURE SNB_TEST_DATA_DIR "/security/scan-svwar-enum.pcap"

static char base[64];

static json_t *get(const char *path_query, long *status)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", base, path_query);
    char *argv[] = {"/usr/bin/curl",  "-s", "-H", "Authorization: Bearer k", "-w",
                    "\n%{http_code}", url,  NULL};
    run_result_t r = run_cmd(argv, 20);
    char *nl = strrchr(r.out, '\n');
    *status = nl ? strtol(nl + 1, NULL, 10) : 0;
    if (nl) *nl = '\0';
    json_error_t e;
    json_t *o = json_loads(r.out, 0, &e);
    run_free(&r);
    return o;
}

START_TEST(alerts_over_rest_equal_the_ndjson)
{
    /* what --alerts-json prints */
    char *cli[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-N", "-I", CAPTURE,
                   "--alerts-json",      NULL};
    run_result_t r = run_cmd(cli, 60);
    ck_assert_int_eq(r.status, 0);
    json_t *want = json_array();
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_array_append_new(want, json_loads(line, 0, &e));
    }
    run_free(&r);
    ck_assert_int_ge(json_array_size(want), 3); /* one scanner per svwar run */

    int port = free_tcp_port();
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    char *serve[] = {(char *)sipnab_bin(),
                     "-c",
                     "/dev/null",
                     "-N",
                     "-I",
                     CAPTURE,
                     "--load",
                     "security",
                     "--api",
                     listen,
                     "--api-key",
                     "k",
                     "-o",
                     "sip.output=none",
                     NULL};
    pid_t pid = run_bg(serve, "/tmp/sipnab-api-alerts.out", "/tmp/sipnab-api-alerts.err");
    long status = 0;
    json_t *all = NULL;
    for (int i = 0; i < 100; i++) { /* until the feed has them all */
        json_decref(all);
        all = get("/v1/alerts", &status);
        if (all &&
            json_integer_value(json_object_get(all, "total")) == (json_int_t)json_array_size(want))
            break;
        usleep(100000);
    }
    ck_assert_int_eq(status, 200);
    ck_assert_ptr_nonnull(all);
    ck_assert_int_eq(json_integer_value(json_object_get(all, "schema_version")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(all, "total")), json_array_size(want));
    ck_assert(json_equal(json_object_get(all, "alerts"), want));

    /* filters and paging */
    json_t *first = json_array_get(want, 0);
    char q[256];
    snprintf(q, sizeof q, "/v1/alerts?source=%s",
             json_string_value(json_object_get(first, "source")));
    json_t *one = get(q, &status);
    ck_assert_int_eq(status, 200);
    json_t *got = json_array_get(json_object_get(one, "alerts"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(got, "source")),
                     json_string_value(json_object_get(first, "source")));
    json_decref(one);
    json_t *page = get("/v1/alerts?type=scanner&limit=1&offset=1", &status);
    ck_assert_int_eq(json_array_size(json_object_get(page, "alerts")), 1);
    ck_assert(
        json_equal(json_array_get(json_object_get(page, "alerts"), 0), json_array_get(want, 1)));
    json_decref(page);
    snprintf(q, sizeof q, "/v1/alerts?since=%s",
             json_string_value(json_object_get(json_array_get(want, 1), "ts")));
    json_t *since = get(q, &status);
    ck_assert_int_eq(json_integer_value(json_object_get(since, "total")),
                     json_array_size(want) - 1);
    json_decref(since);
    json_t *none = get("/v1/alerts?type=wangiri", &status);
    ck_assert_int_eq(json_integer_value(json_object_get(none, "total")), 0);
    json_decref(none);
    json_t *bad = get("/v1/alerts?until=tomorrow", &status);
    ck_assert_int_eq(status, 400);
    json_decref(bad);
    json_decref(all);
    json_decref(want);
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 20), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_alerts");
    TCase *tc = tcase_create("api_alerts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, alerts_over_rest_equal_the_ndjson);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
