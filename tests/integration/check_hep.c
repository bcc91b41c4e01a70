/* HEP end to end on loopback with real peers: Debian's sngrep sends HEP to
 * sipnab and receives HEP from it, sipnab talks to itself, and the
 * allow-list, rate limit and auth key are exercised with real datagrams. */
#include <arpa/inet.h>
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "oracle.h"
#include "run_util.h"

#define AAA SNB_TEST_DATA_DIR "/sngrep-aaa.pcap"
#define OUT "/tmp/sipnab-hep-test.out"
#define ERR "/tmp/sipnab-hep-test.err"

/* Start `sipnab -c CONF --json --stats` listening; returns its pid. */
static pid_t listener(const char *conf_text, char *const extra[])
{
    const char *conf = "/tmp/sipnab-hep-test.conf";
    ck_assert_int_eq(write_file(conf, conf_text, strlen(conf_text)), 0);
    char *argv[24] = {(char *)sipnab_bin(), "-c", (char *)conf, "--json", "--stats"};
    int n = 5;
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    unlink(OUT); /* the previous listener's "listening" line must not count */
    unlink(ERR);
    pid_t pid = run_bg(argv, OUT, ERR);
    ck_assert_msg(wait_for_text(ERR, "hep: listening on", 10), "listener did not start");
    return pid;
}

/* Stop it and return its per-message lines' count and the stats object. */
static json_t *stop_listener(pid_t pid, int *messages, int *call_ids)
{
    usleep(500000);
    kill(pid, SIGINT);
    ck_assert_int_eq(run_wait(pid, 10), 0);
    char *out = read_file(OUT);
    json_t *stats = NULL;
    char *ids[512];
    int n_ids = 0;
    *messages = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t jerr;
        json_t *j = json_loads(line, 0, &jerr);
        ck_assert_ptr_nonnull(j);
        if (json_object_get(j, "capture_packets")) {
            stats = j;
            continue;
        }
        (*messages)++;
        const char *id = json_string_value(json_object_get(j, "call_id"));
        int seen = 0;
        for (int i = 0; id && i < n_ids && !seen; i++)
            seen = !strcmp(ids[i], id);
        if (id && !seen && n_ids < 512) ids[n_ids++] = strdup(id);
        json_decref(j);
    }
    *call_ids = n_ids;
    for (int i = 0; i < n_ids; i++)
        free(ids[i]);
    free(out);
    ck_assert_ptr_nonnull(stats);
    return stats;
}

/* "PROTO:127.0.0.1:PORT" with a port nothing uses now (the kernel's
 * pick), so tests do not meet a fixed port held by something else. */
static int pick_endpoint(char out[40], const char *proto)
{
    int port = strcmp(proto, "tcp") == 0 ? free_tcp_port() : free_udp_port();
    ck_assert_int_gt(port, 0);
    snprintf(out, 40, "%s:127.0.0.1:%d", proto, port);
    return port;
}

/* A listener's configuration: load line, a [hep "NAME"] listen = ENDPOINT
 * section and extra lines (into buf). */
static const char *listen_conf(char *buf, size_t len, const char *name, const char *endpoint,
                               const char *extra)
{
    snprintf(buf, len, "[core]\nload = pcap, sip, rtp, hep\n[hep \"%s\"]\nlisten = %s\n%s", name,
             endpoint, extra);
    return buf;
}

START_TEST(sngrep_sends_hep_to_sipnab)
{
    char ep[40], conf[256];
    pick_endpoint(ep, "udp");
    pid_t pid = listener(listen_conf(conf, sizeof conf, "in", ep, ""), NULL);
    char *argv[] = {"/usr/bin/sngrep", "-N", "-q", "-I", AAA, "-H", ep, NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "sngrep: %d %s", r.status, r.err);
    run_free(&r);
    int messages, ids;
    json_t *st = stop_listener(pid, &messages, &ids);
    /* sngrep-aaa: 81 SIP messages in 6 Call-IDs (its oracle). */
    ck_assert_int_eq(messages, 81);
    ck_assert_int_eq(ids, 6);
    ck_assert_int_eq(json_int(st, "hep_accepted"), 81);
    json_decref(st);
}
END_TEST

