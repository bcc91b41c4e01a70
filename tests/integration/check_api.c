/* The REST API end to end: the real sipnab with the http module, its real
 * API process, and Debian's curl (and python3-requests running the spec's
 * client example) on loopback. Values are checked against the Wireshark
 * oracles of the captures and against the CLI's own JSON. */
#include <arpa/inet.h>
#include <check.h>
#include <time.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "check_run.h"
#include "oracle.h"
#include "run_util.h"

#define KEY "test-key-0123456789"
#define OUT "/tmp/sipnab-api-test.out"
#define ERR "/tmp/sipnab-api-test.err"
#define BODY "/tmp/sipnab-api-test.body"
#define HDRS "/tmp/sipnab-api-test.headers"

static char base[64];

/* Wait until the file has been read and the API process holds all of it
 * (sipnab_api_feed_complete), however slow this machine is. */
static void wait_feed_complete(void)
{
    char url[96], auth[128];
    snprintf(url, sizeof url, "%s/metrics", base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", KEY);
    int ready = 0;
    for (int i = 0; i < 600 && !ready; i++) {
        char *cmd[] = {"/usr/bin/curl", "-s", "-k", "-H", auth, url, NULL};
        run_result_t r = run_cmd(cmd, 5);
        ready = r.out && strstr(r.out, "\nsipnab_api_feed_complete 1\n") != NULL;
        run_free(&r);
        if (!ready) usleep(50000);
    }
    ck_assert_msg(ready, "the API never held the whole capture");
}

/* The port of the API api_start started last. */
static int api_port;

/* A port nothing listens on now (free_tcp_port), as "127.0.0.1:PORT" in
 * hostport and in base; returns it. */
static int pick_port(char hostport[32])
{
    int port = free_tcp_port();
    ck_assert_int_gt(port, 0);
    snprintf(hostport, 32, "127.0.0.1:%d", port);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    return port;
}

/* Start sipnab on a capture with the API on a port picked now (api_port);
 * NULL-terminated extra arguments. Waits until the API has the whole file. */
static pid_t api_start(const char *capture, char *const extra[])
{
    static char listen[32], input[512];
    api_port = pick_port(listen);
    snprintf(input, sizeof input, "%s/%s", SNB_TEST_DATA_DIR, capture);
    char *argv[32] = {
        (char *)sipnab_bin(), "-c", "/dev/null", "-q", "-N", "-I", input, "--api", listen,
        "--api-key",          KEY};
    int n = 11;
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    unlink(ERR);
    pid_t pid = run_bg(argv, OUT, ERR);
    wait_feed_complete();
    return pid;
}

static void api_stop(pid_t pid)
{
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 15), 0);
}

/* GET with curl; returns the HTTP status, *body the body (malloc'd). */
static int get(const char *path, const char *key, const char *header, char **body)
{
    char url[1024], auth[128];
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key ? key : "");
    char *argv[16] = {"/usr/bin/curl", "-s", "-k", "-o", BODY, "-D", HDRS, "-w", "%{http_code}"};
    int n = 9;
    if (key) {
        argv[n++] = "-H";
        argv[n++] = auth;
    }
    if (header) {
        argv[n++] = "-H";
        argv[n++] = (char *)header;
    }
    argv[n++] = url;
    argv[n] = NULL;
    run_result_t r = run_cmd(argv, 20);
    int status = r.out ? atoi(r.out) : -1;
    run_free(&r);
    if (body) *body = read_file(BODY);
    return status;
}

static json_t *get_json(const char *path, int expect_status)
{
    char *body = NULL;
    int status = get(path, KEY, NULL, &body);
    ck_assert_msg(status == expect_status, "%s: HTTP %d, expected %d: %s", path, status,
                  expect_status, body ? body : "");
    json_error_t e;
    json_t *j = body ? json_loads(body, 0, &e) : NULL;
    ck_assert_msg(j != NULL, "%s: not JSON: %s", path, body ? body : "(none)");
    free(body);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "schema_version")), 1);
    return j;
}

/* Every key of the spec's example has the same JSON type here (null stands
 * for "number or null" in the spec's timing). */
static void same_shape(json_t *spec, json_t *ours, const char *where)
{
    const char *key;
    json_t *sv;
    json_object_foreach(spec, key, sv)
    {
        json_t *ov = json_object_get(ours, key);
        ck_assert_msg(ov != NULL, "%s: no \"%s\"", where, key);
        if (json_is_null(sv) || json_is_null(ov)) continue;
        if (json_is_number(sv)) {
            ck_assert_msg(json_is_number(ov), "%s.%s is not a number", where, key);
        } else if (json_is_boolean(sv)) {
            ck_assert_msg(json_is_boolean(ov), "%s.%s is not a boolean", where, key);
        } else {
            ck_assert_msg(json_typeof(sv) == json_typeof(ov), "%s.%s has another type", where, key);
        }
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", where, key);
        if (json_is_object(sv)) same_shape(sv, ov, sub);
        /* arrays of objects: the first element of each, when both have one */
        if (json_is_array(sv) && json_array_size(sv) && json_array_size(ov) &&
            json_is_object(json_array_get(sv, 0)))
            same_shape(json_array_get(sv, 0), json_array_get(ov, 0), sub);
    }
}

static json_t *spec_example(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    ck_assert_msg(j != NULL, "bad spec example: %s", e.text);
    return j;
}

/* ---- endpoints, on the failures capture (6 dialogs) ---- */

