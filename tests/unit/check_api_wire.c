/* The capture -> API wire format: encode/decode round trips, rejection of
 * truncated and padded payloads, and the framer on arbitrary splits. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api_wire.h"
#include "check_run.h"

static api_dialog_rec_t sample_dialog(void)
{
    api_dialog_rec_t d = {0};
    d.call_id = SNB_STR_LIT("12013223@200.57.7.195");
    d.from_user = SNB_STR_LIT("alice");
    d.state = 4;
    d.created_us = 0x0123456789abcdefULL;
    d.captured_us = 0xfedcba9876543210ULL;
    d.pdd_ms = -1;
    d.diag_flags = 1u << 2 | 1u << 4;
    d.summary_json = SNB_STR_LIT("{\"call_id\":\"12013223@200.57.7.195\"}");
    d.full_json = SNB_STR_LIT("{\"schema_version\":1,\"state\":\"Failed\"}");
    d.report_markdown = SNB_STR_LIT("# Report\n\nFailed.\n");
    d.messages_json = SNB_STR_LIT("[{\"method\":\"INVITE\"}]");
    return d;
}

static api_stream_rec_t sample_stream(void)
{
    api_stream_rec_t s = {0};
    s.id = 42;
    s.ssrc = 0x1a2b3c4d;
    s.orphaned = true;
    s.active = false;
    s.mos = 4.2;
    s.jitter_ms = -0.0;
    s.loss_pct = 1e-300;
    s.call_id = SNB_STR_NULL;
    s.list_json = SNB_STR_LIT("{\"ssrc\":\"0x1a2b3c4d\"}");
    s.full_json = SNB_STR_LIT("{\"ssrc\":\"0x1a2b3c4d\",\"codec\":\"PCMU\"}");
    return s;
}

static bool str_is(snb_str_t s, snb_str_t want)
{
    return s.p != NULL && snb_str_eq(s, want);
}

/* The payload of the single frame in b, checked against its header. */
static const char *only_payload(const api_buf_t *b, uint8_t type, uint32_t *len)
{
    ck_assert_uint_ge(b->len, API_FRAME_HEADER);
    const uint8_t *h = (const uint8_t *)b->data;
    *len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    ck_assert_uint_eq(h[4], type);
    ck_assert_uint_eq(b->len, API_FRAME_HEADER + *len);
    return b->data + API_FRAME_HEADER;
}

START_TEST(dialog_round_trip)
{
    api_buf_t b = {0};
    api_dialog_rec_t d = sample_dialog();
    ck_assert_int_eq(api_wire_put_dialog(&b, &d), 0);
    uint32_t len;
    const char *p = only_payload(&b, API_FRAME_DIALOG, &len);
    api_dialog_rec_t out;
    ck_assert_int_eq(api_wire_get_dialog(p, len, &out), 0);
    ck_assert(str_is(out.call_id, d.call_id));
    ck_assert(str_is(out.from_user, d.from_user));
    ck_assert_uint_eq(out.state, 4);
    ck_assert(out.created_us == d.created_us);
    ck_assert(out.captured_us == d.captured_us);
    ck_assert_int_eq(out.pdd_ms, -1);
    ck_assert_uint_eq(out.diag_flags, d.diag_flags);
    ck_assert(str_is(out.summary_json, d.summary_json));
    ck_assert(str_is(out.full_json, d.full_json));
    ck_assert(str_is(out.report_markdown, d.report_markdown));
    ck_assert(str_is(out.messages_json, d.messages_json));
    /* The strings point into the payload (zero copy). */
    ck_assert(out.full_json.p >= p && out.full_json.p + out.full_json.len <= p + len);
    api_buf_free(&b);

    /* Absent strings go out empty and come back empty. */
    api_dialog_rec_t e = {0};
    e.pdd_ms = 2147483647;
    ck_assert_int_eq(api_wire_put_dialog(&b, &e), 0);
    p = only_payload(&b, API_FRAME_DIALOG, &len);
    ck_assert_uint_eq(len, 4 * 7 + 1 + 8 + 8 + 4 + 4); /* seven strings, each its length */
    ck_assert_int_eq(api_wire_get_dialog(p, len, &out), 0);
    ck_assert_uint_eq(out.call_id.len, 0);
    ck_assert_uint_eq(out.report_markdown.len, 0);
    ck_assert_int_eq(out.pdd_ms, 2147483647);
    api_buf_free(&b);
}
END_TEST

