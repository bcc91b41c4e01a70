/* GET /metrics: the exact exposition of a small store, cumulative histogram
 * buckets, label escaping, and the families collected by the capture
 * process's modules (deduplicated, validated, sorted samples). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_metrics.h"
#include "check_run.h"

/* The record through the wire, as the API process gets it. */
static void apply_dialog(api_store_t *s, const api_dialog_rec_t *d)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_dialog(&b, d), 0);
    ck_assert_int_eq(api_store_apply(s, API_FRAME_DIALOG, b.data + API_FRAME_HEADER,
                                     (uint32_t)(b.len - API_FRAME_HEADER)),
                     0);
    api_buf_free(&b);
}

static void add_dialog(api_store_t *s, const char *id, unsigned state, int32_t pdd, uint32_t flags)
{
    api_dialog_rec_t d = {0};
    d.call_id = snb_str(id, strlen(id));
    d.state = (uint8_t)state;
    d.pdd_ms = pdd;
    d.diag_flags = flags;
    apply_dialog(s, &d);
}

static void add_stream(api_store_t *s, uint64_t id, bool orphaned, bool active, double mos,
                       double jitter, double loss)
{
    api_stream_rec_t r = {0};
    r.id = id;
    r.ssrc = (uint32_t)id;
    r.orphaned = orphaned;
    r.active = active;
    r.mos = mos;
    r.jitter_ms = jitter;
    r.loss_pct = loss;
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_stream(&b, &r), 0);
    ck_assert_int_eq(api_store_apply(s, API_FRAME_STREAM, b.data + API_FRAME_HEADER,
                                     (uint32_t)(b.len - API_FRAME_HEADER)),
                     0);
    api_buf_free(&b);
}

static void set_counters(api_store_t *s, const char *json)
{
    ck_assert_int_eq(api_store_apply(s, API_FRAME_COUNTERS, json, (uint32_t)strlen(json)), 0);
}

static char *render(const api_store_t *s)
{
    size_t len = 0;
    char *text = api_metrics_render(s, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, strlen(text));
    ck_assert(len > 0 && text[len - 1] == '\n');
    return text;
}

/* Report the first differing line, which is far easier to read than two
 * whole expositions. */
static void same_text(const char *got, const char *want)
{
    size_t line = 1;
    const char *g = got, *w = want;
    while (*g && *g == *w) {
        if (*g == '\n') line++;
        g++, w++;
    }
    if (*g || *w) {
        const char *gl = g, *wl = w;
        while (gl > got && gl[-1] != '\n')
            gl--, wl--;
        ck_abort_msg("line %zu differs:\n got: %.*s\nwant: %.*s", line, (int)strcspn(gl, "\n"), gl,
                     (int)strcspn(wl, "\n"), wl);
    }
}

