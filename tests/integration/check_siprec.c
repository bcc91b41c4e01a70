/* SIPREC through the real binary: for every capture of the labelled corpus
 * (tests/data/siprec, a copy of shared/siprec) and every Call-ID,
 * siprec_metadata equals truth.json's final_state (every key truth has),
 * detection and the metadata messages in order; each labelled stream maps
 * to the RTP stream truth lists (SSRC, addresses, packets); the plain call
 * stays null. Also the filter fields, the report section and the counters,
 * and a capture made here with hostile metadata. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "run_util.h"
#include "support.h"

#define MODULES SNB_BUILD_DIR "/modules"
#define DATA SNB_TEST_DATA_DIR "/siprec"

static run_result_t sipnab(const char *capture, char *const extra[])
{
    char *argv[32] = {
        (char *)sipnab_bin(), "-c",      "/dev/null", "--module-path", MODULES, "-N", "-I",
        (char *)capture,      "--siprec"};
    int n = 9;
    for (int i = 0; extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    return run_cmd(argv, 120);
}

static json_t *by_call_id(char *out)
{
    json_t *by = json_object();
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *d = json_loads(line, 0, NULL);
        ck_assert_msg(d != NULL, "not JSON: %.80s", line);
        json_object_set(by, json_string_value(json_object_get(d, "call_id")),
                        json_object_get(d, "siprec_metadata"));
        json_decref(d);
    }
    return by;
}

static int subset(json_t *want, json_t *got, const char *where)
{
    if (json_is_object(want) && json_is_object(got)) {
        int bad = 0;
        const char *k;
        json_t *v;
        json_object_foreach(want, k, v)
        {
            char sub[512];
            snprintf(sub, sizeof sub, "%s.%s", where, k);
            bad += subset(v, json_object_get(got, k), sub);
        }
        return bad;
    }
    if (json_is_array(want) && json_is_array(got) &&
        json_array_size(want) == json_array_size(got)) {
        int bad = 0;
        for (size_t i = 0; i < json_array_size(want); i++) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            bad += subset(json_array_get(want, i), json_array_get(got, i), sub);
        }
        return bad;
    }
    if (json_equal(want, got)) return 0;
    char *w = json_dumps(want, JSON_ENCODE_ANY), *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
    fprintf(stderr, "%s: expected %s, got %s\n", where, w, g ? g : "(absent)");
    free(w);
    free(g);
    return 1;
}

/* truth's rtp_streams, in order: the RTP stream each label maps to */
static int rtp_equal(json_t *want, json_t *got, const char *call)
{
    int bad = json_array_size(want) != json_array_size(got);
    for (size_t i = 0; i < json_array_size(want) && i < json_array_size(got); i++) {
        json_t *w = json_array_get(want, i), *g = json_array_get(got, i);
        const char *k;
        json_t *v;
        json_object_foreach(w, k, v)
        {
            json_t *o = json_object_get(g, k);
            bool same =
                json_is_real(v)
                    ? json_is_number(o) && fabs(json_number_value(v) - json_number_value(o)) < 1e-6
                    : json_equal(v, o);
            if (!same) {
                fprintf(stderr, "%s: rtp_streams[%zu].%s differs\n", call, i, k);
                bad++;
            }
        }
    }
    return bad;
}

