/* IPv4/IPv6 fragment reassembly: a bounded table of datagrams under
 * reassembly, hashed by (family, src, dst, id[, proto for IPv4]).
 *
 * Policy (documented here because it is a choice):
 * - first data wins on overlap (like Linux before RFC 5722 and Wireshark); an
 *   overlap whose bytes differ counts frag_errors once per fragment, and the
 *   fragment's non-overlapping bytes are still used;
 * - a datagram whose end would exceed frag_max_bytes (fragmentable payload
 *   bytes, i.e. without the IP header) is dropped whole (frag_errors);
 * - when the table holds frag_max_datagrams, the OLDEST datagram is evicted
 *   (frag_overflow) to make room: stale garbage goes first, new traffic wins;
 * - a datagram expires frag_timeout_ms (capture time) after its first fragment
 *   (frag_timeouts); snb_ip_reasm_flush() counts what is left as timeouts. */
#ifndef SNB_IP_REASM_H
#define SNB_IP_REASM_H

#include <stdint.h>

#include "decoder.h"

typedef struct snb_ip_reasm snb_ip_reasm_t;

/* Packed, no padding: hashed and compared as bytes. IPv4 uses a[0..3] of
 * src/dst with the rest zero; IPv6 keys have proto 0 (RFC 8200: src,dst,id). */
typedef struct snb_frag_key {
    uint8_t src[16];
    uint8_t dst[16];
    uint32_t id;
    uint8_t family;
    uint8_t proto;
    uint16_t zero;
} snb_frag_key_t;

snb_ip_reasm_t *snb_ip_reasm_new(const snb_decode_limits_t *lim, snb_decode_stats_t *st);
void snb_ip_reasm_free(snb_ip_reasm_t *r);

/* Add the fragment [off, off+len) (bytes of the fragmentable part). more is
 * the MF bit; nh is the protocol of the payload (IPv6: the fragment header's
 * next header, taken from the offset-0 fragment). Returns 1 when this
 * completes the datagram: *out is a malloc'd buffer of *out_len bytes owned by
 * the caller (free() it), *out_nh its protocol. Returns 0 otherwise. */
int snb_ip_reasm_add(snb_ip_reasm_t *r, const snb_frag_key_t *k, uint32_t off, int more, uint8_t nh,
                     const uint8_t *data, uint32_t len, uint64_t now_us, uint8_t **out,
                     uint32_t *out_len, uint8_t *out_nh);

/* Drop datagrams older than the timeout (counts frag_timeouts). */
void snb_ip_reasm_expire(snb_ip_reasm_t *r, uint64_t now_us);

/* Drop everything, counting each datagram as a timeout. */
void snb_ip_reasm_flush(snb_ip_reasm_t *r);

#endif