START_TEST(stream_round_trip)
{
    api_buf_t b = {0};
    api_stream_rec_t s = sample_stream();
    ck_assert_int_eq(api_wire_put_stream(&b, &s), 0);
    uint32_t len;
    const char *p = only_payload(&b, API_FRAME_STREAM, &len);
    api_stream_rec_t out;
    ck_assert_int_eq(api_wire_get_stream(p, len, &out), 0);
    ck_assert(out.id == 42);
    ck_assert_uint_eq(out.ssrc, 0x1a2b3c4d);
    ck_assert(out.orphaned && !out.active);
    /* Doubles travel as bits: exact, sign of zero included. */
    ck_assert(memcmp(&out.mos, &s.mos, sizeof s.mos) == 0);
    ck_assert(memcmp(&out.jitter_ms, &s.jitter_ms, sizeof s.mos) == 0);
    ck_assert(memcmp(&out.loss_pct, &s.loss_pct, sizeof s.mos) == 0);
    ck_assert_uint_eq(out.call_id.len, 0);
    ck_assert(str_is(out.list_json, s.list_json));
    ck_assert(str_is(out.full_json, s.full_json));
    api_buf_free(&b);
}
END_TEST

START_TEST(gone_round_trips)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_dialog_gone(&b, SNB_STR_LIT("a@b")), 0);
    uint32_t len;
    const char *p = only_payload(&b, API_FRAME_DIALOG_GONE, &len);
    snb_str_t id;
    ck_assert_int_eq(api_wire_get_dialog_gone(p, len, &id), 0);
    ck_assert(str_is(id, SNB_STR_LIT("a@b")));
    api_buf_free(&b);

    ck_assert_int_eq(api_wire_put_stream_gone(&b, 0xfedcba9876543210ULL), 0);
    p = only_payload(&b, API_FRAME_STREAM_GONE, &len);
    ck_assert_uint_eq(len, 8);
    ck_assert_uint_eq((uint8_t)p[0], 0x10); /* little-endian */
    uint64_t v;
    ck_assert_int_eq(api_wire_get_stream_gone(p, len, &v), 0);
    ck_assert(v == 0xfedcba9876543210ULL);
    api_buf_free(&b);

    ck_assert_int_eq(api_wire_put_text(&b, API_FRAME_COUNTERS, "{}", 2), 0);
    p = only_payload(&b, API_FRAME_COUNTERS, &len);
    ck_assert_uint_eq(len, 2);
    ck_assert(memcmp(p, "{}", 2) == 0);
    api_buf_free(&b);
}
END_TEST

typedef int (*decode_fn)(const char *payload, uint32_t len);

static int dec_dialog(const char *p, uint32_t n)
{
    api_dialog_rec_t d;
    return api_wire_get_dialog(p, n, &d);
}

static int dec_stream(const char *p, uint32_t n)
{
    api_stream_rec_t s;
    return api_wire_get_stream(p, n, &s);
}

static int dec_dgone(const char *p, uint32_t n)
{
    snb_str_t id;
    return api_wire_get_dialog_gone(p, n, &id);
}

static int dec_sgone(const char *p, uint32_t n)
{
    uint64_t id;
    return api_wire_get_stream_gone(p, n, &id);
}

/* Every proper prefix fails, the whole decodes, one more byte fails. Each
 * prefix is copied to its own allocation so ASan sees any overread. */
static void check_exact(const api_buf_t *b, decode_fn dec)
{
    uint32_t len = (uint32_t)(b->len - API_FRAME_HEADER);
    const char *p = b->data + API_FRAME_HEADER;
    for (uint32_t n = 0; n < len; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, p, n);
        ck_assert_msg(dec(copy, n) == -1, "prefix of %u/%u bytes decoded", n, len);
        free(copy);
    }
    char *longer = malloc(len + 1);
    memcpy(longer, p, len);
    longer[len] = 0;
    ck_assert_int_eq(dec(longer, len), 0);
    ck_assert_int_eq(dec(longer, len + 1), -1);
    free(longer);
}

