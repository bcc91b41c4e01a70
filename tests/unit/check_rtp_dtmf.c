/* RFC 4733 telephone-event tracker: one digit from several packets with the
 * end repeated, lost start, lost end, two digits in a row, and the real
 * capture tests/data/sipp-dtmf-2833-1-rtponly.pcap (tshark: 10 packets,
 * event 1, volume 10, timestamp 13280, durations 0..2240, the end packet at
 * 0.139846 s sent three times). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "decoder.h"
#include "rtp_dtmf.h"
#include "support.h"

#define MS 1000ull

static uint8_t pl[4];

static int ev(rtp_dtmf_tracker_t *t, uint8_t event, bool end, uint8_t vol, uint16_t dur,
              uint32_t ts, uint64_t at)
{
    pl[0] = event;
    pl[1] = (uint8_t)((end ? 0x80 : 0) | (vol & 0x3f));
    pl[2] = (uint8_t)(dur >> 8);
    pl[3] = (uint8_t)dur;
    rtp_hdr_t h;
    memset(&h, 0, sizeof h);
    h.pt = 101;
    h.ts = ts;
    h.payload = pl;
    h.payload_len = 4;
    return rtp_dtmf_update(t, &h, at);
}

START_TEST(parse_payload)
{
    const uint8_t p[] = {11, 0x8a, 0x03, 0x20};
    rtp_dtmf_event_t e;
    ck_assert_int_eq(rtp_dtmf_parse(p, 4, &e), 0);
    ck_assert_uint_eq(e.event, 11);
    ck_assert(e.end);
    ck_assert_uint_eq(e.volume, 10);
    ck_assert_uint_eq(e.duration, 800);
    ck_assert_int_eq(rtp_dtmf_parse(p, 3, &e), -1);
    ck_assert_int_eq(rtp_dtmf_event_char(0), '0');
    ck_assert_int_eq(rtp_dtmf_event_char(9), '9');
    ck_assert_int_eq(rtp_dtmf_event_char(10), '*');
    ck_assert_int_eq(rtp_dtmf_event_char(11), '#');
    ck_assert_int_eq(rtp_dtmf_event_char(12), 'A');
    ck_assert_int_eq(rtp_dtmf_event_char(15), 'D');
    ck_assert_int_eq(rtp_dtmf_event_char(16), 0);
}
END_TEST

/* '5': packets every 20 ms with growing duration, end sent 3 times. */
START_TEST(one_digit)
{
    rtp_dtmf_tracker_t t;
    rtp_dtmf_init(&t, 8000);
    for (unsigned i = 0; i < 5; i++)
        ck_assert_int_eq(ev(&t, 5, false, 10, (uint16_t)(160 * i), 1000, 100 * MS + i * 20 * MS),
                         0);
    ck_assert_int_eq(ev(&t, 5, true, 10, 960, 1000, 200 * MS), 1);
    ck_assert_int_eq(ev(&t, 5, true, 10, 960, 1000, 201 * MS), 0);
    ck_assert_int_eq(ev(&t, 5, true, 10, 960, 1000, 202 * MS), 0);
    ck_assert_uint_eq(rtp_dtmf_count(&t), 1);
    const rtp_dtmf_digit_t *d = rtp_dtmf_digit(&t, 0);
    ck_assert_int_eq(d->digit, '5');
    ck_assert_uint_eq(d->event, 5);
    ck_assert_uint_eq(d->start_us, 100 * MS);
    ck_assert_uint_eq(d->duration_ms, 120); /* 960 / 8000 Hz */
    ck_assert_uint_eq(d->volume, 10);
    ck_assert(d->ended);
    ck_assert_uint_eq(d->packets, 8);
    ck_assert_int_eq(rtp_dtmf_flush(&t), 0);
    ck_assert_ptr_null(rtp_dtmf_digit(&t, 1));
}
END_TEST

/* The first packets are lost: the digit starts at the first one seen. */
START_TEST(lost_start)
{
    rtp_dtmf_tracker_t t;
    rtp_dtmf_init(&t, 8000);
    ev(&t, 11, false, 7, 480, 5000, 60 * MS);
    ev(&t, 11, true, 7, 800, 5000, 100 * MS);
    ev(&t, 11, true, 7, 800, 5000, 101 * MS);
    ck_assert_uint_eq(rtp_dtmf_count(&t), 1);
    const rtp_dtmf_digit_t *d = rtp_dtmf_digit(&t, 0);
    ck_assert_int_eq(d->digit, '#');
    ck_assert_uint_eq(d->start_us, 60 * MS);
    ck_assert_uint_eq(d->duration_ms, 100);
    /* Only an end packet survived. */
    ck_assert_int_eq(ev(&t, 3, true, 7, 1600, 9000, 500 * MS), 1);
    d = rtp_dtmf_digit(&t, 1);
    ck_assert_int_eq(d->digit, '3');
    ck_assert_uint_eq(d->duration_ms, 200);
    ck_assert(d->ended);
}
END_TEST

/* All end packets lost: the next event (new timestamp) finishes it, and
 * flush finishes the last one. */
