/* HEP v3 decode/encode, the version dispatch and framing helpers.
 * v1/v2 live in hep_v2.c. Byte orders: see docs/modules/hep-protocol.md. */
#include "hep_codec.h"

#include <string.h>
#include <zlib.h>

#define HEP3_HDR_LEN 6
#define HEP3_CHUNK_HDR 6
#define HEP3_MAX_LEN 65535u

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

const char *hep_strerror(int err)
{
    switch (err) {
    case HEP_OK:
        return "ok";
    case HEP_NOT_HEP:
        return "not a HEP packet";
    case HEP_TRUNCATED:
        return "truncated HEP packet";
    case HEP_BAD_LENGTH:
        return "bad HEP length";
    case HEP_BAD_CHUNK:
        return "bad HEP chunk";
    case HEP_MISSING:
        return "HEP packet without payload or addresses";
    case HEP_INFLATE:
        return "cannot inflate compressed HEP payload";
    case HEP_TOO_BIG:
        return "HEP packet or payload too big";
    default:
        return "unknown HEP error";
    }
}

static bool is_hep3(const uint8_t *data, size_t len)
{
    return len >= 4 && memcmp(data, "HEP3", 4) == 0;
}

/* Bytes of the v1/v2 header at d (8 + addresses + v2 time header), or 0 if
 * version/family do not fit. hp_l (byte 1) is not used: senders disagree on
 * it (Kamailio: header+addresses, sngrep: garbage). */
static size_t v12_header_len(const uint8_t *d, size_t len)
{
    if (len < 8 || (d[0] != 1 && d[0] != 2)) return 0;
    size_t need = 8;
    if (d[2] == 2)
        need += 8;
    else if (d[2] == 10)
        need += 32;
    else
        return 0;
    if (d[0] == 2) need += 12;
    return need;
}

/* v1/v2 plausibility: a known transport (22 is Kamailio's TLS/WS marker) and
 * the whole header present. */
static bool looks_like_v12(const uint8_t *d, size_t len)
{
    size_t hdr = v12_header_len(d, len);
    if (hdr == 0 || len < hdr) return false;
    return d[3] == 17 || d[3] == 6 || d[3] == 132 || d[3] == 22;
}

bool hep_looks_like(const uint8_t *data, size_t len)
{
    if (!data) return false;
    if (is_hep3(data, len)) return len < HEP3_HDR_LEN || rd16(data + 4) >= HEP3_HDR_LEN;
    return looks_like_v12(data, len);
}

long hep_frame_length(const uint8_t *data, size_t len)
{
    if (!data || len == 0) return 0;
    size_t n = len < 4 ? len : 4;
    if (memcmp(data, "HEP3", n) == 0) {
        if (len < HEP3_HDR_LEN) return 0;
        uint16_t total = rd16(data + 4);
        if (total < HEP3_HDR_LEN) return HEP_BAD_LENGTH;
        return total;
    }
    if (data[0] == 1 || data[0] == 2) {
        if (len < 8) return 0;
        size_t hdr = v12_header_len(data, len);
        if (hdr == 0) return HEP_NOT_HEP;
        return len < hdr ? 0 : (long)len;
    }
    return HEP_NOT_HEP;
}

/* Inflate gzip (or zlib) data into scratch; raw deflate as a fallback since
 * some agents send it despite the spec's "gzip". */
static int inflate_payload(const uint8_t *src, size_t n, uint8_t *scratch, size_t cap,
                           uint32_t *out_len)
{
    if (!scratch || cap == 0) return HEP_TOO_BIG;
    static const int wbits[2] = {15 + 32, -15};
    int last = HEP_INFLATE;
    for (int i = 0; i < 2; i++) {
        z_stream zs;
        memset(&zs, 0, sizeof(zs));
        if (inflateInit2(&zs, wbits[i]) != Z_OK) return HEP_INFLATE;
        zs.next_in = (Bytef *)(uintptr_t)src;
        zs.avail_in = (uInt)n;
        zs.next_out = scratch;
        zs.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
        int rc = inflate(&zs, Z_FINISH);
        size_t produced = (size_t)zs.total_out;
        inflateEnd(&zs);
        if (rc == Z_STREAM_END) {
            *out_len = (uint32_t)produced;
            return HEP_OK;
        }
        /* Out of room (as opposed to bad data): the output filled up. */
        if ((rc == Z_BUF_ERROR || rc == Z_OK) && zs.avail_out == 0) return HEP_TOO_BIG;
        last = HEP_INFLATE;
    }
    return last;
}

