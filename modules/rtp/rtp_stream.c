/* Per-stream RTP statistics computed the way Wireshark 4.0's RTP stream
 * analysis does (ui/tap-rtp-analysis.c rtppacket_analyse and
 * ui/tap-rtp-common.c rtpstream_info_calculate), so that packets, lost, max
 * delta and jitter equal `tshark -z rtp,streams`. Where Wireshark departs from
 * RFC 3550 A.1/A.8 we follow Wireshark; docs/modules/rtp-quality.md lists how. */
#include <math.h>
#include <string.h>

#include "rtp_stream.h"

#define PT_CN 13
#define PT_CN_OLD 19

void rtp_stream_init(rtp_stream_stats_t *s, uint32_t ssrc, uint8_t pt, uint32_t clock_rate,
                     uint64_t interval_us)
{
    memset(s, 0, sizeof *s);
    s->ssrc = ssrc;
    s->pt = pt;
    s->clock_rate = pt < 96 && !clock_rate ? rtp_static_pt_clock(pt) : clock_rate;
    s->interval_us = interval_us;
    s->min_delta_ms = -1;
    s->min_jitter_ms = -1;
}

/* Wireshark takes the clock of each packet's own type: the static table below
 * 96, else what SDP said, which we only know for the stream's first type. */
static inline uint32_t packet_clock(const rtp_stream_stats_t *s, uint8_t pt)
{
    if (pt < 96) return rtp_static_pt_clock(pt);
    return pt == s->pt ? s->clock_rate : 0;
}

/* Wireshark's "extended" sequence: cycles counted by its own heuristic and
 * the sequence number of the latest packet (not the highest). */
static inline int64_t stop_ext(const rtp_stream_stats_t *s)
{
    return (int64_t)s->cycles * 65536 + s->stop_seq;
}

static rtp_interval_t *interval_cur(rtp_stream_stats_t *s)
{
    return &s->intervals[(s->n_intervals - 1) % RTP_MAX_INTERVALS];
}

/* Open the interval that contains arrival_us (intervals are aligned on the
 * first packet; empty ones are not recorded). */
static void interval_open(rtp_stream_stats_t *s, uint64_t arrival_us)
{
    uint64_t k = (arrival_us - s->first_us) / s->interval_us; /* only at a boundary */
    rtp_interval_t *iv = &s->intervals[s->n_intervals % RTP_MAX_INTERVALS];
    s->n_intervals++;
    memset(iv, 0, sizeof *iv);
    iv->start_us = s->first_us + k * s->interval_us;
    s->iv_end_us = iv->start_us + s->interval_us;
    /* Called after the packet that opens it was accounted: base is the
     * extended sequence just before that packet. */
    s->iv_base_ext = stop_ext(s) - 1;
    s->iv_jitter_sum = 0;
    s->iv_jitter_n = 0;
}

static void interval_update(rtp_stream_stats_t *s, uint64_t arrival_us, bool regular_jitter)
{
    if (!s->interval_us) return;
    if (s->n_intervals == 0 || arrival_us >= s->iv_end_us) interval_open(s, arrival_us);
    rtp_interval_t *iv = interval_cur(s);
    iv->packets++;
    int64_t lost = stop_ext(s) - s->iv_base_ext - iv->packets;
    iv->lost = lost > 0 ? (uint32_t)lost : 0;
    if (regular_jitter) {
        float j = (float)s->jitter_ms;
        if (j > iv->max_jitter_ms) iv->max_jitter_ms = j;
        s->iv_jitter_sum += s->jitter_ms;
        s->iv_jitter_n++;
        iv->mean_jitter_ms = (float)(s->iv_jitter_sum / s->iv_jitter_n);
    }
}

const rtp_interval_t *rtp_stream_interval(const rtp_stream_stats_t *s, uint32_t age)
{
    if (age >= s->n_intervals || age >= RTP_MAX_INTERVALS) return NULL;
    return &s->intervals[(s->n_intervals - 1 - age) % RTP_MAX_INTERVALS];
}

static void first_packet(rtp_stream_stats_t *s, const rtp_hdr_t *h, uint64_t arrival_us)
{
    s->started = true;
    s->start_seq = s->stop_seq = s->expect_seq = h->seq;
    s->first_ts = h->ts;
    s->ref_us = arrival_us;
    s->first_us = s->last_us = arrival_us;
    s->last_pt = h->pt;
    s->base_seq = h->seq;
    s->max_ext_seq = h->seq;
    s->packets = 1;
    s->octets = h->payload_len;
    if (h->marker) s->marker_count++;
    interval_update(s, arrival_us, false);
}

