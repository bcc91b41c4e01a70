/* rtp_table: association with SDP endpoints, heuristic, RTCP, caps,
 * orphaning by capture time. */
#include <check.h>

#include "rtp_table.h"
#include "rtp_testlib.h"

#define A "10.0.0.1"
#define B "10.0.0.2"
#define T0 1700000000000000ull

static const char *invite =
    "INVITE sip:b@y SIP/2.0\r\nFrom: <sip:a@x>;tag=a1\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\n"
    "CSeq: 1 INVITE\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";
static const char *ok200 =
    "SIP/2.0 200 OK\r\nFrom: <sip:a@x>;tag=a1\r\nTo: <sip:b@y>;tag=b1\r\nCall-ID: c1\r\n"
    "CSeq: 1 INVITE\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 5000 RTP/AVP 0 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";
static const char *reinvite_move =
    "INVITE sip:a@x SIP/2.0\r\nFrom: <sip:b@y>;tag=b1\r\nTo: <sip:a@x>;tag=a1\r\nCall-ID: c1\r\n"
    "CSeq: 1 INVITE\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 5002 RTP/AVP 8\r\n";

typedef struct fx {
    rtp_calls_t *calls;
    rtp_table_t *t;
} fx_t;

static void fx_init(fx_t *f, const rtp_table_cfg_t *cfg)
{
    f->calls = rtp_calls_new(16);
    f->t = rtp_table_new(cfg, f->calls);
    ck_assert_ptr_nonnull(f->t);
}

static void fx_free(fx_t *f)
{
    rtp_table_free(f->t);
    rtp_calls_free(f->calls);
}

static unsigned sip(fx_t *f, const char *text, uint64_t ts)
{
    tl_msg_t m;
    tl_sip(&m, text, ts, A, 5060, B, 5060);
    unsigned n = 0;
    rtp_calls_sip(f->calls, &m.ev, &n);
    return n ? rtp_table_sdp(f->t) : 0;
}

static int rtp(fx_t *f, uint64_t ts, const char *src, uint16_t sport, const char *dst,
               uint16_t dport, uint8_t pt, uint16_t seq, uint32_t rts, uint32_t ssrc,
               const rtp_stream_t **s)
{
    tl_pkt_t p;
    tl_rtp(&p, ts, src, sport, dst, dport, pt, seq, rts, ssrc);
    return rtp_table_packet(f->t, &p.pkt, s);
}

START_TEST(test_assoc_offer_and_answer)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    sip(&f, ok200, T0 + 100000);
    const rtp_stream_t *ab, *ba, *s;
    /* first packet to an announced endpoint: a stream at once, no heuristic */
    ck_assert_int_eq(rtp(&f, T0 + 200000, A, 4000, B, 5000, 0, 10, 1600, 0xA, &ab), RTP_TABLE_RTP);
    ck_assert_int_eq(rtp(&f, T0 + 210000, B, 5000, A, 4000, 0, 70, 8000, 0xB, &ba), RTP_TABLE_RTP);
    ck_assert_str_eq(ab->call_id, "c1");
    ck_assert_uint_eq(ab->assoc, RTP_ASSOC_DST);
    ck_assert_uint_eq(ab->from_side, RTP_SIDE_OFFER);
    ck_assert_uint_eq(ba->from_side, RTP_SIDE_ANSWER);
    ck_assert_str_eq(ab->codec, "PCMU");
    ck_assert_uint_eq(ab->clock_rate, 8000);
    ck_assert_int_eq(ab->te_pt, 101);
    ck_assert(!ab->heuristic);
    ck_assert_uint_eq(ab->stats.packets, 1);
    ck_assert_uint_eq(rtp_table_stats(f.t)->streams_sdp, 2);
    /* symmetric RTP: sent from an announced endpoint to an address nobody
     * announced (B's public address) */
    ck_assert_int_eq(rtp(&f, T0 + 220000, A, 4000, "203.0.113.9", 7000, 0, 1, 1, 0xC, &s),
                     RTP_TABLE_RTP);
    ck_assert_uint_eq(s->assoc, RTP_ASSOC_SRC);
    ck_assert_uint_eq(s->from_side, RTP_SIDE_OFFER);
    unsigned n = 0;
    for (s = rtp_table_call_next(f.t, "c1", NULL); s; s = rtp_table_call_next(f.t, "c1", s))
        n++;
    ck_assert_uint_eq(n, 3);
    ck_assert_ptr_null(rtp_table_call_next(f.t, "c2", NULL));
    /* a stream keeps its call after the capture time passes */
    rtp_table_advance(f.t, T0 + 60000000);
    ck_assert(!ab->orphaned);
    fx_free(&f);
}
END_TEST

START_TEST(test_reinvite_moves_media)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    sip(&f, ok200, T0 + 100000);
    const rtp_stream_t *old, *moved;
    rtp(&f, T0 + 200000, A, 4000, B, 5000, 0, 1, 160, 0xA, &old);
    sip(&f, reinvite_move, T0 + 300000);
    ck_assert_int_eq(rtp(&f, T0 + 400000, A, 4000, B, 5002, 8, 2, 320, 0xA, &moved), RTP_TABLE_RTP);
    ck_assert_ptr_ne(old, moved);
    ck_assert_str_eq(moved->call_id, "c1");
    ck_assert_str_eq(moved->codec, "PCMA"); /* the new endpoint's map */
    ck_assert_uint_eq(moved->sdp_port, 5002);
    /* late packets to the old endpoint still count in the old stream */
    const rtp_stream_t *s;
    rtp(&f, T0 + 410000, A, 4000, B, 5000, 0, 3, 480, 0xA, &s);
    ck_assert_ptr_eq(s, old);
    ck_assert_uint_eq(old->stats.packets, 2);
    fx_free(&f);
}
END_TEST