START_TEST(corpus_equals_truth)
{
    json_error_t e;
    json_t *t = json_load_file(DATA "/truth.json", 0, &e);
    ck_assert_msg(t != NULL, "%s", e.text);
    const char *file;
    json_t *f;
    int calls = 0, recordings = 0, bad_total = 0;
    json_object_foreach(json_object_get(t, "files"), file, f)
    {
        char path[512];
        snprintf(path, sizeof path, DATA "/%s", file);
        run_result_t r = sipnab(path, (char *[]){"--dialogs-json", NULL});
        ck_assert_msg(r.status == 0, "%s: %s", file, r.err);
        json_t *got = by_call_id(r.out);
        const char *call;
        json_t *c;
        json_object_foreach(json_object_get(f, "calls"), call, c)
        {
            json_t *meta = json_object_get(got, call);
            int bad = 0;
            calls++;
            if (!json_is_true(json_object_get(c, "siprec"))) {
                bad += !json_is_null(meta);
                fprintf(stderr, "siprec %s %s: expected null, got %s\n", file, call,
                        json_is_null(meta) ? "null" : "metadata");
                bad_total += bad;
                continue;
            }
            recordings++;
            ck_assert_msg(json_is_object(meta), "%s: no siprec_metadata", call);
            bad += subset(json_object_get(c, "final_state"), meta, call);
            static const char *const det[] = {"require_siprec", "supported_siprec",
                                              "contact_sip_src", "srs_contact_sip_srs"};
            for (size_t i = 0; i < 4; i++)
                bad += subset(json_object_get(json_object_get(c, "detection"), det[i]),
                              json_object_get(json_object_get(meta, "detection"), det[i]), det[i]);
            bad += subset(json_object_get(c, "shape"), json_object_get(meta, "shape"), "shape");
            json_t *msgs = json_object_get(c, "metadata_messages"),
                   *ours = json_object_get(meta, "metadata_messages");
            bad += json_array_size(msgs) != json_array_size(ours);
            for (size_t i = 0; i < json_array_size(msgs) && i < json_array_size(ours); i++) {
                bad += subset(json_object_get(json_array_get(msgs, i), "cseq"),
                              json_object_get(json_array_get(ours, i), "cseq"), "cseq");
                bad += subset(json_object_get(json_array_get(msgs, i), "datamode"),
                              json_object_get(json_array_get(ours, i), "datamode"), "datamode");
            }
            bad += rtp_equal(json_object_get(c, "rtp_streams"),
                             json_object_get(meta, "rtp_streams"), call);
            /* the four lists are exactly truth's final state, no key more */
            static const char *const lists[] = {"groups", "sessions", "participants", "streams"};
            for (size_t i = 0; i < 4; i++)
                if (!json_equal(json_object_get(json_object_get(c, "final_state"), lists[i]),
                                json_object_get(meta, lists[i]))) {
                    fprintf(stderr, "%s: %s not exactly truth's\n", call, lists[i]);
                    bad++;
                }
            fprintf(stderr, "siprec %s %s: %zu participants, %zu streams, %zu updates: %s\n", file,
                    call, json_array_size(json_object_get(meta, "participants")),
                    json_array_size(json_object_get(meta, "streams")), json_array_size(ours),
                    bad ? "MISMATCH" : "equal to truth");
            bad_total += bad;
        }
        json_decref(got);
        run_free(&r);
    }
    ck_assert_int_eq(calls, 5);
    ck_assert_int_eq(recordings, 4);
    ck_assert_int_eq(bad_total, 0);
    json_decref(t);
}
END_TEST

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(filters_report_counters)
{
    run_result_t r = sipnab(DATA "/siprec-ribbon-draft.pcap",
                            (char *[]){"--dialogs-json", "--filter", "recording", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(count_lines(r.out), 1);
    run_free(&r);
    r = sipnab(DATA "/siprec-rfc7866-reinvite-partial.pcap",
               (char *[]){"--dialogs-json", "--filter",
                          "siprec.participants == 3 AND siprec.updates == 3 AND siprec.aors =~ "
                          "'supervisor7'",
                          NULL});
    ck_assert_int_eq(count_lines(r.out), 1);
    run_free(&r);
    r = sipnab(
        DATA "/siprec-rfc7866-reinvite-partial.pcap",
        (char *[]){"--call-report", "0f8e6ee41b36e586-50e0b994@198.51.100.21", "--markdown", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "## SIPREC recording metadata"));
    ck_assert_ptr_nonnull(strstr(r.out, "sip:supervisor7@pbx.example.com (Supervisor Seven)"));
    ck_assert_ptr_nonnull(strstr(r.out, "left 2025-03-14T09:40:08Z"));
    run_free(&r);
    run_result_t s;
    json_t *stats = sipnab_stats(DATA "/siprec-acme-legacy.pcap", (char *[]){"--siprec", NULL}, &s);
    ck_assert_ptr_nonnull(stats);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(stats, "siprec_sessions"), "acme")), 1);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(stats, "siprec_metadata"), "ok")), 1);
    json_decref(stats);
    run_free(&s);
}
END_TEST

