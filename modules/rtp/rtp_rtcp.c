/* RTCP compound walk (RFC 3550 6.4-6.7, RFC 3611 XR). Each packet's length
 * field (32-bit words minus one) bounds everything read from it; a packet
 * whose content does not fit its own length makes the compound malformed. */
#include <string.h>

#include "rtp_packet.h"

static inline uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Report blocks (RFC 3550 6.4.1), 24 bytes each. */
static int parse_blocks(const uint8_t *b, size_t len, unsigned count, rtcp_packet_t *p)
{
    if (len < 24u * count) return -1;
    for (unsigned i = 0; i < count; i++, b += 24) {
        rtcp_report_block_t *r = &p->blocks[i];
        r->ssrc = be32(b);
        r->fraction_lost = b[4];
        uint32_t cum = be24(b + 5);
        /* 24-bit two's complement: sign-extend. */
        r->cumulative_lost = (int32_t)(cum & 0x800000 ? cum | 0xff000000u : cum);
        r->ext_highest_seq = be32(b + 8);
        r->jitter = be32(b + 12);
        r->lsr = be32(b + 16);
        r->dlsr = be32(b + 20);
    }
    p->n_blocks = (uint8_t)count;
    return 0;
}

/* SDES chunks (RFC 3550 6.5): SSRC, items, a null item, padding to 32 bits.
 * off counts from the packet start so chunk alignment can be checked. */
static int parse_sdes(const uint8_t *pkt, size_t off, size_t end, unsigned count, rtcp_packet_t *p)
{
    for (unsigned c = 0; c < count; c++) {
        if (end - off < 4) return -1;
        uint32_t ssrc = be32(pkt + off);
        if (c == 0) p->ssrc = ssrc;
        off += 4;
        for (;;) {
            if (off >= end) return -1; /* no null item before the end */
            uint8_t type = pkt[off];
            if (type == 0) {
                off = (off + 4) & ~(size_t)3; /* the null item, then padding */
                break;
            }
            if (end - off < 2 || end - off - 2 < pkt[off + 1]) return -1;
            uint8_t ilen = pkt[off + 1];
            if (c == 0 && type == 1 && !p->cname) {
                p->cname = (const char *)pkt + off + 2;
                p->cname_len = ilen;
            }
            off += 2 + (size_t)ilen;
        }
        if (off > end) return -1;
    }
    return 0;
}

static void parse_voip(const uint8_t *b, rtcp_xr_voip_t *v)
{
    v->ssrc = be32(b);
    v->loss_rate = b[4];
    v->discard_rate = b[5];
    v->burst_density = b[6];
    v->gap_density = b[7];
    v->burst_duration = be16(b + 8);
    v->gap_duration = be16(b + 10);
    v->round_trip_delay = be16(b + 12);
    v->end_system_delay = be16(b + 14);
    v->signal_level = (int8_t)b[16];
    v->noise_level = (int8_t)b[17];
    v->rerl = b[18];
    v->gmin = b[19];
    v->r_factor = b[20];
    v->ext_r_factor = b[21];
    v->mos_lq = b[22];
    v->mos_cq = b[23];
    v->rx_config = b[24];
    /* b[25] reserved */
    v->jb_nominal = be16(b + 26);
    v->jb_maximum = be16(b + 28);
    v->jb_abs_max = be16(b + 30);
}

/* XR report blocks (RFC 3611 3): BT, type-specific, length in words. */
static int parse_xr(const uint8_t *b, size_t len, rtcp_packet_t *p)
{
    if (len < 4) return -1;
    p->ssrc = be32(b);
    size_t off = 4;
    while (off < len) {
        if (len - off < 4) return -1;
        uint8_t bt = b[off];
        size_t blen = 4u * be16(b + off + 2);
        if (len - off - 4 < blen) return -1;
        if (bt == 7) {
            if (blen < 32) return -1; /* VoIP metrics are exactly 8 words */
            if (p->n_voip < sizeof p->voip / sizeof p->voip[0])
                parse_voip(b + off + 4, &p->voip[p->n_voip++]);
        }
        off += 4 + blen;
    }
    return 0;
}

static int parse_one(const uint8_t *pkt, size_t plen, rtcp_packet_t *p)
{
    unsigned count = pkt[0] & 0x1f;
    const uint8_t *body = pkt + 4;
    size_t blen = plen - 4;
    switch (p->type) {
    case RTCP_SR:
        if (blen < 24) return -1;
        p->ssrc = be32(body);
        p->ntp_sec = be32(body + 4);
        p->ntp_frac = be32(body + 8);
        p->rtp_ts = be32(body + 12);
        p->sender_packets = be32(body + 16);
        p->sender_octets = be32(body + 20);
        return parse_blocks(body + 24, blen - 24, count, p);
    case RTCP_RR:
        if (blen < 4) return -1;
        p->ssrc = be32(body);
        return parse_blocks(body + 4, blen - 4, count, p);
    case RTCP_SDES:
        return parse_sdes(pkt, 4, plen, count, p);
    case RTCP_BYE:
        if (blen < 4u * count) return -1;
        for (unsigned i = 0; i < count; i++)
            p->bye_ssrc[i] = be32(body + 4 * i);
        p->n_bye = (uint8_t)count;
        p->ssrc = count ? p->bye_ssrc[0] : 0;
        /* An optional reason (length byte + text) must fit too. */
        if (blen > 4u * count && blen - 4u * count - 1 < body[4 * count]) return -1;
        return 0;
    case RTCP_APP:
        if (blen < 8) /* SSRC + 4-character name; the data is skipped */
            return -1;
        p->ssrc = be32(body);
        return 0;
    case RTCP_XR:
        return parse_xr(body, blen, p);
    default:
        if (blen >= 4) p->ssrc = be32(body);
        return 0;
    }
}

int rtcp_parse_compound(const uint8_t *data, size_t len, rtcp_packet_fn fn, void *ud)
{
    if (!data || len < 4) return -1;
    rtcp_packet_t p;
    int n = 0;
    size_t off = 0;
    while (off < len) {
        const uint8_t *pkt = data + off;
        if (len - off < 4 || (pkt[0] >> 6) != 2) return -1;
        size_t plen = 4 * ((size_t)be16(pkt + 2) + 1);
        if (plen > len - off) return -1;
        if (pkt[0] & 0x20) {
            /* Padding count in the last byte, including itself. */
            uint8_t pad = pkt[plen - 1];
            if (pad == 0 || pad > plen - 4) return -1;
            plen -= pad;
        }
        memset(&p, 0, sizeof p);
        p.type = pkt[1];
        if (parse_one(pkt, plen, &p) < 0) return -1;
        if (fn) fn(ud, &p);
        n++;
        off += 4 * ((size_t)be16(pkt + 2) + 1);
    }
    return n;
}
