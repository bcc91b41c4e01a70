/* Per-stream statistics on small hand-made packet lists. Every expected
 * figure below was also checked against Wireshark 4.0.17: the same packets
 * written to a pcap (10.0.0.1:5004 -> 10.0.0.2:6004, PCMU, 160-byte payload)
 * and read with `tshark -d udp.port==6004,rtp -q -z rtp,streams`; its line
 * is quoted in each test. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "rtp_stream.h"

#define MS 1000ull

static void feed(rtp_stream_stats_t *s, uint16_t seq, uint32_t ts, uint64_t arrival_us, bool marker,
                 uint8_t pt)
{
    rtp_hdr_t h;
    memset(&h, 0, sizeof h);
    h.version = 2;
    h.seq = seq;
    h.ts = ts;
    h.ssrc = 0x11223344;
    h.pt = pt;
    h.marker = marker;
    h.payload_len = 160;
    rtp_stream_update(s, &h, arrival_us);
}

/* n packets from seq[], timestamps ts[] (or 1000 + 160 i), 20 ms apart (or arr[] ms). */
static void run(rtp_stream_stats_t *s, const uint16_t *seq, const uint32_t *ts,
                const double *arr_ms, unsigned n)
{
    rtp_stream_init(s, 0x11223344, 0, 8000, 1000 * MS);
    for (unsigned i = 0; i < n; i++)
        feed(s, seq[i], ts ? ts[i] : 1000 + 160 * i,
             arr_ms ? (uint64_t)(arr_ms[i] * 1000) : 1000000000ull + i * 20 * MS, false, 0);
}

#define NEAR(a, b) ck_assert_double_eq_tol((a), (b), 1e-9)

START_TEST(in_order)
{
    uint16_t seq[] = {1, 2, 3, 4, 5};
    rtp_stream_stats_t s;
    run(&s, seq, NULL, NULL, 5);
    ck_assert_uint_eq(s.packets, 5);
    ck_assert_uint_eq(s.octets, 800);
    ck_assert_uint_eq(rtp_stream_expected(&s), 5);
    ck_assert_int_eq(rtp_stream_lost(&s), 0);
    NEAR(rtp_stream_loss_pct(&s), 0);
    NEAR(s.max_delta_ms, 20);
    NEAR(s.max_jitter_ms, 0);
    ck_assert(!rtp_stream_problem(&s));
    ck_assert_uint_eq(s.first_us, 1000000000ull);
    ck_assert_uint_eq(s.last_us, 1000000000ull + 80 * MS);
}
END_TEST

/* tshark: 12 pkts, 0 lost, delta 20/20/20, jitter 0/0/0, no problem. */
START_TEST(wrap_at_65535)
{
    uint16_t seq[12];
    for (unsigned i = 0; i < 12; i++)
        seq[i] = (uint16_t)(65530 + i);
    rtp_stream_stats_t s;
    run(&s, seq, NULL, NULL, 12);
    ck_assert_uint_eq(s.packets, 12);
    ck_assert_uint_eq(s.seq_wraps, 1);
    ck_assert_uint_eq(rtp_stream_expected(&s), 12);
    ck_assert_int_eq(rtp_stream_lost(&s), 0);
    ck_assert_uint_eq(s.seq_errors, 0);
    ck_assert(!rtp_stream_problem(&s));
}
END_TEST

/* First packet 65535, then 0: tshark 4 pkts, 0 lost. */
START_TEST(wrap_right_after_first)
{
    uint16_t seq[] = {65535, 0, 1, 2};
    rtp_stream_stats_t s;
    run(&s, seq, NULL, NULL, 4);
    ck_assert_int_eq(rtp_stream_lost(&s), 0);
    ck_assert(!rtp_stream_problem(&s));
}
END_TEST

/* 1,2,3,3,4,5: tshark 6 pkts, -1 lost (-20.0%), Problems X. As in RFC 3550,
 * duplicates make the loss negative. */
START_TEST(duplicate)
{
    uint16_t seq[] = {1, 2, 3, 3, 4, 5};
    rtp_stream_stats_t s;
    run(&s, seq, NULL, NULL, 6);
    ck_assert_uint_eq(s.packets, 6);
    ck_assert_int_eq(rtp_stream_lost(&s), -1);
    NEAR(rtp_stream_loss_pct(&s), -20.0);
    ck_assert_uint_eq(s.duplicates, 1);
    ck_assert_uint_eq(s.seq_errors, 1);
    ck_assert(rtp_stream_problem(&s));
}
END_TEST