START_TEST(sipnab_sends_hep_to_sngrep)
{
    const char *pcap = "/tmp/sipnab-hep-sngrep.pcap";
    unlink(pcap);
    char ep[40];
    pick_endpoint(ep, "udp");
    char *sngrep[] = {"/usr/bin/sngrep", "-N", "-q", "-L", ep, "-O", (char *)pcap, NULL};
    pid_t sg = run_bg(sngrep, "/tmp/sipnab-hep-sngrep.out", "/tmp/sipnab-hep-sngrep.err");
    usleep(500000);
    char *argv[] = {(char *)sipnab_bin(), "-c",      "/dev/null", "-I", AAA, "-H", ep, "-o",
                    "sip.output=none",    "--stats", "--json",    NULL};
    run_result_t r = run_cmd(argv, 60);
    usleep(500000);
    kill(sg, SIGTERM); /* before any assertion: a failed run must not leave it bound */
    run_wait(sg, 10);
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_error_t jerr;
    json_t *st = json_loads(r.out, JSON_DISABLE_EOF_CHECK, &jerr);
    /* The 81 SIP messages, plus the RTCP the RTP module saw (mirrored too),
     * plus a quality report per RTP stream. */
    ck_assert_int_gt(json_int(st, "hep_qos_reports"), 0);
    ck_assert_int_eq(json_int(st, "hep_qos_reports"), json_int(st, "rtp_streams"));
    ck_assert_int_eq(json_int(st, "hep_sent"),
                     81 + json_int(st, "rtp_rtcp_packets") + json_int(st, "hep_qos_reports"));
    json_decref(st);
    run_free(&r);
    /* What sngrep wrote must analyse like the original. */
    char *again[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-I", (char *)pcap, "--report", NULL};
    r = run_cmd(again, 60);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strstr(r.out, "105090259-446faf7a@192.168.1.2"));
    ck_assert(strstr(r.out, "11894297-4432a9f8@192.168.1.2"));
    run_free(&r);
    char *json[] = {(char *)sipnab_bin(), "-c", "/dev/null", "-I", (char *)pcap, "--json", NULL};
    r = run_cmd(json, 60);
    int lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 81);
    run_free(&r);
}
END_TEST

/* A file mirrored to sngrep over UDP as fast as it is read overflows
 * sngrep's receive buffer (1389 of sipp-branch's 8989 messages arrived in
 * a trial; issue 11.15). With --hep-send-rate the datagrams are paced and
 * the file waits for the queue (back-pressure): sngrep gets every one. */
START_TEST(paced_mirror_reaches_sngrep_whole)
{
    const char *pcap = "/tmp/sipnab-hep-sngrep-paced.pcap";
    unlink(pcap);
    char ep[40];
    pick_endpoint(ep, "udp");
    char *sngrep[] = {"/usr/bin/sngrep", "-N", "-q", "-L", ep, "-O", (char *)pcap, NULL};
    pid_t sg =
        run_bg(sngrep, "/tmp/sipnab-hep-sngrep-paced.out", "/tmp/sipnab-hep-sngrep-paced.err");
    usleep(500000);
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    "/dev/null",
                    "-I",
                    SNB_TEST_DATA_DIR "/sipp-branch-scenario-1334calls.pcapng",
                    "-H",
                    ep,
                    "--hep-send-rate",
                    "5000",
                    "-o",
                    "core.load=pcap,sip",
                    "-o",
                    "sip.output=none",
                    "--stats",
                    "--json",
                    NULL};
    run_result_t r = run_cmd(argv, 120);
    usleep(500000);
    kill(sg, SIGTERM);
    run_wait(sg, 10);
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_error_t jerr;
    json_t *st = json_loads(r.out, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_int_eq(json_int(st, "hep_sent"), 8989); /* the oracle's SIP message count */
    ck_assert_int_eq(json_int(st, "hep_send_dropped"), 0);
    json_decref(st);
    run_free(&r);
    char *again[] = {(char *)sipnab_bin(), "-c",      "/dev/null", "-I",
                     (char *)pcap,         "--stats", "--json",    "-o",
                     "sip.output=none",    NULL};
    r = run_cmd(again, 60);
    st = json_loads(r.out, JSON_DISABLE_EOF_CHECK, &jerr);
    ck_assert_msg(st != NULL, "%s", r.err);
    ck_assert_int_eq(json_int(st, "sip_messages"), 8989);
    json_decref(st);
    run_free(&r);
    unlink(pcap);
}
END_TEST