START_TEST(test_ssrc_change)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    const rtp_stream_t *s1, *s2, *s;
    for (unsigned i = 0; i < 5; i++)
        rtp(&f, T0 + i * 20000, B, 5000, A, 4000, 0, (uint16_t)(100 + i), 160 * i, 0x111, &s1);
    for (unsigned i = 0; i < 3; i++)
        rtp(&f, T0 + 200000 + i * 20000, B, 5000, A, 4000, 0, (uint16_t)(9000 + i), 160 * i, 0x222,
            &s2);
    ck_assert_ptr_ne(s1, s2);
    ck_assert_uint_eq(s1->stats.packets, 5);
    ck_assert_uint_eq(s2->stats.packets, 3);
    ck_assert_int_eq(rtp_stream_lost(&s2->stats), 0);
    ck_assert_str_eq(s2->call_id, "c1");
    ck_assert_uint_eq(rtp_table_count(f.t), 2);
    /* the same SSRC elsewhere (a relay's other leg) */
    rtp(&f, T0, "192.0.2.1", 6000, "192.0.2.2", 6002, 0, 1, 0, 0x111, &s);
    rtp(&f, T0 + 20000, "192.0.2.1", 6000, "192.0.2.2", 6002, 0, 2, 160, 0x111, &s);
    const rtp_stream_t *out[4];
    ck_assert_uint_eq(rtp_table_by_ssrc(f.t, 0x111, out, 4), 2);
    ck_assert_uint_eq(rtp_table_by_ssrc(f.t, 0x222, out, 4), 1);
    ck_assert_ptr_eq(out[0], s2);
    ck_assert_uint_eq(rtp_table_by_ssrc(f.t, 0x333, out, 4), 0);
    /* creation order */
    ck_assert_ptr_eq(rtp_table_first(f.t), s1);
    ck_assert_ptr_eq(rtp_table_next(s1), s2);
    ck_assert_ptr_eq(rtp_table_next(s2), s);
    ck_assert_ptr_null(rtp_table_next(s));
    fx_free(&f);
}
END_TEST

START_TEST(test_heuristic_counts_held_packets)
{
    fx_t f;
    fx_init(&f, NULL);
    const rtp_stream_t *s;
    ck_assert_int_eq(rtp(&f, T0, "192.0.2.1", 30000, "192.0.2.2", 40000, 8, 500, 1000, 0x77, &s),
                     RTP_TABLE_PENDING);
    ck_assert_ptr_null(s);
    ck_assert_uint_eq(rtp_table_count(f.t), 0);
    ck_assert_int_eq(
        rtp(&f, T0 + 20000, "192.0.2.1", 30000, "192.0.2.2", 40000, 8, 501, 1160, 0x77, &s),
        RTP_TABLE_RTP);
    ck_assert_uint_eq(s->stats.packets, 2);
    ck_assert_uint_eq(s->first_us, T0);
    ck_assert_uint_eq(s->stats.first_us, T0);
    ck_assert(s->heuristic);
    ck_assert_str_eq(s->call_id, "");
    ck_assert_str_eq(s->codec, "PCMA");
    for (unsigned i = 2; i < 10; i++)
        rtp(&f, T0 + i * 20000, "192.0.2.1", 30000, "192.0.2.2", 40000, 8, (uint16_t)(500 + i),
            1000 + 160 * i, 0x77, &s);
    ck_assert_uint_eq(s->stats.packets, 10);
    ck_assert_int_eq(rtp_stream_lost(&s->stats), 0);
    ck_assert_uint_eq(s->audio_packets, 10);
    ck_assert_uint_eq(rtp_stream_ptime_ms(s), 20);
    ck_assert_uint_eq(rtp_table_stats(f.t)->rtp_packets, 10);
    ck_assert_uint_eq(rtp_table_stats(f.t)->pending_dropped, 0);
    double mos = rtp_stream_mos(s);
    ck_assert_msg(mos > 4.0 && mos <= 4.5, "mos %f", mos);
    fx_free(&f);
}
END_TEST

START_TEST(test_heuristic_rejects)
{
    fx_t f;
    fx_init(&f, NULL);
    tl_pkt_t p;
    /* DNS on port 53 whose ID starts with 0x80: version bits say 2 */
    for (unsigned i = 0; i < 5; i++) {
        tl_udp(&p, T0 + i, "192.0.2.1", 40000 + i, "192.0.2.53", 53, 40);
        memset(p.buf, 0, 40);
        p.buf[0] = 0x80;
        p.buf[1] = (uint8_t)i;
        p.buf[2] = 0x01;
        p.buf[5] = 1;
        ck_assert_int_eq(rtp_table_packet(f.t, &p.pkt, NULL), RTP_TABLE_NONE);
    }
    /* text protocols (version 1) */
    tl_udp(&p, T0, "192.0.2.1", 5060, "192.0.2.2", 5060, 20);
    memcpy(p.buf, "OPTIONS sip:x SIP/2.", 20);
    ck_assert_int_eq(rtp_table_packet(f.t, &p.pkt, NULL), RTP_TABLE_NONE);
    /* version 2 but sequence numbers all over the place: never confirmed */
    const rtp_stream_t *s;
    uint16_t seqs[] = {1, 30000, 7, 60000, 12345, 999};
    for (unsigned i = 0; i < 6; i++)
        ck_assert_int_eq(rtp(&f, T0 + i * 20000, "192.0.2.1", 30000, "192.0.2.2", 40000, 0, seqs[i],
                             160 * i, 0x55, &s),
                         RTP_TABLE_PENDING);
    /* unassigned payload type */
    for (unsigned i = 0; i < 4; i++)
        ck_assert_int_eq(rtp(&f, T0 + i * 20000, "192.0.2.1", 30002, "192.0.2.2", 40002, 50,
                             (uint16_t)i, 160 * i, 0x56, &s),
                         RTP_TABLE_NONE);
    /* timestamps going back */
    for (unsigned i = 0; i < 4; i++)
        ck_assert_int_eq(rtp(&f, T0 + i * 20000, "192.0.2.1", 30004, "192.0.2.2", 40004, 0,
                             (uint16_t)i, 100000 - 160 * i, 0x57, &s),
                         RTP_TABLE_PENDING);
    ck_assert_uint_eq(rtp_table_count(f.t), 0);
    /* the held packets of failed candidates are dropped and counted */
    rtp_table_advance(f.t, T0 + 10000000);
    ck_assert_uint_eq(rtp_table_stats(f.t)->pending_dropped, 6 + 4);
    fx_free(&f);
}
END_TEST