START_TEST(exact_exposition)
{
    api_store_t *s = api_store_new();
    add_dialog(s, "d1", 2, 500, 1u << 0 | 1u << 2);
    /* kinds one_way_audio, no_media */ /* le 0.5 exactly */
    add_dialog(s, "d2", 4, 2500, 0);
    add_dialog(s, "d3", 4, -1, 1u << 2);    /* no PDD: not in the histogram */
    add_dialog(s, "d4", 0, 12000, 1u << 4); /* above every bucket */
    /* The kinds the capture process's modules diagnose, in bit order. */
    const char *fields = "{\"dialogs\":{\"fields\":[],\"aliases\":[],\"kinds\":[\"one_way_audio\","
                         "\"nat_mismatch\",\"no_media\",\"late_media\",\"codec_asymmetry\"]},"
                         "\"streams\":{\"fields\":[],\"aliases\":[]}}";
    ck_assert_int_eq(api_store_apply(s, API_FRAME_FIELDS, fields, (uint32_t)strlen(fields)), 0);
    add_stream(s, 1, false, true, 4.25, 3, 0);
    add_stream(s, 2, true, false, -1, 150, 0.5); /* unknown MOS */
    add_stream(s, 3, false, false, 2.5, 20, 12);
    set_counters(
        s, "{\"feed_complete\":true,\"families\":["
           "{\"name\":\"sipnab_capture_packets_total\",\"type\":\"counter\","
           "\"help\":\"Total packets captured\",\"samples\":[{\"labels\":{},\"value\":1234}]},"
           "{\"name\":\"sipnab_messages_total\",\"type\":\"counter\","
           "\"help\":\"SIP messages by method\",\"samples\":["
           "{\"labels\":{\"method\":\"INVITE\"},\"value\":3},"
           "{\"labels\":{\"method\":\"BYE\"},\"value\":1},"
           "{\"labels\":{\"method\":\"a\\\"b\\\\c\\nd\"},\"value\":5}]},"
           "{\"name\":\"sipnab_responses_total\",\"type\":\"counter\","
           "\"help\":\"SIP responses by status code\",\"samples\":["
           "{\"labels\":{\"code\":\"200\"},\"value\":2},"
           "{\"labels\":{\"code\":\"180\"},\"value\":1}]},"
           /* shadows a family this process computes: left out */
           "{\"name\":\"sipnab_dialogs_total\",\"type\":\"counter\",\"help\":\"x\","
           "\"samples\":[{\"labels\":{},\"value\":99}]},"
           /* a gauge with a real value and a two-line help */
           "{\"name\":\"sipnab_sip_setup_avg_ms\",\"type\":\"gauge\","
           "\"help\":\"average\\nsetup\",\"samples\":[{\"labels\":{},\"value\":0.25}]},"
           /* invalid name, unknown type, a duplicate: left out */
           "{\"name\":\"bad name\",\"type\":\"counter\",\"help\":\"\",\"samples\":[]},"
           "{\"name\":\"sipnab_h\",\"type\":\"histogram\",\"help\":\"\",\"samples\":[]},"
           "{\"name\":\"sipnab_messages_total\",\"type\":\"counter\",\"help\":\"again\","
           "\"samples\":[{\"labels\":{\"method\":\"X\"},\"value\":7}]},"
           /* a sample with a bad label name or a value that is not a number: left out */
           "{\"name\":\"sipnab_l_total\",\"type\":\"counter\",\"help\":\"l\",\"samples\":["
           "{\"labels\":{\"bad-label\":\"x\"},\"value\":1},"
           "{\"labels\":{\"ok\":\"y\",\"and\":\"z\"},\"value\":2},"
           "{\"labels\":{\"ok\":\"n\"},\"value\":\"x\"}]}"
           "]}");
    char *text = render(s);
    const char *want =
        "# HELP sipnab_dialogs_total Total dialogs by state\n"
        "# TYPE sipnab_dialogs_total counter\n"
        "sipnab_dialogs_total{state=\"trying\"} 1\n"
        "sipnab_dialogs_total{state=\"ringing\"} 0\n"
        "sipnab_dialogs_total{state=\"incall\"} 1\n"
        "sipnab_dialogs_total{state=\"completed\"} 0\n"
        "sipnab_dialogs_total{state=\"failed\"} 2\n"
        "sipnab_dialogs_total{state=\"cancelled\"} 0\n"
        "sipnab_dialogs_total{state=\"registered\"} 0\n"
        "sipnab_dialogs_total{state=\"expired\"} 0\n"
        "sipnab_dialogs_total{state=\"pending\"} 0\n"
        "sipnab_dialogs_total{state=\"active\"} 0\n"
        "sipnab_dialogs_total{state=\"terminated\"} 0\n"
        "sipnab_dialogs_total{state=\"transferring\"} 0\n"
        "# HELP sipnab_rtp_streams_active RTP streams currently receiving\n"
        "# TYPE sipnab_rtp_streams_active gauge\n"
        "sipnab_rtp_streams_active 1\n"
        "# HELP sipnab_rtp_streams_total RTP streams by status\n"
        "# TYPE sipnab_rtp_streams_total counter\n"
        "sipnab_rtp_streams_total{status=\"established\"} 2\n"
        "sipnab_rtp_streams_total{status=\"orphaned\"} 1\n"
        "# HELP sipnab_pdd_seconds Post-dial delay in seconds\n"
        "# TYPE sipnab_pdd_seconds histogram\n"
        "sipnab_pdd_seconds_bucket{le=\"0.5\"} 1\n"
        "sipnab_pdd_seconds_bucket{le=\"1\"} 1\n"
        "sipnab_pdd_seconds_bucket{le=\"2\"} 1\n"
        "sipnab_pdd_seconds_bucket{le=\"3\"} 2\n"
        "sipnab_pdd_seconds_bucket{le=\"5\"} 2\n"
        "sipnab_pdd_seconds_bucket{le=\"10\"} 2\n"
        "sipnab_pdd_seconds_bucket{le=\"+Inf\"} 3\n"
        "sipnab_pdd_seconds_sum 15\n"
        "sipnab_pdd_seconds_count 3\n"
        "# HELP sipnab_mos RTP MOS estimate\n"
        "# TYPE sipnab_mos histogram\n"
        "sipnab_mos_bucket{le=\"1\"} 0\n"
        "sipnab_mos_bucket{le=\"2\"} 0\n"
        "sipnab_mos_bucket{le=\"2.5\"} 1\n"
        "sipnab_mos_bucket{le=\"3\"} 1\n"
        "sipnab_mos_bucket{le=\"3.5\"} 1\n"
        "sipnab_mos_bucket{le=\"4\"} 1\n"
        "sipnab_mos_bucket{le=\"4.5\"} 2\n"
        "sipnab_mos_bucket{le=\"+Inf\"} 2\n"
        "sipnab_mos_sum 6.75\n"
        "sipnab_mos_count 2\n"
        "# HELP sipnab_jitter_ms RTP jitter in milliseconds\n"
        "# TYPE sipnab_jitter_ms histogram\n"
        "sipnab_jitter_ms_bucket{le=\"5\"} 1\n"
        "sipnab_jitter_ms_bucket{le=\"10\"} 1\n"
        "sipnab_jitter_ms_bucket{le=\"20\"} 2\n"
        "sipnab_jitter_ms_bucket{le=\"50\"} 2\n"
        "sipnab_jitter_ms_bucket{le=\"100\"} 2\n"
        "sipnab_jitter_ms_bucket{le=\"200\"} 3\n"
        "sipnab_jitter_ms_bucket{le=\"+Inf\"} 3\n"
        "sipnab_jitter_ms_sum 173\n"
        "sipnab_jitter_ms_count 3\n"
        "# HELP sipnab_loss_percent RTP packet loss in percent\n"
        "# TYPE sipnab_loss_percent histogram\n"
        "sipnab_loss_percent_bucket{le=\"0.1\"} 1\n"
        "sipnab_loss_percent_bucket{le=\"0.5\"} 2\n"
        "sipnab_loss_percent_bucket{le=\"1\"} 2\n"
        "sipnab_loss_percent_bucket{le=\"2\"} 2\n"
        "sipnab_loss_percent_bucket{le=\"5\"} 2\n"
        "sipnab_loss_percent_bucket{le=\"10\"} 2\n"
        "sipnab_loss_percent_bucket{le=\"+Inf\"} 3\n"
        "sipnab_loss_percent_sum 12.5\n"
        "sipnab_loss_percent_count 3\n"
        "# HELP sipnab_diagnosis_total Dialogs by diagnosis\n"
        "# TYPE sipnab_diagnosis_total counter\n"
        "sipnab_diagnosis_total{kind=\"one_way_audio\"} 1\n"
        "sipnab_diagnosis_total{kind=\"nat_mismatch\"} 0\n"
        "sipnab_diagnosis_total{kind=\"no_media\"} 2\n"
        "sipnab_diagnosis_total{kind=\"late_media\"} 0\n"
        "sipnab_diagnosis_total{kind=\"codec_asymmetry\"} 1\n"
        "# HELP sipnab_api_feed_complete 1 when the capture has ended and the API holds all of it\n"
        "# TYPE sipnab_api_feed_complete gauge\n"
        "sipnab_api_feed_complete 1\n"
        "# HELP sipnab_api_feed_lag_seconds Seconds from the capture of a dialog's latest message "
        "to its arrival in the API process (live captures)\n"
        "# TYPE sipnab_api_feed_lag_seconds histogram\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"0.05\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"0.1\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"0.25\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"0.5\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"1\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"2\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"5\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"10\"} 0\n"
        "sipnab_api_feed_lag_seconds_bucket{le=\"+Inf\"} 0\n"
        "sipnab_api_feed_lag_seconds_sum 0\n"
        "sipnab_api_feed_lag_seconds_count 0\n"
        "# HELP sipnab_capture_packets_total Total packets captured\n"
        "# TYPE sipnab_capture_packets_total counter\n"
        "sipnab_capture_packets_total 1234\n"
        "# HELP sipnab_messages_total SIP messages by method\n"
        "# TYPE sipnab_messages_total counter\n"
        "sipnab_messages_total{method=\"BYE\"} 1\n"
        "sipnab_messages_total{method=\"INVITE\"} 3\n"
        "sipnab_messages_total{method=\"a\\\"b\\\\c\\nd\"} 5\n"
        "# HELP sipnab_responses_total SIP responses by status code\n"
        "# TYPE sipnab_responses_total counter\n"
        "sipnab_responses_total{code=\"180\"} 1\n"
        "sipnab_responses_total{code=\"200\"} 2\n"
        "# HELP sipnab_sip_setup_avg_ms average\\nsetup\n"
        "# TYPE sipnab_sip_setup_avg_ms gauge\n"
        "sipnab_sip_setup_avg_ms 0.25\n"
        "# HELP sipnab_l_total l\n"
        "# TYPE sipnab_l_total counter\n"
        "sipnab_l_total{and=\"z\",ok=\"y\"} 2\n"
        /* announced by contract, filled by nobody here */
        "# HELP sipnab_reassembly_timeouts_total TCP/IP reassembly sessions that timed out\n"
        "# TYPE sipnab_reassembly_timeouts_total counter\n"
        "# HELP sipnab_security_alerts_total Security alerts by type\n"
        "# TYPE sipnab_security_alerts_total counter\n";
    same_text(text, want);
    free(text);
    api_store_free(s);
}
END_TEST