START_TEST(sipnab_to_sipnab_over_tcp_with_auth)
{
    char ep[40], lconf[256], good[256], bad[256];
    pick_endpoint(ep, "tcp");
    pid_t pid = listener(listen_conf(lconf, sizeof lconf, "in", ep, "auth_key = s3cret\n"), NULL);
    const char *conf = "/tmp/sipnab-hep-sender.conf";
    snprintf(good, sizeof good,
             "[core]\nload = pcap, sip, rtp, hep\n[hep \"out\"]\nsend = %s\nauth_key = s3cret\n",
             ep);
    ck_assert_int_eq(write_file(conf, good, strlen(good)), 0);
    /* TCP connects asynchronously: give the sender a moment before the file. */
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    (char *)conf,
                    "-I",
                    SNB_TEST_DATA_DIR "/ws-sip-rtp-g711.pcap",
                    "-I",
                    AAA,
                    "-o",
                    "sip.output=none",
                    NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    snprintf(bad, sizeof bad,
             "[core]\nload = pcap, sip, rtp, hep\n[hep \"out\"]\nsend = %s\nauth_key = wrong\n",
             ep);
    ck_assert_int_eq(write_file(conf, bad, strlen(bad)), 0);
    r = run_cmd(argv, 60);
    run_free(&r);
    int messages, ids;
    json_t *st = stop_listener(pid, &messages, &ids);
    ck_assert_int_gt(json_int(st, "hep_rejected_auth"), 0);
    /* Every SIP message, RTCP packet and quality report that arrived was accepted. */
    ck_assert_int_eq(json_int(st, "hep_accepted"), messages + json_int(st, "rtp_rtcp_packets") +
                                                       json_int(st, "hep_qos_received"));
    ck_assert_int_gt(messages, 0);
    json_decref(st);
}
END_TEST

static void send_hep(int port, int count)
{
    /* The first HEP3 datagram of hep3-sngrep-aaa.pcap, replayed. */
    char *argv[] = {"/bin/sh", "-c",
                    "tshark -r " SNB_TEST_DATA_DIR "/hep3-sngrep-aaa.pcap -c 1 -T fields -e "
                    "udp.payload 2>/dev/null",
                    NULL};
    run_result_t r = run_cmd(argv, 30);
    ck_assert_int_eq(r.status, 0);
    size_t hexlen = strcspn(r.out, "\n");
    uint8_t pkt[4096];
    size_t n = 0;
    for (size_t i = 0; i + 1 < hexlen && n < sizeof pkt; i += 2) {
        unsigned v;
        sscanf(r.out + i, "%2x", &v);
        pkt[n++] = (uint8_t)v;
    }
    run_free(&r);
    ck_assert_uint_gt(n, 100);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (int i = 0; i < count; i++)
        sendto(fd, pkt, n, 0, (struct sockaddr *)&to, sizeof to);
    close(fd);
}

START_TEST(allow_list_rate_limit_and_auth_with_real_datagrams)
{
    char ep[40], conf[256];
    int port = pick_endpoint(ep, "udp");
    /* Not allowed: only 10.0.0.0/8 may send, we send from 127.0.0.1. */
    pid_t pid = listener(
        "[core]\nload = pcap, sip, rtp, hep\n",
        (char *[]){"-L", ep, "--hep-allow", "10.0.0.0/8", "--hep-allow", "2001:db8::/32", NULL});
    send_hep(port, 20);
    int messages, ids;
    json_t *st = stop_listener(pid, &messages, &ids);
    ck_assert_int_eq(json_int(st, "hep_rejected_not_allowed"), 20);
    ck_assert_int_eq(json_int(st, "hep_accepted"), 0);
    json_decref(st);

    /* Rate limit 10/s: a burst of 200 lets about one second's worth through. */
    pid = listener(
        "[core]\nload = pcap, sip, rtp, hep\n",
        (char *[]){"-L", ep, "--hep-allow", "127.0.0.0/8", "--hep-rate-limit", "10", NULL});
    send_hep(port, 200);
    st = stop_listener(pid, &messages, &ids);
    long long accepted = json_int(st, "hep_accepted"),
              limited = json_int(st, "hep_rejected_rate_limited");
    ck_assert_int_ge(accepted, 10);
    ck_assert_int_le(accepted, 12);
    ck_assert_int_eq(accepted + limited, json_int(st, "hep_received"));
    json_decref(st);

    /* The capture's HEP carries auth key "myHep": a listener wanting another
     * key rejects every packet; wanting that key accepts them. */
    pid = listener(listen_conf(conf, sizeof conf, "k", ep, "auth_key = other\n"), NULL);
    send_hep(port, 5);
    st = stop_listener(pid, &messages, &ids);
    ck_assert_int_eq(json_int(st, "hep_rejected_auth"), 5);
    json_decref(st);
    pid = listener(listen_conf(conf, sizeof conf, "k", ep, "auth_key = myHep\n"), NULL);
    send_hep(port, 5);
    st = stop_listener(pid, &messages, &ids);
    ck_assert_int_eq(json_int(st, "hep_accepted"), 5);
    ck_assert_int_eq(messages, 5);
    json_decref(st);
}
END_TEST