START_TEST(endpoints_and_errors)
{
    pid_t pid = api_start("sip-failures.pcap", NULL);
    char *body = NULL;
    ck_assert_int_eq(get("/health", NULL, NULL, &body), 200);
    ck_assert_str_eq(body, "ok");
    free(body);
    /* 401 without or with a wrong key, everywhere but /health */
    const char *closed[] = {"/v1/dialogs", "/v1/stats", "/metrics", "/v1/streams", "/nope"};
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
        ck_assert_int_eq(get(closed[i], NULL, NULL, &body), 401);
        json_t *e = json_loads(body, 0, NULL);
        ck_assert_int_eq(json_integer_value(json_object_get(e, "status")), 401);
        json_decref(e);
        free(body);
        ck_assert_int_eq(get(closed[i], "wrong", NULL, NULL), 401);
        ck_assert_int_eq(get(closed[i], KEY "x", NULL, NULL), 401);
    }
    /* the list, against the oracle's Call-IDs */
    oracle_t *o = oracle_load(SNB_TEST_DATA_DIR "/sip-failures.tshark.txt");
    const oracle_sip_t *os = oracle_sip(o);
    json_t *list = get_json("/v1/dialogs", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(list, "total")), os->n_call_ids);
    ck_assert_int_eq(json_integer_value(json_object_get(list, "limit")), 50);
    ck_assert_int_eq(json_integer_value(json_object_get(list, "offset")), 0);
    json_t *dialogs = json_object_get(list, "dialogs");
    ck_assert_int_eq(json_array_size(dialogs), os->n_call_ids);
    for (int i = 0; i < os->n_call_ids; i++) {
        int found = 0;
        size_t k;
        json_t *d;
        json_array_foreach(dialogs, k, d) found +=
            !strcmp(json_string_value(json_object_get(d, "call_id")), os->call_ids[i]);
        ck_assert_msg(found == 1, "Call-ID %s listed %d times", os->call_ids[i], found);
    }
    /* the spec's list item shape */
    json_t *spec_item = spec_example(
        "{\"call_id\":\"x\",\"from\":\"alice\",\"to\":\"bob\",\"state\":\"Failed\",\"method\":"
        "\"INVITE\",\"duration_sec\":0.0,\"msg_count\":4,\"timing\":{\"pdd_ms\":847,\"setup_ms\":"
        "null,\"retransmits\":2},\"created_at\":\"2026-04-13T10:30:00Z\",\"updated_at\":\"2026-04-"
        "13T10:30:03Z\"}");
    same_shape(spec_item, json_array_get(dialogs, 0), "dialogs[0]");
    json_decref(spec_item);
    /* each dialog equals what the CLI's --dialogs-json says of it */
    char input[512];
    snprintf(input, sizeof input, "%s/sip-failures.pcap", SNB_TEST_DATA_DIR);
    char *cli[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-q", "-I", input,
                   "--dialogs-json",     NULL};
    run_result_t cr = run_cmd(cli, 30);
    ck_assert_int_eq(cr.status, 0);
    int compared = 0;
    for (char *line = strtok(cr.out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *want = json_loads(line, 0, NULL);
        ck_assert_ptr_nonnull(want);
        const char *cid = json_string_value(json_object_get(want, "call_id"));
        char path[512], enc[400];
        size_t e = 0;
        for (const char *p = cid; *p && e < sizeof enc - 4; p++) /* encode everything */
            e += (size_t)snprintf(enc + e, sizeof enc - e, "%%%02X", (unsigned char)*p);
        snprintf(path, sizeof path, "/v1/dialogs/%s", enc);
        json_t *got = get_json(path, 200);
        const char *fields[] = {"call_id",    "from",       "to",           "state",    "method",
                                "msg_count",  "timing",     "sdp_timeline", "refer_to", "streams",
                                "created_at", "updated_at", "final_code"};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            ck_assert_msg(
                json_equal(json_object_get(want, fields[f]), json_object_get(got, fields[f])),
                "%s: field %s differs from --dialogs-json", cid, fields[f]);
        ck_assert_ptr_nonnull(json_object_get(got, "messages")); /* the ladder */
        ck_assert_int_eq(json_array_size(json_object_get(got, "messages")),
                         json_integer_value(json_object_get(want, "msg_count")));
        json_decref(got);
        json_decref(want);
        compared++;
    }
    ck_assert_int_eq(compared, os->n_call_ids);
    run_free(&cr);
    /* state filter, case-insensitive, total after filtering */
    json_t *failed = get_json("/v1/dialogs?state=failed&limit=1", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(failed, "total")), 4);
    ck_assert_int_eq(json_array_size(json_object_get(failed, "dialogs")), 1);
    json_decref(failed);
    json_t *f2 = get_json("/v1/dialogs?state=Failed&limit=2&offset=3", 200);
    ck_assert_int_eq(json_array_size(json_object_get(f2, "dialogs")), 1);
    json_decref(f2);
    /* from= is a regex on the From user */
    json_t *from = get_json("/v1/dialogs?from=%5Eali(ce)%3F%24", 200);
    ck_assert_int_gt(json_integer_value(json_object_get(from, "total")), 0);
    json_decref(from);
    json_t *none = get_json("/v1/dialogs?from=nobody-here", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(none, "total")), 0);
    json_decref(none);
    /* limit is capped at 1000 */
    json_t *cap = get_json("/v1/dialogs?limit=5000", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(cap, "limit")), 1000);
    json_decref(cap);
    /* 400s */
    const char *bad[] = {"/v1/dialogs?limit=abc",      "/v1/dialogs?offset=-1",
                         "/v1/dialogs?state=Bogus",    "/v1/dialogs?from=(unclosed",
                         "/v1/streams?orphaned=maybe", "/v1/streams?mos_below=x",
                         "/v1/streams/0xZZ",           "/v1/streams/123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *e = get_json(bad[i], 400);
        ck_assert_int_eq(json_integer_value(json_object_get(e, "status")), 400);
        ck_assert(json_is_string(json_object_get(e, "error")));
        json_decref(e);
    }
    /* 404s */
    json_decref(get_json("/v1/dialogs/no-such-call", 404));
    json_decref(get_json("/v1/dialogs/no-such-call/report", 404));
    json_decref(get_json("/v1/streams/0x1a2b3c4d", 404));
    json_decref(get_json("/v2/dialogs", 404));
    /* 405 with Allow */
    char *argv[] = {"/usr/bin/curl",
                    "-s",
                    "-o",
                    BODY,
                    "-D",
                    HDRS,
                    "-w",
                    "%{http_code}",
                    "-X",
                    "POST",
                    "-H",
                    "Authorization: Bearer " KEY,
                    NULL,
                    NULL};
    char url[128];
    snprintf(url, sizeof url, "%s/v1/dialogs", base);
    argv[12] = url;
    run_result_t r = run_cmd(argv, 10);
    ck_assert_str_eq(r.out, "405");
    run_free(&r);
    char *hdrs = read_file(HDRS);
    ck_assert_ptr_nonnull(strcasestr(hdrs, "Allow: GET"));
    free(hdrs);
    /* the report: JSON with a summary, and Markdown on request */
    const char *cid = json_string_value(json_object_get(json_array_get(dialogs, 1), "call_id"));
    char path[512];
    snprintf(path, sizeof path, "/v1/dialogs/%s/report", cid);
    json_t *rep = get_json(path, 200);
    ck_assert(json_is_string(json_object_get(json_object_get(rep, "diagnosis"), "summary")));
    json_decref(rep);
    ck_assert_int_eq(get(path, KEY, "Accept: text/markdown", &body), 200);
    char want_title[300];
    snprintf(want_title, sizeof want_title, "# Call `%s`", cid);
    ck_assert_msg(strstr(body, want_title) == body, "markdown starts: %.60s", body);
    ck_assert_ptr_nonnull(strstr(body, "## Messages"));
    free(body);
    hdrs = read_file(HDRS);
    ck_assert_ptr_nonnull(strcasestr(hdrs, "Content-Type: text/markdown"));
    free(hdrs);
    /* stats: counts by state and PDD percentiles */
    json_t *stats = get_json("/v1/stats", 200);
    json_t *spec_stats = spec_example(
        "{\"dialogs\":{\"total\":1,\"active\":1,\"completed\":1,\"failed\":1,\"cancelled\":1},"
        "\"streams\":{\"total\":1,\"orphaned\":1},\"timing\":{\"pdd_p50_ms\":null,\"pdd_p95_ms\":"
        "null,\"pdd_p99_ms\":null}}");
    same_shape(spec_stats, stats, "stats");
    json_decref(spec_stats);
    json_t *sd = json_object_get(stats, "dialogs");
    ck_assert_int_eq(json_integer_value(json_object_get(sd, "total")), os->n_call_ids);
    ck_assert_int_eq(json_integer_value(json_object_get(sd, "failed")), 4);
    json_decref(stats);
    /* metrics: every family of the spec, and the message counts of the oracle */
    ck_assert_int_eq(get("/metrics", KEY, NULL, &body), 200);
    const char *families[] = {"sipnab_dialogs_total",
                              "sipnab_messages_total",
                              "sipnab_responses_total",
                              "sipnab_rtp_streams_active",
                              "sipnab_rtp_streams_total",
                              "sipnab_capture_packets_total",
                              "sipnab_reassembly_timeouts_total",
                              "sipnab_pdd_seconds",
                              "sipnab_mos",
                              "sipnab_jitter_ms",
                              "sipnab_loss_percent",
                              "sipnab_security_alerts_total",
                              "sipnab_diagnosis_total"};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        char t[128];
        snprintf(t, sizeof t, "# TYPE %s ", families[i]);
        ck_assert_msg(strstr(body, t), "no %s", families[i]);
    }
    ck_assert_ptr_nonnull(strstr(body, "sipnab_dialogs_total{state=\"failed\"} 4\n"));
    /* A file's packet times are not now: no feed lag is measured. */
    ck_assert_ptr_nonnull(strstr(body, "\nsipnab_api_feed_lag_seconds_count 0\n"));
    char line[128];
    snprintf(line, sizeof line, "sipnab_messages_total{method=\"INVITE\"} %ld\n",
             oracle_sip_method(o, "INVITE"));
    ck_assert_msg(strstr(body, line), "want %s", line);
    snprintf(line, sizeof line, "sipnab_capture_packets_total %ld\n", oracle_packets(o));
    ck_assert_msg(strstr(body, line), "want %s", line);
    for (int i = 0; i < os->n_codes; i++) {
        snprintf(line, sizeof line, "sipnab_responses_total{code=\"%d\"} %ld\n", os->codes[i].code,
                 os->codes[i].count);
        ck_assert_msg(strstr(body, line), "want %s", line);
    }
    ck_assert_ptr_nonnull(strstr(body, "sipnab_pdd_seconds_bucket{le=\"+Inf\"}"));
    /* every metric the shipped Grafana dashboard queries is served */
    json_t *dash = json_load_file(SNB_SOURCE_DIR "/contrib/grafana-dashboard.json", 0, NULL);
    ck_assert_ptr_nonnull(dash);
    int names = 0;
    size_t pi;
    json_t *panel;
    json_array_foreach(json_object_get(dash, "panels"), pi, panel)
    {
        size_t ti;
        json_t *target;
        json_array_foreach(json_object_get(panel, "targets"), ti, target)
        {
            const char *expr = json_string_value(json_object_get(target, "expr"));
            for (const char *p = strstr(expr, "sipnab_"); p; p = strstr(p + 1, "sipnab_")) {
                char name[96];
                size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
                snprintf(name, sizeof name, "%.*s", (int)n, p);
                char *bucket = strstr(name, "_bucket");
                if (bucket && bucket[7] == '\0') *bucket = '\0';
                char t[128];
                snprintf(t, sizeof t, "# TYPE %s ", name);
                ck_assert_msg(strstr(body, t), "the dashboard queries %s, which is not served",
                              name);
                names++;
            }
        }
    }
    ck_assert_int_ge(names, 13);
    json_decref(dash);
    free(body);
    json_decref(list);
    oracle_free(o);
    api_stop(pid);
}
END_TEST

