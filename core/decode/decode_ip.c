/* IPv4, IPv6 (extension headers, fragments) and the transports: UDP (and
 * VXLAN inside it), TCP, SCTP, ICMP; IP-in-IP recursion.
 *
 * Addresses are written into the frame's packet at each IP layer, so after
 * tunnels the innermost ones win. Fragments go to ip_reasm; a datagram it
 * completes is decoded here like any other, flagged SNB_PKT_REASSEMBLED_IP. */
#include "decode_int.h"

#include <stdlib.h>

#define VXLAN_PORT 4789

static void set_addr4(snb_addr_t *a, const uint8_t *p)
{
    a->family = 4;
    memcpy(a->a, p, 4);
    memset(a->a + 4, 0, 12);
}

static void set_addr6(snb_addr_t *a, const uint8_t *p)
{
    a->family = 6;
    memcpy(a->a, p, 16);
}

int snb_tunnel_enter(snb_dctx_t *c)
{
    if (c->pkt.tunnel_depth >= c->dec->lim.max_tunnel_depth) {
        snb_mark(c, SNB_P_ERR_TUNNEL_DEPTH);
        return -1;
    }
    c->pkt.tunnel_depth++;
    c->pkt.flags |= SNB_PKT_TUNNELLED;
    return 0;
}

static void frag_key(snb_frag_key_t *k, const snb_dctx_t *c, uint32_t id, uint8_t proto)
{
    memcpy(k->src, c->pkt.src.a, 16);
    memcpy(k->dst, c->pkt.dst.a, 16);
    k->id = id;
    k->family = c->pkt.src.family;
    k->proto = proto;
    k->zero = 0;
}

void snb_decode_ipv4(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 20) {
        if (len && (p[0] >> 4) == 4) snb_mark(c, SNB_P_IPV4);
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    if ((p[0] >> 4) != 4) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    snb_mark(c, SNB_P_IPV4);
    uint32_t hl = (uint32_t)(p[0] & 0x0f) * 4;
    uint32_t tot = snb_rd16(p + 2);
    if (tot == 0) tot = len; /* captured before TSO filled it in */
    if (hl < 20 || tot < hl) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    if (hl > len) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    uint32_t plen;
    if (tot <= len) {
        plen = tot - hl; /* anything after tot is link padding */
    } else {
        plen = len - hl;
        c->pkt.flags |= SNB_PKT_TRUNCATED;
    }
    set_addr4(&c->pkt.src, p + 12);
    set_addr4(&c->pkt.dst, p + 16);
    c->seg_len = tot - hl;

    uint16_t fo = snb_rd16(p + 6);
    if (__builtin_expect((fo & 0x3fff) != 0, 0)) {
        c->dec->st->ip_fragments++;
        if (c->pkt.flags & SNB_PKT_TRUNCATED) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            return;
        }
        snb_frag_key_t k;
        frag_key(&k, c, snb_rd16(p + 4), p[9]);
        uint8_t *buf;
        uint32_t blen;
        uint8_t nh;
        if (snb_ip_reasm_add(c->dec->ipr, &k, (uint32_t)(fo & 0x1fff) * 8, fo & 0x2000, p[9],
                             p + hl, plen, c->pkt.ts_us, &buf, &blen, &nh)) {
            c->pkt.flags |= SNB_PKT_REASSEMBLED_IP;
            c->seg_len = blen;
            snb_decode_transport(c, nh, buf, blen);
            free(buf);
        }
        return;
    }
    snb_decode_transport(c, p[9], p + hl, plen);
}

/* Walk IPv6 extension headers from nh; p/len is what follows them. */
static void ipv6_ext(snb_dctx_t *c, uint8_t nh, const uint8_t *p, uint32_t len)
{
    for (;;) {
        uint32_t hl;
        switch (nh) {
        case 0:  /* hop-by-hop */
        case 43: /* routing */
        case 60: /* destination options */
            if (len < 8) {
                snb_mark(c, SNB_P_ERR_TRUNCATED);
                return;
            }
            hl = ((uint32_t)p[1] + 1) * 8;
            break;
        case 51: /* AH: length in 4-byte units minus 2 */
            if (len < 8) {
                snb_mark(c, SNB_P_ERR_TRUNCATED);
                return;
            }
            hl = ((uint32_t)p[1] + 2) * 4;
            break;
        case 44: { /* fragment */
            if (len < 8) {
                snb_mark(c, SNB_P_ERR_TRUNCATED);
                return;
            }
            uint16_t fo = snb_rd16(p + 2);
            uint8_t fnh = p[0];
            uint32_t id = snb_rd32(p + 4);
            p += 8;
            len -= 8;
            c->seg_len -= 8;
            if ((fo & 0xfff9) == 0) { /* atomic fragment (RFC 6946) */
                nh = fnh;
                continue;
            }
            c->dec->st->ip_fragments++;
            if (c->pkt.flags & SNB_PKT_TRUNCATED) {
                snb_mark(c, SNB_P_ERR_TRUNCATED);
                return;
            }
            snb_frag_key_t k;
            frag_key(&k, c, id, 0);
            uint8_t *buf;
            uint32_t blen;
            uint8_t onh;
            if (snb_ip_reasm_add(c->dec->ipr, &k, fo & 0xfff8, fo & 1, fnh, p, len, c->pkt.ts_us,
                                 &buf, &blen, &onh)) {
                c->pkt.flags |= SNB_PKT_REASSEMBLED_IP;
                c->seg_len = blen;
                ipv6_ext(c, onh, buf, blen);
                free(buf);
            }
            return;
        }
        case 50: /* ESP: encrypted from here */
            snb_mark(c, SNB_P_OTHER_TRANSPORT);
            return;
        case 59: /* no next header */
            return;
        default:
            snb_decode_transport(c, nh, p, len);
            return;
        }
        if (hl > len) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            return;
        }
        nh = p[0];
        p += hl;
        len -= hl;
        c->seg_len -= hl;
    }
}

