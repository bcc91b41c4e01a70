/* Per-stream RTP statistics: RFC 3550 A.1 sequence accounting (extended
 * sequence numbers across wrap-around, expected, lost, duplicates,
 * out-of-order), A.8 interarrival jitter from arrival times at microsecond
 * precision with the codec's clock rate, max jitter, max delta, and quality
 * intervals. Pure logic; one rtp_stream_stats_t per SSRC on a 5-tuple.
 * Figures are computed the way Wireshark's RTP analysis computes them, so
 * they can be compared with `tshark -z rtp,streams` (see docs/modules/rtp.md;
 * the rules and where they depart from RFC 3550: docs/modules/rtp-quality.md). */
#ifndef SNB_RTP_STREAM_H
#define SNB_RTP_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp_packet.h"

/* Quality intervals kept per stream: 16 x 5 s = the last 80 s by default. */
#define RTP_MAX_INTERVALS 16

typedef struct rtp_interval {
    uint64_t start_us;
    uint32_t packets;
    uint32_t lost; /* expected - received within the interval, >= 0 */
    float max_jitter_ms;
    float mean_jitter_ms;
} rtp_interval_t;

typedef struct rtp_stream_stats {
    uint32_t ssrc;
    uint8_t pt;          /* payload type of the first packet */
    uint32_t clock_rate; /* Hz; 0 = unknown (jitter not computed) */
    uint64_t packets;
    uint64_t octets; /* payload bytes */
    uint64_t first_us, last_us;
    /* sequence accounting */
    uint32_t base_seq;    /* extended sequence number of the first packet */
    uint32_t max_ext_seq; /* highest extended sequence number */
    uint64_t duplicates;
    uint64_t out_of_order;
    uint32_t seq_wraps;
    /* timing */
    double jitter_ms; /* current RFC 3550 jitter */
    double max_jitter_ms;
    double mean_jitter_ms;
    double max_delta_ms; /* largest gap between consecutive arrivals */
    uint32_t marker_count;
    uint32_t pt_changes;
    uint64_t interval_us; /* length of a quality interval */
    /* ---- implementation state (rtp_stream.c); Wireshark 4.0's names in [] ---- */
    bool started;
    bool under;             /* [under] seq went below the first one; cycle counted */
    bool problem;           /* [problem] "Problems?": a sequence or timestamp error */
    uint8_t last_pt;        /* [pt] payload type of the latest packet */
    uint16_t start_seq;     /* [start_seq_nr] first sequence number */
    uint16_t stop_seq;      /* [stop_seq_nr] sequence number of the latest packet */
    uint16_t expect_seq;    /* [seq_num] last in-order sequence number */
    uint32_t cycles;        /* [seq_cycles] */
    uint64_t seq_errors;    /* [sequence] jumps, late and duplicated packets */
    uint64_t wrong_ts;      /* packets whose timestamp went back */
    uint32_t first_ts;      /* [first_timestamp] RTP timestamp of the first packet */
    uint64_t ref_us;        /* [time] arrival of the last in-time packet */
    double last_nominal_ms; /* [lastnominaltime] its timestamp - first_ts, in ms */
    double delta_ms;        /* [delta] latest arrival gap */
    double diff_ms;         /* [diff] latest |D(i-1,i)| */
    double min_delta_ms;    /* -1 until a regular packet */
    double mean_delta_ms;   /* Wireshark's running mean (see docs/modules/rtp-quality.md) */
    double min_jitter_ms;   /* -1 until a regular packet with a known clock */
    /* current quality interval */
    uint64_t iv_end_us;  /* the current interval ends here (exclusive) */
    int64_t iv_base_ext; /* extended stop sequence before its first packet */
    double iv_jitter_sum;
    uint32_t iv_jitter_n;
    /* Quality intervals, last: every packet touches the fields above, an
     * interval only now and then, so the hot state shares cache lines.
     * The last RTP_MAX_INTERVALS of `interval_us` each. */
    uint32_t n_intervals; /* total started (ring index = n % RTP_MAX_INTERVALS) */
    rtp_interval_t intervals[RTP_MAX_INTERVALS];
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

/* Wireshark's per-packet "Problems?" mark: a sequence error (jump, late or
 * duplicated packet) or a timestamp that went back, on any packet. */
static inline bool rtp_stream_problem(const rtp_stream_stats_t *s)
{
    return s->problem;
}
/* The interval that is (or was) i-th most recent: 0 = current; NULL if none. */
const rtp_interval_t *rtp_stream_interval(const rtp_stream_stats_t *s, uint32_t age);

/* Static payload types (RFC 3551): name and clock rate; NULL/0 if dynamic. */
const char *rtp_static_pt_name(uint8_t pt);
/* The registry's spelling of a static payload type's encoding ("pcma" from
 * an SDP -> "PCMA": encoding names are case-insensitive, RFC 4566, and
 * filters and reports should see one spelling); other names unchanged. */
const char *rtp_canonical_codec_name(const char *enc);
uint32_t rtp_static_pt_clock(uint8_t pt);
/* Channels of a static payload type (2 for PT 10 L16 stereo), 0 if dynamic. */
uint8_t rtp_static_pt_channels(uint8_t pt);
/* Usual RTP clock of an encoding name (SDP rtpmap, case-insensitive): opus
 * 48000, telephone-event 8000, AMR 8000, AMR-WB 16000, iLBC 8000, speex 8000,
 * G7221 16000, H264/VP8 90000, ...; 0 if unknown. The SDP's rate wins. */
uint32_t rtp_codec_clock_by_name(const char *encoding);
/* The clock_rate to give rtp_stream_init so jitter equals Wireshark's: the
 * static table for pt < 96; for dynamic types the SDP rate (sdp_rate, 0 if
 * none) or the name's usual clock, except telephone-event, whose timestamps
 * do not advance during an event (RFC 4733 2.2.1): 0, no jitter. */
uint32_t rtp_jitter_clock(uint8_t pt, const char *encoding, uint32_t sdp_rate);

#endif