/* A media diagnosis declared by the RTP module (poor_quality, issue 11
 * item 7) is counted like the others, without the http module naming it:
 * ws-asterisk-zfone-xlite has one call, with one direction at 64.3 % loss. */
START_TEST(poor_quality_is_counted)
{
    pid_t pid = api_start("ws-asterisk-zfone-xlite.pcap", NULL);
    char *body = NULL;
    ck_assert_int_eq(get("/metrics", KEY, NULL, &body), 200);
    ck_assert_msg(strstr(body, "sipnab_diagnosis_total{kind=\"poor_quality\"} 1\n"), "%s", body);
    free(body);
    api_stop(pid);
}
END_TEST

/* ---- streams, against the oracle's heuristic rtp,streams ---- */

START_TEST(streams_match_wireshark)
{
    pid_t pid = api_start("ws-sip-call-rtp-g711.pcap", NULL);
    oracle_t *o = oracle_load(SNB_TEST_DATA_DIR "/ws-sip-call-rtp-g711.tshark.txt");
    int n = 0;
    const oracle_rtp_stream_t *want = oracle_rtp_streams(o, &n);
    ck_assert_int_gt(n, 0);
    json_t *list = get_json("/v1/streams?limit=1000", 200);
    json_t *streams = json_object_get(list, "streams");
    ck_assert_int_eq(json_integer_value(json_object_get(list, "total")), n);
    json_t *spec_stream = spec_example(
        "{\"ssrc\":\"0x1a2b3c4d\",\"codec\":\"PCMU\",\"src\":\"10.0.0.1:10000\",\"dst\":\"10.0.0.2:"
        "20000\",\"packets\":4820,\"jitter_ms\":2.1,\"loss_pct\":0.0,\"orphaned\":false,"
        "\"associated_dialog\":\"x\",\"mos\":4.2}");
    for (int i = 0; i < n; i++) {
        char src[96], dst[96], ssrc[16];
        snprintf(src, sizeof src, "%s:%u", want[i].src, want[i].sport);
        snprintf(dst, sizeof dst, "%s:%u", want[i].dst, want[i].dport);
        snprintf(ssrc, sizeof ssrc, "0x%08lX", want[i].ssrc);
        json_t *match = NULL;
        size_t k;
        json_t *s;
        json_array_foreach(streams, k,
                           s) if (!strcmp(json_string_value(json_object_get(s, "src")), src) &&
                                  !strcmp(json_string_value(json_object_get(s, "dst")), dst))
            match = s;
        ck_assert_msg(match != NULL, "no stream %s -> %s", src, dst);
        same_shape(spec_stream, match, "streams[]");
        ck_assert_str_eq(json_string_value(json_object_get(match, "ssrc")), ssrc);
        ck_assert_int_eq(json_integer_value(json_object_get(match, "packets")), want[i].packets);
        /* by SSRC, with and without 0x */
        char path[64];
        snprintf(path, sizeof path, "/v1/streams/%s", ssrc);
        json_t *one = get_json(path, 200);
        ck_assert_str_eq(json_string_value(json_object_get(one, "ssrc")), ssrc);
        ck_assert_ptr_nonnull(json_object_get(one, "quality_intervals"));
        json_decref(one);
        snprintf(path, sizeof path, "/v1/streams/%lx", want[i].ssrc);
        json_decref(get_json(path, 200));
    }
    json_decref(spec_stream);
    /* the full dialog has every field of the spec's example, its SDP
     * timeline entries and its streams included */
    json_t *spec_full = spec_example(
        "{\"call_id\":\"x\",\"from\":\"alice\",\"to\":\"bob\",\"from_display\":\"A\","
        "\"to_display\":\"B\",\"state\":\"Completed\",\"method\":\"INVITE\",\"msg_count\":8,"
        "\"duration_sec\":45.2,\"tags\":[],\"timing\":{\"pdd_ms\":null,\"setup_ms\":null,"
        "\"ring_ms\":null,\"trying_delay_ms\":null,\"teardown_ms\":null,\"retransmits\":0},"
        "\"sdp_timeline\":[{\"timestamp\":\"t\",\"direction\":\"offer\",\"codecs\":[\"PCMU\"],"
        "\"media_addr\":\"10.0.0.1\",\"media_port\":10000,\"mode\":\"sendrecv\"}],"
        "\"refer_to\":null,\"siprec_metadata\":null,\"diagnosis\":{\"one_way_audio\":false,"
        "\"nat_mismatch\":false,\"no_media\":false,\"hints\":[]},\"streams\":[{"
        "\"schema_version\":1,\"ssrc\":\"0x1a2b3c4d\",\"codec\":\"PCMU\",\"payload_type\":0,"
        "\"src\":\"10.0.0.1:10000\",\"dst\":\"10.0.0.2:20000\",\"packets\":4820,\"octets\":"
        "771200,\"jitter_ms\":2.1,\"loss_pct\":0.0,\"orphaned\":false,\"associated_dialog\":"
        "\"x\",\"first_seen\":\"t\",\"last_seen\":\"t\",\"quality_intervals\":[]}]}");
    json_t *dialog = get_json("/v1/dialogs/12013223%40200.57.7.195", 200);
    ck_assert_int_gt(json_array_size(json_object_get(dialog, "streams")), 0);
    ck_assert_int_gt(json_array_size(json_object_get(dialog, "sdp_timeline")), 0);
    same_shape(spec_full, dialog, "dialog");
    json_decref(spec_full);
    json_decref(dialog);
    /* the dialog embeds its streams, with the same SSRCs */
    json_t *d = get_json("/v1/dialogs", 200);
    int embedded = 0;
    size_t k;
    json_t *item;
    json_array_foreach(json_object_get(d, "dialogs"), k, item)
    {
        char path[400];
        snprintf(path, sizeof path, "/v1/dialogs/%s",
                 json_string_value(json_object_get(item, "call_id")));
        json_t *full = get_json(path, 200);
        embedded += (int)json_array_size(json_object_get(full, "streams"));
        json_decref(full);
    }
    json_t *st = get_json("/v1/stats", 200);
    long orphaned =
        (long)json_integer_value(json_object_get(json_object_get(st, "streams"), "orphaned"));
    json_decref(st);
    ck_assert_int_eq(embedded, n - orphaned);
    json_decref(d);
    /* filters */
    json_t *orph = get_json("/v1/streams?orphaned=false", 200);
    json_t *orph_t = get_json("/v1/streams?orphaned=true", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(orph, "total")) +
                         json_integer_value(json_object_get(orph_t, "total")),
                     n);
    json_decref(orph);
    json_decref(orph_t);
    json_t *low = get_json("/v1/streams?mos_below=0.5", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(low, "total")), 0);
    json_decref(low);
    json_t *high = get_json("/v1/streams?mos_below=5", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(high, "total")), n);
    json_decref(high);
    json_t *page = get_json("/v1/streams?limit=2&offset=1", 200);
    ck_assert_int_eq(json_array_size(json_object_get(page, "streams")), n - 1 < 2 ? n - 1 : 2);
    json_decref(page);
    json_decref(list);
    oracle_free(o);
    api_stop(pid);
}
END_TEST

