/* Media diagnosis end to end: small captures built byte by byte (SIP
 * INVITE/200/ACK/BYE with SDP over UDP plus RTP), written as pcap, read back
 * through the decoder, SIP turned into events by a minimal reader
 * (rtp_testlib.h), then rtp_calls + rtp_table -> rtp_diag. Each flag must
 * fire on its case and not on a normal two-way call.
 *
 * The captures are also kept in tests/data/diag/ for replays through the
 * binary; this test checks they are identical to what it builds
 * (SNB_REGEN_DIAG=1 rewrites them). */
#include <check.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check_run.h"
#include "decoder.h"
#include "rtp_diag_view.h"
#include "rtp_table.h"
#include "rtp_testlib.h"
#include "support.h"

#define A "10.0.0.1"
#define B "10.0.0.2"
#define T0 1700000000000000ull
#define MS 1000ull
#define SEC 1000000ull

/* How the synthetic call goes. */
typedef struct scen {
    const char *name;
    const char *b_sdp_ip;   /* the address B announces */
    const char *b_media_ip; /* where B's RTP really comes from */
    uint16_t b_media_port;
    uint8_t a_pt, b_pt;      /* payload types each side sends */
    uint32_t a_step, b_step; /* RTP timestamp step (160 = 20 ms at 8 kHz) */
    bool a_sends, b_sends;
    uint64_t media_delay; /* first RTP after the 200 OK */
    bool hold;            /* A puts B on hold (sendonly) right after the ACK */
    uint64_t duration;    /* 200 OK to BYE */
} scen_t;

static FILE *pcap;

static void put_udp(uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                    const void *data, size_t len)
{
    snb_tb_t b;
    snb_tb_init(&b, data, len);
    snb_tb_udp(&b, sp, dp);
    snb_tb_ipv4(&b, src, dst, 17);
    snb_tb_eth(&b, 0x0800);
    ck_assert_int_eq(snb_pcapw_put(pcap, ts, b.p, b.len), 0);
    snb_tb_free(&b);
}

static void put_sip(uint64_t ts, bool from_a, const char *start, const char *to_tag,
                    const char *cseq, const char *sdp)
{
    char msg[2048];
    snprintf(msg, sizeof msg,
             "%s\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK%llu\r\nFrom: <sip:alice@" A
             ">;tag=a1\r\nTo: <sip:bob@" B ">%s\r\nCall-ID: diag-call@" A "\r\nCSeq: %s\r\n"
             "Max-Forwards: 70\r\n%sContent-Length: %zu\r\n\r\n%s",
             start, from_a ? A : B, (unsigned long long)(ts % 1000000), to_tag, cseq,
             sdp ? "Content-Type: application/sdp\r\n" : "", sdp ? strlen(sdp) : 0, sdp ? sdp : "");
    put_udp(ts, from_a ? A : B, 5060, from_a ? B : A, 5060, msg, strlen(msg));
}

static void sdp(char *buf, size_t size, const char *ip, unsigned port, const char *dir)
{
    snprintf(buf, size,
             "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
             "m=audio %u RTP/AVP 0 8 18 101\r\na=rtpmap:101 telephone-event/8000\r\n"
             "a=ptime:20\r\na=%s\r\n",
             ip, ip, port, dir);
}

