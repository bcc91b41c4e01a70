/* Pieces of the framer that are pure byte-format helpers: WebSocket
 * (RFC 6455) handshake and frame headers, SCTP (RFC 9260) chunk walking.
 * Internal to the module; exposed for the unit tests and fuzzers. */
#ifndef SNB_SIP_FRAMER_INT_H
#define SNB_SIP_FRAMER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- WebSocket (sip_ws.c) ---- */

#define SIP_WS_MAX_HANDSHAKE 8192 /* bytes of an HTTP Upgrade request/response */

/* Does data start with an HTTP Upgrade to websocket (the client's GET or
 * the server's 101)? 1: yes, *hdr_len = bytes through the empty line;
 * 0: no; -1: could be, the header block is not complete yet. */
int sip_ws_upgrade(const char *data, size_t len, size_t *hdr_len);

typedef struct sip_ws_frame {
    bool fin;
    bool masked;
    uint8_t rsv;    /* RSV1-3 bits; non-zero means an extension (e.g. deflate) */
    uint8_t opcode; /* 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong */
    uint8_t mask[4];
    uint32_t hdr_len;     /* 2..14 */
    uint64_t payload_len; /* < 2^63 */
} sip_ws_frame_t;

/* 1: header complete in data; 0: need more bytes; -1: not a valid frame
 * (reserved opcode, 64-bit length with the top bit set, bad control frame). */
int sip_ws_frame_parse(const uint8_t *data, size_t len, sip_ws_frame_t *fr);

/* dst[i] = src[i] ^ mask[(pos + i) & 3]; dst may equal src. */
void sip_ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], uint64_t pos);

/* ---- SCTP (sip_sctp.c) ---- */

#define SIP_SCTP_DATA 0
#define SIP_SCTP_IDATA 64 /* RFC 8260 */
#define SIP_SCTP_FLAG_E 0x01
#define SIP_SCTP_FLAG_B 0x02

typedef struct sip_sctp_chunk {
    uint8_t type, flags;
    uint16_t length;        /* as written: header + value, without padding */
    const uint8_t *payload; /* DATA / I-DATA user data; else the chunk value */
    uint32_t payload_len;
    uint32_t ppid; /* DATA only */
    uint32_t tsn;  /* DATA / I-DATA */
    uint16_t sid;  /* DATA / I-DATA stream identifier */
} sip_sctp_chunk_t;

/* Next chunk at *off (advanced past it and its padding). 1: *c filled;
 * 0: end of data or a chunk that does not fit (walk stops). */
int sip_sctp_next(const uint8_t *data, size_t len, size_t *off, sip_sctp_chunk_t *c);

#endif
