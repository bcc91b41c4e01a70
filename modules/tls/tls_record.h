/* The TLS record layer over one direction of a TCP stream (RFC 8446 5.1):
 * 5-byte headers (content type, legacy version, length), records split
 * over segments or several in one segment. A record complete in the data
 * is handed out from the data itself; only a partial record is copied,
 * into a buffer that never exceeds one record. */
#ifndef SNB_TLS_RECORD_H
#define SNB_TLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_RECORD_HEADER 5
/* The largest record body: TLS 1.2's 2^14 + 2048 (1.3 allows 2^14 + 256). */
#define TLS_RECORD_MAX (16384 + 2048)

enum tls_content_type {
    TLS_CT_CHANGE_CIPHER_SPEC = 20,
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
    TLS_CT_APPLICATION_DATA = 23,
    TLS_CT_HEARTBEAT = 24,
};

typedef struct tls_record {
    uint8_t type;
    uint16_t version;
    const uint8_t *hdr; /* the 5 header bytes */
    const uint8_t *body;
    size_t len;
} tls_record_t;

typedef struct tls_reasm {
    uint8_t *buf; /* a partial record: header + body so far */
    size_t len, cap;
} tls_reasm_t;

/* Bytes buffered by every reassembler that shares it, and their cap. */
typedef struct tls_budget {
    size_t used, max;
} tls_budget_t;

/* Called per complete record; return false to stop (the rest is dropped). */
typedef bool (*tls_record_cb)(void *ud, const tls_record_t *rec);

/* Does a 5-byte header look like TLS? */
bool tls_record_header_ok(const uint8_t *hdr);
enum { TLS_REASM_OK = 0, TLS_REASM_NOT_TLS = -1, TLS_REASM_NO_ROOM = -2 };
/* Feed in-order stream bytes. Returns TLS_REASM_OK, TLS_REASM_NOT_TLS (a
 * bad header: the direction is lost) or TLS_REASM_NO_ROOM (the budget or
 * memory ran out for a partial record). The buffer holds what the partial
 * record needs, no more, and is charged to budget. */
int tls_reasm_feed(tls_reasm_t *r, tls_budget_t *budget, const uint8_t *data, size_t n,
                   tls_record_cb cb, void *ud);
/* Bytes held for a partial record. */
size_t tls_reasm_pending(const tls_reasm_t *r);
/* Drop the partial record and its buffer. */
void tls_reasm_reset(tls_reasm_t *r, tls_budget_t *budget);

#endif