static void build(const scen_t *s, const char *path)
{
    pcap = snb_pcapw_open(path, 1);
    ck_assert_ptr_nonnull(pcap);
    char sa[512], sb[512];
    sdp(sa, sizeof sa, A, 4000, "sendrecv");
    sdp(sb, sizeof sb, s->b_sdp_ip, 5000, "sendrecv");
    uint64_t t = T0;
    put_sip(t, true, "INVITE sip:bob@" B " SIP/2.0", "", "1 INVITE", sa);
    put_sip(t + 5 * MS, false, "SIP/2.0 180 Ringing", ";tag=b1", "1 INVITE", NULL);
    uint64_t ans = t + 1 * SEC;
    put_sip(ans, false, "SIP/2.0 200 OK", ";tag=b1", "1 INVITE", sb);
    put_sip(ans + 10 * MS, true, "ACK sip:bob@" B " SIP/2.0", ";tag=b1", "1 ACK", NULL);
    if (s->hold) {
        sdp(sa, sizeof sa, A, 4000, "sendonly");
        sdp(sb, sizeof sb, s->b_sdp_ip, 5000, "recvonly");
        put_sip(ans + 20 * MS, true, "INVITE sip:bob@" B " SIP/2.0", ";tag=b1", "2 INVITE", sa);
        put_sip(ans + 30 * MS, false, "SIP/2.0 200 OK", ";tag=b1", "2 INVITE", sb);
        put_sip(ans + 40 * MS, true, "ACK sip:bob@" B " SIP/2.0", ";tag=b1", "2 ACK", NULL);
    }
    uint64_t end = ans + s->duration;
    /* 20 ms packets from both sides, interleaved in time order */
    uint8_t rtpb[400];
    uint16_t seq_a = 1000, seq_b = 2000;
    uint32_t ts_a = 0, ts_b = 0;
    for (uint64_t at = ans + s->media_delay; at + 20 * MS < end; at += 20 * MS) {
        if (s->a_sends) {
            size_t n = tl_rtp_bytes(rtpb, s->a_pt, seq_a++, ts_a, 0xAAAA0001, s->a_step);
            ts_a += s->a_step;
            put_udp(at, A, 4000, s->b_media_ip, s->b_media_port, rtpb, n);
        }
        if (s->b_sends) {
            size_t n = tl_rtp_bytes(rtpb, s->b_pt, seq_b++, ts_b, 0xBBBB0001, s->b_step);
            ts_b += s->b_step;
            put_udp(at + 3 * MS, s->b_media_ip, s->b_media_port, A, 4000, rtpb, n);
        }
    }
    put_sip(end, true, "BYE sip:bob@" B " SIP/2.0", ";tag=b1", "3 BYE", NULL);
    put_sip(end + 10 * MS, false, "SIP/2.0 200 OK", ";tag=b1", "3 BYE", NULL);
    ck_assert_int_eq(snb_pcapw_close(pcap), 0);
}

/* ---- replay: decoder -> SIP events / RTP -> diag -------------------------- */

typedef struct run {
    rtp_calls_t *calls;
    rtp_table_t *t;
    uint64_t last_us;
} run_t;

static void on_pkt(void *ud, const snb_packet_t *p)
{
    run_t *r = ud;
    r->last_us = p->ts_us;
    if (p->transport == SNB_TRANSPORT_UDP && (p->sport == 5060 || p->dport == 5060)) {
        char text[4096];
        snprintf(text, sizeof text, "%.*s", (int)p->payload_len, (const char *)p->payload);
        char a[64], b[64];
        tl_msg_t m;
        tl_sip(&m, text, p->ts_us, rtp_addr_str(&p->src, a, sizeof a), p->sport,
               rtp_addr_str(&p->dst, b, sizeof b), p->dport);
        unsigned n = 0;
        rtp_calls_sip(r->calls, &m.ev, &n);
        if (n) rtp_table_sdp(r->t);
        return;
    }
    rtp_table_packet(r->t, p, NULL);
}

static uint32_t diagnose(const char *path, rtp_diag_result_t *res, size_t *n_streams)
{
    run_t r = {rtp_calls_new(8), NULL, 0};
    r.t = rtp_table_new(NULL, r.calls);
    snb_decode_limits_t lim = SNB_DECODE_LIMITS_DEFAULT;
    snb_decode_stats_t dst;
    memset(&dst, 0, sizeof dst);
    snb_decoder_t *dec = snb_decoder_new(&lim, &dst, on_pkt, &r);
    snb_pcapr_t *pr = snb_pcapr_open(path);
    ck_assert_ptr_nonnull(pr);
    snb_frame_t fr;
    while (snb_pcapr_next(pr, &fr) == 1)
        snb_decoder_feed(dec, &fr);
    snb_decoder_flush(dec);
    snb_pcapr_close(pr);
    snb_decoder_free(dec);
    rtp_table_advance(r.t, r.last_us);
    const char *id = "diag-call@" A;
    rtp_call_t *k = rtp_calls_find(r.calls, id, strlen(id));
    ck_assert_ptr_nonnull(k);
    rtp_diag_call_t view;
    rtp_diag_stream_t st[8];
    *n_streams = rtp_diag_view(k, r.t, r.last_us, &view, st, 8);
    uint32_t flags = rtp_diag_run(&view, NULL, res);
    for (unsigned i = 0; i < RTP_DIAG_COUNT; i++)
        if (flags & (1u << i))
            printf("%s: %s: %s\n", path, rtp_diag_flag_name(1u << i), rtp_diag_hint(res, 1u << i));
    rtp_table_free(r.t);
    rtp_calls_free(r.calls);
    return flags;
}