/* 1,2,4,3,5,6 with timestamps following the sequence numbers, 20 ms apart.
 * Nominal times (ts - 1000) / 8: 0,20,60,40,80,100 ms; arrivals 0..100 ms.
 *   p2: D = 20 - 20 = 0                     J = 0
 *   p3: D = 20 - 40 = -20                   J = 20/16 = 1.25
 *   p4: D = 20 - (-20) = 40 (late one)      J = (15*1.25 + 40)/16 = 3.671875
 *   p5: D = 20 - 40 = -20                   J = (15*3.671875 + 20)/16 = 4.6923828125
 *   p6: D = 0                               J = 15*4.6923828125/16 = 4.399108886...
 * tshark: 6 pkts, 0 lost, jitter 0.000/2.803/4.692, Problems X. */
START_TEST(reorder)
{
    uint16_t seq[] = {1, 2, 4, 3, 5, 6};
    uint32_t ts[] = {1000, 1160, 1480, 1320, 1640, 1800};
    rtp_stream_stats_t s;
    run(&s, seq, ts, NULL, 6);
    ck_assert_int_eq(rtp_stream_lost(&s), 0);
    ck_assert_uint_eq(s.out_of_order, 1);
    ck_assert_uint_eq(s.seq_errors, 2); /* the jump to 4, then the late 3 */
    NEAR(s.max_jitter_ms, 4.6923828125);
    ck_assert_double_eq_tol(s.mean_jitter_ms, 2.803, 0.0005);
    NEAR(s.min_jitter_ms, 0);
    ck_assert(rtp_stream_problem(&s));
}
END_TEST

/* 1,2,3,6,7: two lost. p4: D = 20 - 60 = -40, J = 2.5.
 * tshark: 5 pkts, 2 lost (28.6%), jitter 0.000/1.211/2.500, X. */
START_TEST(loss)
{
    uint16_t seq[] = {1, 2, 3, 6, 7};
    uint32_t ts[] = {1000, 1160, 1320, 1800, 1960};
    rtp_stream_stats_t s;
    run(&s, seq, ts, NULL, 5);
    ck_assert_uint_eq(rtp_stream_expected(&s), 7);
    ck_assert_int_eq(rtp_stream_lost(&s), 2);
    ck_assert_double_eq_tol(rtp_stream_loss_pct(&s), 28.571, 0.001);
    NEAR(s.max_jitter_ms, 2.5);
    ck_assert(rtp_stream_problem(&s));
}
END_TEST

/* The sender restarts at a lower sequence number (timestamps go on).
 * Wireshark takes 10 < 1000 for a wrap: expected = 14 + 65536 - 1000 + 1 =
 * 64551, lost 64541 (tshark: "10 64541 (100.0%)", X). RFC 3550 A.1 would
 * resynchronise after two in-order packets; we keep Wireshark's figure (see
 * docs/modules/rtp-quality.md). */
START_TEST(restart_lower)
{
    uint16_t seq[] = {1000, 1001, 1002, 1003, 1004, 10, 11, 12, 13, 14};
    rtp_stream_stats_t s;
    run(&s, seq, NULL, NULL, 10);
    ck_assert_uint_eq(s.packets, 10);
    ck_assert_uint_eq(rtp_stream_expected(&s), 64551);
    ck_assert_int_eq(rtp_stream_lost(&s), 64541);
    ck_assert(rtp_stream_problem(&s));
}
END_TEST

/* A forward jump is plain loss. */
START_TEST(jump_forward)
{
    uint16_t seq[] = {100, 101, 30000, 30001};
    rtp_stream_stats_t s;
    run(&s, seq, NULL, NULL, 4);
    ck_assert_int_eq(rtp_stream_lost(&s), 30001 - 100 + 1 - 4);
    ck_assert_uint_eq(s.seq_errors, 1);
}
END_TEST