void snb_decode_ipv6(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 40) {
        if (len && (p[0] >> 4) == 6) snb_mark(c, SNB_P_IPV6);
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    if ((p[0] >> 4) != 6) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    snb_mark(c, SNB_P_IPV6);
    uint32_t plen = snb_rd16(p + 4);
    if (plen == 0) plen = len - 40; /* jumbogram or TSO: trust the capture */
    c->seg_len = plen;
    if (plen > len - 40) {
        plen = len - 40;
        c->pkt.flags |= SNB_PKT_TRUNCATED;
    }
    set_addr6(&c->pkt.src, p + 8);
    set_addr6(&c->pkt.dst, p + 24);
    ipv6_ext(c, p[6], p + 40, plen);
}

static void decode_udp(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 8) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    snb_mark(c, SNB_P_UDP);
    uint32_t ulen = snb_rd16(p + 4);
    if (ulen < 8) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    uint32_t plen;
    if (ulen <= len) {
        plen = ulen - 8;
    } else {
        plen = len - 8;
        c->pkt.flags |= SNB_PKT_TRUNCATED;
    }
    uint16_t dport = snb_rd16(p + 2);
    if (__builtin_expect(dport == VXLAN_PORT, 0) && plen >= 8 && (p[8] & 0x08)) {
        /* VXLAN: flags(1, I bit 0x08) reserved(3) VNI(3) reserved(1), then Ethernet */
        snb_mark(c, SNB_P_VXLAN);
        if (snb_tunnel_enter(c) == 0) snb_decode_ether(c, p + 16, plen - 8);
        return;
    }
    c->pkt.sport = snb_rd16(p);
    c->pkt.dport = dport;
    c->pkt.transport = SNB_TRANSPORT_UDP;
    c->pkt.payload = p + 8;
    c->pkt.payload_len = plen;
    c->dec->cb(c->dec->ud, &c->pkt);
}

static void decode_tcp(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 20) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    snb_mark(c, SNB_P_TCP);
    uint32_t doff = (uint32_t)(p[12] >> 4) * 4;
    if (doff < 20) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    if (doff > len) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    c->pkt.sport = snb_rd16(p);
    c->pkt.dport = snb_rd16(p + 2);
    c->pkt.transport = SNB_TRANSPORT_TCP;
    c->pkt.payload = p + doff;
    c->pkt.payload_len = len - doff;
    /* The sequence space covered is what the IP header says, even when the
     * capture holds less (snaplen). */
    uint32_t seglen = c->seg_len >= doff ? c->seg_len - doff : 0;
    if (seglen < len - doff) seglen = len - doff;
    snb_tcp_reasm_segment(c->dec->tcp, &c->pkt, snb_rd32(p + 4), p[13] & 0x07, seglen);
}

static void decode_sctp(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 12) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    snb_mark(c, SNB_P_SCTP);
    c->pkt.sport = snb_rd16(p);
    c->pkt.dport = snb_rd16(p + 2);
    c->pkt.transport = SNB_TRANSPORT_SCTP;
    c->pkt.payload = p + 12;
    c->pkt.payload_len = len - 12;
    c->dec->cb(c->dec->ud, &c->pkt);
}

void snb_decode_transport(snb_dctx_t *c, uint8_t proto, const uint8_t *p, uint32_t len)
{
    switch (proto) {
    case 17:
        decode_udp(c, p, len);
        break;
    case 6:
        decode_tcp(c, p, len);
        break;
    case 132:
        decode_sctp(c, p, len);
        break;
    case 1:
    case 58:
        snb_mark(c, SNB_P_ICMP);
        break;
    case 4:
        snb_mark(c, SNB_P_IPIP);
        if (snb_tunnel_enter(c) == 0) snb_decode_ipv4(c, p, len);
        break;
    case 41:
        snb_mark(c, SNB_P_IPIP);
        if (snb_tunnel_enter(c) == 0) snb_decode_ipv6(c, p, len);
        break;
    case 47:
        snb_decode_gre(c, p, len);
        break;
    default:
        snb_mark(c, SNB_P_OTHER_TRANSPORT);
        break;
    }
}
