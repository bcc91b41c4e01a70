/* Per-stream RTP statistics: RFC 3550 A.1 sequence accounting (extended
 * sequence numbers across wrap-around, expected, lost, duplicates,
 * out-of-order), A.8 interarrival jitter from arrival times at microsecond
 * precision with the codec's clock rate, max jitter, max delta, and quality
 * intervals. Pure logic; one rtp_stream_stats_t per SSRC on a 5-tuple.
 * Figures are computed the way Wireshark's RTP analysis computes them, so
 * they can be compared with `tshark -z rtp,streams` (see docs/modules/rtp.md). */
#ifndef SNB_RTP_STREAM_H
#define SNB_RTP_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp_packet.h"

#define RTP_MAX_INTERVALS 64

typedef struct rtp_interval {
    uint64_t start_us;
    uint32_t packets;
    uint32_t lost; /* expected - received within the interval, >= 0 */
    float max_jitter_ms;
    float mean_jitter_ms;
} rtp_interval_t;

typedef struct rtp_stream_stats {
    uint32_t ssrc;
    uint8_t pt;           /* payload type of the first packet */
    uint32_t clock_rate;  /* Hz; 0 = unknown (jitter not computed) */
    uint64_t packets;
    uint64_t octets;      /* payload bytes */
    uint64_t first_us, last_us;
    /* sequence accounting */
    uint32_t base_seq;    /* extended sequence number of the first packet */
    uint32_t max_ext_seq; /* highest extended sequence number */
    uint64_t duplicates;
    uint64_t out_of_order;
    uint32_t seq_wraps;
    /* timing */
    double jitter_ms;     /* current RFC 3550 jitter */
    double max_jitter_ms;
    double mean_jitter_ms;
    double max_delta_ms;  /* largest gap between consecutive arrivals */
    uint32_t marker_count;
    uint32_t pt_changes;
    /* quality intervals: the last RTP_MAX_INTERVALS of `interval_us` each */
    uint64_t interval_us;
    rtp_interval_t intervals[RTP_MAX_INTERVALS];
    uint32_t n_intervals; /* total started (ring index = n % RTP_MAX_INTERVALS) */
    /* implementation state (previous arrival, transit, probation, ...) is
     * added below by rtp_stream.c's author */
} rtp_stream_stats_t;

void rtp_stream_init(rtp_stream_stats_t *s, uint32_t ssrc, uint8_t pt, uint32_t clock_rate,
                     uint64_t interval_us);
/* One packet of this stream, arriving at arrival_us (capture time). */
void rtp_stream_update(rtp_stream_stats_t *s, const rtp_hdr_t *h, uint64_t arrival_us);
/* max_ext_seq - base_seq + 1 */
uint64_t rtp_stream_expected(const rtp_stream_stats_t *s);
/* expected - packets received (may be negative with duplicates, as RFC 3550 says) */
int64_t rtp_stream_lost(const rtp_stream_stats_t *s);
/* lost / expected * 100, 0 when nothing expected */
double rtp_stream_loss_pct(const rtp_stream_stats_t *s);

/* Static payload types (RFC 3551): name and clock rate; NULL/0 if dynamic. */
const char *rtp_static_pt_name(uint8_t pt);
uint32_t rtp_static_pt_clock(uint8_t pt);

#endif
