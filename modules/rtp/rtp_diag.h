/* Media diagnosis of one call: a pure function from the call's view (SDP
 * per side, answer/end times, the call's streams) to flags and one-line
 * hints. Deterministic, capture time only (now_us is the capture clock).
 * Rules and thresholds: docs/modules/rtp-streams.md. rtp_diag_view.h builds
 * the view from rtp_calls and rtp_table. */
#ifndef SNB_RTP_DIAG_H
#define SNB_RTP_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp_calls.h"
#include "sipnab/packet.h"

typedef struct rtp_diag_cfg {
    uint64_t min_call_us;   /* no_media: the answered call lasted at least this (2 s) */
    uint64_t late_media_us; /* late_media: first RTP of a direction this long after 2xx (1 s) */
    uint64_t min_flow_us;   /* one_way: the other direction carried audio this long (1 s) */
    uint32_t ptime_tolerance_ms; /* codec_asymmetry: ptimes differing by more (0) */
    /* poor_quality: a direction's stream of at least min_packets with loss,
     * mean jitter or MOS past these (5 %, 30 ms, 3.1; a limit <= 0 is off). */
    double poor_loss_pct, poor_jitter_ms, poor_mos;
    uint32_t poor_min_packets; /* 50: one second of 20 ms packets */
} rtp_diag_cfg_t;

#define RTP_DIAG_CFG_DEFAULT                                                                       \
    {                                                                                              \
        .min_call_us = 2000000, .late_media_us = 1000000, .min_flow_us = 1000000,                  \
        .ptime_tolerance_ms = 0, .poor_loss_pct = 5.0, .poor_jitter_ms = 30.0, .poor_mos = 3.1,    \
        .poor_min_packets = 50,                                                                    \
    }

/* What one side announced over the call (audio m= lines). */
typedef struct rtp_diag_side {
    bool has_sdp;    /* an audio endpoint with a port and an address */
    snb_addr_t addr; /* its latest audio endpoint */
    uint16_t port;
    uint8_t direction; /* enum rtp_dir of the latest */
    bool ever_no_send; /* said recvonly/inactive (or port 0) at some point */
    bool ever_no_recv; /* said sendonly/inactive/c=0.0.0.0 (or port 0): hold */
    uint8_t n_eps;     /* every endpoint it announced (history), for NAT checks */
    struct {
        snb_addr_t addr;
        uint16_t port;
    } eps[RTP_CALL_MAX_EPS];
} rtp_diag_side_t;

/* One stream of the call. */
typedef struct rtp_diag_stream {
    uint8_t from_side; /* enum rtp_side of the sender; RTP_SIDE_NONE if unknown */
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint32_t ssrc;
    uint64_t audio_packets; /* comfort noise and telephone-events excluded */
    uint64_t cn_packets, dtmf_packets;
    uint64_t first_audio_us, last_audio_us; /* 0 if no audio */
    uint64_t first_us;                      /* any packet */
    char codec[16];                         /* "" unknown */
    uint8_t pt;
    uint32_t clock_rate;
    uint32_t ptime_ms;                    /* measured from timestamps; 0 unknown */
    uint64_t packets;                     /* every packet counted in the stream's statistics */
    double loss_pct, mean_jitter_ms, mos; /* as the stream JSON shows them */
} rtp_diag_stream_t;

typedef struct rtp_diag_call {
    bool answered;
    uint64_t answered_us;    /* 2xx to INVITE */
    uint64_t ended_us;       /* 0 while up */
    uint64_t now_us;         /* capture time of the diagnosis */
    rtp_diag_side_t side[2]; /* enum rtp_side */
    size_t n_streams;
    const rtp_diag_stream_t *streams;
} rtp_diag_call_t;

enum rtp_diag_flag {
    RTP_DIAG_ONE_WAY = 1u << 0,
    RTP_DIAG_NAT_MISMATCH = 1u << 1,
    RTP_DIAG_NO_MEDIA = 1u << 2,
    RTP_DIAG_LATE_MEDIA = 1u << 3,
    RTP_DIAG_CODEC_ASYMMETRY = 1u << 4,
    RTP_DIAG_POOR_QUALITY = 1u << 5,
};
#define RTP_DIAG_COUNT 6
#define RTP_DIAG_HINT_MAX 400 /* poor_quality may name both directions */

typedef struct rtp_diag_result {
    uint32_t flags;                               /* enum rtp_diag_flag */
    char hint[RTP_DIAG_COUNT][RTP_DIAG_HINT_MAX]; /* by bit index; "" when not set */
} rtp_diag_result_t;

/* Diagnose; returns out->flags. cfg NULL = defaults. */
uint32_t rtp_diag_run(const rtp_diag_call_t *call, const rtp_diag_cfg_t *cfg,
                      rtp_diag_result_t *out);
/* "one_way_audio", "nat_mismatch", "no_media", "late_media", "codec_asymmetry",
 * "poor_quality"; NULL if not a flag. */
const char *rtp_diag_flag_name(uint32_t flag);
/* The hint of one flag ("" if not set). */
const char *rtp_diag_hint(const rtp_diag_result_t *r, uint32_t flag);

#endif