START_TEST(test_heuristic_off)
{
    rtp_table_cfg_t cfg = RTP_TABLE_CFG_DEFAULT;
    cfg.heuristic = false;
    fx_t f;
    fx_init(&f, &cfg);
    const rtp_stream_t *s;
    for (unsigned i = 0; i < 4; i++)
        ck_assert_int_eq(
            rtp(&f, T0 + i, "192.0.2.1", 30000, "192.0.2.2", 40000, 0, (uint16_t)i, 160 * i, 1, &s),
            RTP_TABLE_NONE);
    sip(&f, invite, T0 + 10);
    ck_assert_int_eq(rtp(&f, T0 + 20, B, 5000, A, 4000, 0, 1, 0, 2, &s), RTP_TABLE_RTP);
    fx_free(&f);
}
END_TEST

/* SDP may come after the media: a heuristic stream, and a candidate still
 * held, are claimed by the SDP; neither is orphaned. */
START_TEST(test_sdp_after_media)
{
    fx_t f;
    fx_init(&f, NULL);
    const rtp_stream_t *s, *held;
    rtp(&f, T0, B, 5000, A, 4000, 0, 1, 0, 0xB, &s);
    rtp(&f, T0 + 20000, B, 5000, A, 4000, 0, 2, 160, 0xB, &s);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->call_id, "");
    ck_assert_int_eq(rtp(&f, T0 + 30000, A, 4000, B, 5000, 0, 7, 0, 0xA, &held), RTP_TABLE_PENDING);
    ck_assert_uint_eq(sip(&f, invite, T0 + 500000), 1);
    ck_assert_str_eq(s->call_id, "c1");
    ck_assert_uint_eq(s->from_side, RTP_SIDE_ANSWER);
    ck_assert_uint_eq(rtp_table_stats(f.t)->claimed_late, 1);
    sip(&f, ok200, T0 + 600000);
    ck_assert_int_eq(rtp(&f, T0 + 700000, A, 4000, B, 5000, 0, 8, 160, 0xA, &held), RTP_TABLE_RTP);
    ck_assert_uint_eq(held->stats.packets, 2); /* the one held before the SDP counts */
    ck_assert_uint_eq(held->first_us, T0 + 30000);
    ck_assert_str_eq(held->call_id, "c1");
    rtp_table_advance(f.t, UINT64_MAX);
    ck_assert(!s->orphaned);
    ck_assert(!held->orphaned);
    ck_assert_uint_eq(rtp_table_stats(f.t)->orphaned, 0);
    fx_free(&f);
}
END_TEST

/* rtp_table_call_next hands over exactly want[0..n), in that order. */
static void assert_call_streams(const rtp_table_t *t, const char *call_id,
                                const rtp_stream_t *const *want, unsigned n)
{
    unsigned got = 0;
    for (const rtp_stream_t *s = rtp_table_call_next(t, call_id, NULL); s;
         s = rtp_table_call_next(t, call_id, s)) {
        ck_assert_uint_lt(got, n);
        ck_assert_ptr_eq(s, want[got++]);
    }
    ck_assert_uint_eq(got, n);
}

/* A call's streams come in creation order: one claimed when a later SDP
 * announced its endpoint takes its place among them, an evicted one
 * leaves (rtp_table_call_next walks a per-call chain, not every stream). */
START_TEST(test_call_streams_in_creation_order)
{
    rtp_table_cfg_t cfg = RTP_TABLE_CFG_DEFAULT;
    cfg.max_streams = 3;
    fx_t f;
    fx_init(&f, &cfg);
    const rtp_stream_t *x, *y, *z, *w;
    /* x: to the answerer's endpoint before any SDP names it */
    rtp(&f, T0, "10.0.0.9", 7000, B, 5000, 0, 1, 0, 0x9, &x);
    rtp(&f, T0 + 20000, "10.0.0.9", 7000, B, 5000, 0, 2, 160, 0x9, &x);
    ck_assert_ptr_nonnull(x);
    sip(&f, invite, T0 + 30000); /* names A:4000 only */
    ck_assert_str_eq(x->call_id, "");
    ck_assert_int_eq(rtp(&f, T0 + 40000, B, 5000, A, 4000, 0, 1, 0, 0xB, &y), RTP_TABLE_RTP);
    ck_assert_uint_eq(sip(&f, ok200, T0 + 50000), 1); /* names B:5000: x is claimed */
    ck_assert_str_eq(x->call_id, "c1");
    ck_assert_int_eq(rtp(&f, T0 + 60000, A, 4000, B, 5000, 0, 1, 0, 0xA, &z), RTP_TABLE_RTP);
    ck_assert(x->id < y->id && y->id < z->id);
    const rtp_stream_t *want[] = {x, y, z};
    assert_call_streams(f.t, "c1", want, 3);
    /* y and z go on; a fourth stream evicts x, the least recently active */
    rtp(&f, T0 + 70000, B, 5000, A, 4000, 0, 2, 160, 0xB, &y);
    rtp(&f, T0 + 70000, A, 4000, B, 5000, 0, 2, 160, 0xA, &z);
    ck_assert_int_eq(rtp(&f, T0 + 80000, A, 4000, B, 5000, 0, 1, 0, 0xAA, &w), RTP_TABLE_RTP);
    ck_assert_uint_eq(rtp_table_stats(f.t)->evicted, 1);
    const rtp_stream_t *after[] = {y, z, w};
    assert_call_streams(f.t, "c1", after, 3);
    ck_assert_ptr_null(rtp_table_call_next(f.t, "c2", NULL));
    fx_free(&f);
}
END_TEST

