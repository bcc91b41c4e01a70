/* TLS record reassembly (see tls_record.h). */
#include <stdlib.h>
#include <string.h>

#include "tls_record.h"

/* A buffer this big is given back once its record is done. */
#define KEEP_CAP 4096

bool tls_record_header_ok(const uint8_t *h)
{
    size_t len = (size_t)h[3] << 8 | h[4];
    return h[0] >= TLS_CT_CHANGE_CIPHER_SPEC && h[0] <= TLS_CT_HEARTBEAT && h[1] == 3 &&
           h[2] <= 4 && len <= TLS_RECORD_MAX;
}

static tls_record_t record_at(const uint8_t *p)
{
    return (tls_record_t){.type = p[0],
                          .version = (uint16_t)(p[1] << 8 | p[2]),
                          .hdr = p,
                          .body = p + TLS_RECORD_HEADER,
                          .len = (size_t)p[3] << 8 | p[4]};
}

/* Bytes the record starting at p (with have bytes of it) still needs, or
 * SIZE_MAX for a header that is not TLS. */
static size_t missing(const uint8_t *p, size_t have)
{
    if (have < TLS_RECORD_HEADER) return TLS_RECORD_HEADER - have;
    if (!tls_record_header_ok(p)) return SIZE_MAX;
    size_t total = TLS_RECORD_HEADER + ((size_t)p[3] << 8 | p[4]);
    return have < total ? total - have : 0;
}

static void release(tls_reasm_t *r, tls_budget_t *b)
{
    if (b) b->used -= r->cap;
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
}

/* Room for want bytes, charged to the budget. */
static bool reserve(tls_reasm_t *r, tls_budget_t *b, size_t want)
{
    if (want <= r->cap) return true;
    if (b && b->used - r->cap + want > b->max) return false;
    uint8_t *nb = realloc(r->buf, want);
    if (!nb) return false;
    if (b) b->used = b->used - r->cap + want;
    r->buf = nb;
    r->cap = want;
    return true;
}

/* Keep the n bytes of a partial record (n < its total size). */
static int keep(tls_reasm_t *r, tls_budget_t *b, const uint8_t *data, size_t n)
{
    size_t want = n < TLS_RECORD_HEADER ? TLS_RECORD_HEADER : n + missing(data, n);
    if (!reserve(r, b, want)) {
        r->len = 0;
        return TLS_REASM_NO_ROOM;
    }
    memmove(r->buf + r->len, data, n);
    r->len += n;
    return TLS_REASM_OK;
}

int tls_reasm_feed(tls_reasm_t *r, tls_budget_t *b, const uint8_t *data, size_t n, tls_record_cb cb,
                   void *ud)
{
    /* First finish a buffered partial record. */
    while (r->len && n) {
        size_t need = missing(r->buf, r->len);
        if (need == SIZE_MAX) goto bad;
        size_t k = need < n ? need : n;
        if (r->len < TLS_RECORD_HEADER && r->len + k >= TLS_RECORD_HEADER) {
            /* the header completes: is it TLS, and how big is the record? */
            uint8_t hdr[TLS_RECORD_HEADER];
            memcpy(hdr, r->buf, r->len);
            memcpy(hdr + r->len, data, TLS_RECORD_HEADER - r->len);
            if (!tls_record_header_ok(hdr)) goto bad;
            k = TLS_RECORD_HEADER - r->len;
            if (!reserve(r, b, TLS_RECORD_HEADER + ((size_t)hdr[3] << 8 | hdr[4]))) {
                r->len = 0;
                return TLS_REASM_NO_ROOM;
            }
        }
        memcpy(r->buf + r->len, data, k);
        r->len += k;
        data += k;
        n -= k;
        if (missing(r->buf, r->len)) continue;
        tls_record_t rec = record_at(r->buf);
        bool more = cb(ud, &rec);
        r->len = 0;
        if (r->cap > KEEP_CAP) release(r, b);
        if (!more) return TLS_REASM_OK;
    }
    if (r->len) return TLS_REASM_OK; /* all of data went into the partial record */
    /* Whole records straight from the data. */
    while (n) {
        size_t need = missing(data, n);
        if (need == SIZE_MAX) goto bad;
        if (need) return keep(r, b, data, n);
        tls_record_t rec = record_at(data);
        data += TLS_RECORD_HEADER + rec.len;
        n -= TLS_RECORD_HEADER + rec.len;
        if (!cb(ud, &rec)) return TLS_REASM_OK;
    }
    return TLS_REASM_OK;
bad:
    r->len = 0;
    return TLS_REASM_NOT_TLS;
}

size_t tls_reasm_pending(const tls_reasm_t *r)
{
    return r->len;
}

void tls_reasm_reset(tls_reasm_t *r, tls_budget_t *b)
{
    release(r, b);
}