static bool same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb) same = false;
        if (ca == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* Build the capture, check the kept copy, diagnose it. */
static uint32_t scenario(const scen_t *s, rtp_diag_result_t *res, size_t *n_streams)
{
    char built[1024], kept[1024];
    mkdir(SNB_BUILD_DIR "/diag", 0755);
    snprintf(built, sizeof built, SNB_BUILD_DIR "/diag/%s.pcap", s->name);
    snprintf(kept, sizeof kept, SNB_TEST_DATA_DIR "/diag/%s.pcap", s->name);
    build(s, built);
    if (getenv("SNB_REGEN_DIAG")) build(s, kept);
    ck_assert_msg(same_file(built, kept), "%s differs from %s (SNB_REGEN_DIAG=1 to rewrite)", kept,
                  built);
    return diagnose(kept, res, n_streams);
}

static scen_t normal(const char *name)
{
    scen_t s = {
        .name = name,
        .b_sdp_ip = B,
        .b_media_ip = B,
        .b_media_port = 5000,
        .a_pt = 0,
        .b_pt = 0,
        .a_step = 160,
        .b_step = 160,
        .a_sends = true,
        .b_sends = true,
        .media_delay = 50 * MS,
        .hold = false,
        .duration = 3 * SEC,
    };
    return s;
}

START_TEST(test_normal_call)
{
    scen_t s = normal("normal-two-way");
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rtp_diag_hint(&r, RTP_DIAG_ONE_WAY), "");
}
END_TEST

START_TEST(test_one_way)
{
    scen_t s = normal("one-way-audio");
    s.b_sends = false;
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), RTP_DIAG_ONE_WAY);
    ck_assert_uint_eq(n, 1);
    const char *h = rtp_diag_hint(&r, RTP_DIAG_ONE_WAY);
    ck_assert_ptr_nonnull(
        strstr(h, "no RTP from the answer side to the offer side (10.0.0.1:4000)"));
    ck_assert_ptr_nonnull(strstr(h, "toward 10.0.0.1:4000"));
}
END_TEST

START_TEST(test_one_way_on_hold)
{
    scen_t s = normal("one-way-hold");
    s.b_sends = false;
    s.hold = true;
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), 0); /* sendonly/recvonly explains the silence */
    ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(test_nat_mismatch)
{
    scen_t s = normal("nat-mismatch");
    s.b_sdp_ip = "192.168.1.20";
    s.b_media_ip = "203.0.113.7";
    s.b_media_port = 40000;
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), RTP_DIAG_NAT_MISMATCH);
    ck_assert_uint_eq(n, 2); /* A's media to B's public address is A's (by source) */
    ck_assert_str_eq(rtp_diag_hint(&r, RTP_DIAG_NAT_MISMATCH),
                     "media from the answer side arrives from 203.0.113.7:40000 but its SDP "
                     "announced 192.168.1.20:5000: NAT (the SDP carries the private address; fix "
                     "with a SBC/ALG or ICE)");
}
END_TEST

START_TEST(test_no_media)
{
    scen_t s = normal("no-media");
    s.a_sends = s.b_sends = false;
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), RTP_DIAG_NO_MEDIA);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(strstr(rtp_diag_hint(&r, RTP_DIAG_NO_MEDIA),
                                 "answered call (3.0 s) with SDP on both sides (10.0.0.1:4000, "
                                 "10.0.0.2:5000) but no RTP either way"));
}
END_TEST

