/* TCP stream reassembly, one state per connection direction.
 *
 * Delivers in-order payload bytes as SNB_PKT_TCP_STREAM packets with a stable
 * stream_id (a per-decoder counter, starting at 1, new for every direction
 * tracked) and stream_offset counted from the first byte after the SYN, or
 * from the first data byte seen when the SYN was missed.
 *
 * Policy:
 * - a direction is created by a SYN or a data segment (pure ACKs, FIN or RST
 *   alone never create state);
 * - data already delivered is a retransmission (tcp_retransmits); a partial
 *   overlap delivers only the new bytes;
 * - segments ahead of a gap are copied into a per-direction buffer of at most
 *   tcp_max_buffered bytes (tcp_out_of_order) and delivered when the gap fills;
 * - a segment that does not fit first forces a gap skip: everything buffered
 *   is delivered, the first packet after each hole flagged SNB_PKT_TCP_GAP
 *   (tcp_gaps per hole), then the segment is retried; only a segment larger
 *   than the whole buffer is dropped (tcp_buffer_overflow += its bytes);
 * - FIN or RST: deliver what can be delivered (skipping holes), free state;
 * - idle tcp_timeout_ms in capture time: the same, counted in tcp_timeouts;
 *   snb_decoder_flush() does the same for every direction (not counted);
 * - packets released later than their own segment (buffered data, expiry)
 *   carry the ts_us/frame of the frame being decoded when they were released;
 *   at flush, a placeholder frame with caplen 0 and the last ts seen;
 * - when tcp_max_streams directions are tracked, a new direction is not
 *   tracked (tcp_overflow per refused segment): its data segments are still
 *   delivered at once, unordered, flagged SNB_PKT_TCP_STREAM|SNB_PKT_TCP_GAP,
 *   with stream_id = a hash of the 5-tuple with bit 63 set and
 *   stream_offset = the segment's raw sequence number. */
#ifndef SNB_TCP_REASM_H
#define SNB_TCP_REASM_H

#include <stdint.h>

#include "decoder.h"

typedef struct snb_tcp_reasm snb_tcp_reasm_t;

#define SNB_TCP_FIN 0x01
#define SNB_TCP_SYN 0x02
#define SNB_TCP_RST 0x04

snb_tcp_reasm_t *snb_tcp_reasm_new(const snb_decode_limits_t *lim, snb_decode_stats_t *st,
                                   snb_packet_cb cb, void *ud);
void snb_tcp_reasm_free(snb_tcp_reasm_t *t);

/* pkt is the fully filled packet of this segment (addresses, ports, vlan,
 * tunnel, ts, frame) with payload/payload_len the captured segment data; it
 * may be modified and delivered as is (the in-order fast path copies
 * nothing). seg_len is the segment's length in sequence space per the IP
 * header: more than payload_len when the capture was cut short (snaplen); an
 * in-order truncated segment delivers what was captured (SNB_PKT_TRUNCATED)
 * and the stream moves on past the missing tail; a truncated segment that
 * would have to be buffered is dropped (tcp_buffer_overflow). */
void snb_tcp_reasm_segment(snb_tcp_reasm_t *t, snb_packet_t *pkt, uint32_t seq, uint8_t flags,
                           uint32_t seg_len);

/* Expire directions idle longer than the timeout; packets they release carry
 * frame (the frame being decoded when the sweep ran). */
void snb_tcp_reasm_expire(snb_tcp_reasm_t *t, uint64_t now_us, const snb_frame_t *frame);

/* Release and free everything (counted as timeouts). */
void snb_tcp_reasm_flush(snb_tcp_reasm_t *t, const snb_frame_t *frame);

#endif
