/* Small helpers on snb_addr_t and media endpoints (addr, port), shared by
 * the call view, the stream table and the diagnosis. */
#ifndef SNB_RTP_ADDR_H
#define SNB_RTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/hash.h"
#include "sipnab/packet.h"

/* Same family and the family's bytes equal (4 or 16). */
bool rtp_addr_eq(const snb_addr_t *a, const snb_addr_t *b);
/* Family 0, 0.0.0.0 or :: (RFC 2543 hold, or no address). */
bool rtp_addr_is_any(const snb_addr_t *a);
/* Hash of (addr, port) for the endpoint and stream tables. */
/* The address as 32-bit words (1 for IPv4, 4 for IPv6) into w; their count. */
size_t rtp_addr_words(const snb_addr_t *a, uint32_t *w);
/* Address and port under the process key (sipnab/hash.h). */
uint64_t rtp_addr_hash(const snb_hash_key_t *key, const snb_addr_t *a, uint16_t port);
/* "10.0.0.1" / "2001:db8::1", "?" if family 0; returns buf (size >= 46). */
const char *rtp_addr_str(const snb_addr_t *a, char *buf, size_t size);
/* "10.0.0.1:4000" / "[2001:db8::1]:4000"; returns buf (size >= 56). */
const char *rtp_ep_str(const snb_addr_t *a, uint16_t port, char *buf, size_t size);

#endif