/* ---- pagination over 1334 dialogs, and the spec's Python client ---- */

START_TEST(pagination_and_python_client)
{
    pid_t pid = api_start("sipp-branch-scenario-1334calls.pcapng", NULL);
    json_t *all = get_json("/v1/dialogs?limit=1", 200);
    long total = (long)json_integer_value(json_object_get(all, "total"));
    ck_assert_int_eq(total, 1334);
    json_decref(all);
    /* walk every page; each Call-ID once */
    json_t *seen = json_object();
    for (long offset = 0; offset < total; offset += 300) {
        char path[96];
        snprintf(path, sizeof path, "/v1/dialogs?limit=300&offset=%ld", offset);
        json_t *page = get_json(path, 200);
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(page, "dialogs"), k, d) json_object_set_new(
            seen, json_string_value(json_object_get(d, "call_id")), json_true());
        json_decref(page);
    }
    ck_assert_int_eq(json_object_size(seen), 1334);
    json_decref(seen);
    json_t *past = get_json("/v1/dialogs?offset=5000", 200);
    ck_assert_int_eq(json_array_size(json_object_get(past, "dialogs")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(past, "total")), 1334);
    json_decref(past);
    /* The spec's Python client (examples/api/sipnab_client.py), unchanged. */
    char script[512], env_api[96];
    snprintf(script, sizeof script, "%s/examples/api/sipnab_client.py", SNB_SOURCE_DIR);
    snprintf(env_api, sizeof env_api, "SIPNAB_API=%s", base);
    char *argv[] = {"/usr/bin/env", env_api, "SIPNAB_API_KEY=" KEY, "python3", script, NULL};
    run_result_t r = run_cmd(argv, 120);
    ck_assert_msg(r.status == 0, "python client: %d %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Stats: {'schema_version': 1"));
    json_t *failed = get_json("/v1/dialogs?state=Failed&limit=1", 200);
    char want[64];
    snprintf(want, sizeof want, "\n%lld failed dialogs\n",
             (long long)json_integer_value(json_object_get(failed, "total")));
    ck_assert_msg(strstr(r.out, want), "want '%s' in %s", want + 1, r.out);
    json_decref(failed);
    run_free(&r);
    api_stop(pid);
}
END_TEST