/* RFC 3550 A.8 by hand: timestamps 0,160,320,480,640 (20 ms each at 8 kHz),
 * arrivals 0,20,45,60,80 ms.
 *   p2: D = 20 - 20 = 0   J = 0
 *   p3: D = 25 - 20 = 5   J = 5/16 = 0.3125
 *   p4: D = 15 - 20 = -5  J = (15*0.3125 + 5)/16 = 0.60546875
 *   p5: D = 20 - 20 = 0   J = 15*0.60546875/16 = 0.567626953125
 * max 0.60546875; Wireshark's mean over the 4 deltas: 0.37139892578125.
 * Deltas 20,25,15,20: min 15, mean 20, max 25.
 * tshark: delta 15.000/20.000/25.000, jitter 0.000/0.371/0.605. */
START_TEST(jitter_by_hand)
{
    uint16_t seq[] = {1, 2, 3, 4, 5};
    uint32_t ts[] = {0, 160, 320, 480, 640};
    double arr[] = {0, 20, 45, 60, 80};
    rtp_stream_stats_t s;
    run(&s, seq, ts, arr, 5);
    NEAR(s.jitter_ms, 0.567626953125);
    NEAR(s.max_jitter_ms, 0.60546875);
    NEAR(s.mean_jitter_ms, 0.37139892578125);
    NEAR(s.min_jitter_ms, 0);
    NEAR(s.max_delta_ms, 25);
    NEAR(s.min_delta_ms, 15);
    NEAR(s.mean_delta_ms, 20);
}
END_TEST

/* A talkspurt: the marker packet's timestamp jumps by 7680 (960 ms) but it
 * arrives 20 ms later: D = 20 - 960 -> J = 940/16 = 58.75, not counted
 * (marker). The next packet decays it: 58.75*15/16 = 55.078125, counted.
 * Means divide by the packets so far, the marker one included:
 * p5 (n=4): 55.078125/4; p6 (n=5): (13.76953125*4 + 51.6357421875)/5.
 * tshark: jitter 0.000/21.343/55.078, no problem. */
START_TEST(marker_excluded)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 0, 8000, 0);
    uint32_t ts[] = {0, 160, 320, 8000, 8160, 8320};
    for (unsigned i = 0; i < 6; i++)
        feed(&s, (uint16_t)(i + 1), ts[i], i * 20 * MS, i == 3, 0);
    NEAR(s.max_jitter_ms, 55.078125);
    NEAR(s.mean_jitter_ms, 21.3427734375);
    NEAR(s.max_delta_ms, 20);
    ck_assert_uint_eq(s.marker_count, 1);
    ck_assert(!rtp_stream_problem(&s));
}
END_TEST

/* A timestamp behind the previous one but not behind the first packet's is
 * still "in time" for Wireshark 4.0 (no problem): ts 0,160,320,100,480 at
 * 0,20,40,50,60 ms. p4: nominal 12.5, expected 40 + (12.5 - 40) = 12.5,
 * D = 37.5, J = 2.34375; p5: expected 50 + 47.5, D = 37.5, J = 4.541015625.
 * tshark: delta 10.000/15.000/20.000, jitter 0.000/1.721/4.541, no X. */
START_TEST(timestamp_back)
{
    uint16_t seq[] = {1, 2, 3, 4, 5};
    uint32_t ts[] = {0, 160, 320, 100, 480};
    double arr[] = {0, 20, 40, 50, 60};
    rtp_stream_stats_t s;
    run(&s, seq, ts, arr, 5);
    NEAR(s.max_jitter_ms, 4.541015625);
    NEAR(s.min_delta_ms, 10);
    NEAR(s.mean_delta_ms, 15);
    ck_assert(!rtp_stream_problem(&s));
}
END_TEST

/* Behind the first packet's timestamp: "wrong timestamp", a problem, and
 * not used for delta. */
START_TEST(timestamp_before_first)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 0, 8000, 0);
    feed(&s, 1, 1000, 0, false, 0);
    feed(&s, 2, 1160, 20 * MS, false, 0);
    feed(&s, 3, 10, 500 * MS, false, 0);
    feed(&s, 4, 1320, 520 * MS, false, 0);
    ck_assert_uint_eq(s.wrong_ts, 1);
    ck_assert(rtp_stream_problem(&s));
    NEAR(s.max_delta_ms, 500); /* p4 against p2, the last in-time packet */
}
END_TEST

