/* Wire format between the capture process and the API process (see
 * api_wire.h): the growable buffer, frame encoders, payload decoders and the
 * framer that reassembles frames from a byte stream. */
#include "api_wire.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sipnab/jsonw.h"

/* ---- api_buf ---------------------------------------------------------- */

void api_buf_free(api_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void api_buf_consume(api_buf_t *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data) b->data[b->len] = '\0';
}

/* Room for `more` bytes plus the terminating NUL. */
static int buf_reserve(api_buf_t *b, size_t more)
{
    if (more > SIZE_MAX - b->len - 1) return -1;
    size_t need = b->len + more + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int api_buf_append(api_buf_t *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != 0) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int api_buf_printf(api_buf_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    if ((size_t)n < sizeof small) return api_buf_append(b, small, (size_t)n);
    if (buf_reserve(b, (size_t)n) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* ---- encoding --------------------------------------------------------- */

static void wr32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)(uint8_t)(v >> (8 * i));
}

static void wr64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(uint8_t)(v >> (8 * i));
}

static uint32_t rd32(const char *p)
{
    const uint8_t *u = (const uint8_t *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static uint64_t rd64(const char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint64_t dbl_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bits_dbl(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Writes into a frame whose size was computed up front. */
typedef struct wcur {
    char *p;
} wcur_t;

static void put_u8(wcur_t *w, uint8_t v)
{
    *w->p++ = (char)v;
}

static void put_u32(wcur_t *w, uint32_t v)
{
    wr32(w->p, v);
    w->p += 4;
}

static void put_u64(wcur_t *w, uint64_t v)
{
    wr64(w->p, v);
    w->p += 8;
}

static void put_str(wcur_t *w, snb_str_t s)
{
    uint32_t n = s.p ? s.len : 0;
    put_u32(w, n);
    if (n) memcpy(w->p, s.p, n);
    w->p += n;
}

static uint64_t str_size(snb_str_t s)
{
    return 4u + (s.p ? s.len : 0);
}

/* Reserve one frame of `payload` bytes and write its header; NULL when it
 * is too big or out of memory. The caller fills exactly `payload` bytes. */
static char *frame_begin(api_buf_t *b, uint8_t type, uint64_t payload)
{
    if (payload > API_FRAME_MAX) return NULL;
    if (buf_reserve(b, API_FRAME_HEADER + (size_t)payload) != 0) return NULL;
    char *p = b->data + b->len;
    wr32(p, (uint32_t)payload);
    p[4] = (char)type;
    return p + API_FRAME_HEADER;
}

static void frame_end(api_buf_t *b, uint64_t payload)
{
    b->len += API_FRAME_HEADER + (size_t)payload;
    b->data[b->len] = '\0';
}

size_t api_wire_frame_size(const char *frame)
{
    return API_FRAME_HEADER + (size_t)rd32(frame);
}

int api_wire_put_text(api_buf_t *b, uint8_t type, const char *text, size_t len)
{
    if (len > API_FRAME_MAX) return -1;
    char *p = frame_begin(b, type, len);
    if (!p) return -1;
    if (len) memcpy(p, text, len);
    frame_end(b, len);
    return 0;
}

int api_wire_put_dialog(api_buf_t *b, const api_dialog_rec_t *d)
{
    uint64_t n = str_size(d->call_id) + str_size(d->from_user) + 1 + 8 + 8 + 4 + 4 +
                 str_size(d->summary_json) + str_size(d->full_json) + str_size(d->report_markdown) +
                 str_size(d->values) + str_size(d->messages_json);
    char *p = frame_begin(b, API_FRAME_DIALOG, n);
    if (!p) return -1;
    wcur_t w = {p};
    put_str(&w, d->call_id);
    put_str(&w, d->from_user);
    put_u8(&w, d->state);
    put_u64(&w, d->created_us);
    put_u64(&w, d->captured_us);
    put_u32(&w, (uint32_t)d->pdd_ms);
    put_u32(&w, d->diag_flags);
    put_str(&w, d->summary_json);
    put_str(&w, d->full_json);
    put_str(&w, d->report_markdown);
    put_str(&w, d->values);
    put_str(&w, d->messages_json);
    frame_end(b, n);
    return 0;
}

int api_wire_put_dialog_gone(api_buf_t *b, snb_str_t call_id)
{
    uint64_t n = str_size(call_id);
    char *p = frame_begin(b, API_FRAME_DIALOG_GONE, n);
    if (!p) return -1;
    wcur_t w = {p};
    put_str(&w, call_id);
    frame_end(b, n);
    return 0;
}

int api_wire_put_stream(api_buf_t *b, const api_stream_rec_t *s)
{
    uint64_t n = 8 + 4 + 1 + 1 + 8 * 3 + str_size(s->call_id) + str_size(s->list_json) +
                 str_size(s->full_json) + str_size(s->values);
    char *p = frame_begin(b, API_FRAME_STREAM, n);
    if (!p) return -1;
    wcur_t w = {p};
    put_u64(&w, s->id);
    put_u32(&w, s->ssrc);
    put_u8(&w, s->orphaned ? 1 : 0);
    put_u8(&w, s->active ? 1 : 0);
    put_u64(&w, dbl_bits(s->mos));
    put_u64(&w, dbl_bits(s->jitter_ms));
    put_u64(&w, dbl_bits(s->loss_pct));
    put_str(&w, s->call_id);
    put_str(&w, s->list_json);
    put_str(&w, s->full_json);
    put_str(&w, s->values);
    frame_end(b, n);
    return 0;
}

int api_wire_put_stream_gone(api_buf_t *b, uint64_t id)
{
    char *p = frame_begin(b, API_FRAME_STREAM_GONE, 8);
    if (!p) return -1;
    wr64(p, id);
    frame_end(b, 8);
    return 0;
}

/* ---- decoding --------------------------------------------------------- */

/* Bounds-checked reader; `bad` latches on the first short read. */
typedef struct rcur {
    const char *p;
    uint32_t left;
    bool bad;
} rcur_t;

static const char *take(rcur_t *r, uint32_t n)
{
    if (r->bad || r->left < n) {
        r->bad = true;
        return NULL;
    }
    const char *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static uint8_t get_u8(rcur_t *r)
{
    const char *p = take(r, 1);
    return p ? (uint8_t)*p : 0;
}

static uint32_t get_u32(rcur_t *r)
{
    const char *p = take(r, 4);
    return p ? rd32(p) : 0;
}

static uint64_t get_u64(rcur_t *r)
{
    const char *p = take(r, 8);
    return p ? rd64(p) : 0;
}

static snb_str_t get_str(rcur_t *r)
{
    uint32_t n = get_u32(r);
    const char *p = take(r, n);
    return p ? snb_str(p, n) : SNB_STR_NULL;
}

/* Booleans are 0 or 1; anything else is a corrupt payload. */
static bool get_bool(rcur_t *r)
{
    uint8_t v = get_u8(r);
    if (v > 1) r->bad = true;
    return v == 1;
}

static int finish(const rcur_t *r)
{
    return r->bad || r->left != 0 ? -1 : 0;
}

int api_wire_get_dialog(const char *payload, uint32_t len, api_dialog_rec_t *out)
{
    rcur_t r = {payload, len, false};
    api_dialog_rec_t d;
    d.call_id = get_str(&r);
    d.from_user = get_str(&r);
    d.state = get_u8(&r);
    d.created_us = get_u64(&r);
    d.captured_us = get_u64(&r);
    d.pdd_ms = (int32_t)get_u32(&r);
    d.diag_flags = get_u32(&r);
    d.summary_json = get_str(&r);
    d.full_json = get_str(&r);
    d.report_markdown = get_str(&r);
    d.values = get_str(&r);
    d.messages_json = get_str(&r);
    if (finish(&r) != 0) return -1;
    *out = d;
    return 0;
}

int api_wire_get_dialog_gone(const char *payload, uint32_t len, snb_str_t *call_id)
{
    rcur_t r = {payload, len, false};
    snb_str_t id = get_str(&r);
    if (finish(&r) != 0) return -1;
    *call_id = id;
    return 0;
}

int api_wire_get_stream(const char *payload, uint32_t len, api_stream_rec_t *out)
{
    rcur_t r = {payload, len, false};
    api_stream_rec_t s;
    s.id = get_u64(&r);
    s.ssrc = get_u32(&r);
    s.orphaned = get_bool(&r);
    s.active = get_bool(&r);
    s.mos = bits_dbl(get_u64(&r));
    s.jitter_ms = bits_dbl(get_u64(&r));
    s.loss_pct = bits_dbl(get_u64(&r));
    s.call_id = get_str(&r);
    s.list_json = get_str(&r);
    s.full_json = get_str(&r);
    s.values = get_str(&r);
    if (finish(&r) != 0) return -1;
    *out = s;
    return 0;
}

int api_wire_get_stream_gone(const char *payload, uint32_t len, uint64_t *id)
{
    rcur_t r = {payload, len, false};
    uint64_t v = get_u64(&r);
    if (finish(&r) != 0) return -1;
    *id = v;
    return 0;
}

/* ---- filter field values ---------------------------------------------- */

#define VALUE_STR_MAX 1024

int api_values_put(api_buf_t *b, snb_filter_type_t type, const snb_filter_value_t *v)
{
    const char *s = v->str ? v->str : "";
    size_t n = v->str ? v->len : 0;
    /* What the JSON array would have held: json_real refuses NaN and the
     * infinities, json_stringn bytes that are not UTF-8; null instead. */
    bool present = v->present && (type == SNB_FT_NUMBER ? isfinite(v->num)
                                  : type == SNB_FT_BOOL ? true
                                                        : snb_jsonw_utf8_valid(s, n));
    if (!present) return api_buf_append(b, "", 1); /* tag 0 */
    if (type == SNB_FT_NUMBER) {
        char num[9] = {1};
        wr64(num + 1, dbl_bits(v->num));
        return api_buf_append(b, num, sizeof num);
    }
    if (type == SNB_FT_BOOL) return api_buf_append(b, v->b ? "\3" : "\2", 1);
    if (n > VALUE_STR_MAX) n = VALUE_STR_MAX;
    char head[3] = {4, (char)(n & 0xff), (char)(n >> 8)};
    return api_buf_append(b, head, 3) | api_buf_append(b, s, n);
}

int api_values_encode(api_buf_t *b, const void *array)
{
    const json_t *a = array;
    if (!json_is_array(a)) return -1;
    int rc = 0;
    for (size_t i = 0; i < json_array_size(a) && rc == 0; i++) {
        const json_t *j = json_array_get(a, i);
        snb_filter_value_t v = {.present = true};
        snb_filter_type_t type = SNB_FT_STRING;
        if (json_is_number(j)) {
            type = SNB_FT_NUMBER;
            v.num = json_number_value(j);
        } else if (json_is_boolean(j)) {
            type = SNB_FT_BOOL;
            v.b = json_is_true(j);
        } else if (json_is_string(j)) {
            v.str = json_string_value(j);
            v.len = json_string_length(j);
        } else {
            v.present = false; /* null, or what a value never is */
        }
        rc = api_values_put(b, type, &v);
    }
    return rc ? -1 : 0;
}

/* Reads the value at r's position and steps past it; false on garbage. */
static bool read_value(rcur_t *r, snb_filter_value_t *out)
{
    memset(out, 0, sizeof *out);
    uint8_t tag = get_u8(r);
    if (r->bad) return false;
    const char *p = NULL;
    uint32_t n = 0;
    switch (tag) {
    case 0:
    case 2:
    case 3:
        break;
    case 1:
        p = take(r, 8);
        break;
    case 4: {
        const char *h = take(r, 2);
        n = h ? (uint32_t)(uint8_t)h[0] | (uint32_t)(uint8_t)h[1] << 8 : 0;
        p = take(r, n);
        break;
    }
    default:
        return false;
    }
    if (r->bad) return false;
    out->present = tag != 0;
    if (tag == 1) out->num = bits_dbl(rd64(p));
    out->b = tag == 3;
    if (tag == 4) out->str = p, out->len = n;
    return true;
}

bool api_values_get(snb_str_t rec, size_t index, snb_filter_value_t *out)
{
    rcur_t r = {rec.p, rec.p ? rec.len : 0, false};
    for (size_t i = 0;; i++) {
        if (!read_value(&r, out)) {
            memset(out, 0, sizeof *out);
            return false;
        }
        if (i == index) return true;
    }
}

size_t api_values_index(snb_str_t rec, uint32_t *offs, size_t cap)
{
    rcur_t r = {rec.p, rec.p ? rec.len : 0, false};
    snb_filter_value_t v;
    size_t n = 0;
    while (r.left) {
        uint32_t at = (uint32_t)(rec.len - r.left);
        if (!read_value(&r, &v)) break;
        if (offs && n < cap) offs[n] = at;
        n++;
    }
    return n;
}

bool api_values_get_at(snb_str_t rec, uint32_t off, snb_filter_value_t *out)
{
    if (!rec.p || off >= rec.len) {
        memset(out, 0, sizeof *out);
        return false;
    }
    rcur_t r = {rec.p + off, (uint32_t)(rec.len - off), false};
    if (read_value(&r, out)) return true;
    memset(out, 0, sizeof *out);
    return false;
}

/* ---- framer ----------------------------------------------------------- */

static int framer_keep(api_framer_t *f, const char *data, size_t len)
{
    if (!len) return 0;
    if (len > SIZE_MAX - f->len) return -1;
    size_t need = f->len + len;
    if (need > f->cap) {
        size_t cap = f->cap ? f->cap : 4096;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *p = realloc(f->buf, cap);
        if (!p) return -1;
        f->buf = p;
        f->cap = cap;
    }
    memcpy(f->buf + f->len, data, len);
    f->len += len;
    return 0;
}

/* Deliver every complete frame in data[0..len); *used = bytes consumed. */
static int deliver(const char *data, size_t len, size_t *used, api_frame_fn fn, void *ud)
{
    size_t off = 0;
    int rc = 0;
    while (len - off >= API_FRAME_HEADER) {
        uint32_t n = rd32(data + off);
        if (n > API_FRAME_MAX) {
            rc = -1;
            break;
        }
        if (len - off - API_FRAME_HEADER < n) break;
        const char *frame = data + off;
        off += API_FRAME_HEADER + n;
        rc = fn(ud, (uint8_t)frame[4], frame + API_FRAME_HEADER, n);
        if (rc != 0) break;
    }
    *used = off;
    return rc;
}

int api_framer_feed(api_framer_t *f, const char *data, size_t len, api_frame_fn fn, void *ud)
{
    /* A partial frame is waiting: top it up with just what completes it,
     * so the rest of `data` is parsed in place without copying. */
    while (f->len) {
        size_t used;
        int rc = deliver(f->buf, f->len, &used, fn, ud);
        if (used) {
            memmove(f->buf, f->buf + used, f->len - used);
            f->len -= used;
        }
        if (rc != 0) {
            /* Keep the rest (after a stop it is delivered by the next feed;
             * after an error the bad header stays and fails again). */
            return framer_keep(f, data, len) != 0 ? -1 : rc;
        }
        if (!f->len || !len) break;
        size_t need = f->len < API_FRAME_HEADER ? API_FRAME_HEADER - f->len
                                                : api_wire_frame_size(f->buf) - f->len;
        size_t n = need < len ? need : len;
        if (framer_keep(f, data, n) != 0) return -1;
        data += n;
        len -= n;
    }
    if (f->len) return 0; /* still partial; everything was consumed */
    size_t used;
    int rc = deliver(data, len, &used, fn, ud);
    if (framer_keep(f, data + used, len - used) != 0) return -1;
    return rc;
}

void api_framer_free(api_framer_t *f)
{
    free(f->buf);
    f->buf = NULL;
    f->len = f->cap = 0;
}