/* Orphaned only by capture time since the first packet: not by packets,
 * not by a wall clock. */
START_TEST(test_orphan_by_capture_time)
{
    rtp_table_cfg_t cfg = RTP_TABLE_CFG_DEFAULT;
    cfg.orphan_timeout_us = 3000000;
    fx_t f;
    fx_init(&f, &cfg);
    const rtp_stream_t *s;
    rtp(&f, T0, "192.0.2.1", 30000, "192.0.2.2", 40000, 0, 1, 0, 9, &s);
    rtp(&f, T0 + 20000, "192.0.2.1", 30000, "192.0.2.2", 40000, 0, 2, 160, 9, &s);
    rtp_table_advance(f.t, T0 + 2999999);
    ck_assert(!s->orphaned);
    rtp_table_advance(f.t, T0 + 1000); /* time never goes back */
    ck_assert(!s->orphaned);
    rtp_table_advance(f.t, T0 + 3000000);
    ck_assert(s->orphaned);
    ck_assert_uint_eq(rtp_table_stats(f.t)->orphaned, 1);
    /* an SDP after the decision does not claim it */
    ck_assert_uint_eq(sip(&f,
                          "INVITE sip:b@y SIP/2.0\r\nFrom: <sip:a@x>;tag=a1\r\nCall-ID: z\r\n"
                          "CSeq: 1 INVITE\r\n\r\nc=IN IP4 192.0.2.2\r\nm=audio 40000 RTP/AVP "
                          "0\r\n",
                          T0 + 4000000),
                      0);
    ck_assert_str_eq(s->call_id, "");
    /* packets of another stream move the clock too */
    rtp(&f, T0 + 4000000, "192.0.2.7", 30000, "192.0.2.8", 40000, 0, 1, 0, 10, &s);
    rtp(&f, T0 + 4020000, "192.0.2.7", 30000, "192.0.2.8", 40000, 0, 2, 160, 10, &s);
    rtp(&f, T0 + 7020000, "192.0.2.1", 30000, "192.0.2.2", 40000, 0, 3, 320, 9, NULL);
    ck_assert(s->orphaned);
    fx_free(&f);
}
END_TEST

/* Encoding names are case-insensitive (RFC 4566): a static codec gets the
 * registry's spelling whatever the SDP wrote; others keep theirs. */
START_TEST(test_codec_name_spelling)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f,
        "INVITE sip:b@y SIP/2.0\r\nFrom: <sip:a@x>;tag=a1\r\nCall-ID: lc\r\n"
        "CSeq: 1 INVITE\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 5000 RTP/AVP 8 96\r\n"
        "a=rtpmap:8 pcma/8000\r\na=rtpmap:96 opus/48000/2\r\n",
        T0);
    const rtp_stream_t *s;
    rtp(&f, T0 + 1000, A, 4000, "10.0.0.2", 5000, 8, 1, 160, 0x11, &s);
    ck_assert_str_eq(s->codec, "PCMA");
    rtp(&f, T0 + 2000, A, 4002, "10.0.0.2", 5000, 96, 1, 960, 0x12, &s);
    ck_assert_str_eq(s->codec, "opus");
    ck_assert_str_eq(rtp_canonical_codec_name("g722"), "G722");
    ck_assert_str_eq(rtp_canonical_codec_name("telephone-event"), "telephone-event");
    ck_assert_ptr_null(rtp_canonical_codec_name(NULL));
    fx_free(&f);
}
END_TEST

/* The stream feed: a stream is handed over when it changed since the last
 * time (packets, orphaning, activity), with an id unique among streams. */
typedef struct fed {
    uint64_t ids[8];
    bool active[8];
    int n;
} fed_t;

/* The feed's rules here: a 5 s active window, packets a change every scan. */
static const rtp_feed_rule_t live_5s = {.active_window_us = 5000000};
static const rtp_feed_rule_t over_5s = {.active_window_us = 5000000, .ended = true};

static void fed(void *ud, const rtp_stream_t *s, bool active)
{
    fed_t *f = ud;
    f->active[f->n] = active;
    f->ids[f->n++] = s->id;
}