/* The sample value of the line starting with `prefix`; -1 if absent. */
static long long sample(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, prefix, n) == 0 && p[n] == ' ') return atoll(p + n + 1);
    return -1;
}

START_TEST(histogram_cumulative)
{
    api_store_t *s = api_store_new();
    /* One PDD per 100 ms from 0 to 11.9 s, one stream per jitter step. */
    char id[16];
    for (int i = 0; i < 120; i++) {
        snprintf(id, sizeof id, "c%d", i);
        add_dialog(s, id, 2, i * 100, 0);
    }
    for (int i = 0; i < 250; i++)
        add_stream(s, (uint64_t)i + 1, false, false, i / 50.0, i, i / 20.0);
    char *text = render(s);
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_bucket{le=\"0.5\"}"), 6); /* 0..500 ms */
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_bucket{le=\"1\"}"), 11);
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_bucket{le=\"2\"}"), 21);
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_bucket{le=\"3\"}"), 31);
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_bucket{le=\"5\"}"), 51);
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_bucket{le=\"10\"}"), 101);
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_bucket{le=\"+Inf\"}"), 120);
    ck_assert_int_eq(sample(text, "sipnab_pdd_seconds_count"), 120);
    ck_assert_ptr_nonnull(strstr(text, "\nsipnab_pdd_seconds_sum 714\n")); /* 100 ms * 7140 */
    ck_assert_int_eq(sample(text, "sipnab_jitter_ms_bucket{le=\"5\"}"), 6);
    ck_assert_int_eq(sample(text, "sipnab_jitter_ms_bucket{le=\"200\"}"), 201);
    ck_assert_int_eq(sample(text, "sipnab_jitter_ms_bucket{le=\"+Inf\"}"), 250);
    ck_assert_int_eq(sample(text, "sipnab_mos_bucket{le=\"1\"}"), 51);
    ck_assert_int_eq(sample(text, "sipnab_mos_bucket{le=\"4.5\"}"), 226);
    ck_assert_int_eq(sample(text, "sipnab_mos_count"), 250);
    ck_assert_int_eq(sample(text, "sipnab_loss_percent_bucket{le=\"0.1\"}"), 3);
    ck_assert_int_eq(sample(text, "sipnab_loss_percent_bucket{le=\"10\"}"), 201);
    ck_assert_int_eq(sample(text, "sipnab_dialogs_total{state=\"incall\"}"), 120);
    /* Every bucket series is non-decreasing and ends at its _count. */
    const char *names[] = {"sipnab_pdd_seconds", "sipnab_mos", "sipnab_jitter_ms",
                           "sipnab_loss_percent"};
    for (size_t k = 0; k < 4; k++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s_bucket{", names[k]);
        long long last = 0;
        int buckets = 0;
        for (const char *p = strstr(text, prefix); p; p = strstr(p + 1, prefix)) {
            long long v = atoll(strchr(p, ' ') + 1);
            ck_assert_int_ge(v, last);
            last = v;
            buckets++;
        }
        ck_assert_int_ge(buckets, 7);
        snprintf(prefix, sizeof prefix, "%s_count", names[k]);
        ck_assert_int_eq(sample(text, prefix), last);
    }
    free(text);
    api_store_free(s);
}
END_TEST