/* A capture of our own: an XXE document, then a good one, then garbage. */
static void invite(FILE *pcap, int cseq, const char *to_tag, const char *xml)
{
    char *msg = malloc(8192);
    char body[4096];
    int blen = snprintf(body, sizeof body,
                        "--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 "
                        "192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP "
                        "0\r\na=label:1\r\na=sendonly\r\n--b\r\nContent-Type: "
                        "application/rs-metadata+xml\r\nContent-Disposition: "
                        "recording-session\r\n\r\n%s\r\n--b--\r\n",
                        xml);
    int n = snprintf(msg, 8192,
                     "INVITE sip:srs@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP "
                     "192.0.2.1:5060;branch=z9hG4bK-%d\r\nFrom: <sip:src@192.0.2.1>;tag=a\r\n"
                     "To: <sip:srs@192.0.2.2>%s\r\nCall-ID: hostile@test\r\nCSeq: %d INVITE\r\n"
                     "Contact: <sip:src@192.0.2.1>;+sip.src\r\nRequire: siprec\r\n"
                     "Content-Type: multipart/mixed;boundary=b\r\nContent-Length: %d\r\n\r\n%s",
                     cseq, to_tag, cseq, blen, body);
    snb_tb_t b;
    snb_tb_init(&b, msg, (size_t)n);
    snb_tb_udp(&b, 5060, 5060);
    snb_tb_ipv4(&b, "192.0.2.1", "192.0.2.2", 17);
    snb_tb_eth(&b, 0x0800);
    ck_assert_int_eq(
        snb_pcapw_put(pcap, 1700000000000000ull + (uint64_t)cseq * 1000000, b.p, b.len), 0);
    snb_tb_free(&b);
    free(msg);
}

/* An UPDATE whose whole body is the metadata (no SDP, no multipart). */
static void update(FILE *pcap, int cseq, const char *xml)
{
    char msg[4096];
    int n = snprintf(msg, sizeof msg,
                     "UPDATE sip:srs@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP "
                     "192.0.2.1:5060;branch=z9hG4bK-u%d\r\nFrom: <sip:src@192.0.2.1>;tag=a\r\n"
                     "To: <sip:srs@192.0.2.2>;tag=z\r\nCall-ID: hostile@test\r\nCSeq: %d "
                     "UPDATE\r\nContent-Type: application/rs-metadata+xml\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     cseq, cseq, strlen(xml), xml);
    snb_tb_t b;
    snb_tb_init(&b, msg, (size_t)n);
    snb_tb_udp(&b, 5060, 5060);
    snb_tb_ipv4(&b, "192.0.2.1", "192.0.2.2", 17);
    snb_tb_eth(&b, 0x0800);
    ck_assert_int_eq(
        snb_pcapw_put(pcap, 1700000000000000ull + (uint64_t)cseq * 1000000, b.p, b.len), 0);
    snb_tb_free(&b);
}

START_TEST(hostile_metadata)
{
    char path[] = "/tmp/siprec-own-XXXXXX.pcap";
    int fd = mkstemps(path, 5);
    ck_assert_int_ge(fd, 0);
    close(fd);
    FILE *pcap = snb_pcapw_open(path, 1);
    invite(pcap, 1, "",
           "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
           "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><participant "
           "participant_id='p'><nameID aor='sip:p@x'><name>&x;</name></nameID></participant>"
           "</recording>");
    invite(pcap, 2, ";tag=z",
           "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>partial</datamode>"
           "<participant participant_id='p'><nameID aor='sip:ok@x'/></participant>"
           "<stream stream_id='s' session_id='x'><label>1</label></stream>"
           "<participantstreamassoc participant_id='p'><send>s</send></participantstreamassoc>"
           "</recording>");
    invite(pcap, 3, ";tag=z", "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><unclosed>");
    update(pcap, 4,
           "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>partial</datamode>"
           "<participant participant_id='p'><nameID aor='sip:ok@x'><name>Renamed</name></nameID>"
           "</participant></recording>");
    ck_assert_int_eq(snb_pcapw_close(pcap), 0);
    run_result_t r = sipnab(path, (char *[]){"--dialogs-json", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_null(strstr(r.out, "root:")); /* /etc/passwd never read */
    json_t *got = by_call_id(r.out);
    json_t *m = json_object_get(got, "hostile@test");
    ck_assert(json_is_object(m));
    ck_assert_int_eq(json_integer_value(json_object_get(m, "errors")), 2);
    json_t *p = json_array_get(json_object_get(m, "participants"), 0);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "aors"), 0)), "sip:ok@x");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "send_labels"), 0)), "1");
    json_t *msgs = json_object_get(m, "metadata_messages");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 0), "error")), "dtd");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 2), "error")),
                     "not_xml");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 3), "method")),
                     "UPDATE");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "names"), 0)), "Renamed");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p, "send_labels"), 0)), "1");
    json_decref(got);
    run_free(&r);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("it_siprec");
    TCase *tc = tcase_create("siprec");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, corpus_equals_truth);
    tcase_add_test(tc, filters_report_counters);
    tcase_add_test(tc, hostile_metadata);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
