/* The shared packet decoder: link layer -> tunnels -> IP (with fragment
 * reassembly) -> UDP/TCP (with stream reassembly)/SCTP.
 *
 * Pure logic with no libuv or libpcap dependency, so it can be unit-tested and
 * fuzzed on its own. Every source owns one decoder; all of its tables are
 * bounded by snb_decode_limits_t and expire in capture time (the frame
 * timestamps), never the wall clock, so a file and a live capture behave alike.
 *
 * Ownership: snb_decoder_feed() calls the packet callback zero or more times
 * before it returns. The packet and every slice in it are valid only inside
 * the callback. */
#ifndef SIPNAB_DECODER_H
#define SIPNAB_DECODER_H

#include <stdint.h>

#include "sipnab/hash.h"
#include "sipnab/packet.h"
#include "sipnab/stats.h"

typedef struct snb_decode_limits {
    uint32_t max_tunnel_depth;   /* nested tunnels/encapsulations peeled, e.g. 4 */
    uint32_t frag_max_datagrams; /* IP datagrams under reassembly at once */
    uint32_t frag_max_bytes;     /* fragmentable payload of one datagram (no IP header) */
    uint32_t frag_timeout_ms;    /* capture-time timeout of an incomplete datagram */
    uint32_t tcp_max_streams;    /* TCP connection directions tracked at once */
    uint32_t tcp_max_buffered;   /* out-of-order bytes held per direction */
    uint32_t tcp_timeout_ms;     /* capture-time idle timeout of a direction */
    snb_hash_key_t hash_key;     /* for the fragment and stream tables (sipnab/hash.h) */
} snb_decode_limits_t;

/* Defaults that suit a busy SBC; the [decode] config section overrides them. */
#define SNB_DECODE_LIMITS_DEFAULT                                                                  \
    {                                                                                              \
        .max_tunnel_depth = 4, .frag_max_datagrams = 8192, .frag_max_bytes = 65535 + 60,           \
        .frag_timeout_ms = 30000, .tcp_max_streams = 65536, .tcp_max_buffered = 256 * 1024,        \
        .tcp_timeout_ms = 300000,                                                                  \
    }

typedef struct snb_decoder snb_decoder_t;

typedef void (*snb_packet_cb)(void *ud, const snb_packet_t *pkt);

/* stats is owned by the caller and only incremented (several decoders may
 * share one). Returns NULL on allocation failure. */
snb_decoder_t *snb_decoder_new(const snb_decode_limits_t *limits, snb_decode_stats_t *stats,
                               snb_packet_cb cb, void *ud);

/* Decode one frame; calls cb for each UDP, TCP (in-order stream data) and SCTP
 * packet it yields. Also expires fragment and TCP tables by frame time. */
void snb_decoder_feed(snb_decoder_t *dec, const snb_frame_t *frame);

/* End of input: deliver what TCP still buffers (flagged SNB_PKT_TCP_GAP where
 * bytes are missing) and count incomplete datagrams as timed out. Packets
 * released here carry a placeholder frame (caplen 0, linktype -1, ts_us of the
 * last frame fed), never NULL. Policies (eviction, overlaps, gaps) are
 * described in ip_reasm.h and tcp_reasm.h. */
void snb_decoder_flush(snb_decoder_t *dec);

void snb_decoder_free(snb_decoder_t *dec);

#endif