/* The feed lag: records that carry a capture time (live captures) are
 * measured against the arrival clock; a file's (captured_us 0), and any
 * record before the clock is set, are not. */
static void add_captured(api_store_t *s, const char *id, uint64_t captured_us)
{
    api_dialog_rec_t d = {0};
    d.call_id = snb_str(id, strlen(id));
    d.captured_us = captured_us;
    apply_dialog(s, &d);
}

START_TEST(feed_lag)
{
    api_store_t *s = api_store_new();
    const uint64_t t = 1765000000000000ULL; /* Unix us */
    add_captured(s, "before-clock", t - 3000000);
    api_store_set_now(s, t);
    add_captured(s, "file", 0);
    add_captured(s, "a", t - 30000);    /* 0.03 s */
    add_captured(s, "b", t - 50000);    /* 0.05 s: le 0.05 exactly */
    add_captured(s, "a", t - 700000);   /* a change of a: counted again */
    add_captured(s, "c", t - 1500000);  /* 1.5 s */
    add_captured(s, "d", t - 30000000); /* 30 s: above every bound */
    add_captured(s, "e", t + 2000000);  /* stamped in the future: no lag */
    char *text = render(s);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_bucket{le=\"0.05\"}"), 3);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_bucket{le=\"0.5\"}"), 3);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_bucket{le=\"1\"}"), 4);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_bucket{le=\"2\"}"), 5);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_bucket{le=\"10\"}"), 5);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_bucket{le=\"+Inf\"}"), 6);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_count"), 6);
    ck_assert_ptr_nonnull(strstr(text, "\nsipnab_api_feed_lag_seconds_sum 32.28\n"));
    /* The histogram counts arrivals, not dialogs held: a reset keeps it. */
    ck_assert_int_eq(api_store_apply(s, API_FRAME_RESET, "", 0), 0);
    free(text);
    text = render(s);
    ck_assert_int_eq(sample(text, "sipnab_api_feed_lag_seconds_count"), 6);
    free(text);
    api_store_free(s);
}
END_TEST