START_TEST(lost_end_and_two_in_a_row)
{
    rtp_dtmf_tracker_t t;
    rtp_dtmf_init(&t, 0); /* 0 means 8000 */
    ev(&t, 1, false, 10, 0, 100, 0);
    ev(&t, 1, false, 10, 160, 100, 20 * MS);
    ev(&t, 1, false, 10, 320, 100, 40 * MS);
    ck_assert_uint_eq(rtp_dtmf_count(&t), 0);
    ck_assert_int_eq(ev(&t, 2, false, 10, 0, 2000, 300 * MS), 1); /* '1' finished */
    ev(&t, 2, false, 10, 400, 2000, 350 * MS);
    ck_assert_int_eq(rtp_dtmf_flush(&t), 1);
    ck_assert_uint_eq(rtp_dtmf_count(&t), 2);
    const rtp_dtmf_digit_t *a = rtp_dtmf_digit(&t, 0), *b = rtp_dtmf_digit(&t, 1);
    ck_assert_int_eq(a->digit, '1');
    ck_assert(!a->ended);
    ck_assert_uint_eq(a->duration_ms, 40);
    ck_assert_int_eq(b->digit, '2');
    ck_assert_uint_eq(b->start_us, 300 * MS);
    ck_assert_uint_eq(b->duration_ms, 50);
    /* A late packet of the first event changes nothing. */
    ck_assert_int_eq(ev(&t, 1, false, 10, 480, 100, 400 * MS), 0);
    ck_assert_uint_eq(rtp_dtmf_count(&t), 2);
}
END_TEST

/* Same digit pressed twice: told apart by the timestamp. */
START_TEST(same_digit_twice)
{
    rtp_dtmf_tracker_t t;
    rtp_dtmf_init(&t, 8000);
    ev(&t, 7, false, 10, 0, 100, 0);
    ev(&t, 7, true, 10, 800, 100, 100 * MS);
    ev(&t, 7, true, 10, 800, 100, 101 * MS);
    ev(&t, 7, false, 10, 0, 3000, 400 * MS);
    ev(&t, 7, true, 10, 800, 3000, 500 * MS);
    ck_assert_uint_eq(rtp_dtmf_count(&t), 2);
    ck_assert_uint_eq(rtp_dtmf_digit(&t, 1)->start_us, 400 * MS);
}
END_TEST

/* Only the last RTP_DTMF_MAX_DIGITS are kept. */
START_TEST(bounded)
{
    rtp_dtmf_tracker_t t;
    rtp_dtmf_init(&t, 8000);
    for (unsigned i = 0; i < RTP_DTMF_MAX_DIGITS + 10; i++)
        ev(&t, (uint8_t)(i % 10), true, 10, 800, 1000 + 8000 * i, i * 1000 * MS);
    ck_assert_uint_eq(t.n_digits, RTP_DTMF_MAX_DIGITS + 10);
    ck_assert_uint_eq(rtp_dtmf_count(&t), RTP_DTMF_MAX_DIGITS);
    ck_assert_uint_eq(rtp_dtmf_digit(&t, 0)->start_us, 10 * 1000 * MS);
    ck_assert_int_eq(rtp_dtmf_digit(&t, RTP_DTMF_MAX_DIGITS - 1)->digit,
                     '0' + (RTP_DTMF_MAX_DIGITS + 9) % 10);
}
END_TEST

typedef struct cap {
    rtp_dtmf_tracker_t t;
    uint64_t first_us;
    int pkts;
} cap_t;

static void on_pkt(void *ud, const snb_packet_t *pkt)
{
    cap_t *c = ud;
    rtp_hdr_t h;
    if (pkt->transport != SNB_TRANSPORT_UDP || rtp_parse(pkt->payload, pkt->payload_len, &h) < 0)
        return;
    if (!c->pkts++) c->first_us = pkt->ts_us;
    ck_assert_uint_eq(h.pt, 101);
    ck_assert_int_ge(rtp_dtmf_update(&c->t, &h, pkt->ts_us), 0);
}

START_TEST(capture_sipp)
{
    static cap_t c;
    memset(&c, 0, sizeof c);
    rtp_dtmf_init(&c.t, 8000);
    snb_decode_limits_t dl = SNB_DECODE_LIMITS_DEFAULT;
    snb_decode_stats_t ds;
    memset(&ds, 0, sizeof ds);
    snb_decoder_t *dec = snb_decoder_new(&dl, &ds, on_pkt, &c);
    snb_pcapr_t *rd = snb_pcapr_open(SNB_TEST_DATA_DIR "/sipp-dtmf-2833-1-rtponly.pcap");
    ck_assert_ptr_nonnull(rd);
    snb_frame_t f;
    while (snb_pcapr_next(rd, &f) == 1)
        snb_decoder_feed(dec, &f);
    snb_pcapr_close(rd);
    snb_decoder_free(dec);
    ck_assert_int_eq(rtp_dtmf_flush(&c.t), 0); /* the end packet was seen */
    ck_assert_int_eq(c.pkts, 10);
    ck_assert_uint_eq(rtp_dtmf_count(&c.t), 1);
    const rtp_dtmf_digit_t *d = rtp_dtmf_digit(&c.t, 0);
    ck_assert_int_eq(d->digit, '1');
    ck_assert_uint_eq(d->volume, 10);
    ck_assert_uint_eq(d->rtp_ts, 13280);
    ck_assert_uint_eq(d->start_us, c.first_us);
    ck_assert_uint_eq(d->duration_ms, 280); /* 2240 / 8000 Hz */
    ck_assert_uint_eq(d->packets, 10);
    ck_assert(d->ended);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtp_dtmf");
    TCase *tc = tcase_create("dtmf");
    tcase_add_test(tc, parse_payload);
    tcase_add_test(tc, one_digit);
    tcase_add_test(tc, lost_start);
    tcase_add_test(tc, lost_end_and_two_in_a_row);
    tcase_add_test(tc, same_digit_twice);
    tcase_add_test(tc, bounded);
    tcase_add_test(tc, capture_sipp);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
