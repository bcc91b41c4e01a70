/* GRE (RFC 2784/2890) and what rides in it: IPv4/IPv6, transparent Ethernet
 * bridging, ERSPAN types I, II and III; and PPTP's enhanced GRE (version 1,
 * RFC 2637) carrying PPP. (IP-in-IP and VXLAN are a single dispatch each and
 * live with IP and UDP in decode_ip.c.)
 *
 * GRE with ERSPAN counts as one tunnel level: tunnel_depth is the number of
 * encapsulations peeled (GRE, IPIP, VXLAN), not of headers. */
#include "decode_int.h"

#define GRE_C 0x8000 /* checksum + reserved1 present */
#define GRE_R 0x4000 /* RFC 1701 routing: obsolete, not decoded */
#define GRE_K 0x2000 /* key present */
#define GRE_S 0x1000 /* sequence number present */
#define GRE_A 0x0080 /* enhanced GRE: acknowledgment number present */
#define GRE_VERSION 0x0007

#define GRE_IPV4 0x0800
#define GRE_IPV6 0x86dd
#define GRE_TEB 0x6558     /* transparent Ethernet bridging */
#define GRE_ERSPAN2 0x88be /* ERSPAN type II (type I when S is clear) */
#define GRE_ERSPAN3 0x22eb
#define GRE_PPP 0x880b

static void decode_erspan3(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    /* ver(4) vlan(12) cos/bso/t/session(16) | timestamp(32) |
     * sgt(16) p/ft/hwid/d/gra/o(16); O (lowest bit) adds an 8-byte
     * platform-specific subheader. */
    if (len < 12) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    if ((p[0] >> 4) != 2) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    uint32_t hl = (p[11] & 0x01) ? 20 : 12;
    if (len < hl) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    snb_decode_ether(c, p + hl, len - hl);
}

/* Enhanced GRE (RFC 2637 section 4.1): the key is mandatory and holds the
 * payload length and call ID; sequence and acknowledgment numbers are
 * optional (an ack-only packet carries no payload). */
static void decode_gre_enhanced(snb_dctx_t *c, uint16_t fl, uint16_t proto, const uint8_t *p,
                                uint32_t len)
{
    if (proto != GRE_PPP || !(fl & GRE_K) || (fl & (GRE_C | GRE_R))) {
        snb_mark(c, SNB_P_ERR_BAD_HEADER);
        return;
    }
    uint32_t hl = 8 + ((fl & GRE_S) ? 4 : 0) + ((fl & GRE_A) ? 4 : 0);
    if (len < hl) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    uint32_t payload = snb_rd16(p + 4);
    p += hl;
    len -= hl;
    if (payload && payload < len) len = payload; /* the key's length bounds the PPP frame */
    if (len == 0) { /* an acknowledgment alone, unless the key announced a payload */
        if (payload) snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    if (snb_tunnel_enter(c) < 0) return;
    snb_decode_ppp(c, p, len);
}

void snb_decode_gre(snb_dctx_t *c, const uint8_t *p, uint32_t len)
{
    if (len < 4) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    snb_mark(c, SNB_P_GRE);
    uint16_t fl = snb_rd16(p);
    uint16_t proto = snb_rd16(p + 2);
    if ((fl & GRE_VERSION) == 1) {
        decode_gre_enhanced(c, fl, proto, p, len);
        return;
    }
    if ((fl & GRE_VERSION) != 0 || (fl & GRE_R)) {
        snb_mark(c, SNB_P_OTHER_NET); /* versions 2-7, source routing: not decoded */
        return;
    }
    uint32_t hl = 4 + ((fl & GRE_C) ? 4 : 0) + ((fl & GRE_K) ? 4 : 0) + ((fl & GRE_S) ? 4 : 0);
    if (len < hl) {
        snb_mark(c, SNB_P_ERR_TRUNCATED);
        return;
    }
    p += hl;
    len -= hl;
    if (proto == GRE_ERSPAN2 || proto == GRE_ERSPAN3) snb_mark(c, SNB_P_ERSPAN);
    if (snb_tunnel_enter(c) < 0) return;
    switch (proto) {
    case GRE_IPV4:
        snb_decode_ipv4(c, p, len);
        break;
    case GRE_IPV6:
        snb_decode_ipv6(c, p, len);
        break;
    case GRE_TEB:
        snb_decode_ether(c, p, len);
        break;
    case GRE_ERSPAN2:
        if (!(fl & GRE_S)) { /* type I: no ERSPAN header */
            snb_decode_ether(c, p, len);
            break;
        }
        /* ver(4)=1 vlan(12) cos/en/t/session(16) | reserved(12) index(20) */
        if (len < 8) {
            snb_mark(c, SNB_P_ERR_TRUNCATED);
            break;
        }
        if ((p[0] >> 4) != 1) {
            snb_mark(c, SNB_P_ERR_BAD_HEADER);
            break;
        }
        snb_decode_ether(c, p + 8, len - 8);
        break;
    case GRE_ERSPAN3:
        decode_erspan3(c, p, len);
        break;
    default:
        snb_mark(c, SNB_P_OTHER_NET);
        break;
    }
}