START_TEST(test_late_media)
{
    scen_t s = normal("late-media");
    s.media_delay = 2500 * MS;
    s.duration = 5 * SEC;
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), RTP_DIAG_LATE_MEDIA);
    ck_assert_ptr_nonnull(
        strstr(rtp_diag_hint(&r, RTP_DIAG_LATE_MEDIA),
               "first RTP from the answer side 2.50 s after the 200 OK (threshold 1.00 s)"));
}
END_TEST

START_TEST(test_codec_asymmetry)
{
    scen_t s = normal("codec-asymmetry");
    s.b_pt = 18; /* G.729 back, PCMU forward */
    s.b_step = 160;
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), RTP_DIAG_CODEC_ASYMMETRY);
    ck_assert_ptr_nonnull(strstr(rtp_diag_hint(&r, RTP_DIAG_CODEC_ASYMMETRY),
                                 "the offer side sends PCMU (PT 0) but the answer side sends G729 "
                                 "(PT 18)"));
}
END_TEST

START_TEST(test_ptime_asymmetry)
{
    scen_t s = normal("ptime-asymmetry");
    s.b_step = 240; /* 30 ms frames, sent every 20 ms: the timestamps say 30 */
    rtp_diag_result_t r;
    size_t n;
    ck_assert_uint_eq(scenario(&s, &r, &n), RTP_DIAG_CODEC_ASYMMETRY);
    ck_assert_ptr_nonnull(strstr(rtp_diag_hint(&r, RTP_DIAG_CODEC_ASYMMETRY),
                                 "PCMU with 20 ms packets from the offer side but 30 ms from the "
                                 "answer side"));
}
END_TEST

/* The pure function on hand-made views: comfort noise only is not silence;
 * a short call is not "no media"; an unanswered call has no diagnosis. */
/* poor_quality: per direction, past any of the limits, streams too short
 * to judge ignored, each limit configurable and 0 turning it off. */
START_TEST(test_poor_quality)
{
    rtp_diag_call_t c;
    memset(&c, 0, sizeof c);
    c.answered = true;
    c.answered_us = 10 * SEC;
    c.now_us = 30 * SEC;
    rtp_diag_stream_t st[3];
    memset(st, 0, sizeof st);
    for (int i = 0; i < 3; i++) {
        st[i].from_side = (uint8_t)(i == 2 ? RTP_SIDE_ANSWER : i);
        st[i].src = snb_test_addr(i ? B : A);
        st[i].dst = snb_test_addr(i ? A : B);
        st[i].sport = (uint16_t)(i ? 5000 : 4000);
        st[i].dport = (uint16_t)(i ? 4000 : 5000);
        st[i].packets = 1000;
        st[i].mos = 4.4;
        st[i].loss_pct = 0.1;
        st[i].mean_jitter_ms = 0.5;
    }
    c.streams = st;
    c.n_streams = 3;
    rtp_diag_result_t r;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), 0);
    /* the answer side's second stream: 64.3 % loss and MOS 1.41 */
    st[2].loss_pct = 64.286;
    st[2].mos = 1.41;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), RTP_DIAG_POOR_QUALITY);
    ck_assert_str_eq(rtp_diag_hint(&r, RTP_DIAG_POOR_QUALITY),
                     "poor audio from the answer side (10.0.0.2:5000 -> 10.0.0.1:4000): 64.3 % "
                     "loss (limit 5 %), MOS 1.41 (limit 3.1)");
    ck_assert_str_eq(rtp_diag_flag_name(RTP_DIAG_POOR_QUALITY), "poor_quality");
    /* too few packets to judge */
    st[2].packets = 49;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), 0);
    st[2].packets = 1000;
    /* both directions, jitter alone on the offer side */
    st[0].mean_jitter_ms = 31;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), RTP_DIAG_POOR_QUALITY);
    ck_assert_str_eq(rtp_diag_hint(&r, RTP_DIAG_POOR_QUALITY),
                     "poor audio from the offer side (10.0.0.1:4000 -> 10.0.0.2:5000): mean "
                     "jitter 31.0 ms (limit 30 ms); poor audio from the answer side "
                     "(10.0.0.2:5000 -> 10.0.0.1:4000): 64.3 % loss (limit 5 %), MOS 1.41 "
                     "(limit 3.1)");
    /* configurable; a limit of 0 is off */
    rtp_diag_cfg_t cfg = RTP_DIAG_CFG_DEFAULT;
    cfg.poor_jitter_ms = 0;
    cfg.poor_loss_pct = 70;
    cfg.poor_mos = 1.4;
    ck_assert_uint_eq(rtp_diag_run(&c, &cfg, &r), 0);
    cfg.poor_mos = 4.5; /* every stream is below */
    ck_assert_uint_eq(rtp_diag_run(&c, &cfg, &r), RTP_DIAG_POOR_QUALITY);
    ck_assert_ptr_nonnull(strstr(rtp_diag_hint(&r, RTP_DIAG_POOR_QUALITY), "offer side"));
}
END_TEST