/* ---- limits: 100 requests/s per client, and the connection cap ---- */

START_TEST(rate_limit_and_connection_cap)
{
    char *extra[] = {"--api-max-conn", "3", NULL};
    pid_t pid = api_start("sip-failures.pcap", extra);
    /* 250 requests on one keep-alive connection, as fast as curl goes */
    char url[96];
    snprintf(url, sizeof url, "%s/v1/stats", base);
    char *argv[260] = {"/usr/bin/curl",         "-s", "-w",
                       "\nCODE=%{http_code}\n", "-H", "Authorization: Bearer " KEY};
    int n = 6;
    for (int i = 0; i < 250; i++)
        argv[n++] = url;
    argv[n] = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_result_t r = run_cmd(argv, 60);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int ok = 0, limited = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        ok += !strcmp(line, "CODE=200");
        limited += !strcmp(line, "CODE=503");
    }
    run_free(&r);
    /* About 100 in any second (issue 11.11): up to 100 at once (less what
     * this client spent just before), then the rate over the run's time;
     * before, 199 in the first second. */
    ck_assert_int_ge(ok, 10);
    ck_assert_msg(ok <= 100 + (int)(100 * took) + 2, "%d answered in %.2f s", ok, took);
    ck_assert_int_gt(limited, 0); /* then 503, not 429 */
    ck_assert_int_eq(ok + limited, 250);
    sleep(2); /* recovered */
    json_decref(get_json("/v1/stats", 200));
    /* hold 3 idle connections open: the 4th request gets 503 */
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)api_port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&sa, sizeof sa), 0);
    }
    usleep(300000);
    char *body = NULL;
    ck_assert_int_eq(get("/v1/stats", KEY, NULL, &body), 503);
    ck_assert_ptr_nonnull(strstr(body, "connection limit"));
    free(body);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    usleep(300000);
    json_decref(get_json("/v1/stats", 200));
    api_stop(pid);
}
END_TEST

/* ---- HTTPS with a certificate made by openssl here ---- */