/* RTCP is mirrored too (HEP proto type 5) and reaches the receiver's RTP
 * module: 33 RTCP packets in these two captures, 14 SIP messages. */
START_TEST(rtcp_is_mirrored_and_reaches_the_rtp_module)
{
    char ep[40], conf[256];
    pick_endpoint(ep, "udp");
    pid_t pid = listener(listen_conf(conf, sizeof conf, "in", ep, ""), NULL);
    char *argv[] = {(char *)sipnab_bin(),
                    "-c",
                    "/dev/null",
                    "-I",
                    SNB_TEST_DATA_DIR "/ndpi-rtcp-compound-sll.pcap",
                    "-I",
                    SNB_TEST_DATA_DIR "/ws-sip-call-rtp-g711.pcap",
                    "-H",
                    ep,
                    "-o",
                    "sip.output=none",
                    "--stats",
                    "--json",
                    NULL};
    run_result_t r = run_cmd(argv, 60);
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *sent = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
    ck_assert_ptr_nonnull(sent);
    long long reports = json_int(sent, "hep_qos_reports");
    ck_assert_int_eq(reports, json_int(sent, "rtp_streams")); /* one per stream */
    ck_assert_int_gt(reports, 0);
    json_decref(sent);
    run_free(&r);
    int messages, ids;
    json_t *st = stop_listener(pid, &messages, &ids);
    ck_assert_int_eq(messages, 14);
    ck_assert_int_eq(json_int(st, "rtp_rtcp_packets"), 33);
    /* and the quality reports, counted apart */
    ck_assert_int_eq(json_int(st, "hep_qos_received"), reports);
    ck_assert_int_eq(json_int(st, "hep_accepted"), 47 + reports);
    json_decref(st);
}
END_TEST

START_TEST(hep_inside_a_capture_is_unwrapped_with_E)
{
    char *with[] = {
        (char *)sipnab_bin(), "-c", "/dev/null", "-I", SNB_TEST_DATA_DIR "/hep3-sngrep-aaa.pcap",
        "--report",           "-E", NULL};
    run_result_t r = run_cmd(with, 60);
    ck_assert_int_eq(r.status, 0);
    /* The inner addresses, not the HEP sender's. */
    ck_assert(strstr(r.out, "11894297-4432a9f8@192.168.1.2"));
    run_free(&r);
    char *without[] = {(char *)sipnab_bin(),
                       "-c",
                       "/dev/null",
                       "-I",
                       SNB_TEST_DATA_DIR "/hep3-sngrep-aaa.pcap",
                       "--json",
                       NULL};
    r = run_cmd(without, 60);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, ""); /* HEP is not searched for SIP unless -E */
    run_free(&r);
}
END_TEST

/* Per-stream quality reports go to Homer as HEP type 34 (rtpagent JSON),
 * one per stream, with Wireshark's packet counts and mean jitter. */