START_TEST(test_change_feed)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    sip(&f, ok200, T0 + 100000);
    const rtp_stream_t *ab, *ba;
    rtp(&f, T0 + 200000, A, 4000, B, 5000, 0, 10, 1600, 0xA, &ab);
    rtp(&f, T0 + 210000, B, 5000, A, 4000, 0, 70, 8000, 0xA, &ba); /* same SSRC, other stream */
    ck_assert_uint_ne(ab->id, ba->id);
    fed_t x = {.n = 0};
    rtp_table_cursor_t seen = {0}, other = {0}; /* two consumers, each with its own cursor */
    ck_assert_uint_eq(rtp_table_changes(f.t, &seen, &live_5s, fed, &x), 2);
    ck_assert(x.active[0] && x.active[1]);
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &seen, &live_5s, fed, &x), 0); /* nothing new */
    rtp(&f, T0 + 220000, A, 4000, B, 5000, 0, 11, 1760, 0xA, NULL);
    ck_assert_uint_eq(rtp_table_changes(f.t, &seen, &live_5s, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], ab->id);
    /* the second consumer has seen nothing yet: it gets both, and its scan
     * takes nothing from the first */
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &other, &live_5s, fed, &x), 2);
    ck_assert_uint_eq(rtp_table_changes(f.t, &seen, &live_5s, fed, &x), 0);
    /* the capture ended: both become inactive, so both change, for both */
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &seen, &over_5s, fed, &x), 2);
    ck_assert(!x.active[0] && !x.active[1]);
    ck_assert_uint_eq(rtp_table_changes(f.t, &other, &over_5s, fed, &x), 2);
    /* a consumer that restarted (cursor zeroed) gets everything again */
    seen = (rtp_table_cursor_t){0};
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &seen, &over_5s, fed, &x), 2);
    fx_free(&f);
}
END_TEST

static void on_end(void *ud, const rtp_stream_t *s, bool evicted)
{
    (void)s;
    if (evicted) *(unsigned *)ud += 1;
}

/* A scan looks only at the streams moved since the consumer's last one:
 * the LRU tail for packets (and for streams that went quiet within the
 * active window since), the touched list for changes without a packet
 * (orphaning, a call claiming a stream). Changes found either way are
 * handed over once, in id order. */
static bool fed_has(const fed_t *x, uint64_t id)
{
    for (int i = 0; i < x->n; i++)
        if (x->ids[i] == id) return true;
    return false;
}

START_TEST(test_change_scan_walks_only_moved_streams)
{
    fx_t f;
    fx_init(&f, NULL);
    rtp_table_cursor_t c = {0};
    fed_t x = {.n = 0};
    const uint64_t S = 1000000; /* a second */
    sip(&f, invite, T0);        /* names A:4000 */
    const rtp_stream_t *talk, *quiet, *orphan, *late;
    rtp(&f, T0, B, 5000, A, 4000, 0, 1, 0, 0x1, &talk);
    rtp(&f, T0, B, 5002, A, 4000, 0, 1, 0, 0x2, &quiet);
    /* heuristic streams (no SDP names 10.0.0.9 or B:5000 yet): two packets */
    rtp(&f, T0, "10.0.0.9", 7000, "10.0.0.8", 7100, 0, 1, 0, 0x3, &orphan);
    rtp(&f, T0 + 20000, "10.0.0.9", 7000, "10.0.0.8", 7100, 0, 2, 160, 0x3, &orphan);
    ck_assert_ptr_nonnull(orphan);
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &live_5s, fed, &x), 3);
    ck_assert(x.ids[0] < x.ids[1] && x.ids[1] < x.ids[2]);
    /* 12 s on, only `talk` has packets: the two others went quiet (a change
     * found on the LRU, within the window), the heuristic one was orphaned
     * at 10 s (the touched list) */
    rtp(&f, T0 + 12 * S, B, 5000, A, 4000, 0, 2, 160, 0x1, NULL);
    ck_assert(orphan->orphaned);
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &live_5s, fed, &x), 3);
    ck_assert(fed_has(&x, talk->id) && fed_has(&x, quiet->id) && fed_has(&x, orphan->id));
    ck_assert(x.active[0] && !x.active[1] && !x.active[2]); /* id order: talk first */
    /* from now on a scan looks at `talk` alone, however many streams sleep */
    rtp(&f, T0 + 13 * S, B, 5000, A, 4000, 0, 3, 320, 0x1, NULL);
    rtp(&f, T0 + 13 * S, "10.0.0.7", 7000, B, 5000, 0, 1, 0, 0x4, NULL);
    rtp(&f, T0 + 13 * S + 20000, "10.0.0.7", 7000, B, 5000, 0, 2, 160, 0x4, &late);
    ck_assert_ptr_nonnull(late);
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &live_5s, fed, &x), 2); /* talk, late */
    rtp(&f, T0 + 19 * S, B, 5000, A, 4000, 0, 4, 480, 0x1, NULL);
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &live_5s, fed, &x), 2); /* late went quiet */
    ck_assert(fed_has(&x, late->id) && !x.active[1]);
    rtp(&f, T0 + 20 * S, B, 5000, A, 4000, 0, 5, 640, 0x1, NULL);
    uint64_t visits = rtp_table_stats(f.t)->change_visits;
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &live_5s, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], talk->id);
    ck_assert_uint_eq(rtp_table_stats(f.t)->change_visits - visits, 1);
    /* the 200 OK names B:5000: `late`, quiet for 7 s, joins the call, a
     * change with no packet, found on the touched list */
    ck_assert_uint_eq(sip(&f, ok200, T0 + 20 * S), 1);
    ck_assert_str_eq(late->call_id, "c1");
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &live_5s, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], late->id);
    /* a consumer that starts over gets every stream */
    rtp_table_cursor_t fresh = {0};
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &fresh, &live_5s, fed, &x), 4);
    fx_free(&f);
}
END_TEST

/* More packets alone, on an active stream, count as a change at most every
 * progress_ms of the caller's clock; a new stream, one going quiet and the
 * end of the capture count at once, and the clock may wrap. */
