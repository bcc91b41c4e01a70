/* Replay every capture in tests/data through the decoder, group the UDP
 * packets that parse as RTP by (src, sport, dst, dport, SSRC), run
 * rtp_stream_update over the streams Wireshark 4.0 lists in the heuristic
 * `tshark -o rtp.heuristic_rtp:TRUE -q -z rtp,streams` section of
 * NAME.tshark.txt, and compare packets, lost, min/mean/max delta, min/mean/max
 * jitter and "Problems?" with it.
 *
 * The oracle prints 3 decimals; every figure must round to what it printed
 * (within half a unit of the last digit). All 39 streams of the 19 captures
 * with RTP match on every column, so no stream is exempted. Only streams the oracle lists are
 * compared: we cannot tell which other UDP flows Wireshark's heuristic would
 * have taken for RTP, and that choice belongs to the stream table. */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "decoder.h"
#include "oracle.h"
#include "rtp_packet.h"
#include "rtp_stream.h"
#include "support.h"

#define MAX_STREAMS 32

typedef struct oracle_stream {
    oracle_rtp_stream_t w; /* Wireshark's */
    bool seen;             /* ours */
    rtp_stream_stats_t st;
} oracle_stream_t;

typedef struct run {
    oracle_stream_t s[MAX_STREAMS];
    unsigned n;
} run_t;

/* The first MAX_STREAMS streams of the heuristic rtp,streams section. */
static unsigned oracle_read(const char *path, run_t *r)
{
    oracle_t *o = oracle_load(path);
    ck_assert_ptr_nonnull(o);
    int n;
    const oracle_rtp_stream_t *w = oracle_rtp_streams(o, &n);
    for (r->n = 0; r->n < (unsigned)n && r->n < MAX_STREAMS; r->n++)
        r->s[r->n].w = w[r->n];
    oracle_free(o);
    return r->n;
}

/* The clock Wireshark had for the stream: static types from the table,
 * dynamic ones from the SDP name it printed ("opus"); "rtpevent" is
 * telephone-event and "RTPType-N" had no SDP, both without jitter. */
static uint32_t oracle_clock(const oracle_rtp_stream_t *o, uint8_t pt)
{
    if (strcmp(o->payload, "rtpevent") == 0) return rtp_jitter_clock(pt, "telephone-event", 0);
    if (strncmp(o->payload, "RTPType", 7) == 0) return rtp_jitter_clock(pt, NULL, 0);
    return rtp_jitter_clock(pt, o->payload, 0);
}

static void addr_str(const snb_addr_t *a, char *buf, size_t len)
{
    if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, buf, (socklen_t)len)) buf[0] = 0;
}

static void on_pkt(void *ud, const snb_packet_t *pkt)
{
    run_t *r = ud;
    rtp_hdr_t h;
    if (pkt->transport != SNB_TRANSPORT_UDP || rtp_parse(pkt->payload, pkt->payload_len, &h) < 0)
        return;
    char src[64], dst[64];
    addr_str(&pkt->src, src, sizeof src);
    addr_str(&pkt->dst, dst, sizeof dst);
    for (unsigned i = 0; i < r->n; i++) {
        oracle_stream_t *o = &r->s[i];
        if (o->w.ssrc != h.ssrc || o->w.sport != pkt->sport || o->w.dport != pkt->dport ||
            strcmp(o->w.src, src) != 0 || strcmp(o->w.dst, dst) != 0)
            continue;
        if (!o->seen) {
            rtp_stream_init(&o->st, h.ssrc, h.pt, oracle_clock(&o->w, h.pt), 1000000);
            o->seen = true;
        }
        rtp_stream_update(&o->st, &h, pkt->ts_us);
        return;
    }
}

static void replay(const char *capture, run_t *r)
{
    snb_decode_limits_t dl = SNB_DECODE_LIMITS_DEFAULT;
    snb_decode_stats_t ds;
    memset(&ds, 0, sizeof ds);
    snb_decoder_t *dec = snb_decoder_new(&dl, &ds, on_pkt, r);
    snb_pcapr_t *rd = snb_pcapr_open(capture);
    ck_assert_ptr_nonnull(dec);
    ck_assert_ptr_nonnull(rd);
    snb_frame_t f;
    while (snb_pcapr_next(rd, &f) == 1)
        snb_decoder_feed(dec, &f);
    snb_decoder_flush(dec);
    snb_pcapr_close(rd);
    snb_decoder_free(dec);
}