void rtp_stream_update(rtp_stream_stats_t *s, const rtp_hdr_t *h, uint64_t arrival_us)
{
    if (!s->started) {
        first_packet(s, h, arrival_us);
        return;
    }
    uint16_t seq = h->seq;
    /* "In time sequence": the timestamp is at most 2^31 ahead of the first
     * packet's (modulo 2^32). Only such packets move the reference for
     * delta and jitter; the others are "wrong timestamp" problems. */
    uint32_t ts_off = h->ts - s->first_ts;
    bool in_time = h->ts >= s->first_ts
                       ? ts_off < 0x80000000u
                       : (uint64_t)(0xffffffffu - s->first_ts) + h->ts < 0x80000000u;
    if (!in_time) {
        s->wrong_ts++;
        s->problem = true;
    }

    /* Wireshark's cycle count: a sequence number below the first one starts
     * a new cycle once, until one above the first one is seen again. */
    if (in_time && !s->under && (seq < s->start_seq || (seq == 0 && s->stop_seq == 65535))) {
        s->cycles++;
        s->under = true;
    } else if (in_time && s->under && seq > s->start_seq) {
        s->under = false;
    }

    /* Sequence errors, against the last in-order number. */
    int next = s->expect_seq + 1;
    if (in_time && (next == seq || (s->expect_seq == 65535 && seq == 0))) {
        s->expect_seq = seq;
    } else if (in_time && (next < seq || s->expect_seq - seq > 0xFF00)) {
        s->expect_seq = seq; /* a jump forward (loss), or a wrap with loss */
        s->seq_errors++;
        s->problem = true;
    } else if (next > seq) {
        s->seq_errors++; /* late or duplicated */
        s->problem = true;
        if (seq == s->expect_seq)
            s->duplicates++;
        else
            s->out_of_order++;
    }

    /* Comfort noise, and the packet after it, do not count as regular. */
    bool cn = h->pt == PT_CN || h->pt == PT_CN_OLD;
    bool after_cn = s->last_pt == PT_CN || s->last_pt == PT_CN_OLD;
    if (h->pt != s->last_pt) s->pt_changes++;
    s->last_pt = h->pt;

    uint32_t clock = packet_clock(s, h->pt);
    uint32_t clock_khz = clock / 1000; /* integer, as Wireshark: 44100 -> 44 */
    if (in_time) {
        double delta = (double)(int64_t)(arrival_us - s->ref_us) / 1000.0;
        s->delta_ms = delta;
        if (clock_khz) {
            /* RFC 3550 A.8: D = (arrival - previous arrival) - (ts - previous ts),
             * J += (|D| - J) / 16, in ms on the nominal timeline of the first packet. */
            double nominal = (double)ts_off / clock_khz;
            double diff = fabs(delta - (nominal - s->last_nominal_ms));
            s->diff_ms = diff;
            s->jitter_ms = (15 * s->jitter_ms + diff) / 16;
            s->last_nominal_ms = nominal;
            /* Our departure from Wireshark 4.0: it keeps the first packet's
             * timestamp as the origin, so after 2^31 units (3.1 days at 8 kHz,
             * 6.6 h at 90 kHz) every packet is "wrong timestamp". A daemon
             * sees such calls, so move the origin here after 2^30 units. */
            if (ts_off >= 0x40000000u) {
                s->first_ts = h->ts;
                s->last_nominal_ms = 0;
            }
        }
    }
    double delta = s->delta_ms; /* left as it was by an out-of-time packet */

    if (h->marker) s->marker_count++;
    bool regular = !h->marker && !cn && in_time && !after_cn;
    if (regular) {
        /* Wireshark's means divide by the packets so far, counting the
         * irregular ones too (a quirk kept for parity). */
        double n = (double)s->packets;
        if (delta > s->max_delta_ms) s->max_delta_ms = delta;
        if (s->min_delta_ms == -1 || delta < s->min_delta_ms) s->min_delta_ms = delta;
        s->mean_delta_ms = (s->mean_delta_ms * (n - 1) + delta) / n;
        if (clock_khz) {
            if (s->jitter_ms > s->max_jitter_ms) s->max_jitter_ms = s->jitter_ms;
            s->mean_jitter_ms = (s->mean_jitter_ms * (n - 1) + s->jitter_ms) / n;
            if (s->min_jitter_ms == -1 || s->jitter_ms < s->min_jitter_ms)
                s->min_jitter_ms = s->jitter_ms;
        }
    }

    if (in_time) s->ref_us = arrival_us;
    s->stop_seq = seq;
    s->seq_wraps = s->cycles;
    s->max_ext_seq = (uint32_t)stop_ext(s);
    s->packets++;
    s->octets += h->payload_len;
    s->last_us = arrival_us;
    interval_update(s, arrival_us, regular && clock_khz);
}

uint64_t rtp_stream_expected(const rtp_stream_stats_t *s)
{
    if (!s->packets) return 0;
    int64_t e = (int64_t)s->max_ext_seq - s->base_seq + 1;
    return e > 0 ? (uint64_t)e : 0;
}

int64_t rtp_stream_lost(const rtp_stream_stats_t *s)
{
    if (!s->packets) return 0;
    return ((int64_t)s->max_ext_seq - s->base_seq + 1) - (int64_t)s->packets;
}

double rtp_stream_loss_pct(const rtp_stream_stats_t *s)
{
    uint64_t e = rtp_stream_expected(s);
    return e ? (double)rtp_stream_lost(s) * 100.0 / (double)e : 0.0;
}
