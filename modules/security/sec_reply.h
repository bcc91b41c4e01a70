/* The reply to a scanner (--kill-scanner): a SIP response to its request,
 * as if from the address it scanned, in a raw IPv4 or IPv6 UDP datagram
 * (checksums filled) for a raw socket. Pure, so tests check the bytes. */
#ifndef SEC_REPLY_H
#define SEC_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "sipnab/packet.h"
#include "sipnab/str.h"

#define SEC_REPLY_MAX_VIA 8

/* What of the request the response echoes (RFC 3261 8.2.6.2). */
typedef struct sec_reply_req {
    snb_str_t via[SEC_REPLY_MAX_VIA]; /* each Via element, in order */
    unsigned n_via;
    snb_str_t from, to, call_id, cseq;
    bool to_has_tag;
} sec_reply_req_t;

/* The SIP text into buf; its length, or 0 when it does not fit (or a
 * mandatory header is missing). Header values are cut at CR/LF. */
size_t sec_reply_sip(const sec_reply_req_t *req, int status, char *buf, size_t size);
/* An IP+UDP datagram from src:sport to dst:dport carrying payload into
 * buf; its length, or 0 when the families differ, are unknown, or it does
 * not fit. */
size_t sec_reply_datagram(const snb_addr_t *src, uint16_t sport, const snb_addr_t *dst,
                          uint16_t dport, const void *payload, size_t len, uint8_t *buf,
                          size_t size);

#endif
