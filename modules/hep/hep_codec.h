/* HEP (Homer Encapsulation Protocol) codec: decode v1, v2 and v3, encode v3.
 *
 * Pure logic (zlib only, for the gzip payload chunk 0x0010); no libuv, no
 * sockets. The wire formats and byte orders are in docs/modules/hep-protocol.md.
 *
 * Ownership: hep_decode() is zero-copy. Every pointer in a decoded
 * hep_packet_t points into the input buffer, except payload when the packet
 * carried a compressed payload, which points into the caller's scratch
 * buffer. Both must outlive the packet. */
#ifndef SIPNAB_HEP_CODEC_H
#define SIPNAB_HEP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/packet.h"

/* HEP3 generic chunk types (vendor 0x0000). */
enum hep_chunk_type {
    HEP_CHUNK_IP_FAMILY = 0x0001,   /* uint8: 2 AF_INET, 10 AF_INET6 */
    HEP_CHUNK_IP_PROTO = 0x0002,    /* uint8: 17 UDP, 6 TCP, 132 SCTP */
    HEP_CHUNK_SRC_IP4 = 0x0003,     /* 4 bytes, network order */
    HEP_CHUNK_DST_IP4 = 0x0004,     /* 4 bytes */
    HEP_CHUNK_SRC_IP6 = 0x0005,     /* 16 bytes */
    HEP_CHUNK_DST_IP6 = 0x0006,     /* 16 bytes */
    HEP_CHUNK_SRC_PORT = 0x0007,    /* uint16, big endian */
    HEP_CHUNK_DST_PORT = 0x0008,    /* uint16 */
    HEP_CHUNK_TS_SEC = 0x0009,      /* uint32, big endian */
    HEP_CHUNK_TS_USEC = 0x000a,     /* uint32 */
    HEP_CHUNK_PROTO_TYPE = 0x000b,  /* uint8, enum hep_proto_type */
    HEP_CHUNK_CAPTURE_ID = 0x000c,  /* uint32 (a 2-byte body is accepted too) */
    HEP_CHUNK_KEEPALIVE = 0x000d,   /* uint16, seconds */
    HEP_CHUNK_AUTH_KEY = 0x000e,    /* octets */
    HEP_CHUNK_PAYLOAD = 0x000f,     /* octets */
    HEP_CHUNK_PAYLOAD_GZ = 0x0010,  /* octets, gzip (zlib/raw accepted on decode) */
    HEP_CHUNK_CORRELATION = 0x0011, /* octets */
    HEP_CHUNK_VLAN = 0x0012,        /* uint16 */
    HEP_CHUNK_NODE_NAME = 0x0013,   /* octets (heplify "node name"; spec: group id) */
};

/* Payload types of chunk 0x000b (HEP3 specification + heplify-server). */
enum hep_proto_type {
    HEP_PROTO_SIP = 1,
    HEP_PROTO_XMPP = 2,
    HEP_PROTO_SDP = 3,
    HEP_PROTO_RTP = 4,
    HEP_PROTO_RTCP_JSON = 5,
    HEP_PROTO_MGCP = 6,
    HEP_PROTO_MEGACO = 7, /* H.248 */
    HEP_PROTO_M2UA = 8,
    HEP_PROTO_M3UA = 9,
    HEP_PROTO_IAX = 10,
    HEP_PROTO_H322 = 11,
    HEP_PROTO_H321 = 12,
    HEP_PROTO_M2PA = 13,
    HEP_PROTO_QOS_REPORT = 32, /* JSON QoS report (Kamailio "report_capture") */
    HEP_PROTO_MOS_FULL = 34,   /* rtpagent full report (heplify-server "rtpagent") */
    HEP_PROTO_MOS_SHORT = 35,  /* short report / RTCP-XR (heplify-server "rtcpxr") */
    HEP_PROTO_HORACLIFIX = 38,
    HEP_PROTO_SIP_JSON = 50,
    HEP_PROTO_DNS_JSON = 53,
    HEP_PROTO_M3UA_ISUP_JSON = 54,
    HEP_PROTO_RTSP = 55,
    HEP_PROTO_DIAMETER = 56,
    HEP_PROTO_GSM_MAP = 57,
    HEP_PROTO_RTCP_PION = 58,
    HEP_PROTO_CDR = 60,
    HEP_PROTO_VERTO = 61,
    HEP_PROTO_LOG = 100,
};