/* Printed with 3 decimals: equal to within half a unit of the last digit. */
static bool same3(double ours, double oracle)
{
    return fabs(ours - oracle) <= 0.0005 + 1e-9;
}

START_TEST(streams_match_wireshark)
{
    DIR *dir = opendir(SNB_TEST_DATA_DIR);
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    unsigned captures = 0, streams = 0, failures = 0;
    printf("%-40s %-22s %6s %6s %9s %9s %8s %8s\n", "capture", "stream", "pkts", "lost", "maxdelta",
           "(oracle)", "maxjit", "(oracle)");
    while ((e = readdir(dir))) {
        size_t l = strlen(e->d_name);
        if (l < 12 || strcmp(e->d_name + l - 11, ".tshark.txt") != 0) continue;
        char base[256], path[512], cap[512];
        snprintf(base, sizeof base, "%.*s", (int)(l - 11), e->d_name);
        snprintf(path, sizeof path, "%s/%s", SNB_TEST_DATA_DIR, e->d_name);
        snprintf(cap, sizeof cap, "%s/%s.pcap", SNB_TEST_DATA_DIR, base);
        FILE *probe = fopen(cap, "rb");
        if (!probe) {
            snprintf(cap, sizeof cap, "%s/%s.pcapng", SNB_TEST_DATA_DIR, base);
            probe = fopen(cap, "rb");
        }
        if (!probe) continue;
        fclose(probe);
        static run_t r;
        memset(&r, 0, sizeof r);
        if (oracle_read(path, &r) == 0) continue;
        captures++;
        replay(cap, &r);
        for (unsigned i = 0; i < r.n; i++) {
            const oracle_rtp_stream_t *o = &r.s[i].w;
            const rtp_stream_stats_t *s = &r.s[i].st;
            streams++;
            char id[32];
            snprintf(id, sizeof id, "0x%08lX:%u", o->ssrc, o->dport);
            printf("%-40s %-22s %6llu %6lld %9.3f %9.3f %8.3f %8.3f\n", base, id,
                   (unsigned long long)s->packets, (long long)rtp_stream_lost(s), s->max_delta_ms,
                   o->max_delta_ms, s->max_jitter_ms, o->max_jitter_ms);
            bool ok = r.s[i].seen && (long)s->packets == o->packets &&
                      rtp_stream_lost(s) == o->lost && same3(s->max_delta_ms, o->max_delta_ms) &&
                      same3(s->max_jitter_ms, o->max_jitter_ms) &&
                      same3(s->mean_jitter_ms, o->mean_jitter_ms) &&
                      same3(s->min_delta_ms, o->min_delta_ms) &&
                      same3(s->mean_delta_ms, o->mean_delta_ms) &&
                      same3(s->min_jitter_ms, o->min_jitter_ms) &&
                      rtp_stream_problem(s) == o->problems;
            if (!ok) {
                failures++;
                printf("  MISMATCH %s %s:%u -> %s:%u ssrc 0x%08lX: ours pkts %llu lost %lld "
                       "delta %.3f/%.3f/%.3f jitter %.3f/%.3f/%.3f problem %d; oracle %ld %ld "
                       "%.3f/%.3f/%.3f %.3f/%.3f/%.3f %d\n",
                       base, o->src, o->sport, o->dst, o->dport, o->ssrc,
                       (unsigned long long)s->packets, (long long)rtp_stream_lost(s),
                       s->min_delta_ms, s->mean_delta_ms, s->max_delta_ms, s->min_jitter_ms,
                       s->mean_jitter_ms, s->max_jitter_ms, rtp_stream_problem(s), o->packets,
                       o->lost, o->min_delta_ms, o->mean_delta_ms, o->max_delta_ms,
                       o->min_jitter_ms, o->mean_jitter_ms, o->max_jitter_ms, o->problems);
            }
        }
    }
    closedir(dir);
    printf("%u captures, %u streams, %u mismatches\n", captures, streams, failures);
    ck_assert_uint_ge(captures, 10);
    ck_assert_uint_ge(streams, 25);
    ck_assert_uint_eq(failures, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_wireshark");
    TCase *tc = tcase_create("captures");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, streams_match_wireshark);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