START_TEST(https)
{
    const char *dir = "/tmp/sipnab-api-tls";
    mkdir(dir, 0700);
    char *gen[] = {"/usr/bin/openssl",
                   "req",
                   "-x509",
                   "-newkey",
                   "rsa:2048",
                   "-nodes",
                   "-days",
                   "2",
                   "-subj",
                   "/CN=localhost",
                   "-addext",
                   "subjectAltName=IP:127.0.0.1",
                   "-keyout",
                   "/tmp/sipnab-api-tls/key.pem",
                   "-out",
                   "/tmp/sipnab-api-tls/cert.pem",
                   NULL};
    run_result_t g = run_cmd(gen, 60);
    ck_assert_msg(g.status == 0, "openssl: %s", g.err);
    run_free(&g);
    char *extra[] = {"--api-tls-cert", "/tmp/sipnab-api-tls/cert.pem", "--api-tls-key",
                     "/tmp/sipnab-api-tls/key.pem", NULL};
    char input[512], hostport[32], stats_url[96], health_url[96];
    snprintf(input, sizeof input, "%s/sip-failures.pcap", SNB_TEST_DATA_DIR);
    int port = pick_port(hostport);
    snprintf(stats_url, sizeof stats_url, "https://127.0.0.1:%d/v1/stats", port);
    snprintf(health_url, sizeof health_url, "http://127.0.0.1:%d/health", port);
    char *argv[] = {
        (char *)sipnab_bin(), "-c", "/dev/null", "-N",     "-I",     input,    "--api", hostport,
        "--api-key",          KEY,  extra[0],    extra[1], extra[2], extra[3], NULL};
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert(wait_for_text(ERR, "over TLS", 10));
    snprintf(base, sizeof base, "https://%s", hostport);
    wait_feed_complete();
    /* verified against the certificate: real TLS, not just "-k" */
    char *curl[] = {"/usr/bin/curl",
                    "-s",
                    "--cacert",
                    "/tmp/sipnab-api-tls/cert.pem",
                    "-H",
                    "Authorization: Bearer " KEY,
                    stats_url,
                    NULL};
    run_result_t r = run_cmd(curl, 20);
    ck_assert_msg(r.status == 0, "curl https: %d %s", r.status, r.err);
    json_t *j = json_loads(r.out, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "dialogs"), "total")),
                     6);
    json_decref(j);
    run_free(&r);
    /* plain HTTP on the TLS port gets nothing useful */
    char *plain[] = {"/usr/bin/curl", "-s",         "-o", "/dev/null", "-w",
                     "%{http_code}",  "--max-time", "3",  health_url,  NULL};
    r = run_cmd(plain, 20);
    ck_assert_str_ne(r.out, "200");
    run_free(&r);
    api_stop(pid);
    /* a bad certificate path, or a key that is not the certificate's: one
     * line, exit 2, before anything runs */
    char *bad[] = {(char *)sipnab_bin(),
                   "-c",
                   "/dev/null",
                   "-N",
                   "-I",
                   input,
                   "--api",
                   hostport, /* refused before it binds */
                   "--api-tls-cert",
                   "/tmp/sipnab-api-tls/nope.pem",
                   "--api-tls-key",
                   "/tmp/sipnab-api-tls/key.pem",
                   NULL};
    r = run_cmd(bad, 20);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "nope.pem: No such file or directory"));
    run_free(&r);
    char *gen2[] = {"/usr/bin/openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=other",
                    "-keyout",
                    "/tmp/sipnab-api-tls/other.pem",
                    "-out",
                    "/tmp/sipnab-api-tls/other-cert.pem",
                    NULL};
    g = run_cmd(gen2, 60);
    run_free(&g);
    bad[11] = "/tmp/sipnab-api-tls/other.pem";
    bad[9] = "/tmp/sipnab-api-tls/cert.pem";
    r = run_cmd(bad, 20);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "does not match the certificate"));
    run_free(&r);
}
END_TEST

/* ---- startup refusals ---- */

START_TEST(refusals)
{
    char input[512];
    snprintf(input, sizeof input, "%s/sip-failures.pcap", SNB_TEST_DATA_DIR);
    /* all interfaces without a key */
    char any[32], serving[64];
    int port = free_tcp_port();
    ck_assert_int_gt(port, 0);
    snprintf(any, sizeof any, "0.0.0.0:%d", port);
    snprintf(serving, sizeof serving, "serving the API on %s", any);
    char *open_argv[] = {
        (char *)sipnab_bin(), "-c", "/dev/null", "-N", "-I", input, "--api", any, NULL};
    char *envless[] = {"env", "-u", "SIPNAB_API_KEY", NULL};
    (void)envless;
    unsetenv("SIPNAB_API_KEY");
    run_result_t r = run_cmd(open_argv, 20);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "without an API key"));
    run_free(&r);
    /* the key from the environment is accepted */
    setenv("SIPNAB_API_KEY", KEY, 1);
    pid_t pid = run_bg(open_argv, OUT, ERR);
    ck_assert(wait_for_text(ERR, serving, 10));
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    usleep(500000);
    json_decref(get_json("/v1/stats", 200));
    api_stop(pid);
    unsetenv("SIPNAB_API_KEY");
    /* --api-key without --api; a port in use */
    char *orphan[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-N", "-I", input,
                      "--api-key",          "k",  NULL};
    r = run_cmd(orphan, 20);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--api-key needs --api"));
    run_free(&r);
    int taken_port, fd = bind_loopback(SOCK_STREAM, &taken_port);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(listen(fd, 1), 0);
    char taken[32];
    snprintf(taken, sizeof taken, "127.0.0.1:%d", taken_port);
    char *busy[] = {
        (char *)sipnab_bin(), "-c", "/dev/null", "-N", "-I", input, "--api", taken, NULL};
    r = run_cmd(busy, 20);
    ck_assert_int_ne(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "Address already in use"));
    run_free(&r);
    close(fd);
    /* the [http] section, and -T hides the key */
    const char *conf = "/tmp/sipnab-api-test.conf";
    char hostport[32], text[128], listen_line[64];
    pick_port(hostport);
    snprintf(text, sizeof text, "[http]\nlisten = %s\napi_key = from-the-file\n", hostport);
    snprintf(listen_line, sizeof listen_line, "listen = %s", hostport);
    snprintf(serving, sizeof serving, "serving the API on %s", hostport);
    write_file(conf, text, strlen(text));
    char *dump[] = {(char *)sipnab_bin(), "-c", (char *)conf, "--load", "http", "-T", NULL};
    r = run_cmd(dump, 20);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "from-the-file"));
    ck_assert_ptr_nonnull(strstr(r.out, listen_line));
    run_free(&r);
    char *fromconf[] = {(char *)sipnab_bin(),
                        "-c",
                        (char *)conf,
                        "--load",
                        "pcap,sip,rtp,http",
                        "-N",
                        "-I",
                        input,
                        NULL};
    pid = run_bg(fromconf, OUT, ERR);
    ck_assert(wait_for_text(ERR, serving, 10));
    usleep(500000);
    ck_assert_int_eq(get("/v1/stats", "from-the-file", NULL, NULL), 200);
    ck_assert_int_eq(get("/v1/stats", KEY, NULL, NULL), 401);
    api_stop(pid);
}
END_TEST