static int decode_v3(const uint8_t *data, size_t len, hep_packet_t *out, uint8_t *scratch,
                     size_t scratch_len)
{
    if (len < HEP3_HDR_LEN) return HEP_TRUNCATED;
    size_t total = rd16(data + 4);
    if (total < HEP3_HDR_LEN) return HEP_BAD_LENGTH;
    if (total > len) return HEP_TRUNCATED;

    out->version = 3;
    bool have_payload = false;
    size_t off = HEP3_HDR_LEN;
    while (off < total) {
        if (total - off < HEP3_CHUNK_HDR) return HEP_BAD_CHUNK;
        const uint8_t *c = data + off;
        uint16_t vendor = rd16(c), type = rd16(c + 2), clen = rd16(c + 4);
        if (clen < HEP3_CHUNK_HDR || clen > total - off) return HEP_BAD_CHUNK;
        const uint8_t *b = c + HEP3_CHUNK_HDR;
        size_t bl = clen - HEP3_CHUNK_HDR;
        off += clen;
        if (vendor != 0) {
            out->unknown_chunks++;
            continue;
        }
        switch (type) {
        case HEP_CHUNK_IP_FAMILY:
            if (bl != 1) return HEP_BAD_CHUNK;
            /* Redundant with the address chunks, which win; kept for looks. */
            out->ip_family = b[0] == 2 ? 4 : b[0] == 10 ? 6 : 0;
            break;
        case HEP_CHUNK_IP_PROTO:
            if (bl != 1) return HEP_BAD_CHUNK;
            out->ip_proto = b[0];
            break;
        case HEP_CHUNK_SRC_IP4:
        case HEP_CHUNK_DST_IP4: {
            if (bl != 4) return HEP_BAD_CHUNK;
            snb_addr_t *a = type == HEP_CHUNK_SRC_IP4 ? &out->src : &out->dst;
            memset(a, 0, sizeof(*a));
            a->family = 4;
            memcpy(a->a, b, 4);
            break;
        }
        case HEP_CHUNK_SRC_IP6:
        case HEP_CHUNK_DST_IP6: {
            if (bl != 16) return HEP_BAD_CHUNK;
            snb_addr_t *a = type == HEP_CHUNK_SRC_IP6 ? &out->src : &out->dst;
            a->family = 6;
            memcpy(a->a, b, 16);
            break;
        }
        case HEP_CHUNK_SRC_PORT:
        case HEP_CHUNK_DST_PORT:
            if (bl != 2) return HEP_BAD_CHUNK;
            *(type == HEP_CHUNK_SRC_PORT ? &out->sport : &out->dport) = rd16(b);
            break;
        case HEP_CHUNK_TS_SEC:
        case HEP_CHUNK_TS_USEC:
            if (bl != 4) return HEP_BAD_CHUNK;
            *(type == HEP_CHUNK_TS_SEC ? &out->ts_sec : &out->ts_usec) = rd32(b);
            break;
        case HEP_CHUNK_PROTO_TYPE:
            if (bl != 1) return HEP_BAD_CHUNK;
            out->proto_type = b[0];
            break;
        case HEP_CHUNK_CAPTURE_ID:
            /* Old sngrep/hep-c sent a 16-bit id; the spec says 32. */
            if (bl == 4)
                out->capture_id = rd32(b);
            else if (bl == 2)
                out->capture_id = rd16(b);
            else
                return HEP_BAD_CHUNK;
            break;
        case HEP_CHUNK_KEEPALIVE:
            if (bl != 2) return HEP_BAD_CHUNK;
            out->keepalive = rd16(b);
            break;
        case HEP_CHUNK_VLAN:
            if (bl != 2) return HEP_BAD_CHUNK;
            out->vlan = rd16(b);
            break;
        case HEP_CHUNK_AUTH_KEY:
            out->auth_key = (const char *)b;
            out->auth_key_len = (uint16_t)bl;
            break;
        case HEP_CHUNK_CORRELATION:
            out->correlation_id = (const char *)b;
            out->correlation_id_len = (uint16_t)bl;
            break;
        case HEP_CHUNK_NODE_NAME:
            out->node_name = (const char *)b;
            out->node_name_len = (uint16_t)bl;
            break;
        case HEP_CHUNK_PAYLOAD:
            out->payload = b;
            out->payload_len = (uint32_t)bl;
            out->payload_compressed = false;
            have_payload = true;
            break;
        case HEP_CHUNK_PAYLOAD_GZ: {
            uint32_t n = 0;
            int rc = inflate_payload(b, bl, scratch, scratch_len, &n);
            if (rc != HEP_OK) return rc;
            out->payload = scratch;
            out->payload_len = n;
            out->payload_compressed = true;
            have_payload = true;
            break;
        }
        default:
            out->unknown_chunks++;
            break;
        }
    }
    if (!have_payload || out->src.family == 0 || out->src.family != out->dst.family)
        return HEP_MISSING;
    out->ip_family = out->src.family;
    return HEP_OK;
}

