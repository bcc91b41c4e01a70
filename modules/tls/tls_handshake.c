/* Handshake message joining and hello parsing (see tls_handshake.h). */
#include <stdlib.h>
#include <string.h>

#include "tls_handshake.h"
#include "tls_record.h"

#define HS_HEADER 4

static size_t msg_total(const uint8_t *p)
{
    return HS_HEADER + ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
}

int tls_hs_feed(tls_hs_collector_t *c, const uint8_t *data, size_t n, tls_hs_cb cb, void *ud)
{
    while (n) {
        if (c->skip) {
            size_t k = c->skip < n ? c->skip : n;
            c->skip -= (uint32_t)k;
            data += k;
            n -= k;
            continue;
        }
        if (!c->len && n >= HS_HEADER && msg_total(data) <= n) { /* whole, in place */
            size_t t = msg_total(data);
            cb(ud, data[0], data + HS_HEADER, t - HS_HEADER);
            data += t;
            n -= t;
            continue;
        }
        /* Join: first the header, then the body. */
        size_t want = c->len < HS_HEADER ? HS_HEADER : msg_total(c->buf);
        if (c->len < HS_HEADER && c->len + n >= HS_HEADER) {
            uint8_t hdr[HS_HEADER];
            if (c->len) memcpy(hdr, c->buf, c->len);
            memcpy(hdr + c->len, data, HS_HEADER - c->len);
            if (msg_total(hdr) > TLS_HS_MAX) { /* skip it, header and all */
                size_t rest = msg_total(hdr) - c->len;
                c->len = 0;
                size_t k = rest < n ? rest : n;
                c->skip = (uint32_t)(rest - k);
                data += k;
                n -= k;
                continue;
            }
        }
        if (c->cap < want) { /* the message's size, known from its header */
            uint8_t *nb = realloc(c->buf, want);
            if (!nb) {
                c->len = 0;
                return -1;
            }
            c->buf = nb;
            c->cap = want;
        }
        size_t k = want - c->len < n ? want - c->len : n;
        memcpy(c->buf + c->len, data, k);
        c->len += k;
        data += k;
        n -= k;
        if (c->len >= HS_HEADER && c->len == msg_total(c->buf)) {
            cb(ud, c->buf[0], c->buf + HS_HEADER, c->len - HS_HEADER);
            c->len = 0;
        }
    }
    return 0;
}

void tls_hs_reset(tls_hs_collector_t *c)
{
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* A bounds-checked reader. */
typedef struct reader {
    const uint8_t *p;
    size_t n;
    bool bad;
} reader_t;

static const uint8_t *take(reader_t *r, size_t k)
{
    if (r->bad || r->n < k) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += k;
    r->n -= k;
    return p;
}

static size_t take_uint(reader_t *r, size_t bytes)
{
    const uint8_t *p = take(r, bytes);
    size_t v = 0;
    for (size_t i = 0; p && i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* A vector with a length prefix of `bytes` bytes, skipped. */
static void skip_vector(reader_t *r, size_t bytes)
{
    take(r, take_uint(r, bytes));
}

bool tls_parse_client_hello(const uint8_t *body, size_t len, tls_hello_t *out)
{
    reader_t r = {body, len, false};
    memset(out, 0, sizeof *out);
    take_uint(&r, 2); /* legacy_version */
    const uint8_t *random = take(&r, TLS_RANDOM_LEN);
    skip_vector(&r, 1); /* legacy_session_id */
    skip_vector(&r, 2); /* cipher_suites */
    skip_vector(&r, 1); /* legacy_compression_methods */
    if (r.bad) return false;
    memcpy(out->random, random, TLS_RANDOM_LEN);
    return true;
}

/* SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
static const uint8_t hrr_random[TLS_RANDOM_LEN] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

#define EXT_SUPPORTED_VERSIONS 0x002b

bool tls_parse_server_hello(const uint8_t *body, size_t len, tls_hello_t *out)
{
    reader_t r = {body, len, false};
    memset(out, 0, sizeof *out);
    out->version = (uint16_t)take_uint(&r, 2);
    const uint8_t *random = take(&r, TLS_RANDOM_LEN);
    skip_vector(&r, 1); /* legacy_session_id_echo */
    out->suite = (uint16_t)take_uint(&r, 2);
    take_uint(&r, 1); /* legacy_compression_method */
    if (r.bad) return false;
    memcpy(out->random, random, TLS_RANDOM_LEN);
    out->retry = !memcmp(random, hrr_random, TLS_RANDOM_LEN);
    if (!r.n) return true; /* no extensions (TLS 1.2 may omit them) */
    reader_t ext = {take(&r, take_uint(&r, 2)), 0, r.bad};
    if (r.bad) return false;
    ext.n = (size_t)(r.p - ext.p);
    while (ext.n && !ext.bad) {
        size_t type = take_uint(&ext, 2), elen = take_uint(&ext, 2);
        const uint8_t *e = take(&ext, elen);
        if (e && type == EXT_SUPPORTED_VERSIONS && elen == 2)
            out->version = (uint16_t)(e[0] << 8 | e[1]);
    }
    return !ext.bad;
}

bool tls_starts_client_hello(const uint8_t *d, size_t n)
{
    return n >= TLS_RECORD_HEADER + 1 && d[0] == TLS_CT_HANDSHAKE && tls_record_header_ok(d) &&
           d[5] == TLS_HS_CLIENT_HELLO;
}