/* ---- isolation: the API process's identity, root and descriptors ---- */

static pid_t api_child(pid_t parent)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", parent, parent);
    for (int i = 0; i < 40; i++) {
        char *text = read_file(path);
        pid_t child = text ? (pid_t)atoi(text) : 0;
        free(text);
        if (child > 0) return child;
        usleep(50000);
    }
    return 0;
}

/* The descriptors of pid as "target" strings ("socket:[123]", "/path"). */
static int fd_targets(pid_t pid, char targets[][256], int max)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        if (e->d_name[0] == '.') continue;
        char link[400];
        snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
        ssize_t len = readlink(link, targets[n], 255);
        if (len < 0) continue;
        targets[n++][len] = '\0';
    }
    closedir(d);
    return n;
}

START_TEST(isolation_and_restart)
{
    pid_t pid = api_start("ws-sip-call-rtp-g711.pcap", NULL);
    pid_t child = api_child(pid);
    ck_assert_int_gt(child, 0);
    char targets[64][256];
    int n = fd_targets(child, targets, 64);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(!strstr(targets[i], ".pcap"), "capture open in the API process: %s",
                      targets[i]);
        ck_assert_msg(strncmp(targets[i], "/", 1) != 0 || !strcmp(targets[i], "/dev/null") ||
                          strstr(targets[i], "/tmp/sipnab-api-test"),
                      "API process has a file open: %s", targets[i]);
    }
    /* A handful: stdio, the feed, the listen socket, epolls, eventfds,
     * clients (ASan adds one); what matters is that none is a file (above). */
    ck_assert_int_le(n, 32);
    if (geteuid() == 0) { /* privileges dropped, chrooted into nothing */
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/status", child);
        char *status = read_file(path);
        ck_assert_ptr_nonnull(strstr(status, "\nUid:\t65534\t65534\t65534\t65534\n"));
        free(status);
        char root[256];
        snprintf(path, sizeof path, "/proc/%d/root", child);
        ssize_t len = readlink(path, root, sizeof root - 1);
        ck_assert_int_gt(len, 0);
        root[len] = '\0';
        ck_assert_msg(strcmp(root, "/") != 0, "API process root is /");
    }
    json_t *before = get_json("/v1/stats", 200);
    /* kill it: the capture process logs it and starts a new one with the
     * same data */
    kill(child, SIGKILL);
    ck_assert(wait_for_text(ERR, "killed by signal 9", 10));
    pid_t again = 0;
    for (int i = 0; i < 60 && (again == 0 || again == child); i++) {
        usleep(100000);
        again = api_child(pid);
    }
    ck_assert_int_ne(again, child);
    usleep(800000);
    json_t *after = get_json("/v1/stats", 200);
    ck_assert_msg(json_equal(before, after), "stats changed across the restart");
    json_decref(before);
    json_decref(after);
    api_stop(pid);
    /* and it does not outlive sipnab */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", again);
    for (int i = 0; i < 40 && access(path, F_OK) == 0; i++)
        usleep(50000);
    ck_assert_msg(access(path, F_OK) != 0, "API process %d still running", again);
}
END_TEST

/* Live capture on lo (root only): the API process holds no packet socket. */
/* Whether /proc/net/packet lists a socket with this inode. The inode is the
 * last column; kernels differ in what follows it (6.18 ends lines with
 * "inode \n"), so the column is parsed rather than matched as text. */
static bool packet_socket_inode(const char *table, unsigned long ino)
{
    const char *line = strchr(table, '\n'); /* skip the header */
    while (line && *++line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
            len--;
        size_t start = len;
        while (start && line[start - 1] != ' ')
            start--;
        char *stop;
        unsigned long v = strtoul(line + start, &stop, 10);
        if (stop == line + len && start < len && v == ino) return true;
        line = end;
    }
    return false;
}

START_TEST(live_capture_socket_not_inherited)
{
    if (geteuid() != 0) {
        fprintf(stderr, "live_capture_socket_not_inherited: needs root, skipped\n");
        return;
    }
    char hostport[32];
    pick_port(hostport);
    char *argv[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-d", "lo", "--api", hostport,
                    "--api-key",          KEY,  NULL};
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert(wait_for_text(ERR, "serving the API", 10));
    pid_t child = api_child(pid);
    ck_assert_int_gt(child, 0);
    /* the capture's sockets are in /proc/net/packet (by inode). The API
     * process is started before the capture opens its socket (modules
     * start in order), so wait up to 10 s for the socket to exist. */
    char parent_targets[64][256], targets[64][256];
    int packet_sockets = 0;
    for (int tries = 0; tries < 100 && packet_sockets == 0; tries++) {
        if (tries) usleep(100000);
        char *packet = read_file("/proc/net/packet");
        ck_assert_ptr_nonnull(packet);
        int np = fd_targets(pid, parent_targets, 64), nc = fd_targets(child, targets, 64);
        for (int i = 0; i < np; i++) {
            unsigned long ino;
            if (sscanf(parent_targets[i], "socket:[%lu]", &ino) != 1) continue;
            if (!packet_socket_inode(packet, ino)) continue;
            packet_sockets++;
            for (int k = 0; k < nc; k++)
                ck_assert_msg(strcmp(targets[k], parent_targets[i]) != 0,
                              "the API process holds the capture socket %s", targets[k]);
        }
        free(packet);
    }
    ck_assert_int_gt(packet_sockets, 0); /* the check looked at something */
    /* a call captured live shows up in the API while capture goes on */
    const char *invite = "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-live-1\r\n"
                         "From: <sip:live-alice@127.0.0.1>;tag=1\r\n"
                         "To: <sip:bob@127.0.0.1>\r\n"
                         "Call-ID: live-call-1@api-test\r\n"
                         "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5098)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int found = 0;
    /* resent like a UAC would, in case capture started after the first */
    for (int i = 0; i < 100 && !found; i++) {
        if (i % 5 == 0)
            ck_assert_int_eq(
                sendto(fd, invite, strlen(invite), 0, (struct sockaddr *)&to, sizeof to),
                (ssize_t)strlen(invite));
        usleep(100000);
        char *body = NULL;
        if (get("/v1/dialogs?from=%5Elive-alice%24", KEY, NULL, &body) == 200)
            found = body && strstr(body, "live-call-1@api-test") != NULL;
        free(body);
    }
    close(fd);
    ck_assert_msg(found, "the live call never reached the API");
    json_t *d = get_json("/v1/dialogs/live-call-1%40api-test", 200);
    ck_assert_str_eq(json_string_value(json_object_get(d, "state")), "Trying");
    json_decref(d);
    /* Live records carry their capture time: the feed lag was measured,
     * and on an idle loop it is a refresh or so, not seconds. */
    char *metrics = NULL;
    ck_assert_int_eq(get("/metrics", KEY, NULL, &metrics), 200);
    static const char count_key[] = "\nsipnab_api_feed_lag_seconds_count ",
                      within_key[] = "\nsipnab_api_feed_lag_seconds_bucket{le=\"5\"} ";
    const char *count = strstr(metrics, count_key), *within = strstr(metrics, within_key);
    ck_assert(count && within);
    long n = atol(count + strlen(count_key));
    ck_assert_int_ge(n, 1);
    ck_assert_int_eq(atol(within + strlen(within_key)), n);
    free(metrics);
    api_stop(pid);
}
END_TEST

