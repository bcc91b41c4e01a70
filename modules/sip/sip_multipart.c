/* multipart bodies (RFC 2046 5.1) and finding the SDP of a message,
 * including the SDP part of a SIPREC (RFC 7866) multipart/mixed body. */
#include <string.h>

#include "sip_msg_int.h"

#define MAX_BOUNDARY 200 /* RFC 2046 allows 70; be lenient but bounded */
#define MAX_NESTING 4

/* A part as the walk finds it: its header block, Content-Type value and
 * body. Returning false stops the walk. */
typedef bool (*part_raw_fn)(void *ud, snb_str_t headers, snb_str_t ctype_value, snb_str_t body);

static bool is_multipart(snb_str_t ctype)
{
    return ctype.len >= 10 && snb_str_ieq(snb_str(ctype.p, 10), "multipart/");
}

static snb_str_t media_type(snb_str_t value)
{
    if (!value.p) return SNB_STR_NULL;
    const char *se = memchr(value.p, ';', value.len);
    return sip_trim(value.p, se ? se : value.p + value.len);
}

/* Next "--boundary" at a line start in [p, e); NULL if none. */
static const char *find_delim(const char *base, const char *p, const char *e, const char *delim,
                              size_t dlen)
{
    while (p < e) {
        const char *d = memmem(p, (size_t)(e - p), delim, dlen);
        if (!d) return NULL;
        if (d == base || d[-1] == '\n') return d;
        p = d + 1;
    }
    return NULL;
}

/* Headers of one part: returns the Content-Type value and sets *body. */
static snb_str_t part_headers(const char *p, const char *e, snb_str_t *body)
{
    snb_str_t ctype = SNB_STR_NULL;
    *body = snb_str(e, 0);
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *lend = nl ? nl : e;
        const char *next = nl ? nl + 1 : e;
        if (lend > p && lend[-1] == '\r') lend--;
        if (lend == p) {
            *body = snb_str(next, (size_t)(e - next));
            return ctype;
        }
        const char *colon = memchr(p, ':', (size_t)(lend - p));
        if (colon && !ctype.p) {
            snb_str_t name = sip_trim(p, colon);
            if (snb_str_ieq(name, "content-type") || snb_str_ieq(name, "c"))
                ctype = sip_trim(colon + 1, lend);
        }
        p = next;
    }
    return ctype;
}

static int walk(snb_str_t body, snb_str_t ctype_value, part_raw_fn fn, void *ud)
{
    if (!body.p || !is_multipart(media_type(ctype_value))) return -1;
    snb_str_t b = sip_param_unquoted(ctype_value, "boundary");
    if (!b.len || b.len > MAX_BOUNDARY) return -1;
    char delim[MAX_BOUNDARY + 2];
    delim[0] = delim[1] = '-';
    memcpy(delim + 2, b.p, b.len);
    size_t dlen = b.len + 2;

    const char *base = body.p, *e = body.p + body.len;
    const char *d = find_delim(base, base, e, delim, dlen); /* skips the preamble */
    if (!d) return -1;
    int parts = 0;
    for (;;) {
        const char *q = d + dlen;
        if (e - q >= 2 && q[0] == '-' && q[1] == '-') break; /* close; epilogue ignored */
        const char *nl = memchr(q, '\n', (size_t)(e - q));
        if (!nl) break;
        const char *ps = nl + 1;
        const char *nd = find_delim(base, ps, e, delim, dlen);
        const char *pe = nd ? nd : e;
        /* the CRLF before a delimiter belongs to the delimiter */
        if (nd && pe > ps && pe[-1] == '\n') pe--;
        if (nd && pe > ps && pe[-1] == '\r') pe--;
        snb_str_t pbody;
        snb_str_t pctype = part_headers(ps, pe, &pbody);
        const char *he = pbody.p > ps ? pbody.p : ps;
        parts++;
        if (!fn(ud, snb_str(ps, (size_t)(he - ps)), pctype, pbody)) break;
        if (!nd) break; /* no closing delimiter: the last part runs to the end */
        d = nd;
    }
    return parts;
}

typedef struct each_ctx {
    sip_part_fn fn;
    void *ud;
} each_ctx_t;

static bool each_cb(void *ud, snb_str_t headers, snb_str_t ctype_value, snb_str_t body)
{
    (void)headers;
    each_ctx_t *c = ud;
    snb_str_t mt = media_type(ctype_value);
    if (!mt.p) mt = SNB_STR_LIT("text/plain"); /* RFC 2046 5.1 default */
    c->fn(c->ud, mt, body);
    return true;
}