typedef struct hep_packet {
    uint8_t version;          /* 1, 2 or 3 */
    uint8_t ip_family;        /* 4 or 6: the family of src/dst */
    uint8_t ip_proto;         /* 17 UDP, 6 TCP, 132 SCTP, ... */
    snb_addr_t src, dst;      /* chunks 0x0003/0x0004 or 0x0005/0x0006 */
    uint16_t sport, dport;    /* 0x0007 / 0x0008 */
    uint32_t ts_sec, ts_usec; /* 0x0009 / 0x000a; 0 when absent (v1) */
    uint8_t proto_type;       /* 0x000b, enum hep_proto_type; v1/v2: 1 (SIP) */
    uint32_t capture_id;      /* 0x000c; v2: the 16-bit captid; v1: 0 */
    uint16_t keepalive;       /* 0x000d */
    const char *auth_key;     /* 0x000e; NULL when absent */
    uint16_t auth_key_len;
    const uint8_t *payload; /* 0x000f, or the inflated 0x0010 (in scratch) */
    uint32_t payload_len;
    bool payload_compressed;    /* payload came as 0x0010 */
    const char *correlation_id; /* 0x0011; NULL when absent */
    uint16_t correlation_id_len;
    uint16_t vlan;         /* 0x0012 */
    const char *node_name; /* 0x0013; NULL when absent */
    uint16_t node_name_len;
    uint32_t unknown_chunks; /* vendor-specific or unknown chunks skipped */
} hep_packet_t;

enum hep_error {
    HEP_OK = 0,
    HEP_NOT_HEP = -1,    /* neither "HEP3" nor a v1/v2 header */
    HEP_TRUNCATED = -2,  /* the buffer ends before the packet does */
    HEP_BAD_LENGTH = -3, /* v3 total length below the 6-byte header */
    HEP_BAD_CHUNK = -4,  /* chunk length < 6 or past the end, bad fixed-size body */
    HEP_MISSING = -5,    /* no payload chunk, or no (or mixed-family) addresses */
    HEP_INFLATE = -6,    /* chunk 0x0010 is not valid gzip/zlib/deflate data */
    HEP_TOO_BIG = -7,    /* inflated payload > scratch; encode: > 65535 or > buflen */
};

/* A static English description of a hep_error value ("unknown" otherwise). */
const char *hep_strerror(int err);

/* Is this the start of a HEP packet? True for "HEP3", or a v1/v2 header with
 * version 1|2, family 2|10, a known transport (UDP, TCP, SCTP, or 22 which
 * Kamailio uses for TLS/WS) and room for the addresses (+ time header for v2).
 * Cheap; meant to classify datagrams/streams before hep_decode(). */
bool hep_looks_like(const uint8_t *data, size_t len);

/* Length of the HEP packet at data, for framing a TCP stream:
 * >0 its length (v3: the header's length field; v1/v2 are not self-delimiting,
 * so the whole buffer `len`), 0 need more bytes, <0 a hep_error (not HEP, or a
 * v3 length below 6). */
long hep_frame_length(const uint8_t *data, size_t len);

/* Decode the HEP packet at data (a whole datagram or one framed packet).
 * v3 decodes the first `length field` bytes and ignores anything after them;
 * v1/v2 take the rest of the buffer as payload. A gzip payload (0x0010) is
 * inflated into scratch (scratch_len bytes, e.g. 64 KiB; may be NULL/0 when
 * compressed payloads need not be supported: they then fail HEP_TOO_BIG) and
 * out->payload points there; otherwise it points into data. Never reads
 * outside data[0..len). Returns HEP_OK or a negative hep_error; *out is
 * fully (re)initialised either way but is only meaningful on HEP_OK. */
int hep_decode(const uint8_t *data, size_t len, hep_packet_t *out, uint8_t *scratch,
               size_t scratch_len);

/* Bytes hep_encode_v3() needs for `in` without compression (may exceed the
 * 65535 a HEP3 packet can hold), or a negative hep_error if `in` cannot be
 * encoded (family not 4/6, src/dst families differ). */
long hep_encoded_size_v3(const hep_packet_t *in);

/* Encode `in` as HEP v3 into buf: chunks 1-12 (family from in->src), 13 if
 * keepalive, 14 if auth_key, 17 if correlation_id, 18 if vlan, 19 if
 * node_name, then 15, or 16 (gzip) when compress is true and gzip is
 * smaller. Returns the packet length, HEP_TOO_BIG if it does not fit buf or
 * the 16-bit length, HEP_MISSING if in has no usable addresses. in->version,
 * ip_family, payload_compressed and unknown_chunks are ignored. */
long hep_encode_v3(const hep_packet_t *in, bool compress, uint8_t *buf, size_t buflen);

/* Internal (hep_v2.c): decode a v1/v2 packet; called by hep_decode(). */
int hep_decode_v12(const uint8_t *data, size_t len, hep_packet_t *out);

#endif