/* Timestamps wrapping past 2^32 stay in time; jitter 0. */
START_TEST(timestamp_wrap)
{
    uint16_t seq[] = {1, 2, 3, 4};
    uint32_t ts[] = {0xffffff00u, 0xffffffa0u, 0x40, 0xe0};
    rtp_stream_stats_t s;
    run(&s, seq, ts, NULL, 4);
    NEAR(s.max_jitter_ms, 0);
    ck_assert(!rtp_stream_problem(&s));
}
END_TEST

/* A stream longer than 2^31 timestamp units (here 8000 packets 2^19 units
 * = 65.536 s apart, 4.2e9 units in all) stays in time with no jitter: we move
 * the timestamp origin where Wireshark 4.0 would flag every later packet. */
START_TEST(very_long_stream)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 0, 8000, 0);
    for (uint32_t i = 0; i < 8000; i++)
        feed(&s, (uint16_t)i, 12345 + (i << 19), (uint64_t)i * 65536 * MS, false, 0);
    ck_assert(!rtp_stream_problem(&s));
    NEAR(s.max_jitter_ms, 0);
    NEAR(s.max_delta_ms, 65536);
    ck_assert_int_eq(rtp_stream_lost(&s), 0);
}
END_TEST

/* Unknown clock (dynamic type without SDP): delta but no jitter; Wireshark
 * prints min jitter -1. */
START_TEST(unknown_clock)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 111, 0, 0);
    for (unsigned i = 0; i < 4; i++)
        feed(&s, (uint16_t)i, i * 960, i * 20 * MS + (i == 2 ? 5 * MS : 0), false, 111);
    NEAR(s.max_delta_ms, 25);
    NEAR(s.max_jitter_ms, 0);
    NEAR(s.min_jitter_ms, -1);
}
END_TEST

/* Comfort noise (PT 13) and the packet after it are not regular. */
START_TEST(comfort_noise)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 8, 8000, 0);
    feed(&s, 1, 0, 0, false, 8);
    feed(&s, 2, 160, 20 * MS, false, 8);
    feed(&s, 3, 320, 40 * MS, false, 13);
    feed(&s, 4, 8000, 1000 * MS, false, 8); /* after CN: 960 ms gap not counted */
    feed(&s, 5, 8160, 1020 * MS, false, 8);
    NEAR(s.max_delta_ms, 20);
    ck_assert_uint_eq(s.pt_changes, 2);
}
END_TEST

/* Jitter needs the RTP clock: 44100 Hz counts as 44 kHz, as in Wireshark. */
START_TEST(clock_integer_khz)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 11, 0, 0);
    ck_assert_uint_eq(s.clock_rate, 44100);
    feed(&s, 1, 0, 0, false, 11);
    feed(&s, 2, 882, 20 * MS, false, 11); /* 882/44 = 20.045454 ms nominal */
    NEAR(s.jitter_ms, fabs(20.0 - 882.0 / 44) / 16);
}
END_TEST

/* 1 s intervals: 50 packets per second, the 10th of the second one lost. */
START_TEST(intervals)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 0, 8000, 1000 * MS);
    for (unsigned i = 0; i < 150; i++) {
        if (i == 60) continue;
        uint64_t t = 5000 * MS + i * 20 * MS + (i % 2 ? 2 * MS : 0);
        feed(&s, (uint16_t)(100 + i), 160 * i, t, false, 0);
    }
    ck_assert_uint_eq(s.n_intervals, 3);
    const rtp_interval_t *a = rtp_stream_interval(&s, 2), *b = rtp_stream_interval(&s, 1),
                         *c = rtp_stream_interval(&s, 0);
    ck_assert_ptr_null(rtp_stream_interval(&s, 3));
    ck_assert_uint_eq(a->start_us, 5000 * MS);
    ck_assert_uint_eq(b->start_us, 6000 * MS);
    ck_assert_uint_eq(c->start_us, 7000 * MS);
    ck_assert_uint_eq(a->packets, 50);
    ck_assert_uint_eq(b->packets, 49);
    ck_assert_uint_eq(c->packets, 50);
    ck_assert_uint_eq(a->lost, 0);
    ck_assert_uint_eq(b->lost, 1);
    ck_assert_uint_eq(c->lost, 0);
    ck_assert(a->max_jitter_ms > 0 && a->max_jitter_ms <= (float)s.max_jitter_ms);
    ck_assert(a->mean_jitter_ms > 0 && a->mean_jitter_ms <= a->max_jitter_ms);
    ck_assert_int_eq(rtp_stream_lost(&s), 1);
}
END_TEST

