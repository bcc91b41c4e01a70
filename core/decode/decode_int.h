/* Internals shared by the decoder's files: the decoder object, the per-frame
 * context and the per-frame protocol bitmask.
 *
 * Each layer ORs its bit into ctx->protos; snb_decoder_feed() adds the mask to
 * the counters once at the end of the frame, so a protocol seen twice in one
 * frame (IPv4 inside IPv4) counts once, like Wireshark's -z io,phs. */
#ifndef SNB_DECODE_INT_H
#define SNB_DECODE_INT_H

#include <stdint.h>
#include <string.h>

#include "decoder.h"
#include "ip_reasm.h"
#include "tcp_reasm.h"

/* One bit per counter that is "frames containing protocol X". */
enum snb_proto_bit {
    SNB_P_ETH,
    SNB_P_SLL,
    SNB_P_SLL2,
    SNB_P_RAW,
    SNB_P_NULL,
    SNB_P_VLAN,
    SNB_P_PPPOE,
    SNB_P_PPP,
    SNB_P_ARP,
    SNB_P_IPV4,
    SNB_P_IPV6,
    SNB_P_ICMP,
    SNB_P_UDP,
    SNB_P_TCP,
    SNB_P_SCTP,
    SNB_P_GRE,
    SNB_P_IPIP,
    SNB_P_VXLAN,
    SNB_P_ERSPAN,
    SNB_P_OTHER_NET,
    SNB_P_OTHER_TRANSPORT,
    SNB_P_ERR_TRUNCATED,
    SNB_P_ERR_BAD_HEADER,
    SNB_P_ERR_TUNNEL_DEPTH,
    SNB_P_ERR_LINKTYPE,
    SNB_P_COUNT
};

#define SNB_BIT(b) (1u << (b))

struct snb_decoder {
    snb_decode_limits_t lim;
    snb_decode_stats_t *st;
    snb_packet_cb cb;
    void *ud;
    uint64_t next_sweep_us; /* capture time of the next lazy expiry sweep */
    uint64_t last_ts_us;
    snb_frame_t flush_frame; /* stands in for "the frame" of packets made at flush */
    snb_ip_reasm_t *ipr;
    snb_tcp_reasm_t *tcp;
};

/* Per-frame state, on the stack. pkt is filled layer by layer (outer layers
 * first, inner ones overwrite addresses), so delivering is just cb(&pkt). */
typedef struct snb_dctx {
    snb_decoder_t *dec;
    uint32_t protos;
    uint32_t seg_len; /* payload length per the innermost IP header (may exceed caplen) */
    snb_packet_t pkt;
} snb_dctx_t;

static inline uint16_t snb_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t snb_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void snb_mark(snb_dctx_t *c, enum snb_proto_bit b)
{
    c->protos |= SNB_BIT(b);
}

/* Link/network entry points (decoder.c). */
void snb_decode_ether(snb_dctx_t *c, const uint8_t *p, uint32_t len);
void snb_decode_ethertype(snb_dctx_t *c, uint16_t type, const uint8_t *p, uint32_t len);
/* A PPP frame (address/control and protocol, either may be compressed), as
 * enhanced GRE carries it. */
void snb_decode_ppp(snb_dctx_t *c, const uint8_t *p, uint32_t len);

/* IP and transports (decode_ip.c). */
void snb_decode_ipv4(snb_dctx_t *c, const uint8_t *p, uint32_t len);
void snb_decode_ipv6(snb_dctx_t *c, const uint8_t *p, uint32_t len);
void snb_decode_transport(snb_dctx_t *c, uint8_t proto, const uint8_t *p, uint32_t len);

/* Tunnels (decode_tunnel.c). */
void snb_decode_gre(snb_dctx_t *c, const uint8_t *p, uint32_t len);
/* Returns 0 if the tunnel may be entered (depth incremented), -1 if over the
 * limit (counted). */
int snb_tunnel_enter(snb_dctx_t *c);

#endif
