/* SCTP chunk walking (RFC 9260 3.2): the decoder strips the 12-byte common
 * header; chunks are type, flags, 16-bit length, value, padded to 4 bytes. */
#include "sip_framer_int.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sip_sctp_next(const uint8_t *d, size_t len, size_t *off, sip_sctp_chunk_t *c)
{
    size_t o = *off;
    if (o >= len || len - o < 4) return 0;
    uint16_t clen = (uint16_t)(d[o + 2] << 8 | d[o + 3]);
    if (clen < 4 || clen > len - o) return 0;
    c->type = d[o];
    c->flags = d[o + 1];
    c->length = clen;
    c->ppid = 0;
    c->tsn = 0;
    c->sid = 0;
    size_t hdr = 4;
    if ((c->type == SIP_SCTP_DATA || c->type == SIP_SCTP_IDATA) && clen >= 16) {
        c->tsn = be32(d + o + 4);
        c->sid = (uint16_t)(d[o + 8] << 8 | d[o + 9]);
    }
    if (c->type == SIP_SCTP_DATA && clen >= 16) {
        hdr = 16; /* TSN, stream id, stream seq, PPID */
        c->ppid = be32(d + o + 12);
    } else if (c->type == SIP_SCTP_IDATA && clen >= 20) {
        hdr = 20; /* TSN, stream id, reserved, MID, PPID/FSN */
        if (c->flags & SIP_SCTP_FLAG_B) c->ppid = be32(d + o + 16);
    }
    c->payload = d + o + hdr;
    c->payload_len = (uint32_t)(clen - hdr);
    size_t padded = ((size_t)clen + 3) & ~(size_t)3;
    *off = o + (padded < len - o ? padded : len - o);
    return 1;
}