START_TEST(truncation_and_trailing_rejected)
{
    api_buf_t b = {0};
    api_dialog_rec_t d = sample_dialog();
    api_wire_put_dialog(&b, &d);
    check_exact(&b, dec_dialog);
    api_buf_free(&b);
    api_stream_rec_t s = sample_stream();
    api_wire_put_stream(&b, &s);
    check_exact(&b, dec_stream);
    api_buf_free(&b);
    api_wire_put_dialog_gone(&b, SNB_STR_LIT("x@y"));
    check_exact(&b, dec_dgone);
    api_buf_free(&b);
    api_wire_put_stream_gone(&b, 7);
    check_exact(&b, dec_sgone);
    api_buf_free(&b);
}
END_TEST

START_TEST(hostile_payloads)
{
    /* A string length far beyond the payload, and one that wraps a u32. */
    char p[64] = {0};
    p[0] = (char)0xff, p[1] = (char)0xff, p[2] = (char)0xff, p[3] = (char)0xff;
    ck_assert_int_eq(dec_dialog(p, sizeof p), -1);
    ck_assert_int_eq(dec_dgone(p, sizeof p), -1);
    ck_assert_int_eq(dec_stream(p, sizeof p), -1);
    /* Stream booleans other than 0/1 are corrupt. */
    api_buf_t b = {0};
    api_stream_rec_t s = sample_stream();
    api_wire_put_stream(&b, &s);
    b.data[API_FRAME_HEADER + 12] = 2;
    ck_assert_int_eq(dec_stream(b.data + API_FRAME_HEADER, (uint32_t)(b.len - API_FRAME_HEADER)),
                     -1);
    api_buf_free(&b);
    ck_assert_int_eq(dec_dgone(NULL, 0), -1);
}
END_TEST

START_TEST(oversize_not_appended)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_text(&b, API_FRAME_CONFIG, "{}", 2), 0);
    size_t before = b.len;
    static const char small[8];
    ck_assert_int_eq(api_wire_put_text(&b, API_FRAME_COUNTERS, small, API_FRAME_MAX + 1u), -1);
    ck_assert_uint_eq(b.len, before);
    api_dialog_rec_t d = sample_dialog();
    d.full_json = snb_str(small, API_FRAME_MAX); /* with the rest it exceeds the max */
    ck_assert_int_eq(api_wire_put_dialog(&b, &d), -1);
    ck_assert_uint_eq(b.len, before);
    api_stream_rec_t s = sample_stream();
    s.full_json = snb_str(small, API_FRAME_MAX);
    ck_assert_int_eq(api_wire_put_stream(&b, &s), -1);
    ck_assert_uint_eq(b.len, before);
    api_buf_free(&b);
}
END_TEST

START_TEST(buf_helpers)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_buf_append(&b, "hello ", 6), 0);
    ck_assert_int_eq(api_buf_printf(&b, "%s-%d", "world", 42), 0);
    ck_assert_str_eq(b.data, "hello world-42");
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(api_buf_printf(&b, "[%s]", big), 0); /* longer than the stack buffer */
    ck_assert_uint_eq(b.len, 14 + 1001);
    ck_assert_int_eq(b.data[b.len - 1], ']');
    ck_assert_int_eq(b.data[b.len], '\0');
    api_buf_consume(&b, 6);
    ck_assert_uint_eq(b.len, 8 + 1001);
    ck_assert(memcmp(b.data, "world-42[x", 10) == 0);
    api_buf_consume(&b, 100000);
    ck_assert_uint_eq(b.len, 0);
    api_buf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

/* ---- framer ----------------------------------------------------------- */

typedef struct seen {
    uint8_t type[16];
    char *payload[16];
    uint32_t len[16];
    int n;
    int stop_at; /* return 7 from this frame (1-based), 0: never */
} seen_t;

static int record(void *ud, uint8_t type, const char *payload, uint32_t len)
{
    seen_t *s = ud;
    ck_assert_int_lt(s->n, 16);
    s->type[s->n] = type;
    s->len[s->n] = len;
    s->payload[s->n] = malloc(len + 1);
    memcpy(s->payload[s->n], payload, len);
    s->n++;
    return s->n == s->stop_at ? 7 : 0;
}