int sip_multipart_parse(snb_str_t body, snb_str_t content_type_value, sip_part_fn fn, void *ud)
{
    each_ctx_t c = {fn, ud};
    return walk(body, content_type_value, each_cb, &c);
}

int sip_multipart_each(const sip_msg_t *msg, sip_part_fn fn, void *ud)
{
    return sip_multipart_parse(msg->body, sip_msg_header(msg, "Content-Type", 0), fn, ud);
}

typedef struct sdp_ctx {
    snb_str_t found;
    int depth;
} sdp_ctx_t;

static bool sdp_cb(void *ud, snb_str_t headers, snb_str_t ctype_value, snb_str_t body)
{
    (void)headers;
    sdp_ctx_t *c = ud;
    snb_str_t mt = media_type(ctype_value);
    if (snb_str_ieq(mt, "application/sdp")) {
        c->found = body;
    } else if (is_multipart(mt) && c->depth < MAX_NESTING) {
        c->depth++;
        walk(body, ctype_value, sdp_cb, c);
        c->depth--;
    }
    return !c->found.p;
}

snb_str_t sip_msg_sdp(const sip_msg_t *msg)
{
    if (!msg->body.p || !msg->body.len) return SNB_STR_NULL;
    if (snb_str_ieq(msg->content_type, "application/sdp")) return msg->body;
    if (is_multipart(msg->content_type)) {
        sdp_ctx_t c = {SNB_STR_NULL, 0};
        walk(msg->body, sip_msg_header(msg, "Content-Type", 0), sdp_cb, &c);
        return c.found;
    }
    /* No Content-Type at all but an SDP-looking body (seen from broken UAs) */
    if (!msg->content_type.p && msg->body.len >= 4 && memcmp(msg->body.p, "v=0", 3) == 0)
        return msg->body;
    return SNB_STR_NULL;
}

/* ---- every part, with its headers (the accessors' parts walk) ---- */

/* A header of a part's header block, by the message's name rules (compact
 * forms); folded lines are not expected in MIME part headers. */
snb_str_t sip_part_header(const snb_sip_part_t *part, const char *name)
{
    const char *p = part->headers.p, *e = p ? p + part->headers.len : NULL;
    size_t nlen = strlen(name);
    sip_hdr_id_t want = sip_hdr_classify(name, nlen);
    while (p && p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *lend = nl ? nl : e;
        const char *colon = memchr(p, ':', (size_t)(lend - p));
        if (colon) {
            snb_str_t n = sip_trim(p, colon);
            bool match = want != SIP_H_OTHER ? sip_hdr_classify(n.p, n.len) == want
                                             : n.len == nlen && snb_str_ieq(n, name);
            if (match) return sip_trim(colon + 1, lend);
        }
        p = nl ? nl + 1 : e;
    }
    return SNB_STR_NULL;
}

typedef struct parts_ctx {
    snb_sip_part_fn fn;
    void *ud;
    unsigned depth, index[MAX_NESTING + 1];
    int count;
    bool stopped;
} parts_ctx_t;

static bool parts_cb(void *ud, snb_str_t headers, snb_str_t ctype_value, snb_str_t body)
{
    parts_ctx_t *c = ud;
    snb_sip_part_t part = {.content_type = media_type(ctype_value),
                           .content_type_value = ctype_value,
                           .headers = headers,
                           .body = body,
                           .depth = c->depth,
                           .index = c->index[c->depth]++};
    if (!part.content_type.p) part.content_type = SNB_STR_LIT("text/plain");
    part.disposition = sip_part_header(&part, "Content-Disposition");
    part.content_id = sip_part_header(&part, "Content-ID");
    part.multipart = is_multipart(part.content_type) && c->depth < MAX_NESTING;
    c->count++;
    if (!c->fn(c->ud, &part)) {
        c->stopped = true;
        return false;
    }
    if (part.multipart) {
        c->depth++;
        c->index[c->depth] = 0;
        walk(body, ctype_value, parts_cb, c);
        c->depth--;
    }
    return !c->stopped;
}

int sip_multipart_parts(snb_str_t body, snb_str_t content_type_value, snb_sip_part_fn fn, void *ud)
{
    parts_ctx_t c = {.fn = fn, .ud = ud};
    if (walk(body, content_type_value, parts_cb, &c) < 0) return -1;
    return c.count;
}