START_TEST(test_change_progress_waits_for_its_interval)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    sip(&f, ok200, T0 + 100000);
    const rtp_stream_t *ab, *ba;
    rtp(&f, T0 + 200000, A, 4000, B, 5000, 0, 10, 1600, 0xA, &ab);
    rtp_table_cursor_t c = {0};
    fed_t x = {.n = 0};
    rtp_feed_rule_t r = {.active_window_us = 5000000, .now_ms = 0xFFFFFE00u, .progress_ms = 1000};
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &r, fed, &x), 1); /* new: at once */
    rtp(&f, T0 + 220000, A, 4000, B, 5000, 0, 11, 1760, 0xA, NULL);
    r.now_ms += 999;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &r, fed, &x), 0); /* packets, within 1 s */
    /* a new stream in the same call is a change at once */
    rtp(&f, T0 + 230000, B, 5000, A, 4000, 0, 70, 8000, 0xB, &ba);
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &r, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], ba->id);
    /* a second after the last hand-over (across the clock's wrap), the
     * packets count: ab's held-back progress goes out */
    r.now_ms += 1; /* 0xFFFFFE00 + 1000 wraps past 0 */
    ck_assert_uint_lt(r.now_ms, 0xFFFFFE00u);
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &r, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], ab->id);
    ck_assert_uint_eq(ab->stats.packets, 2);
    /* ab goes on, ba goes quiet for longer than the window: ba's change
     * (inactive) is handed at once, ab's packets wait */
    rtp(&f, T0 + 6 * 1000000ull, A, 4000, B, 5000, 0, 12, 1920, 0xA, NULL);
    r.now_ms += 10;
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &r, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], ba->id);
    ck_assert(!x.active[0]);
    /* packets on ba that went quiet again before the next scan (a file read
     * fast): no longer active, so its counters go at once */
    rtp(&f, T0 + 6100000, B, 5000, A, 4000, 0, 71, 8160, 0xB, NULL);
    rtp(&f, T0 + 12 * 1000000ull, A, 4000, B, 5000, 0, 13, 2080, 0xA, NULL);
    r.now_ms += 10;
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &r, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], ba->id);
    ck_assert(!x.active[0]);
    /* the end: ab is inactive now, so handed at once, counters and all
     * (ba, inactive already, has not changed) */
    r.ended = true;
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &r, fed, &x), 1);
    ck_assert_uint_eq(x.ids[0], ab->id);
    ck_assert(!x.active[0]);
    fx_free(&f);
}
END_TEST

/* Active by the table's clock, which rtp_table_advance moves without a
 * packet (the module advances it with each SIP message's time). */
START_TEST(test_stream_active_follows_the_table_clock)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    sip(&f, ok200, T0 + 1000);
    const rtp_stream_t *ab;
    rtp(&f, T0 + 10000, A, 4000, B, 5000, 0, 1, 0, 0xA, &ab);
    ck_assert(rtp_table_stream_active(f.t, ab, 5000000, false));
    ck_assert(!rtp_table_stream_active(f.t, ab, 5000000, true)); /* the capture ended */
    rtp_table_advance(f.t, T0 + 5010000);
    ck_assert(rtp_table_stream_active(f.t, ab, 5000000, false)); /* 5 s: still */
    rtp_table_advance(f.t, T0 + 5010001);
    ck_assert(!rtp_table_stream_active(f.t, ab, 5000000, false));
    fx_free(&f);
}
END_TEST

START_TEST(test_caps_and_eviction)
{
    unsigned evicted = 0;
    rtp_table_cfg_t cfg = RTP_TABLE_CFG_DEFAULT;
    cfg.max_streams = 2;
    cfg.max_pending = 2;
    cfg.on_stream_end = on_end;
    cfg.ud = &evicted;
    fx_t f;
    fx_init(&f, &cfg);
    const rtp_stream_t *s;
    sip(&f, invite, T0);
    rtp(&f, T0 + 1, B, 5000, A, 4000, 0, 1, 0, 1, &s); /* oldest, then active again */
    rtp(&f, T0 + 2, B, 5000, A, 4000, 0, 1, 0, 2, &s); /* idle since */
    rtp(&f, T0 + 3, B, 5000, A, 4000, 0, 2, 160, 1, &s);
    rtp(&f, T0 + 4, B, 5000, A, 4000, 0, 1, 0, 3, &s);
    ck_assert_uint_eq(evicted, 1);
    ck_assert_uint_eq(rtp_table_stats(f.t)->evicted, 1);
    ck_assert_uint_eq(rtp_table_count(f.t), 2);
    snb_addr_t a = snb_test_addr(A), b = snb_test_addr(B);
    ck_assert_ptr_nonnull(rtp_table_find(f.t, &b, 5000, &a, 4000, 1));
    ck_assert_ptr_null(rtp_table_find(f.t, &b, 5000, &a, 4000, 2));
    ck_assert_ptr_nonnull(rtp_table_find(f.t, &b, 5000, &a, 4000, 3));
    /* pending candidates are bounded too */
    for (unsigned i = 0; i < 3; i++)
        rtp(&f, T0 + 10 + i, "192.0.2.1", (uint16_t)(30000 + i), "192.0.2.2", 40000, 0, 1, 0, 5,
            NULL);
    ck_assert_uint_eq(rtp_table_stats(f.t)->pending_evicted, 1);
    ck_assert_uint_eq(rtp_table_stats(f.t)->pending_dropped, 1);
    fx_free(&f);
}
END_TEST

static void on_end_any(void *ud, const rtp_stream_t *s, bool evicted)
{
    (void)s;
    (void)evicted;
    *(unsigned *)ud += 1;
}

START_TEST(test_free_reports_streams)
{
    unsigned n = 0;
    rtp_table_cfg_t cfg = RTP_TABLE_CFG_DEFAULT;
    cfg.on_stream_end = on_end_any;
    cfg.ud = &n;
    fx_t f;
    fx_init(&f, &cfg);
    sip(&f, invite, T0);
    rtp(&f, T0 + 1, B, 5000, A, 4000, 0, 1, 0, 1, NULL);
    rtp(&f, T0 + 1, B, 5000, A, 4000, 0, 1, 0, 2, NULL);
    fx_free(&f);
    ck_assert_uint_eq(n, 2);
}
END_TEST

