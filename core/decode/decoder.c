/* Frame entry point, link layers (Ethernet, 802.1Q/QinQ, SLL/SLL2, raw IP,
 * NULL/LOOP, PPPoE), PPP, ethertype dispatch, lazy expiry and the counters.
 *
 * The per-frame packet lives on the stack and only the fields every layer
 * relies on are initialised here; the rest are written by the layer that owns
 * them before anything is delivered, so the common UDP path does no memset. */
#include "decode_int.h"

#include <stddef.h>
#include <stdlib.h>

#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_ARP 0x0806
#define ETH_PPPOE_SESS 0x8864
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

/* Index (in uint64_t units) of each bit's counter in snb_decode_stats_t. */
#define OFF(f) (uint8_t)(offsetof(snb_decode_stats_t, f) / sizeof(uint64_t))
static const uint8_t proto_counter[SNB_P_COUNT] = {
    [SNB_P_ETH] = OFF(link_ethernet),
    [SNB_P_SLL] = OFF(link_sll),
    [SNB_P_SLL2] = OFF(link_sll2),
    [SNB_P_RAW] = OFF(link_raw),
    [SNB_P_NULL] = OFF(link_null),
    [SNB_P_VLAN] = OFF(vlan),
    [SNB_P_PPPOE] = OFF(pppoe),
    [SNB_P_PPP] = OFF(ppp),
    [SNB_P_ARP] = OFF(arp),
    [SNB_P_IPV4] = OFF(ipv4),
    [SNB_P_IPV6] = OFF(ipv6),
    [SNB_P_ICMP] = OFF(icmp),
    [SNB_P_UDP] = OFF(udp),
    [SNB_P_TCP] = OFF(tcp),
    [SNB_P_SCTP] = OFF(sctp),
    [SNB_P_GRE] = OFF(gre),
    [SNB_P_IPIP] = OFF(ipip),
    [SNB_P_VXLAN] = OFF(vxlan),
    [SNB_P_ERSPAN] = OFF(erspan),
    [SNB_P_OTHER_NET] = OFF(other_network),
    [SNB_P_OTHER_TRANSPORT] = OFF(other_transport),
    [SNB_P_ERR_TRUNCATED] = OFF(err_truncated),
    [SNB_P_ERR_BAD_HEADER] = OFF(err_bad_header),
    [SNB_P_ERR_TUNNEL_DEPTH] = OFF(err_tunnel_depth),
    [SNB_P_ERR_LINKTYPE] = OFF(err_linktype),
};

snb_decoder_t *snb_decoder_new(const snb_decode_limits_t *limits, snb_decode_stats_t *stats,
                               snb_packet_cb cb, void *ud)
{
    static const uint8_t empty[1];
    snb_decoder_t *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->lim = *limits;
    d->st = stats;
    d->cb = cb;
    d->ud = ud;
    d->flush_frame.data = empty;
    d->flush_frame.linktype = -1;
    d->ipr = snb_ip_reasm_new(&d->lim, stats);
    d->tcp = snb_tcp_reasm_new(&d->lim, stats, cb, ud);
    if (!d->ipr || !d->tcp) {
        snb_decoder_free(d);
        return NULL;
    }
    return d;
}

void snb_decoder_free(snb_decoder_t *dec)
{
    if (!dec) return;
    snb_ip_reasm_free(dec->ipr);
    snb_tcp_reasm_free(dec->tcp);
    free(dec);
}

void snb_decoder_flush(snb_decoder_t *dec)
{
    dec->flush_frame.ts_us = dec->last_ts_us;
    snb_tcp_reasm_flush(dec->tcp, &dec->flush_frame);
    snb_ip_reasm_flush(dec->ipr);
}

/* The network protocols PPP carries that we decode. */
static void decode_ppp_protocol(snb_dctx_t *c, uint16_t proto, const uint8_t *p, uint32_t len)
{
    snb_mark(c, SNB_P_PPP);
    if (proto == PPP_IPV4)
        snb_decode_ipv4(c, p, len);
    else if (proto == PPP_IPV6)
        snb_decode_ipv6(c, p, len);
    else
        snb_mark(c, SNB_P_OTHER_NET); /* LCP, IPCP, CCP, MPPE-compressed data, ... */
}

void snb_decode_ppp(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    /* Address and control (0xff 0x03) unless compressed away (ACFC): 0xff
     * is never a protocol's first byte. A protocol with an odd first byte is
     * one byte long (PFC, RFC 1661). */
    if (len >= 1 && p[0] == 0xff) {
        if (len < 2) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            return;
        }
        if (p[1] != 0x03) {
            snb_mark(c, SNB_P_ERR_BAD_HEADER);
            return;
        }
        p += 2;
        len -= 2;
    }
    if (len < 1 || (!(p[0] & 1) && len < 2)) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    uint32_t pl = (p[0] & 1) ? 1 : 2;
    uint16_t proto = pl == 1 ? p[0] : snb_rd16(p);
    decode_ppp_protocol(c, proto, p + pl, len - pl);
}

/* PPPoE session stage: 6-byte header, then a 2-byte PPP protocol. */
static void decode_pppoe(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 8) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    if (p[0] != 0x11 || p[1] != 0x00) { /* version 1, type 1, code 0 (session data) */
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    snb_mark(c, SNB_P_PPPOE);
    uint32_t plen = snb_rd16(p + 4); /* PPP protocol + payload */
    if (plen < 2) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    len -= 6;
    if (plen < len) len = plen; /* drop Ethernet padding */
    decode_ppp_protocol(c, snb_rd16(p + 6), p + 8, len - 2);
}

