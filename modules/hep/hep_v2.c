/* HEP v1/v2 decode (Kamailio siptrace/sipcapture, captagent 4, sngrep -H
 * with eep.send.version 2).
 *
 *   hep_hdr   8 bytes: version, hp_l, family (2|10), transport,
 *                      sport, dport (network order)
 *   addresses 8 (IPv4 src, dst) or 32 (IPv6 src, dst), network order
 *   v2 only: hep_timehdr, the sender's unpacked C struct, 12 bytes:
 *             tv_sec u32, tv_usec u32, captid u16, 2 bytes padding,
 *             little endian (Kamailio writes to_le(); sngrep and captagent
 *             write host order, i.e. little endian on x86/arm)
 *   payload   the rest of the datagram
 *
 * hp_l is ignored: Kamailio puts header+addresses there (16/40), sngrep
 * 1.6.0 the high byte of the total length. */
#include "hep_codec.h"

#include <string.h>

#define HEP12_HDR 8
#define HEP2_TIME_HDR 12

static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int hep_decode_v12(const uint8_t *data, size_t len, hep_packet_t *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 1 || (data[0] != 1 && data[0] != 2)) return HEP_NOT_HEP;
    if (len < HEP12_HDR) return HEP_TRUNCATED;
    size_t alen;
    if (data[2] == 2)
        alen = 4;
    else if (data[2] == 10)
        alen = 16;
    else
        return HEP_NOT_HEP;
    size_t hdr = HEP12_HDR + 2 * alen + (data[0] == 2 ? HEP2_TIME_HDR : 0);
    if (len < hdr) return HEP_TRUNCATED;

    out->version = data[0];
    out->ip_family = alen == 4 ? 4 : 6;
    out->ip_proto = data[3];
    out->sport = (uint16_t)((data[4] << 8) | data[5]);
    out->dport = (uint16_t)((data[6] << 8) | data[7]);
    out->src.family = out->dst.family = out->ip_family;
    memcpy(out->src.a, data + HEP12_HDR, alen);
    memcpy(out->dst.a, data + HEP12_HDR + alen, alen);
    if (data[0] == 2) {
        const uint8_t *t = data + HEP12_HDR + 2 * alen;
        out->ts_sec = rd32le(t);
        out->ts_usec = rd32le(t + 4);
        out->capture_id = (uint32_t)t[8] | ((uint32_t)t[9] << 8);
    }
    out->proto_type = HEP_PROTO_SIP; /* v1/v2 only ever carried SIP */
    if (len == hdr) return HEP_MISSING;
    if (len - hdr > UINT32_MAX) return HEP_TOO_BIG;
    out->payload = data + hdr;
    out->payload_len = (uint32_t)(len - hdr);
    return HEP_OK;
}