START_TEST(empty_store_and_odd_values)
{
    api_store_t *s = api_store_new();
    char *text = render(s);
    /* Every family has its HELP and TYPE, with no samples or all zero. */
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
        char line[128];
        snprintf(line, sizeof line, "# HELP %s ", families[i]);
        ck_assert_msg(strstr(text, line) != NULL, "%s", families[i]);
        snprintf(line, sizeof line, "# TYPE %s ", families[i]);
        ck_assert_msg(strstr(text, line) != NULL, "%s", families[i]);
    }
    ck_assert_int_eq(sample(text, "sipnab_rtp_streams_total{status=\"orphaned\"}"), 0);
    /* Before any field table: the REST spec's three kinds, all zero. */
    ck_assert_int_eq(sample(text, "sipnab_diagnosis_total{kind=\"no_media\"}"), 0);
    ck_assert_int_eq(sample(text, "sipnab_diagnosis_total{kind=\"late_media\"}"), -1);
    ck_assert_ptr_nonnull(strstr(text, "\nsipnab_mos_sum 0\n"));
    ck_assert_ptr_null(strstr(text, "sipnab_messages_total{"));
    free(text);

    /* A counters object of the wrong shape gives the contract families
     * without samples; big integers stay exact; non-finite stream values
     * stay out of the histograms. */
    set_counters(s, "{\"families\":{\"x\":1}}");
    text = render(s);
    ck_assert_ptr_null(strstr(text, "sipnab_messages_total{"));
    ck_assert_ptr_nonnull(strstr(text, "# TYPE sipnab_security_alerts_total counter\n"));
    free(text);
    set_counters(s, "{\"families\":[{\"name\":\"sipnab_big_total\",\"type\":\"counter\","
                    "\"help\":\"b\",\"samples\":[{\"labels\":{},\"value\":9007199254740993}]},"
                    "{\"name\":\"sipnab_security_alerts_total\",\"type\":\"counter\","
                    "\"help\":\"a\",\"samples\":[{\"labels\":{\"type\":\"sql\\\"i\"},\"value\":1},"
                    "{\"labels\":{\"type\":null},\"value\":1}]}]}");
    add_stream(s, 1, false, true, INFINITY, NAN, 0.1);
    text = render(s);
    ck_assert_ptr_nonnull(strstr(text, "\nsipnab_security_alerts_total{type=\"sql\\\"i\"} 1\n"));
    ck_assert_ptr_null(strstr(text, "type=\"n"));
    ck_assert_ptr_nonnull(strstr(text, "\nsipnab_big_total 9007199254740993\n"));
    ck_assert_int_eq(sample(text, "sipnab_mos_count"), 0);
    ck_assert_int_eq(sample(text, "sipnab_jitter_ms_count"), 0);
    ck_assert_int_eq(sample(text, "sipnab_loss_percent_bucket{le=\"0.1\"}"), 1);
    ck_assert_ptr_nonnull(strstr(text, "\nsipnab_loss_percent_sum 0.1\n"));
    ck_assert_ptr_null(strstr(text, "nan"));
    ck_assert_ptr_null(strstr(text, "inf"));
    free(text);
    api_store_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_metrics");
    TCase *tc = tcase_create("api_metrics");
    tcase_add_test(tc, exact_exposition);
    tcase_add_test(tc, histogram_cumulative);
    tcase_add_test(tc, empty_store_and_odd_values);
    tcase_add_test(tc, feed_lag);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