/* Telephone-events go to the DTMF tracker; they and comfort noise are not
 * audio. */
START_TEST(test_dtmf_and_cn_not_audio)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    tl_pkt_t p;
    const rtp_stream_t *s;
    uint16_t seq = 1;
    for (unsigned i = 0; i < 5; i++, seq++)
        rtp(&f, T0 + seq * 20000, B, 5000, A, 4000, 0, seq, 160u * seq, 0xB, &s);
    /* digit '5': 3 progress packets and 3 end packets, one timestamp */
    for (unsigned i = 0; i < 6; i++, seq++) {
        size_t n = tl_rtp_bytes(p.buf, 101, seq, 160u * 6, 0xB, 4);
        p.buf[12] = 5;
        p.buf[13] = (uint8_t)(i >= 3 ? 0x80 | 10 : 10);
        tl_be16(p.buf + 14, (uint16_t)(160 * (i + 1)));
        tl_udp(&p, T0 + seq * 20000, B, 5000, A, 4000, n);
        ck_assert_int_eq(rtp_table_packet(f.t, &p.pkt, &s), RTP_TABLE_RTP);
    }
    for (unsigned i = 0; i < 2; i++, seq++)
        rtp(&f, T0 + seq * 20000, B, 5000, A, 4000, 13, seq, 160u * seq, 0xB, &s);
    ck_assert_uint_eq(s->stats.packets, 13);
    ck_assert_uint_eq(s->audio_packets, 5);
    ck_assert_uint_eq(s->dtmf_packets, 6);
    ck_assert_uint_eq(s->cn_packets, 2);
    ck_assert_ptr_nonnull(s->dtmf);
    ck_assert_uint_eq(rtp_dtmf_count(s->dtmf), 1);
    ck_assert_int_eq(rtp_dtmf_digit(s->dtmf, 0)->digit, '5');
    ck_assert_str_eq(s->codec, "PCMU");
    fx_free(&f);
}
END_TEST

/* A stream that starts with a telephone-event is named after its audio. */
START_TEST(test_codec_from_first_audio)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    tl_pkt_t p;
    const rtp_stream_t *s;
    size_t n = tl_rtp_bytes(p.buf, 101, 1, 0, 0xB, 4);
    tl_udp(&p, T0 + 1, B, 5000, A, 4000, n);
    rtp_table_packet(f.t, &p.pkt, &s);
    ck_assert_str_eq(s->codec, "telephone-event");
    rtp(&f, T0 + 20000, B, 5000, A, 4000, 0, 2, 160, 0xB, &s);
    ck_assert_str_eq(s->codec, "PCMU");
    fx_free(&f);
}
END_TEST

static size_t sr_bytes(uint8_t *b, uint32_t ssrc, uint32_t ntp_sec, uint32_t ntp_frac)
{
    memset(b, 0, 28);
    b[0] = 0x80;
    b[1] = 200;
    tl_be16(b + 2, 6);
    tl_be32(b + 4, ssrc);
    tl_be32(b + 8, ntp_sec);
    tl_be32(b + 12, ntp_frac);
    tl_be32(b + 16, 12345);
    tl_be32(b + 20, 50);
    tl_be32(b + 24, 8000);
    return 28;
}

static size_t rr_bytes(uint8_t *b, uint32_t ssrc, uint32_t about, uint8_t fraction, uint32_t jitter,
                       uint32_t lsr, uint32_t dlsr)
{
    memset(b, 0, 32);
    b[0] = 0x81;
    b[1] = 201;
    tl_be16(b + 2, 7);
    tl_be32(b + 4, ssrc);
    tl_be32(b + 8, about);
    b[12] = fraction;
    b[15] = 3; /* cumulative lost */
    tl_be32(b + 16, 1000);
    tl_be32(b + 20, jitter);
    tl_be32(b + 24, lsr);
    tl_be32(b + 28, dlsr);
    return 32;
}

static size_t xr_bytes(uint8_t *b, uint32_t ssrc, uint32_t about, uint8_t mos_lq)
{
    memset(b, 0, 44);
    b[0] = 0x80;
    b[1] = 207;
    tl_be16(b + 2, 10);
    tl_be32(b + 4, ssrc);
    b[8] = 7; /* VoIP metrics */
    tl_be16(b + 10, 8);
    tl_be32(b + 12, about);
    b[16] = 12; /* loss rate */
    b[32] = 90; /* R factor */
    b[34] = mos_lq;
    return 44;
}