int hep_decode(const uint8_t *data, size_t len, hep_packet_t *out, uint8_t *scratch,
               size_t scratch_len)
{
    memset(out, 0, sizeof(*out));
    if (!data || len == 0) return HEP_NOT_HEP;
    if (len < 4) return memcmp(data, "HEP3", len) == 0 ? HEP_TRUNCATED : HEP_NOT_HEP;
    if (is_hep3(data, len)) return decode_v3(data, len, out, scratch, scratch_len);
    if (data[0] == 1 || data[0] == 2) return hep_decode_v12(data, len, out);
    return HEP_NOT_HEP;
}

/* ---- encode ------------------------------------------------------------ */

static long fixed_size(const hep_packet_t *in)
{
    if (in->src.family != in->dst.family || (in->src.family != 4 && in->src.family != 6))
        return HEP_MISSING;
    size_t alen = in->src.family == 4 ? 4 : 16;
    /* family, proto, type (uint8); ports (uint16); ts x2, capture id (uint32) */
    size_t n = HEP3_HDR_LEN + 3 * (HEP3_CHUNK_HDR + 1) + 2 * (HEP3_CHUNK_HDR + alen) +
               2 * (HEP3_CHUNK_HDR + 2) + 3 * (HEP3_CHUNK_HDR + 4);
    if (in->keepalive) n += HEP3_CHUNK_HDR + 2;
    if (in->vlan) n += HEP3_CHUNK_HDR + 2;
    if (in->auth_key) n += HEP3_CHUNK_HDR + (size_t)in->auth_key_len;
    if (in->correlation_id) n += HEP3_CHUNK_HDR + (size_t)in->correlation_id_len;
    if (in->node_name) n += HEP3_CHUNK_HDR + (size_t)in->node_name_len;
    return (long)n;
}

long hep_encoded_size_v3(const hep_packet_t *in)
{
    long n = fixed_size(in);
    if (n < 0) return n;
    return n + HEP3_CHUNK_HDR + (long)in->payload_len;
}

static uint8_t *put_chunk(uint8_t *p, uint16_t type, const void *body, size_t n)
{
    wr16(p, 0);
    wr16(p + 2, type);
    wr16(p + 4, (uint16_t)(HEP3_CHUNK_HDR + n));
    if (n) memcpy(p + HEP3_CHUNK_HDR, body, n);
    return p + HEP3_CHUNK_HDR + n;
}

static uint8_t *put_u8(uint8_t *p, uint16_t type, uint8_t v)
{
    return put_chunk(p, type, &v, 1);
}

static uint8_t *put_u16(uint8_t *p, uint16_t type, uint16_t v)
{
    uint8_t b[2];
    wr16(b, v);
    return put_chunk(p, type, b, 2);
}