static void seen_free(seen_t *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->payload[i]);
    s->n = 0;
}

static void same_seen(const seen_t *a, const seen_t *b)
{
    ck_assert_int_eq(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        ck_assert_uint_eq(a->type[i], b->type[i]);
        ck_assert_uint_eq(a->len[i], b->len[i]);
        ck_assert(memcmp(a->payload[i], b->payload[i], a->len[i]) == 0);
    }
}

static void stream_of_frames(api_buf_t *b)
{
    api_dialog_rec_t d = sample_dialog();
    api_stream_rec_t s = sample_stream();
    api_wire_put_text(b, API_FRAME_CONFIG, "{\"a\":1}", 7);
    api_wire_put_dialog(b, &d);
    api_wire_put_text(b, API_FRAME_COUNTERS, "", 0); /* empty payload */
    api_wire_put_stream(b, &s);
    api_wire_put_dialog_gone(b, d.call_id);
    api_wire_put_stream_gone(b, 42);
}

START_TEST(framer_any_split)
{
    api_buf_t b = {0};
    stream_of_frames(&b);

    seen_t whole = {0}, bytes = {0}, chunks = {0};
    api_framer_t f = {0};
    ck_assert_int_eq(api_framer_feed(&f, b.data, b.len, record, &whole), 0);
    ck_assert_int_eq(whole.n, 6);
    ck_assert_uint_eq(whole.type[0], API_FRAME_CONFIG);
    ck_assert_uint_eq(whole.type[2], API_FRAME_COUNTERS);
    ck_assert_uint_eq(whole.len[2], 0);
    ck_assert_uint_eq(whole.type[5], API_FRAME_STREAM_GONE);
    ck_assert_uint_eq(f.len, 0);
    api_framer_free(&f);

    for (size_t i = 0; i < b.len; i++)
        ck_assert_int_eq(api_framer_feed(&f, b.data + i, 1, record, &bytes), 0);
    same_seen(&whole, &bytes);
    api_framer_free(&f);

    /* Chunks of every size from 2 to 40 bytes: every split point is hit. */
    for (size_t step = 2; step <= 40; step++) {
        seen_free(&chunks);
        for (size_t off = 0; off < b.len; off += step) {
            size_t n = b.len - off < step ? b.len - off : step;
            ck_assert_int_eq(api_framer_feed(&f, b.data + off, n, record, &chunks), 0);
        }
        same_seen(&whole, &chunks);
        ck_assert_uint_eq(f.len, 0);
    }
    api_framer_free(&f);
    seen_free(&whole);
    seen_free(&bytes);
    seen_free(&chunks);
    api_buf_free(&b);
}
END_TEST

START_TEST(framer_stop_and_resume)
{
    api_buf_t b = {0};
    stream_of_frames(&b);
    seen_t s = {.stop_at = 2};
    api_framer_t f = {0};
    ck_assert_int_eq(api_framer_feed(&f, b.data, b.len, record, &s), 7);
    ck_assert_int_eq(s.n, 2);
    /* The rest stays buffered and comes out on the next feed. */
    s.stop_at = 0;
    ck_assert_int_eq(api_framer_feed(&f, NULL, 0, record, &s), 0);
    ck_assert_int_eq(s.n, 6);
    ck_assert_uint_eq(s.type[5], API_FRAME_STREAM_GONE);
    api_framer_free(&f);
    seen_free(&s);
    api_buf_free(&b);
}
END_TEST