void snb_decode_ethertype(snb_dctx_t *c, uint16_t type, const uint8_t *p, uint32_t len)
{
    /* 802.1Q / 802.1ad tags: the loop is bounded by the frame length. */
    while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
        if (len < 4) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            return;
        }
        snb_mark(c, SNB_P_VLAN);
        if (c->pkt.vlan_count < SNB_MAX_VLANS)
            c->pkt.vlan[c->pkt.vlan_count++] = snb_rd16(p) & 0x0fff;
        type = snb_rd16(p + 2);
        p += 4;
        len -= 4;
    }
    switch (type) {
    case ETH_IPV4:
        snb_decode_ipv4(c, p, len);
        break;
    case ETH_IPV6:
        snb_decode_ipv6(c, p, len);
        break;
    case ETH_ARP:
        snb_mark(c, SNB_P_ARP);
        break;
    case ETH_PPPOE_SESS:
        decode_pppoe(c, p, len);
        break;
    default:
        /* Includes 802.3 length fields (<= 1500, LLC/STP/CDP follow). */
        snb_mark(c, SNB_P_OTHER_NET);
        break;
    }
}

void snb_decode_ether(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 14) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    snb_decode_ethertype(c, snb_rd16(p + 12), p + 14, len - 14);
}

/* Raw IP: the version nibble says which. */
static void decode_raw(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 1) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    if ((p[0] >> 4) == 4)
        snb_decode_ipv4(c, p, len);
    else if ((p[0] >> 4) == 6)
        snb_decode_ipv6(c, p, len);
    else
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
}

/* BSD loopback address family: 2 is AF_INET everywhere; AF_INET6 is 24
 * (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
static void decode_af(snb_dctx_t *c, uint32_t af, const uint8_t *p, uint32_t len)
{
    if (af == 2)
        snb_decode_ipv4(c, p, len);
    else if (af == 24 || af == 28 || af == 30)
        snb_decode_ipv6(c, p, len);
    else
        snb_mark(c, SNB_P_OTHER_NET);
}

static void decode_link(snb_dctx_t *c, const snb_frame_t *f)
{
    const uint8_t *p = f->data;
    uint32_t len = f->caplen;
    switch (f->linktype) {
    case SNB_LINK_ETHERNET:
        snb_mark(c, SNB_P_ETH);
        snb_decode_ether(c, p, len);
        break;
    case SNB_LINK_RAW:
    case SNB_LINK_RAW_ALT:
    case SNB_LINK_RAW_ALT2:
    case SNB_LINK_IPV4:
    case SNB_LINK_IPV6:
        snb_mark(c, SNB_P_RAW);
        decode_raw(c, p, len);
        break;
    case SNB_LINK_LINUX_SLL:
        /* type(2) arphrd(2) addrlen(2) addr(8) protocol(2) */
        snb_mark(c, SNB_P_SLL);
        if (len < 16) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            break;
        }
        snb_decode_ethertype(c, snb_rd16(p + 14), p + 16, len - 16);
        break;
    case SNB_LINK_LINUX_SLL2:
        /* protocol(2) reserved(2) ifindex(4) arphrd(2) type(1) addrlen(1) addr(8) */
        snb_mark(c, SNB_P_SLL2);
        if (len < 20) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            break;
        }
        snb_decode_ethertype(c, snb_rd16(p), p + 20, len - 20);
        break;
    case SNB_LINK_NULL: {
        snb_mark(c, SNB_P_NULL);
        if (len < 4) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            break;
        }
        /* Host byte order of the capturing machine: accept both. */
        uint32_t af =
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (af > 0xffff) af = snb_rd32(p);
        decode_af(c, af, p + 4, len - 4);
        break;
    }
    case SNB_LINK_LOOP:
        snb_mark(c, SNB_P_NULL);
        if (len < 4) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            break;
        }
        decode_af(c, snb_rd32(p), p + 4, len - 4);
        break;
    default:
        snb_mark(c, SNB_P_ERR_LINKTYPE);
        break;
    }
}

/* At most one sweep per second of capture time; a clock that jumps back
 * (files concatenated, epoch-0 timestamps) re-arms the sweep. */
static void maybe_expire(snb_decoder_t *dec, const snb_frame_t *f)
{
    uint64_t now = f->ts_us;
    if (now < dec->next_sweep_us && now + 2000000 > dec->next_sweep_us) return;
    dec->next_sweep_us = now + 1000000;
    snb_ip_reasm_expire(dec->ipr, now);
    snb_tcp_reasm_expire(dec->tcp, now, f);
}

void snb_decoder_feed(snb_decoder_t *dec, const snb_frame_t *frame)
{
    snb_decode_stats_t *st = dec->st;
    st->frames++;
    st->bytes += frame->wirelen;
    dec->last_ts_us = frame->ts_us;
    maybe_expire(dec, frame);

    snb_dctx_t c;
    c.dec = dec;
    c.protos = 0;
    c.pkt.ts_us = frame->ts_us;
    c.pkt.frame = frame;
    c.pkt.vlan_count = 0;
    c.pkt.vlan[0] = c.pkt.vlan[1] = 0;
    c.pkt.tunnel_depth = 0;
    c.pkt.flags = 0;
    c.pkt.stream_id = 0;
    c.pkt.stream_offset = 0;
    if (frame->data == NULL && frame->caplen) {
        st->err_truncated++;
        return;
    }
    decode_link(&c, frame);

    uint64_t *ctr = (uint64_t *)st;
    for (uint32_t m = c.protos; m; m &= m - 1)
        ctr[proto_counter[__builtin_ctz(m)]]++;
}