static uint8_t *put_u32(uint8_t *p, uint16_t type, uint32_t v)
{
    uint8_t b[4];
    wr32(b, v);
    return put_chunk(p, type, b, 4);
}

/* gzip `in` into out[0..cap); returns the compressed size, or 0 if it does not
 * fit (the caller then sends the payload uncompressed). */
static size_t gzip_into(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    if (cap == 0) return 0;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return 0;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t produced = (size_t)zs.total_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? produced : 0;
}

long hep_encode_v3(const hep_packet_t *in, bool compress, uint8_t *buf, size_t buflen)
{
    long fixed = fixed_size(in);
    if (fixed < 0) return fixed;
    if (in->payload_len && !in->payload) return HEP_MISSING;
    size_t raw_total = (size_t)fixed + HEP3_CHUNK_HDR + in->payload_len;
    size_t limit = buflen < HEP3_MAX_LEN ? buflen : HEP3_MAX_LEN;
    /* Without compression the packet must fit as is; with it, the fixed part
     * plus an empty payload chunk must at least fit. */
    if ((size_t)fixed + HEP3_CHUNK_HDR > limit) return HEP_TOO_BIG;
    if (!compress && raw_total > limit) return HEP_TOO_BIG;

    uint8_t *p = buf;
    memcpy(p, "HEP3", 4);
    p += HEP3_HDR_LEN; /* length filled in last */
    bool v4 = in->src.family == 4;
    p = put_u8(p, HEP_CHUNK_IP_FAMILY, v4 ? 2 : 10);
    p = put_u8(p, HEP_CHUNK_IP_PROTO, in->ip_proto);
    p = put_chunk(p, v4 ? HEP_CHUNK_SRC_IP4 : HEP_CHUNK_SRC_IP6, in->src.a, v4 ? 4 : 16);
    p = put_chunk(p, v4 ? HEP_CHUNK_DST_IP4 : HEP_CHUNK_DST_IP6, in->dst.a, v4 ? 4 : 16);
    p = put_u16(p, HEP_CHUNK_SRC_PORT, in->sport);
    p = put_u16(p, HEP_CHUNK_DST_PORT, in->dport);
    p = put_u32(p, HEP_CHUNK_TS_SEC, in->ts_sec);
    p = put_u32(p, HEP_CHUNK_TS_USEC, in->ts_usec);
    p = put_u8(p, HEP_CHUNK_PROTO_TYPE, in->proto_type);
    p = put_u32(p, HEP_CHUNK_CAPTURE_ID, in->capture_id);
    if (in->keepalive) p = put_u16(p, HEP_CHUNK_KEEPALIVE, in->keepalive);
    if (in->auth_key) p = put_chunk(p, HEP_CHUNK_AUTH_KEY, in->auth_key, in->auth_key_len);
    if (in->correlation_id)
        p = put_chunk(p, HEP_CHUNK_CORRELATION, in->correlation_id, in->correlation_id_len);
    if (in->vlan) p = put_u16(p, HEP_CHUNK_VLAN, in->vlan);
    if (in->node_name) p = put_chunk(p, HEP_CHUNK_NODE_NAME, in->node_name, in->node_name_len);

    size_t room = limit - (size_t)(p - buf) - HEP3_CHUNK_HDR;
    size_t gz = 0;
    if (compress && in->payload_len > 0) {
        /* Only worth it when strictly smaller than the raw payload. */
        size_t cap = in->payload_len - 1 < room ? in->payload_len - 1 : room;
        gz = gzip_into(in->payload, in->payload_len, p + HEP3_CHUNK_HDR, cap);
    }
    if (gz > 0) {
        wr16(p, 0);
        wr16(p + 2, HEP_CHUNK_PAYLOAD_GZ);
        wr16(p + 4, (uint16_t)(HEP3_CHUNK_HDR + gz));
        p += HEP3_CHUNK_HDR + gz;
    } else {
        if (in->payload_len > room) return HEP_TOO_BIG;
        p = put_chunk(p, HEP_CHUNK_PAYLOAD, in->payload, in->payload_len);
    }
    size_t total = (size_t)(p - buf);
    wr16(buf + 4, (uint16_t)total);
    return (long)total;
}