START_TEST(framer_oversize)
{
    /* One frame fine, then a header announcing API_FRAME_MAX + 1. */
    api_buf_t b = {0};
    api_wire_put_stream_gone(&b, 1);
    unsigned char hdr[5];
    uint32_t n = API_FRAME_MAX + 1u;
    for (int i = 0; i < 4; i++)
        hdr[i] = (unsigned char)(n >> (8 * i));
    hdr[4] = API_FRAME_DIALOG;
    api_buf_append(&b, hdr, sizeof hdr);

    seen_t s = {0};
    api_framer_t f = {0};
    ck_assert_int_eq(api_framer_feed(&f, b.data, b.len, record, &s), -1);
    ck_assert_int_eq(s.n, 1);
    api_framer_free(&f);
    seen_free(&s);

    /* Byte by byte: fine until the header is complete, then -1 at once
     * (without waiting for 32 MiB of payload). */
    int rc = 0;
    size_t i = 0;
    for (; i < b.len && rc == 0; i++)
        rc = api_framer_feed(&f, b.data + i, 1, record, &s);
    ck_assert_int_eq(rc, -1);
    ck_assert_uint_eq(i, b.len);
    ck_assert_int_eq(s.n, 1);
    /* Unusable afterwards: it keeps failing. */
    ck_assert_int_eq(api_framer_feed(&f, "x", 1, record, &s), -1);
    api_framer_free(&f);
    seen_free(&s);

    /* Exactly API_FRAME_MAX is allowed (only the header is fed here). */
    n = API_FRAME_MAX;
    for (int k = 0; k < 4; k++)
        hdr[k] = (unsigned char)(n >> (8 * k));
    ck_assert_int_eq(api_framer_feed(&f, (const char *)hdr, sizeof hdr, record, &s), 0);
    ck_assert_int_eq(s.n, 0);
    api_framer_free(&f);
    api_buf_free(&b);
}
END_TEST

/* Filter field values travel as a compact record and read back exactly. */
START_TEST(values_round_trip)
{
    json_error_t e;
    json_t *values = json_loads("[\"Failed\", 847, null, true, false, 2.5, \"\"]", 0, &e);
    ck_assert_ptr_nonnull(values);
    api_buf_t b = {0};
    ck_assert_int_eq(api_values_encode(&b, values), 0);
    snb_str_t rec = snb_str(b.data, b.len);
    snb_filter_value_t v;
    ck_assert(api_values_get(rec, 0, &v));
    ck_assert(v.present && v.len == 6 && !memcmp(v.str, "Failed", 6));
    ck_assert(api_values_get(rec, 1, &v));
    ck_assert(v.present && v.num == 847);
    ck_assert(api_values_get(rec, 2, &v));
    ck_assert(!v.present);
    ck_assert(api_values_get(rec, 3, &v) && v.present && v.b);
    ck_assert(api_values_get(rec, 4, &v) && v.present && !v.b);
    ck_assert(api_values_get(rec, 5, &v) && v.num == 2.5);
    ck_assert(api_values_get(rec, 6, &v) && v.present && v.len == 0);
    ck_assert(!api_values_get(rec, 7, &v)); /* past the end */
    /* Cut anywhere or with a bad tag, it fails instead of reading past. */
    for (uint32_t cut = 0; cut < rec.len; cut++)
        api_values_get(snb_str(rec.p, cut), 6, &v);
    char bad[] = {9};
    ck_assert(!api_values_get(snb_str(bad, 1), 0, &v));

    /* The offset index reads each value as the walk does. */
    uint32_t offs[8];
    ck_assert_uint_eq(api_values_index(rec, offs, 8), 7);
    ck_assert_uint_eq(api_values_index(rec, NULL, 0), 7);
    uint32_t want_offs[7] = {0, 9, 18, 19, 20, 21, 30};
    for (size_t i = 0; i < 7; i++) {
        snb_filter_value_t w;
        ck_assert_uint_eq(offs[i], want_offs[i]);
        ck_assert(api_values_get(rec, i, &w));
        ck_assert(api_values_get_at(rec, offs[i], &v));
        ck_assert(v.present == w.present && v.b == w.b && v.len == w.len && v.str == w.str &&
                  (v.num == w.num));
    }
    ck_assert(!api_values_get_at(rec, (uint32_t)rec.len, &v) && !v.present);
    /* A cut record indexes the values it holds whole: "Failed" is 9 bytes. */
    ck_assert_uint_eq(api_values_index(snb_str(rec.p, 8), offs, 8), 0);
    ck_assert_uint_eq(api_values_index(snb_str(rec.p, 9), offs, 8), 1);
    ck_assert_uint_eq(api_values_index(snb_str(rec.p, 17), offs, 8), 1);
    ck_assert_uint_eq(api_values_index(snb_str(bad, 1), offs, 8), 0);
    json_t *obj = json_object();
    ck_assert_int_eq(api_values_encode(&b, obj), -1); /* not an array */
    json_decref(obj);
    json_decref(values);
    api_buf_free(&b);
}
END_TEST

