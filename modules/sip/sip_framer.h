/* From decoded packets to SIP messages, whatever carries them:
 *  - UDP: one datagram, usually one message (SIP is found by content on any
 *    port; bytes before a start line are skipped and counted);
 *  - TCP: in-order stream data (SNB_PKT_TCP_STREAM) framed by Content-Length
 *    (compact `l` too), several messages per segment and one message across
 *    segments, resynchronising on the next start line after garbage or a gap;
 *  - WebSocket (RFC 6455/7118) on TCP: after an HTTP Upgrade the stream is
 *    WebSocket frames; masked, fragmented text/binary frames are unmasked and
 *    joined, each message is one SIP message;
 *  - SCTP: the common header is already stripped by the decoder; DATA chunks
 *    (type 0) carry SIP messages, a message split over several chunks (B ... E,
 *    consecutive TSNs) is joined.
 *
 * Pure logic, bounded: per-stream buffers up to max_message bytes, at most
 * max_streams streams (least recently used evicted), idle streams expire in
 * capture time. */
#ifndef SNB_SIP_FRAMER_H
#define SNB_SIP_FRAMER_H

#include <stdint.h>

#include "sip_dialog.h"
#include "sip_msg.h"
#include "sipnab/packet.h"

typedef struct sip_framer_limits {
    uint32_t max_streams; /* TCP/WS directions with buffered partial messages */
    uint32_t max_message; /* bytes of one message (headers + body) */
    uint64_t idle_timeout_us;
} sip_framer_limits_t;

typedef struct sip_framer_stats {
    uint64_t messages;      /* messages delivered */
    uint64_t malformed;     /* of which flagged malformed */
    uint64_t not_sip;       /* datagrams/segments with no SIP in them */
    uint64_t skipped_bytes; /* garbage skipped before a start line */
    uint64_t oversize;      /* messages dropped for exceeding max_message */
    uint64_t truncated;     /* partial messages left at a gap, timeout or the end */
    uint64_t stream_evictions;
    uint64_t ws_frames;
    uint64_t sctp_chunks;    /* DATA / I-DATA chunks seen */
    uint64_t sctp_fragments; /* of which fragments (B/E not both set), joined by TSN */
} sip_framer_stats_t;

/* Called for each message. The message's slices point into the packet or the
 * framer's buffer: valid only during the call. pkt is the packet that
 * completed the message (its timestamp is the message's). */
typedef void (*sip_message_cb)(void *ud, const snb_packet_t *pkt, sip_transport_t transport,
                               const sip_msg_t *msg);

typedef struct sip_framer sip_framer_t;

sip_framer_t *sip_framer_new(const sip_framer_limits_t *limits, sip_message_cb cb, void *ud);
void sip_framer_packet(sip_framer_t *f, const snb_packet_t *pkt);
/* End of input: partial messages are counted as truncated and dropped. */
void sip_framer_flush(sip_framer_t *f);
const sip_framer_stats_t *sip_framer_stats(const sip_framer_t *f);
void sip_framer_free(sip_framer_t *f);

#endif