START_TEST(stream_quality_reports_match_wireshark)
{
    int rx_port, rx = bind_loopback(SOCK_DGRAM, &rx_port);
    ck_assert_int_ge(rx, 0);
    char ep[40];
    snprintf(ep, sizeof ep, "udp:127.0.0.1:%d", rx_port);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int rcvbuf = 4 << 20;
    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    char *argv[] = {(char *)sipnab_bin(),
                    "-q",
                    "-c",
                    "/dev/null",
                    "-N",
                    "-I",
                    SNB_TEST_DATA_DIR "/ws-sip-call-rtp-g711.pcap",
                    "-o",
                    "sip.output=none",
                    "-H",
                    ep,
                    NULL};
    run_result_t r = run_cmd(argv, 30);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    oracle_t *o = oracle_load(SNB_TEST_DATA_DIR "/ws-sip-call-rtp-g711.tshark.txt");
    int n = 0;
    const oracle_rtp_stream_t *want = oracle_rtp_streams(o, &n);
    ck_assert_int_gt(n, 0);
    int reports = 0, matched = 0, correlated = 0;
    unsigned char d[65536];
    ssize_t len;
    while ((len = recv(rx, d, sizeof d, 0)) > 0) {
        if (len < 6 || memcmp(d, "HEP3", 4) != 0) continue;
        int type = -1;
        const unsigned char *payload = NULL;
        size_t plen = 0, clen = 0;
        for (size_t off = 6; off + 6 <= (size_t)len;) {
            unsigned ct = (unsigned)d[off + 2] << 8 | d[off + 3];
            size_t cl = (size_t)d[off + 4] << 8 | d[off + 5];
            if (cl < 6 || off + cl > (size_t)len) break;
            if (ct == 0x0b) type = d[off + 6];
            if (ct == 0x0f) payload = d + off + 6, plen = cl - 6;
            if (ct == 0x11) clen = cl - 6;
            off += cl;
        }
        if (type != 34) continue;
        reports++;
        json_t *j = json_loadb((const char *)payload, plen, 0, NULL);
        ck_assert_ptr_nonnull(j);
        ck_assert_str_eq(json_string_value(json_object_get(j, "TYPE")), "FINAL");
        const char *cid = json_string_value(json_object_get(j, "CORRELATION_ID"));
        if (cid && *cid) {
            ck_assert_str_eq(cid, "12013223@200.57.7.195");
            ck_assert_uint_eq(clen, strlen(cid)); /* and in the HEP correlation chunk */
            correlated++;
        }
        for (int i = 0; i < n; i++) {
            if (strcmp(json_string_value(json_object_get(j, "SRC_IP")), want[i].src) ||
                json_integer_value(json_object_get(j, "SRC_PORT")) != want[i].sport ||
                strcmp(json_string_value(json_object_get(j, "DST_IP")), want[i].dst) ||
                json_integer_value(json_object_get(j, "DST_PORT")) != want[i].dport)
                continue;
            char ssrc[16];
            snprintf(ssrc, sizeof ssrc, "0x%08lX", want[i].ssrc);
            ck_assert_str_eq(json_string_value(json_object_get(j, "SSRC")), ssrc);
            ck_assert_int_eq(json_integer_value(json_object_get(j, "TOTAL_PACKETS")),
                             want[i].packets);
            ck_assert_int_eq(json_integer_value(json_object_get(j, "TOTAL_PACKET_LOSS")),
                             want[i].lost);
            double jit = json_real_value(json_object_get(j, "MEAN_JITTER"));
            ck_assert_msg(jit > want[i].mean_jitter_ms - 0.0015 &&
                              jit < want[i].mean_jitter_ms + 0.0015,
                          "%s: jitter %.3f, Wireshark %.3f", ssrc, jit, want[i].mean_jitter_ms);
            matched++;
        }
        json_decref(j);
    }
    close(rx);
    oracle_free(o);
    ck_assert_int_eq(reports, n); /* one per stream */
    ck_assert_int_eq(matched, n);
    ck_assert_int_gt(correlated, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hep");
    TCase *tc = tcase_create("hep");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, sngrep_sends_hep_to_sipnab);
    tcase_add_test(tc, sipnab_sends_hep_to_sngrep);
    tcase_add_test(tc, paced_mirror_reaches_sngrep_whole);
    tcase_add_test(tc, sipnab_to_sipnab_over_tcp_with_auth);
    tcase_add_test(tc, allow_list_rate_limit_and_auth_with_real_datagrams);
    tcase_add_test(tc, rtcp_is_mirrored_and_reaches_the_rtp_module);
    tcase_add_test(tc, hep_inside_a_capture_is_unwrapped_with_E);
    tcase_add_test(tc, stream_quality_reports_match_wireshark);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