START_TEST(test_pure_rules)
{
    rtp_diag_call_t c;
    memset(&c, 0, sizeof c);
    c.answered = true;
    c.answered_us = 10 * SEC;
    c.now_us = 20 * SEC;
    for (int i = 0; i < 2; i++) {
        c.side[i].has_sdp = true;
        c.side[i].direction = RTP_DIR_SENDRECV;
        c.side[i].addr = snb_test_addr(i ? B : A);
        c.side[i].port = (uint16_t)(i ? 5000 : 4000);
        c.side[i].n_eps = 1;
        c.side[i].eps[0].addr = c.side[i].addr;
        c.side[i].eps[0].port = c.side[i].port;
    }
    rtp_diag_stream_t st[2];
    memset(st, 0, sizeof st);
    st[0].from_side = RTP_SIDE_OFFER;
    st[0].src = snb_test_addr(A);
    st[0].sport = 4000;
    st[0].audio_packets = 500;
    st[0].first_audio_us = st[0].first_us = 10 * SEC + 100 * MS;
    st[0].last_audio_us = 20 * SEC;
    snprintf(st[0].codec, sizeof st[0].codec, "PCMU");
    st[1] = st[0];
    st[1].from_side = RTP_SIDE_ANSWER;
    st[1].src = snb_test_addr(B);
    st[1].sport = 5000;
    st[1].audio_packets = 0;
    st[1].first_audio_us = st[1].last_audio_us = 0;
    st[1].cn_packets = 3;
    c.streams = st;
    c.n_streams = 2;
    rtp_diag_result_t r;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), 0);
    st[1].cn_packets = 0;
    st[1].dtmf_packets = 4; /* digits are not audio */
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), RTP_DIAG_ONE_WAY);
    /* no media, but only 1.5 s answered */
    c.n_streams = 0;
    c.now_us = 11 * SEC + 500 * MS;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), 0);
    c.now_us = 12 * SEC + 1;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), RTP_DIAG_NO_MEDIA);
    /* both sides inactive: nothing expected */
    c.side[0].direction = c.side[1].direction = RTP_DIR_INACTIVE;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), 0);
    /* not answered */
    c.side[0].direction = c.side[1].direction = RTP_DIR_SENDRECV;
    c.answered = false;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r), 0);
    ck_assert_str_eq(rtp_diag_flag_name(RTP_DIAG_LATE_MEDIA), "late_media");
    ck_assert_ptr_null(rtp_diag_flag_name(3));
    /* early media (before the 200) is not late */
    c.answered = true;
    c.n_streams = 1;
    st[0].first_audio_us = st[0].first_us = 9 * SEC;
    st[0].last_audio_us = 9 * SEC + 500 * MS;
    c.now_us = 20 * SEC;
    ck_assert_uint_eq(rtp_diag_run(&c, NULL, &r) & RTP_DIAG_LATE_MEDIA, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_diag");
    TCase *tc = tcase_create("diag");
    tcase_add_test(tc, test_normal_call);
    tcase_add_test(tc, test_one_way);
    tcase_add_test(tc, test_one_way_on_hold);
    tcase_add_test(tc, test_nat_mismatch);
    tcase_add_test(tc, test_no_media);
    tcase_add_test(tc, test_late_media);
    tcase_add_test(tc, test_codec_asymmetry);
    tcase_add_test(tc, test_ptime_asymmetry);
    tcase_add_test(tc, test_pure_rules);
    tcase_add_test(tc, test_poor_quality);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
