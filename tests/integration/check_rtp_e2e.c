/* The RTP module end to end through the real binary:
 *  - every shared capture's streams (--streams-json) against the heuristic
 *    `rtp,streams` section of its Wireshark oracle: the same streams (5-tuple
 *    and SSRC), packets, lost, max delta and max jitter;
 *  - the synthetic diagnosis captures: each flag fires on its case only;
 *  - DTMF from RFC 4733 and from SIP INFO, and the media filters;
 *  - poor quality as a diagnosis, the duration of a call still up, and a
 *    call's T.38 fax phase kept out of its RTP streams. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "oracle.h"
#include "run_util.h"

static run_result_t sipnab(char *const args[])
{
    char *argv[32] = {(char *)sipnab_bin(), "-c", "/dev/null"};
    int n = 3;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_cmd(argv, 120);
}

/* Lines of stdout that are JSON objects with `key`. */
static json_t *json_lines_with(const char *out, const char *key)
{
    json_t *a = json_array();
    char *copy = strdup(out);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t jerr;
        json_t *j = json_loads(line, 0, &jerr);
        if (j && json_object_get(j, key))
            json_array_append_new(a, j);
        else
            json_decref(j);
    }
    free(copy);
    return a;
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}
static double jnum(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static int compare_streams(const char *name, const char *stem)
{
    char oname[300];
    snprintf(oname, sizeof oname, "%s.tshark.txt", stem);
    char *opath = data_path(oname), *cpath = data_path(name);
    oracle_t *o = oracle_load(opath);
    int n_want;
    const oracle_rtp_stream_t *want = oracle_rtp_streams(o, &n_want);
    run_result_t r =
        sipnab((char *[]){"-I", cpath, "--streams-json", "-o", "sip.output=none", NULL});
    ck_assert_msg(r.status == 0, "%s: exit %d %s", name, r.status, r.err);
    json_t *got = json_lines_with(r.out, "ssrc");
    int bad = 0;
    if ((int)json_array_size(got) != n_want) {
        fprintf(stderr, "%s: %zu streams, Wireshark %d\n", stem, json_array_size(got), n_want);
        bad++;
    }
    for (int i = 0; i < n_want; i++) {
        const oracle_rtp_stream_t *w = &want[i];
        char src[96], dst[96];
        snprintf(src, sizeof src, strchr(w->src, ':') ? "[%s]:%u" : "%s:%u", w->src, w->sport);
        snprintf(dst, sizeof dst, strchr(w->dst, ':') ? "[%s]:%u" : "%s:%u", w->dst, w->dport);
        json_t *s = NULL;
        for (size_t k = 0; k < json_array_size(got) && !s; k++) {
            json_t *c = json_array_get(got, k);
            if (!strcmp(jstr(c, "src"), src) && !strcmp(jstr(c, "dst"), dst) &&
                strtoul(jstr(c, "ssrc"), NULL, 16) == w->ssrc)
                s = c;
        }
        if (!s) {
            fprintf(stderr, "%s: stream %s -> %s 0x%08lX missing\n", stem, src, dst, w->ssrc);
            bad++;
            continue;
        }
        long packets = (long)jnum(s, "packets"), lost = (long)jnum(s, "lost");
        double max_jitter = jnum(s, "max_jitter_ms"), max_delta = jnum(s, "max_delta_ms");
        /* Wireshark prints -1 as min jitter when it cannot compute jitter
         * (no clock rate); its max is then 0, and so is ours. */
        if (packets != w->packets || lost != w->lost ||
            fabs(max_jitter - w->max_jitter_ms) > 0.001 ||
            fabs(max_delta - w->max_delta_ms) > 0.001) {
            fprintf(stderr,
                    "%s: 0x%08lX packets %ld/%ld lost %ld/%ld max jitter %.3f/%.3f max delta "
                    "%.3f/%.3f (ours/Wireshark)\n",
                    stem, w->ssrc, packets, w->packets, lost, w->lost, max_jitter, w->max_jitter_ms,
                    max_delta, w->max_delta_ms);
            bad++;
        }
    }
    if (!bad && n_want) fprintf(stderr, "%s: %d RTP streams equal to Wireshark's\n", stem, n_want);
    json_decref(got);
    run_free(&r);
    oracle_free(o);
    free(opath);
    free(cpath);
    return bad;
}

START_TEST(every_capture_streams_equal_wireshark)
{
    int captures;
    int bad = foreach_capture(compare_streams, &captures);
    ck_assert_int_ge(captures, 30);
    ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(diagnosis_fires_on_its_case_only)
{
    static const struct {
        const char *file;
        const char *flag; /* NULL: none may fire */
    } cases[] = {
        {"normal-two-way.pcap", NULL},
        {"one-way-audio.pcap", "one_way_audio"},
        {"one-way-hold.pcap", NULL},
        {"nat-mismatch.pcap", "nat_mismatch"},
        {"no-media.pcap", "no_media"},
        {"late-media.pcap", "late_media"},
        {"codec-asymmetry.pcap", "codec_asymmetry"},
        {"ptime-asymmetry.pcap", "codec_asymmetry"},
    };
    const char *flags[] = {"one_way_audio", "nat_mismatch",    "no_media",
                           "late_media",    "codec_asymmetry", "poor_quality"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[128];
        snprintf(name, sizeof name, "diag/%s", cases[i].file);
        char *path = data_path(name);
        run_result_t r = sipnab((char *[]){"-I", path, "--dialogs-json", NULL});
        ck_assert_int_eq(r.status, 0);
        json_error_t jerr;
        json_t *dlg = json_loads(r.out, JSON_DISABLE_EOF_CHECK, &jerr);
        ck_assert_ptr_nonnull(dlg);
        json_t *diag = json_object_get(dlg, "diagnosis");
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            bool want = cases[i].flag && !strcmp(cases[i].flag, flags[f]);
            ck_assert_msg(json_is_true(json_object_get(diag, flags[f])) == want, "%s: %s",
                          cases[i].file, flags[f]);
        }
        ck_assert_uint_eq(json_array_size(json_object_get(diag, "hints")), cases[i].flag ? 1 : 0);
        json_decref(dlg);
        run_free(&r);
        free(path);
    }
}
END_TEST

START_TEST(one_way_audio_report_and_filters)
{
    char *path = data_path("diag/one-way-audio.pcap");
    run_result_t r = sipnab((char *[]){"-I", path, "--report", "--filter", "one_way", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "diag-call@10.0.0.1"));
    ck_assert(strstr(r.out, "\nSSRC       SRC                    DST"));
    run_free(&r);
    r = sipnab((char *[]){"-I", path, "--report", "--filter", "NOT media-problems", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "diag-call@10.0.0.1 ") == NULL || strstr(r.out, "CALL-ID") != NULL);
    run_free(&r);
    r = sipnab((char *[]){"-I", path, "--call-report", "diag-call@10.0.0.1", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "Media:\n  0x"));
    ck_assert(strstr(r.out, "Diagnosis:\n  one_way_audio: no RTP from the answer side"));
    run_free(&r);
    free(path);

    /* ws-asterisk-zfone-xlite: one stream lost 369 packets. */
    path = data_path("ws-asterisk-zfone-xlite.pcap");
    r = sipnab((char *[]){"-I", path, "--streams-json", "--stream-filter", "rtp.loss > 10", "-o",
                          "sip.output=none", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *streams = json_lines_with(r.out, "ssrc");
    ck_assert_uint_eq(json_array_size(streams), 1);
    ck_assert_int_eq((long)jnum(json_array_get(streams, 0), "lost"), 369);
    ck_assert(jnum(json_array_get(streams, 0), "mos") < 3.0);
    json_decref(streams);
    run_free(&r);
    r = sipnab((char *[]){"-I", path, "--stream-filter", "rtp.los > 1", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "rtp: --stream-filter: column 1: unknown field or alias 'rtp.los'"));
    run_free(&r);
    free(path);
}
END_TEST

/* ws-asterisk-zfone-xlite: X-Lite's stream to Asterisk lost 369 of 574
 * packets (Wireshark: 369 (64.3%)); MOS 1.41. Poor quality is a diagnosis,
 * per direction, with configurable limits (issue 11 item 7). */
START_TEST(poor_quality_is_a_diagnosis)
{
    static const char cid[] = "ZDYzOWVlNjEwM2NjZTBjNzliNmM1ZTNiOGZjNWFhN2E.";
    static const char bad_way[] = "poor audio from the offer side (192.168.10.41:64508 -> "
                                  "192.168.10.40:49848): 64.3 % loss (limit 5 %), MOS 1.41 "
                                  "(limit 3.1)";
    char *path = data_path("ws-asterisk-zfone-xlite.pcap");
    run_result_t r = sipnab((char *[]){"-I", path, "--dialogs-json", "--filter", "poor_quality",
                                       "-o", "sip.output=none", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *dialogs = json_lines_with(r.out, "call_id");
    ck_assert_uint_eq(json_array_size(dialogs), 1);
    json_t *d = json_array_get(dialogs, 0);
    ck_assert_str_eq(json_string_value(json_object_get(d, "call_id")), cid);
    json_t *diag = json_object_get(d, "diagnosis");
    ck_assert(json_is_true(json_object_get(diag, "poor_quality")));
    json_t *hints = json_object_get(diag, "hints");
    ck_assert_uint_eq(json_array_size(hints), 1);
    ck_assert_str_eq(json_string_value(json_array_get(hints, 0)), bad_way);
    json_decref(dialogs);
    run_free(&r);

    r = sipnab((char *[]){"-I", path, "--call-report", (char *)cid, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "Diagnosis:\n  poor_quality: poor audio from the offer side"), "%s",
                  r.out);
    ck_assert_ptr_null(strstr(r.out, "no media problem found"));
    run_free(&r);

    /* limits past this call's figures: nothing to say */
    r = sipnab((char *[]){"-I", path, "--dialogs-json", "--filter", "poor_quality", "-o",
                          "rtp.poor_loss=70", "-o", "rtp.poor_mos=1.4", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, cid));
    run_free(&r);
    /* a limit above the good direction's MOS (4.40): both directions */
    r = sipnab((char *[]){"-I", path, "--dialogs-json", "--filter", "poor_quality", "-o",
                          "rtp.poor_mos=4.42", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "poor audio from the answer side (192.168.10.40:49848 -> "
                                        "192.168.10.41:64508): MOS 4.40 (limit 4.42)"));
    run_free(&r);
    r = sipnab((char *[]){"-I", path, "-o", "rtp.poor_mos=good", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "rtp: option 'poor_mos': 'good' is not a number from 0 to 5"), "%s",
                  r.err);
    run_free(&r);
    free(path);
}
END_TEST

/* A call still up when the capture ends (issue 11 item 6): in
 * ws-sip-call-rtp-g711, 12013223@200.57.7.195 is answered (200 Ok, frame
 * 498, 1105725491.443869) and never hung up; its last RTP packet is frame
 * 4269 (1105725517.874679, tshark), so it lasted 26.430810 s, not the
 * 0.046 s to its ACK. A call that ended keeps 200 OK to BYE. */
START_TEST(ongoing_call_lasts_as_long_as_its_rtp)
{
    char *path = data_path("ws-sip-call-rtp-g711.pcap");
    run_result_t r = sipnab((char *[]){"-I", path, "--dialogs-json", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *dialogs = json_lines_with(r.out, "call_id");
    ck_assert_uint_eq(json_array_size(dialogs), 4);
    size_t i;
    json_t *d;
    int ongoing = 0;
    json_array_foreach(dialogs, i, d)
    {
        const char *id = json_string_value(json_object_get(d, "call_id"));
        bool up = !strcmp(id, "12013223@200.57.7.195");
        ck_assert_msg(json_is_true(json_object_get(d, "ongoing")) == up, "%s", id);
        ongoing += up;
        if (up) {
            ck_assert_str_eq(json_string_value(json_object_get(d, "state")), "InCall");
            ck_assert_double_eq_tol(jnum(d, "duration_sec"), 26.430810, 1e-6);
        }
    }
    ck_assert_int_eq(ongoing, 1);
    json_decref(dialogs);
    run_free(&r);
    /* the call report and the filter field say the same */
    r = sipnab((char *[]){"-I", path, "--call-report", "12013223@200.57.7.195", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "duration 26.431 s (ongoing: no end seen)"), "%s", r.out);
    run_free(&r);
    r = sipnab((char *[]){"-I", path, "--report", "--filter", "duration > 26.4", "-o",
                          "rtp.report=no", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "12013223@200.57.7.195"), "%s", r.out);
    run_free(&r);
    /* without the RTP module it runs to the call's last SIP message (ACK) */
    r = sipnab((char *[]){"-I", path, "--dialogs-json", "-o", "core.load=pcap,sip", NULL});
    ck_assert_int_eq(r.status, 0);
    dialogs = json_lines_with(r.out, "call_id");
    ck_assert_double_eq_tol(jnum(json_array_get(dialogs, 0), "duration_sec"), 0.046212, 1e-6);
    ck_assert(json_is_true(json_object_get(json_array_get(dialogs, 0), "ongoing")));
    json_decref(dialogs);
    run_free(&r);
    free(path);
    /* ended (BYE): 200 OK to BYE, as before */
    path = data_path("ws-asterisk-zfone-xlite.pcap");
    r = sipnab((char *[]){"-I", path, "--dialogs-json", "--filter", "rtp.streams > 0", NULL});
    ck_assert_int_eq(r.status, 0);
    dialogs = json_lines_with(r.out, "call_id");
    ck_assert_uint_eq(json_array_size(dialogs), 1);
    ck_assert_double_eq_tol(jnum(json_array_get(dialogs, 0), "duration_sec"), 15.974649, 1e-6);
    ck_assert(json_is_false(json_object_get(json_array_get(dialogs, 0), "ongoing")));
    json_decref(dialogs);
    run_free(&r);
    free(path);
}
END_TEST

/* Lines tshark prints for the packets matching a display filter. */
static long tshark_count(const char *path, const char *filter)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -Y '%s' 2>/dev/null | wc -l", path, filter);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    long n = -1;
    ck_assert_int_eq(fscanf(f, "%ld", &n), 1);
    ck_assert_int_eq(pclose(f), 0);
    return n;
}

/* T.38 fax (issue 11 item 1): tests/data/fax/sip-t38-fax.pcap switches to
 * T.38 by re-INVITE (m=image udptl t38) and back. tshark, following the
 * SDP, decodes 60 UDPTL packets from 10.0.0.1 and 40 from 10.0.0.2 as T.38
 * and finds 4 RTP streams (50, 50, 25, 25 packets). Before, sipnab took the
 * UDPTL data packets for RTP: 94 streams, 240 packets. */
START_TEST(t38_fax_phase_is_not_rtp)
{
    char *path = data_path("fax/sip-t38-fax.pcap");
    long t38_from_a = tshark_count(path, "t38 && ip.src == 10.0.0.1");
    long t38_from_b = tshark_count(path, "t38 && ip.src == 10.0.0.2");
    long rtp = tshark_count(path, "rtp");
    ck_assert_int_eq(t38_from_a, 60);
    ck_assert_int_eq(t38_from_b, 40);
    ck_assert_int_eq(rtp, 150);

    run_result_t r =
        sipnab((char *[]){"-I", path, "--streams-json", "-o", "sip.output=none", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *streams = json_lines_with(r.out, "ssrc");
    ck_assert_uint_eq(json_array_size(streams), 4);
    static const struct {
        const char *ssrc;
        long packets;
    } want[] = {{"0x11111111", 50}, {"0x22222222", 50}, {"0x33333333", 25}, {"0x44444444", 25}};
    long packets = 0;
    for (size_t i = 0; i < 4; i++) {
        json_t *s = json_array_get(streams, i);
        ck_assert_str_eq(json_string_value(json_object_get(s, "ssrc")), want[i].ssrc);
        ck_assert_int_eq((long)jnum(s, "packets"), want[i].packets);
        ck_assert_int_eq((long)jnum(s, "lost"), 0);
        ck_assert_double_eq_tol(jnum(s, "max_jitter_ms"), 0.0, 1e-9);
        packets += (long)jnum(s, "packets");
    }
    ck_assert_int_eq(packets, rtp);
    json_decref(streams);
    run_free(&r);

    r = sipnab((char *[]){"-I", path, "--dialogs-json", "--filter", "fax", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *dialogs = json_lines_with(r.out, "call_id");
    ck_assert_uint_eq(json_array_size(dialogs), 1);
    json_t *fax = json_object_get(json_array_get(dialogs, 0), "fax");
    ck_assert_msg(json_is_object(fax), "%s", r.out);
    /* the re-INVITE (frame 105) offered T.38, its 200 OK (frame 106) switched */
    ck_assert_str_eq(json_string_value(json_object_get(fax, "t38_offered_at")),
                     "2023-11-14T22:13:21.600000Z");
    ck_assert_str_eq(json_string_value(json_object_get(fax, "switched_at")),
                     "2023-11-14T22:13:21.650000Z");
    ck_assert_str_eq(json_string_value(json_object_get(fax, "back_to_audio_at")),
                     "2023-11-14T22:13:23.650000Z");
    ck_assert(json_is_false(json_object_get(fax, "active")));
    ck_assert_int_eq(json_integer_value(json_object_get(fax, "switches")), 1);
    json_t *udptl = json_object_get(fax, "udptl_packets");
    ck_assert_int_eq(json_integer_value(json_object_get(udptl, "from_offer_side")), t38_from_a);
    ck_assert_int_eq(json_integer_value(json_object_get(udptl, "from_answer_side")), t38_from_b);
    ck_assert_uint_eq(json_array_size(json_object_get(
                          json_object_get(json_array_get(dialogs, 0), "diagnosis"), "hints")),
                      0);
    json_decref(dialogs);
    run_free(&r);

    free(path); /* a call without T.38: no "fax" key, and the filter says no */
    path = data_path("ws-sip-call-rtp-g711.pcap");
    r = sipnab((char *[]){"-I", path, "--dialogs-json", "--filter", "fax", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "call_id"));
    run_free(&r);
    r = sipnab((char *[]){"-I", path, "--dialogs-json", NULL});
    ck_assert_ptr_null(strstr(r.out, "\"fax\""));
    run_free(&r);
    free(path);
    path = data_path("fax/sip-t38-fax.pcap");

    r = sipnab((char *[]){"-I", path, "--call-report", "t38-fax-call@10.0.0.1", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "Fax (T.38):\n  T.38 offered 2023-11-14 22:13:21.600000 UTC, "
                                "switched 2023-11-14 22:13:21.650000 UTC, back to audio "
                                "2023-11-14 22:13:23.650000 UTC\n  UDPTL packets: 60 from the "
                                "offer side, 40 from the answer side"),
                  "%s", r.out);
    run_free(&r);

    r = sipnab((char *[]){"-I", path, "-q", "--stats", "--json", "-o", "sip.output=none", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *st = json_loads(r.out, 0, NULL);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(json_int(st, "rtp_udptl_packets"), t38_from_a + t38_from_b);
    ck_assert_int_eq(json_int(st, "rtp_packets"), rtp);
    ck_assert_int_eq(json_int(st, "rtp_streams"), 4);
    json_decref(st);
    run_free(&r);
    free(path);
}
END_TEST

START_TEST(dtmf_from_rtp_and_sip_info)
{
    char *path = data_path("sipp-dtmf-2833-1-rtponly.pcap");
    run_result_t r =
        sipnab((char *[]){"-I", path, "--streams-json", "-o", "sip.output=none", NULL});
    ck_assert_int_eq(r.status, 0);
    json_t *streams = json_lines_with(r.out, "ssrc");
    ck_assert_uint_eq(json_array_size(streams), 1);
    json_t *dtmf = json_object_get(json_array_get(streams, 0), "dtmf");
    /* One event 1: ten packets, durations 0..2240 at 8 kHz, end sent 3 times. */
    ck_assert_uint_eq(json_array_size(dtmf), 1);
    ck_assert_str_eq(jstr(json_array_get(dtmf, 0), "digit"), "1");
    ck_assert_int_eq((long)jnum(json_array_get(dtmf, 0), "duration_ms"), 280);
    json_decref(streams);
    run_free(&r);
    free(path);

    path = data_path("ws-dtmf-sipinfo.pcap");
    r = sipnab((char *[]){"-I", path, "--call-report",
                          "2091060b-146f-e011-809a-0019cb53db77@admind-desktop", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "DTMF:\n  08:14:36.869 1 180 ms (SIP INFO)\n  08:14:40.600 3 180 ms "
                            "(SIP INFO)\n  08:15:46.275 4 180 ms (SIP INFO)\n  08:15:48.231 2 180 "
                            "ms (SIP INFO)\n"));
    run_free(&r);
    free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_e2e");
    TCase *tc = tcase_create("rtp_e2e");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_capture_streams_equal_wireshark);
    tcase_add_test(tc, diagnosis_fires_on_its_case_only);
    tcase_add_test(tc, poor_quality_is_a_diagnosis);
    tcase_add_test(tc, ongoing_call_lasts_as_long_as_its_rtp);
    tcase_add_test(tc, t38_fax_phase_is_not_rtp);
    tcase_add_test(tc, one_way_audio_report_and_filters);
    tcase_add_test(tc, dtmf_from_rtp_and_sip_info);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