/* The ring keeps the last RTP_MAX_INTERVALS; gaps skip empty intervals. */
START_TEST(interval_ring)
{
    rtp_stream_stats_t s;
    rtp_stream_init(&s, 1, 0, 8000, 100 * MS);
    for (unsigned i = 0; i < 2 * RTP_MAX_INTERVALS; i++)
        feed(&s, (uint16_t)i, 160 * i, i * 100 * MS + 3 * MS * (i == 5 ? 40 : 1), false, 0);
    ck_assert_uint_eq(s.n_intervals, 2 * RTP_MAX_INTERVALS - 1); /* #5 fell in #6's */
    const rtp_interval_t *last = rtp_stream_interval(&s, 0);
    /* aligned on the first packet, which arrived at 3 ms */
    ck_assert_uint_eq(last->start_us, 3 * MS + (2 * RTP_MAX_INTERVALS - 1) * 100 * MS);
    ck_assert_ptr_nonnull(rtp_stream_interval(&s, RTP_MAX_INTERVALS - 1));
    ck_assert_ptr_null(rtp_stream_interval(&s, RTP_MAX_INTERVALS));
}
END_TEST

START_TEST(static_table)
{
    ck_assert_str_eq(rtp_static_pt_name(0), "PCMU");
    ck_assert_str_eq(rtp_static_pt_name(8), "PCMA");
    ck_assert_str_eq(rtp_static_pt_name(18), "G729");
    ck_assert_uint_eq(rtp_static_pt_clock(9), 8000); /* G722: 8000 by RFC 3551 */
    ck_assert_uint_eq(rtp_static_pt_clock(6), 16000);
    ck_assert_uint_eq(rtp_static_pt_clock(10), 44100);
    ck_assert_uint_eq(rtp_static_pt_channels(10), 2);
    ck_assert_uint_eq(rtp_static_pt_clock(16), 11025);
    ck_assert_uint_eq(rtp_static_pt_clock(17), 22050);
    ck_assert_uint_eq(rtp_static_pt_clock(34), 90000);
    ck_assert_ptr_null(rtp_static_pt_name(20));
    ck_assert_ptr_null(rtp_static_pt_name(96));
    ck_assert_uint_eq(rtp_static_pt_clock(127), 0);
    ck_assert_uint_eq(rtp_codec_clock_by_name("OPUS"), 48000);
    ck_assert_uint_eq(rtp_codec_clock_by_name("AMR-WB"), 16000);
    ck_assert_uint_eq(rtp_codec_clock_by_name("telephone-event"), 8000);
    ck_assert_uint_eq(rtp_codec_clock_by_name("H264"), 90000);
    ck_assert_uint_eq(rtp_codec_clock_by_name("nonsense"), 0);
    ck_assert_uint_eq(rtp_jitter_clock(0, NULL, 0), 8000);
    ck_assert_uint_eq(rtp_jitter_clock(101, "telephone-event", 8000), 0);
    ck_assert_uint_eq(rtp_jitter_clock(111, "opus", 0), 48000);
    ck_assert_uint_eq(rtp_jitter_clock(98, "speex", 16000), 16000);
    ck_assert_uint_eq(rtp_jitter_clock(99, NULL, 0), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_stream");
    TCase *tc = tcase_create("stream");
    tcase_add_test(tc, in_order);
    tcase_add_test(tc, wrap_at_65535);
    tcase_add_test(tc, wrap_right_after_first);
    tcase_add_test(tc, duplicate);
    tcase_add_test(tc, reorder);
    tcase_add_test(tc, loss);
    tcase_add_test(tc, restart_lower);
    tcase_add_test(tc, jump_forward);
    tcase_add_test(tc, jitter_by_hand);
    tcase_add_test(tc, marker_excluded);
    tcase_add_test(tc, timestamp_back);
    tcase_add_test(tc, timestamp_before_first);
    tcase_add_test(tc, timestamp_wrap);
    tcase_add_test(tc, very_long_stream);
    tcase_add_test(tc, unknown_clock);
    tcase_add_test(tc, comfort_noise);
    tcase_add_test(tc, clock_integer_khz);
    tcase_add_test(tc, intervals);
    tcase_add_test(tc, interval_ring);
    tcase_add_test(tc, static_table);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
