/* What the RTP module publishes, for other modules (HEP mirroring, ...).
 * Event types are registered by the RTP module under these names. */
#ifndef SIPNAB_RTP_H
#define SIPNAB_RTP_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/event.h"
#include "sipnab/packet.h"

#define SNB_RTP_RTCP_EVENT "rtp.rtcp"     /* snb_rtcp_event_t */
#define SNB_RTP_STREAM_EVENT "rtp.stream" /* snb_rtp_stream_event_t */

/* "rtp.rtcp": one RTCP (compound) packet as captured, with the
 * Call-ID of the stream its sender belongs to ("" when unknown). */
typedef struct snb_rtcp_event {
    snb_event_t ev;
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    const uint8_t *data;
    uint32_t len;
    char call_id[128];
} snb_rtcp_event_t;

/* "rtp.stream": the final figures of one RTP stream, published once
 * it ends: evicted, idle for a while in capture time, or at the end of the
 * capture (again later only if it received more packets). Plain data. */
typedef struct snb_rtp_stream_event {
    snb_event_t ev;
    uint64_t first_us, last_us; /* first and last packet, capture time */
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint32_t ssrc;
    uint8_t payload_type;
    uint32_t clock_rate; /* 0 unknown */
    char codec[16];      /* "PCMU", "" unknown */
    uint64_t packets, octets, expected;
    int64_t lost;
    double mean_jitter_ms, max_jitter_ms, max_delta_ms;
    double mos, r_factor; /* < 0 unknown */
    bool orphaned;
    bool one_way;      /* its dialog was diagnosed one-way audio */
    char call_id[128]; /* "" when orphaned */
} snb_rtp_stream_event_t;

#endif