START_TEST(test_rtcp_reports_and_rtt)
{
    fx_t f;
    fx_init(&f, NULL);
    sip(&f, invite, T0);
    sip(&f, ok200, T0 + 1000);
    const rtp_stream_t *ab, *ba;
    rtp(&f, T0 + 10000, A, 4000, B, 5000, 0, 1, 0, 0xA, &ab);
    rtp(&f, T0 + 10000, B, 5000, A, 4000, 0, 1, 0, 0xB, &ba);
    tl_pkt_t p;
    /* A's SR at T0+1 s: NTP 0x00010002.0x00030000 -> LSR 0x00020003 */
    size_t n = sr_bytes(p.buf, 0xA, 0x00010002, 0x00030000);
    tl_udp(&p, T0 + 1000000, A, 4001, B, 5001, n);
    ck_assert_int_eq(rtp_table_packet(f.t, &p.pkt, NULL), RTP_TABLE_RTCP);
    ck_assert_uint_eq(ab->rtcp.sr_packets, 1);
    ck_assert_uint_eq(ba->rtcp.sr_packets, 0);
    /* B's RR about A 250 ms later, having held the SR 50 ms (DLSR 3277/65536
     * s): RTT = 250 - 50 = 200 ms */
    n = rr_bytes(p.buf, 0xB, 0xA, 64, 80, 0x00020003, 3277);
    tl_udp(&p, T0 + 1250000, B, 5001, A, 4001, n);
    ck_assert_int_eq(rtp_table_packet(f.t, &p.pkt, NULL), RTP_TABLE_RTCP);
    ck_assert_uint_eq(ab->rtcp.rr_blocks, 1);
    ck_assert_uint_eq(ba->rtcp.rr_blocks, 0);
    ck_assert_uint_eq(ab->rtcp.fraction_lost, 64);
    ck_assert_int_eq(ab->rtcp.cumulative_lost, 3);
    ck_assert_double_eq_tol(ab->rtcp.jitter_ms, 10.0, 1e-9);
    ck_assert_double_eq_tol(ab->rtcp.rtt_ms, 200.0, 0.01);
    ck_assert_uint_eq(ab->rtcp.last_us, T0 + 1250000);
    ck_assert_uint_eq(ba->rtcp_packets, 1);
    ck_assert_uint_eq(rtp_table_stats(f.t)->rtt_samples, 1);
    ck_assert_double_lt(ba->rtcp.rtt_ms, 0); /* nobody reported on B */
    /* an LSR that matches no SR seen: no RTT */
    n = rr_bytes(p.buf, 0xB, 0xA, 0, 0, 0x12345678, 10);
    tl_udp(&p, T0 + 1500000, B, 5001, A, 4001, n);
    rtp_table_packet(f.t, &p.pkt, NULL);
    ck_assert_uint_eq(rtp_table_stats(f.t)->rtt_samples, 1);
    ck_assert_double_eq_tol(ab->rtcp.rtt_ms, 200.0, 0.01);
    /* XR VoIP metrics from B about A, rtcp-mux on the RTP port: A's stream
     * changed (its XR figures) as far as the change feed is concerned, and
     * B's (it sent RTCP), though A's signature had nothing else new */
    rtp_table_cursor_t c = {0};
    fed_t x = {.n = 0};
    rtp_table_changes(f.t, &c, &live_5s, fed, &x);
    n = xr_bytes(p.buf, 0xB, 0xA, 41);
    tl_udp(&p, T0 + 2000000, B, 5000, A, 4000, n);
    ck_assert_int_eq(rtp_table_packet(f.t, &p.pkt, NULL), RTP_TABLE_RTCP);
    x.n = 0;
    ck_assert_uint_eq(rtp_table_changes(f.t, &c, &live_5s, fed, &x), 2);
    ck_assert(fed_has(&x, ab->id) && fed_has(&x, ba->id));
    ck_assert_uint_eq(ab->rtcp.xr_blocks, 1);
    ck_assert(ab->rtcp.has_xr);
    ck_assert(!ba->rtcp.has_xr);
    ck_assert_uint_eq(ab->rtcp.xr.loss_rate, 12);
    ck_assert_uint_eq(ab->rtcp.xr.mos_lq, 41);
    ck_assert_uint_eq(ab->stats.packets, 1); /* RTCP is not counted as RTP */
    fx_free(&f);
}
END_TEST

/* One SSRC relayed on two legs: the report goes to the leg whose receiver
 * sent it. */
START_TEST(test_rtcp_relay_picks_leg)
{
    fx_t f;
    fx_init(&f, NULL);
    const rtp_stream_t *leg1, *leg2;
    for (unsigned i = 0; i < 2; i++) {
        rtp(&f, T0 + i, "192.0.2.1", 30000, "192.0.2.9", 40000, 0, (uint16_t)(1 + i), 160 * i, 0xA,
            &leg1);
        rtp(&f, T0 + i, "192.0.2.9", 30002, "192.0.2.2", 40002, 0, (uint16_t)(1 + i), 160 * i, 0xA,
            &leg2);
    }
    ck_assert_ptr_ne(leg1, leg2);
    tl_pkt_t p;
    size_t n = rr_bytes(p.buf, 0xC, 0xA, 0, 0, 0, 0);
    tl_udp(&p, T0 + 100, "192.0.2.2", 40003, "192.0.2.9", 30003, n);
    rtp_table_packet(f.t, &p.pkt, NULL);
    ck_assert_uint_eq(leg1->rtcp.rr_blocks, 0);
    ck_assert_uint_eq(leg2->rtcp.rr_blocks, 1);
    fx_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_table");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_assoc_offer_and_answer);
    tcase_add_test(tc, test_reinvite_moves_media);
    tcase_add_test(tc, test_ssrc_change);
    tcase_add_test(tc, test_heuristic_counts_held_packets);
    tcase_add_test(tc, test_heuristic_rejects);
    tcase_add_test(tc, test_heuristic_off);
    tcase_add_test(tc, test_sdp_after_media);
    tcase_add_test(tc, test_call_streams_in_creation_order);
    tcase_add_test(tc, test_orphan_by_capture_time);
    tcase_add_test(tc, test_change_scan_walks_only_moved_streams);
    tcase_add_test(tc, test_change_progress_waits_for_its_interval);
    tcase_add_test(tc, test_stream_active_follows_the_table_clock);
    tcase_add_test(tc, test_caps_and_eviction);
    tcase_add_test(tc, test_change_feed);
    tcase_add_test(tc, test_codec_name_spelling);
    tcase_add_test(tc, test_free_reports_streams);
    tcase_add_test(tc, test_dtmf_and_cn_not_audio);
    tcase_add_test(tc, test_codec_from_first_audio);
    tcase_add_test(tc, test_rtcp_reports_and_rtt);
    tcase_add_test(tc, test_rtcp_relay_picks_leg);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