/* api_values_put writes what api_values_encode writes for the JSON array
 * the values would have made: json_real refuses NaN and infinities,
 * json_stringn bytes that are not UTF-8, and both become null. */
START_TEST(values_put_equals_json_path)
{
    static const struct {
        snb_filter_type_t type;
        snb_filter_value_t v;
    } cases[] = {
        {SNB_FT_STRING, {.present = true, .str = "Failed", .len = 6}},
        {SNB_FT_STRING, {.present = true, .str = "", .len = 0}},
        {SNB_FT_STRING, {.present = true, .str = "caf\xc3\xa9", .len = 5}},
        {SNB_FT_STRING, {.present = true, .str = "bad \xff byte", .len = 10}},
        {SNB_FT_STRING, {.present = true, .str = "nul\0inside", .len = 10}},
        {SNB_FT_STRING, {.present = false, .str = "ignored", .len = 7}},
        {SNB_FT_NUMBER, {.present = true, .num = 847}},
        {SNB_FT_NUMBER, {.present = true, .num = -2.5}},
        {SNB_FT_NUMBER, {.present = true, .num = NAN}},
        {SNB_FT_NUMBER, {.present = true, .num = INFINITY}},
        {SNB_FT_NUMBER, {.present = false, .num = 3}},
        {SNB_FT_BOOL, {.present = true, .b = true}},
        {SNB_FT_BOOL, {.present = true, .b = false}},
        {SNB_FT_BOOL, {.present = false, .b = true}},
    };
    size_t n = sizeof cases / sizeof *cases;
    api_buf_t direct = {0}, via_json = {0};
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const snb_filter_value_t *v = &cases[i].v;
        ck_assert_int_eq(api_values_put(&direct, cases[i].type, v), 0);
        json_t *j = !v->present                      ? json_null()
                    : cases[i].type == SNB_FT_NUMBER ? json_real(v->num)
                    : cases[i].type == SNB_FT_BOOL   ? json_boolean(v->b)
                                                     : json_stringn(v->str, v->len);
        json_array_append_new(arr, j ? j : json_null());
    }
    ck_assert_int_eq(api_values_encode(&via_json, arr), 0);
    ck_assert_uint_eq(direct.len, via_json.len);
    ck_assert_int_eq(memcmp(direct.data, via_json.data, direct.len), 0);
    /* and they read back: "bad \xff byte", NaN and infinity as absent */
    snb_filter_value_t got;
    snb_str_t rec = snb_str(direct.data, direct.len);
    ck_assert(api_values_get(rec, 2, &got) && got.present && got.len == 5);
    ck_assert(api_values_get(rec, 3, &got) && !got.present);
    ck_assert(api_values_get(rec, 4, &got) && got.present && got.len == 10);
    ck_assert(api_values_get(rec, 8, &got) && !got.present);
    ck_assert(api_values_get(rec, 9, &got) && !got.present);
    ck_assert(api_values_get(rec, 11, &got) && got.present && got.b);
    json_decref(arr);
    api_buf_free(&direct);
    api_buf_free(&via_json);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_wire");
    TCase *tc = tcase_create("api_wire");
    tcase_add_test(tc, dialog_round_trip);
    tcase_add_test(tc, values_round_trip);
    tcase_add_test(tc, values_put_equals_json_path);
    tcase_add_test(tc, stream_round_trip);
    tcase_add_test(tc, gone_round_trips);
    tcase_add_test(tc, truncation_and_trailing_rejected);
    tcase_add_test(tc, hostile_payloads);
    tcase_add_test(tc, oversize_not_appended);
    tcase_add_test(tc, buf_helpers);
    tcase_add_test(tc, framer_any_split);
    tcase_add_test(tc, framer_stop_and_resume);
    tcase_add_test(tc, framer_oversize);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