/* Slow and idle clients are cut off; oversized requests are refused. */
START_TEST(timeouts_and_size_caps)
{
    char *extra[] = {"-o", "http.idle_timeout=1s", NULL};
    pid_t pid = api_start("sip-failures.pcap", extra);
    /* an idle connection is closed after the timeout */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)api_port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[256];
    ck_assert_int_eq(recv(fd, buf, sizeof buf, 0), 0); /* EOF, not the 5 s receive timeout */
    close(fd);
    /* a request that never finishes (slowloris) is cut off too */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const char *partial = "GET /v1/stats HTTP/1.1\r\nHost: x\r\n";
    ck_assert_int_eq(send(fd, partial, strlen(partial), 0), (ssize_t)strlen(partial));
    ck_assert_int_le(recv(fd, buf, sizeof buf, 0), 0);
    close(fd);
    /* 20 KB of headers: over max_request (16k); refused, and the server lives on */
    char *big = malloc(20000);
    memset(big, 'a', 19999);
    big[19999] = '\0';
    memcpy(big, "X-Big: ", 7);
    char *body = NULL;
    int status = get("/v1/stats", KEY, big, &body);
    ck_assert_msg(status == 431 || status == 413 || status == 414 || status == 0,
                  "oversized request got %d", status);
    free(body);
    free(big);
    json_decref(get_json("/v1/stats", 200));
    api_stop(pid);
}
END_TEST

/* The API process confines itself with Landlock whoever starts sipnab: as
 * root (after chroot + setuid) and as an unprivileged user (no chroot
 * possible, Landlock still applies), and it still serves. */
static long landlock_abi(void)
{
    return syscall(SYS_landlock_create_ruleset, NULL, 0, 1UL /* _VERSION */);
}

START_TEST(landlock_whoever_starts_it)
{
    char input[512];
    snprintf(input, sizeof input, "%s/sip-failures.pcap", SNB_TEST_DATA_DIR);
    char hostport[32];
    pick_port(hostport);
    char *argv[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-N", "-I", input, "--api", hostport,
                    "--api-key",          KEY,  NULL};
    unlink(ERR);
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert(wait_for_text(ERR, "serving the API", 10));
    char *log = read_file(ERR);
    if (landlock_abi() >= 1)
        ck_assert_msg(strstr(log, "; Landlock ABI ") && strstr(log, "no file access"), "%s", log);
    if (geteuid() == 0) ck_assert_ptr_nonnull(strstr(log, "user nobody, chrooted"));
    free(log);
    usleep(500000);
    json_decref(get_json("/v1/stats", 200));
    api_stop(pid);
    if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) return;
    /* the same as nobody, with no way to chroot */
    char *as_nobody[] = {"/usr/bin/setpriv",
                         "--reuid=65534",
                         "--regid=65534",
                         "--clear-groups",
                         (char *)sipnab_bin(),
                         "-c",
                         "/dev/null",
                         "-N",
                         "-I",
                         input,
                         "--api",
                         hostport, /* picked again below */
                         "--api-key",
                         KEY,
                         NULL};
    pick_port(hostport);
    unlink(ERR); /* the first run's line must not count */
    pid = run_bg(as_nobody, OUT, ERR);
    ck_assert(wait_for_text(ERR, "serving the API", 10));
    log = read_file(ERR);
    ck_assert_msg(strstr(log, "uid 65534 (not started as root: no chroot)"), "%s", log);
    if (landlock_abi() >= 1) ck_assert_ptr_nonnull(strstr(log, "no file access"));
    free(log);
    wait_feed_complete();
    json_t *st = get_json("/v1/stats", 200);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "dialogs"), "total")),
                     6);
    json_decref(st);
    api_stop(pid);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, endpoints_and_errors);
    tcase_add_test(tc, streams_match_wireshark);
    tcase_add_test(tc, poor_quality_is_counted);
    tcase_add_test(tc, pagination_and_python_client);
    tcase_add_test(tc, rate_limit_and_connection_cap);
    tcase_add_test(tc, https);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, isolation_and_restart);
    tcase_add_test(tc, live_capture_socket_not_inherited);
    tcase_add_test(tc, timeouts_and_size_caps);
    tcase_add_test(tc, landlock_whoever_starts_it);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
