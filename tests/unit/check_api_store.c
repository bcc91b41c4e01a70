/* The API process's store: dialogs by Call-ID in creation order, streams by
 * id with SSRC lookup, counters, and scale. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_slab.h"
#include "api_store.h"
#include "check_run.h"
#include "filter.h"

/* Applies b's frame (written by an api_wire_put_*) to the store; frees b. */
static int apply_frame(api_store_t *s, uint8_t type, api_buf_t *b)
{
    int rc =
        api_store_apply(s, type, b->data + API_FRAME_HEADER, (uint32_t)(b->len - API_FRAME_HEADER));
    api_buf_free(b);
    return rc;
}

static int put_dialog_rec(api_store_t *s, const api_dialog_rec_t *d)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_dialog(&b, d), 0);
    return apply_frame(s, API_FRAME_DIALOG, &b);
}

static int put_dialog(api_store_t *s, const char *call_id, const char *from, unsigned state,
                      uint64_t created, int32_t pdd)
{
    api_dialog_rec_t d = {0};
    char summary[256];
    snprintf(summary, sizeof summary, "{\"call_id\":\"%s\",\"state\":%u}", call_id, state);
    d.call_id = snb_str(call_id, strlen(call_id));
    d.from_user = snb_str(from, strlen(from));
    d.state = (uint8_t)state;
    d.created_us = created;
    d.pdd_ms = pdd;
    d.summary_json = snb_str(summary, strlen(summary));
    d.full_json = SNB_STR_LIT("{\"full\":true}");
    d.report_markdown = SNB_STR_LIT("# r");
    return put_dialog_rec(s, &d);
}

static int drop_dialog(api_store_t *s, const char *call_id)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_dialog_gone(&b, snb_str(call_id, strlen(call_id))), 0);
    return apply_frame(s, API_FRAME_DIALOG_GONE, &b);
}

static int put_stream(api_store_t *s, uint64_t id, uint32_t ssrc, const char *tag)
{
    api_stream_rec_t r = {0};
    r.id = id;
    r.ssrc = ssrc;
    r.mos = -1;
    r.call_id = snb_str(tag, strlen(tag));
    r.list_json = snb_str(tag, strlen(tag));
    r.full_json = snb_str(tag, strlen(tag));
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_stream(&b, &r), 0);
    return apply_frame(s, API_FRAME_STREAM, &b);
}

static int drop_stream(api_store_t *s, uint64_t id)
{
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_stream_gone(&b, id), 0);
    return apply_frame(s, API_FRAME_STREAM_GONE, &b);
}

static const api_dialog_t *find(const api_store_t *s, const char *id)
{
    return api_store_find_dialog(s, id, strlen(id));
}

/* The Call-IDs in listing order, joined by ','. */
typedef struct order {
    char text[512];
    size_t stop_after;
    size_t seen;
} order_t;

static bool collect(void *ud, const api_dialog_t *d)
{
    order_t *o = ud;
    if (o->text[0]) strcat(o->text, ",");
    strcat(o->text, d->call_id);
    return ++o->seen != o->stop_after;
}

static const char *order_of(const api_store_t *s, order_t *o)
{
    memset(o, 0, sizeof *o);
    api_store_foreach_dialog(s, collect, o);
    return o->text;
}

START_TEST(state_names)
{
    ck_assert_str_eq(api_state_name(0), "Trying");
    ck_assert_str_eq(api_state_name(2), "InCall");
    ck_assert_str_eq(api_state_name(11), "Transferring");
    ck_assert_ptr_null(api_state_name(12));
    ck_assert_int_eq(api_state_from("incall"), 2);
    ck_assert_int_eq(api_state_from("FAILED"), 4);
    ck_assert_int_eq(api_state_from("Transferring"), 11);
    ck_assert_int_eq(api_state_from("InCal"), -1);
    ck_assert_int_eq(api_state_from(""), -1);
    ck_assert_int_eq(api_state_from(NULL), -1);
}
END_TEST

START_TEST(put_replace_drop)
{
    api_store_t *s = api_store_new();
    size_t empty = api_store_bytes(s);
    ck_assert_uint_eq(api_store_dialog_count(s), 0);
    ck_assert_ptr_null(find(s, "a@h"));
    ck_assert_int_eq(put_dialog(s, "a@h", "alice", 0, 100, -1), 0);
    ck_assert_int_eq(put_dialog(s, "b@h", "bob", 1, 200, 500), 0);
    ck_assert_uint_eq(api_store_dialog_count(s), 2);
    ck_assert_uint_gt(api_store_bytes(s), empty);
    const api_dialog_t *a = find(s, "a@h");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->from_user, "alice");
    ck_assert_uint_eq(a->call_id_len, 3);
    ck_assert_str_eq(a->full_json, "{\"full\":true}");
    ck_assert_uint_eq(a->full_len, 13);
    ck_assert_str_eq(a->report_markdown, "# r");
    ck_assert_uint_eq(a->markdown_len, 3);
    ck_assert_int_eq(a->pdd_ms, -1);
    ck_assert_ptr_null(api_store_find_dialog(s, "a@", 2)); /* a prefix is another key */

    /* Replace: same Call-ID, new fields, still two dialogs. */
    ck_assert_int_eq(put_dialog(s, "a@h", "alice2", 2, 100, 900), 0);
    ck_assert_uint_eq(api_store_dialog_count(s), 2);
    a = find(s, "a@h");
    ck_assert_str_eq(a->from_user, "alice2");
    ck_assert_uint_eq(a->state, 2);
    ck_assert_int_eq(a->pdd_ms, 900);

    ck_assert_int_eq(drop_dialog(s, "a@h"), 0);
    ck_assert_ptr_null(find(s, "a@h"));
    ck_assert_uint_eq(api_store_dialog_count(s), 1);
    ck_assert_int_eq(drop_dialog(s, "nope"), 0); /* unknown: nothing to do */
    ck_assert_int_eq(drop_dialog(s, "b@h"), 0);
    ck_assert_uint_eq(api_store_dialog_count(s), 0);
    order_t o;
    ck_assert_str_eq(order_of(s, &o), "");
    api_store_free(s);
}
END_TEST

START_TEST(bad_frames_leave_store_unchanged)
{
    api_store_t *s = api_store_new();
    ck_assert_int_eq(put_dialog(s, "a", "x", 0, 1, -1), 0);
    /* State out of range. */
    ck_assert_int_eq(put_dialog(s, "a", "y", API_STATE_COUNT, 1, -1), -1);
    ck_assert_str_eq(find(s, "a")->from_user, "x");
    /* Truncated payload. */
    api_dialog_rec_t d = {.call_id = SNB_STR_LIT("b@h"), .state = 1};
    api_buf_t b = {0};
    api_wire_put_dialog(&b, &d);
    ck_assert_int_eq(api_store_apply(s, API_FRAME_DIALOG, b.data + API_FRAME_HEADER,
                                     (uint32_t)(b.len - API_FRAME_HEADER - 1)),
                     -1);
    ck_assert_uint_eq(api_store_dialog_count(s), 1);
    /* Its payload under another type does not decode either. */
    ck_assert_int_eq(api_store_apply(s, API_FRAME_STREAM, b.data + API_FRAME_HEADER,
                                     (uint32_t)(b.len - API_FRAME_HEADER)),
                     -1);
    ck_assert_uint_eq(api_store_stream_count(s), 0);
    /* CONFIG is not the store's; unknown types are rejected. */
    ck_assert_int_eq(api_store_apply(s, API_FRAME_CONFIG, "{}", 2), -1);
    ck_assert_int_eq(api_store_apply(s, 99, "", 0), -1);
    ck_assert_int_eq(api_store_apply(s, API_FRAME_STREAM_GONE, "1234567", 7), -1);
    api_buf_free(&b);
    api_store_free(s);
}
END_TEST

START_TEST(creation_order)
{
    api_store_t *s = api_store_new();
    order_t o;
    put_dialog(s, "c", "", 0, 30, -1);
    put_dialog(s, "a", "", 0, 10, -1);
    put_dialog(s, "d", "", 0, 40, -1);
    put_dialog(s, "b", "", 0, 20, -1);
    put_dialog(s, "a2", "", 0, 10, -1); /* tie with a: arrival decides */
    put_dialog(s, "z", "", 0, 0, -1);
    ck_assert_str_eq(order_of(s, &o), "z,a,a2,b,c,d");
    /* Replacing with the same created_us keeps the place (even in a tie). */
    put_dialog(s, "a", "", 3, 10, -1);
    put_dialog(s, "c", "", 3, 30, -1);
    ck_assert_str_eq(order_of(s, &o), "z,a,a2,b,c,d");
    /* A changed created_us moves it (as the latest arrival of its time). */
    put_dialog(s, "a", "", 3, 35, -1);
    ck_assert_str_eq(order_of(s, &o), "z,a2,b,c,a,d");
    put_dialog(s, "d", "", 3, 20, -1);
    ck_assert_str_eq(order_of(s, &o), "z,a2,b,d,c,a");
    drop_dialog(s, "b");
    drop_dialog(s, "z");
    ck_assert_str_eq(order_of(s, &o), "a2,d,c,a");
    /* The callback can stop early. */
    memset(&o, 0, sizeof o);
    o.stop_after = 2;
    api_store_foreach_dialog(s, collect, &o);
    ck_assert_str_eq(o.text, "a2,d");
    api_store_free(s);
}
END_TEST

typedef struct ids {
    uint64_t id[16];
    size_t n;
} ids_t;

static bool collect_stream(void *ud, const api_stream_t *st)
{
    ids_t *i = ud;
    if (i->n < 16) i->id[i->n++] = st->id;
    return true;
}

START_TEST(streams_and_ssrc)
{
    api_store_t *s = api_store_new();
    size_t empty = api_store_bytes(s);
    ck_assert_ptr_null(api_store_find_ssrc(s, 0x1234));
    ck_assert_int_eq(put_stream(s, 5, 0x1234, "five"), 0);
    ck_assert_int_eq(put_stream(s, 2, 0x1234, "two"), 0);
    ck_assert_int_eq(put_stream(s, 9, 0xabcd, "nine"), 0);
    ck_assert_uint_eq(api_store_stream_count(s), 3);
    /* Most recently stored wins, not the highest id. */
    ck_assert_str_eq(api_store_find_ssrc(s, 0x1234)->full_json, "two");
    ck_assert_str_eq(api_store_find_ssrc(s, 0xabcd)->call_id, "nine");
    ck_assert_uint_eq(api_store_find_ssrc(s, 0xabcd)->list_len, 4);
    ck_assert_int_eq(put_stream(s, 5, 0x1234, "five again"), 0);
    ck_assert_uint_eq(api_store_stream_count(s), 3);
    ck_assert_str_eq(api_store_find_ssrc(s, 0x1234)->full_json, "five again");
    /* Listing is by id. */
    ids_t ids = {0};
    api_store_foreach_stream(s, collect_stream, &ids);
    ck_assert_uint_eq(ids.n, 3);
    ck_assert(ids.id[0] == 2 && ids.id[1] == 5 && ids.id[2] == 9);
    /* Dropping the latest falls back to the previous one. */
    ck_assert_int_eq(drop_stream(s, 5), 0);
    ck_assert_str_eq(api_store_find_ssrc(s, 0x1234)->full_json, "two");
    /* A stream that changes SSRC leaves its old group. */
    ck_assert_int_eq(put_stream(s, 2, 0x5555, "two moved"), 0);
    ck_assert_ptr_null(api_store_find_ssrc(s, 0x1234));
    ck_assert_str_eq(api_store_find_ssrc(s, 0x5555)->full_json, "two moved");
    ck_assert_int_eq(drop_stream(s, 2), 0);
    ck_assert_int_eq(drop_stream(s, 9), 0);
    ck_assert_int_eq(drop_stream(s, 12345), 0);
    ck_assert_ptr_null(api_store_find_ssrc(s, 0x5555));
    ck_assert_uint_eq(api_store_stream_count(s), 0);
    /* Nothing left but the two hash tables' buckets. */
    ck_assert_uint_le(api_store_bytes(s), empty + 2 * 64 * sizeof(void *));
    api_store_free(s);
}
END_TEST

START_TEST(many_streams_same_ssrc)
{
    api_store_t *s = api_store_new();
    char tag[32];
    for (uint64_t i = 0; i < 2000; i++) {
        snprintf(tag, sizeof tag, "s%llu", (unsigned long long)i);
        ck_assert_int_eq(put_stream(s, i, (uint32_t)(i % 3), tag), 0);
    }
    ck_assert_str_eq(api_store_find_ssrc(s, 0)->full_json, "s1998");
    ck_assert_str_eq(api_store_find_ssrc(s, 1)->full_json, "s1999");
    ck_assert_str_eq(api_store_find_ssrc(s, 2)->full_json, "s1997");
    for (uint64_t i = 1999; i >= 1000; i--)
        drop_stream(s, i);
    ck_assert_str_eq(api_store_find_ssrc(s, 0)->full_json, "s999");
    api_store_free(s);
}
END_TEST

START_TEST(counters)
{
    api_store_t *s = api_store_new();
    const json_t *c = api_store_counters(s);
    ck_assert(json_is_object(c));
    ck_assert_uint_eq(json_object_size(c), 0);
    const char *text = "{\"capture_packets\":12,\"messages\":{\"INVITE\":3}}";
    ck_assert_int_eq(api_store_apply(s, API_FRAME_COUNTERS, text, (uint32_t)strlen(text)), 0);
    c = api_store_counters(s);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "capture_packets")), 12);
    /* Non-objects and garbage are rejected; the last good object stays. */
    const char *bad[] = {"[1,2]", "12", "\"x\"", "null", "{\"a\":", "", "{} {}", "{\"a\":1}x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(api_store_apply(s, API_FRAME_COUNTERS, bad[i], (uint32_t)strlen(bad[i])) ==
                          -1,
                      "%s", bad[i]);
    c = api_store_counters(s);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "capture_packets")), 12);
    /* Only `len` bytes are parsed (no NUL needed). */
    const char *padded = "{\"capture_packets\":7}GARBAGE";
    ck_assert_int_eq(api_store_apply(s, API_FRAME_COUNTERS, padded, 21), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(api_store_counters(s), "capture_packets")),
                     7);
    api_store_free(s);
}
END_TEST

START_TEST(bytes_track_contents)
{
    api_store_t *s = api_store_new();
    size_t empty = api_store_bytes(s);
    put_dialog(s, "x", "u", 0, 1, -1);
    size_t one = api_store_bytes(s);
    ck_assert_uint_gt(one, empty + 40); /* at least the strings */
    put_dialog(s, "x", "u", 0, 1, -1);
    ck_assert_uint_eq(api_store_bytes(s), one); /* same record, same size */
    drop_dialog(s, "x");
    size_t after = api_store_bytes(s);
    ck_assert_uint_lt(after, one);
    put_stream(s, 1, 1, "abc");
    ck_assert_uint_gt(api_store_bytes(s), after);
    drop_stream(s, 1);
    /* Back to where it was, bar the hash tables now allocated. */
    ck_assert_uint_lt(api_store_bytes(s), after + 2 * 64 * sizeof(void *) + 1);
    api_store_free(s);
}
END_TEST

typedef struct walk {
    uint64_t last;
    size_t n;
    bool sorted;
} walk_t;

/* Running totals follow replacements and drops; PDD percentiles are exact
 * (nearest rank), beyond 65 s too. */
START_TEST(totals_and_pdd_percentiles)
{
    api_store_t *s = api_store_new();
    ck_assert_int_eq(api_store_pdd_percentile(s, 50), -1);
    char id[32];
    for (int i = 1; i <= 100; i++) { /* PDD 10, 20, ... 1000 ms; state Failed (4) */
        snprintf(id, sizeof id, "c%d", i);
        ck_assert_int_eq(put_dialog(s, id, "alice", 4, (uint64_t)i, i * 10), 0);
    }
    ck_assert_int_eq(put_dialog(s, "nopdd", "bob", 0, 1000, -1), 0);
    const api_store_totals_t *t = api_store_totals(s);
    ck_assert_uint_eq(t->by_state[4], 100);
    ck_assert_uint_eq(t->by_state[0], 1);
    ck_assert_uint_eq(t->with_pdd, 100);
    ck_assert_int_eq(api_store_pdd_percentile(s, 50), 500);
    ck_assert_int_eq(api_store_pdd_percentile(s, 95), 950);
    ck_assert_int_eq(api_store_pdd_percentile(s, 99), 990);
    ck_assert_int_eq(api_store_pdd_percentile(s, 100), 1000);
    /* replace: c100 now 90 s (beyond the per-millisecond table), state Completed */
    ck_assert_int_eq(put_dialog(s, "c100", "alice", 3, 100, 90000), 0);
    ck_assert_uint_eq(t->by_state[4], 99);
    ck_assert_uint_eq(t->by_state[3], 1);
    ck_assert_int_eq(api_store_pdd_percentile(s, 100), 90000);
    ck_assert_int_eq(api_store_pdd_percentile(s, 99), 990);
    /* drop it and one more */
    ck_assert_int_eq(drop_dialog(s, "c100"), 0);
    ck_assert_int_eq(drop_dialog(s, "c1"), 0);
    ck_assert_uint_eq(t->with_pdd, 98);
    ck_assert_uint_eq(t->by_state[3], 0);
    ck_assert_int_eq(api_store_pdd_percentile(s, 100), 990);
    ck_assert_int_eq(api_store_pdd_percentile(s, 1), 20);
    /* streams */
    ck_assert_int_eq(put_stream(s, 1, 0xA, "x"), 0);
    ck_assert_int_eq(put_stream(s, 2, 0xB, "y"), 0);
    ck_assert_int_eq(put_stream(s, 2, 0xB, "y2"), 0); /* replaced: still two */
    ck_assert_uint_eq(t->streams, 2);
    ck_assert_int_eq(drop_stream(s, 1), 0);
    ck_assert_uint_eq(t->streams, 1);
    api_store_free(s);
}
END_TEST

static bool check_sorted(void *ud, const api_dialog_t *d)
{
    walk_t *w = ud;
    if (w->n && d->created_us < w->last) w->sorted = false;
    w->last = d->created_us;
    w->n++;
    return true;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void scale(bool reverse)
{
    enum { N = 100000 };
    api_store_t *s = api_store_new();
    char id[32];
    double t0 = now_s();
    for (int i = 0; i < N; i++) {
        int k = reverse ? N - 1 - i : i;
        snprintf(id, sizeof id, "call-%d@host", k);
        ck_assert_int_eq(
            put_dialog(s, id, "u", (unsigned)(k % API_STATE_COUNT), (uint64_t)k * 10, k % 5000), 0);
    }
    double t1 = now_s();
    ck_assert_uint_eq(api_store_dialog_count(s), N);
    for (int k = 0; k < N; k++) {
        snprintf(id, sizeof id, "call-%d@host", k);
        const api_dialog_t *d = find(s, id);
        ck_assert_ptr_nonnull(d);
        ck_assert(d->created_us == (uint64_t)k * 10);
    }
    ck_assert_ptr_null(find(s, "call-100000@host"));
    walk_t w = {.sorted = true};
    api_store_foreach_dialog(s, check_sorted, &w);
    ck_assert_uint_eq(w.n, N);
    ck_assert(w.sorted);
    /* Generous bound (sanitizers, slow CI): quadratic behaviour would take
     * minutes, not seconds. */
    ck_assert_msg(t1 - t0 < 20.0, "100000 inserts took %.1f s", t1 - t0);
    api_store_free(s);
}

/* Slots are distinct, 16-aligned, zeroed, reused after a free, and span
 * chunks; sized slabs hand large sizes to malloc. */
START_TEST(slab_slots)
{
    api_slab_t slab;
    api_slab_init(&slab, 250);
    ck_assert_uint_eq(slab.slot, 256);
    enum { N = 5000 }; /* about five 256 KiB chunks */
    static unsigned char *p[N];
    for (size_t i = 0; i < N; i++) {
        p[i] = api_slab_alloc(&slab);
        ck_assert_ptr_nonnull(p[i]);
        ck_assert_uint_eq((uintptr_t)p[i] % 16, 0);
        for (size_t k = 0; k < 256; k++)
            ck_assert_uint_eq(p[i][k], 0);
        memset(p[i], (int)(i & 0xff) | 1, 256);
    }
    ck_assert_uint_ge(slab.chunk_bytes, (size_t)N * 256);
    for (size_t i = 1; i < N; i++) /* no two slots overlap */
        ck_assert(p[i] >= p[i - 1] + 256 || p[i] + 256 <= p[i - 1]);
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_eq(p[i][255], (unsigned)((i & 0xff) | 1));
    size_t held = slab.chunk_bytes;
    api_slab_free(&slab, p[17]);
    unsigned char *again = api_slab_alloc(&slab);
    ck_assert_ptr_eq(again, p[17]);
    ck_assert_uint_eq(again[100], 0);
    ck_assert_uint_eq(slab.chunk_bytes, held);
    api_slab_clear(&slab);
    ck_assert_uint_eq(slab.chunk_bytes, 0);
    ck_assert_uint_eq(slab.slot, 256);

    api_slab_sizes_t z;
    api_slab_sizes_init(&z);
    size_t sizes[] = {1, 64, 65, 2048, 2049, 100000};
    char *q[6];
    for (size_t i = 0; i < 6; i++) {
        q[i] = api_slab_sizes_alloc(&z, sizes[i]);
        ck_assert_ptr_nonnull(q[i]);
        memset(q[i], 'x', sizes[i]);
    }
    ck_assert_uint_eq(z.by_size[0].chunk_bytes > 0, 1);  /* 1 and 64 */
    ck_assert_uint_eq(z.by_size[1].chunk_bytes > 0, 1);  /* 65 */
    ck_assert_uint_eq(z.by_size[31].chunk_bytes > 0, 1); /* 2048 */
    for (size_t i = 0; i < 6; i++)
        api_slab_sizes_free(&z, q[i], sizes[i]);
    api_slab_sizes_clear(&z);
}
END_TEST

static int put_dialog_values(api_store_t *s, const char *call_id, uint64_t created,
                             const char *values_json)
{
    json_error_t e;
    json_t *values = json_loads(values_json, 0, &e);
    ck_assert_ptr_nonnull(values);
    api_buf_t vb = {0};
    ck_assert_int_eq(api_values_encode(&vb, values), 0);
    json_decref(values);
    api_dialog_rec_t d = {0};
    d.call_id = snb_str(call_id, strlen(call_id));
    d.from_user = SNB_STR_LIT("u");
    d.created_us = created;
    d.pdd_ms = -1;
    d.summary_json = SNB_STR_LIT("{}");
    d.values = snb_str(vb.data, vb.len);
    int rc = put_dialog_rec(s, &d);
    api_buf_free(&vb);
    return rc;
}

typedef struct matches {
    const snb_filter_t *f;
    char text[256];
} matches_t;

static bool collect_matches(void *ud, const api_dialog_t *d)
{
    matches_t *m = ud;
    if (!api_values_match(m->f, &d->values)) return true;
    if (m->text[0]) strcat(m->text, ",");
    strcat(m->text, d->call_id);
    return true;
}

static const char *matching(const api_store_t *s, const char *expr, matches_t *m)
{
    char err[256];
    snb_filter_t *f = api_field_table_compile(api_store_dialog_fields(s), expr, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    memset(m, 0, sizeof *m);
    m->f = f;
    api_store_foreach_dialog(s, collect_matches, m);
    snb_filter_free(f);
    return m->text;
}

/* A filter reads the values each dialog holds now: through replaces that
 * change their sizes (and so their slab), drops, and a missing trailing
 * field (an older capture process sent fewer). */
START_TEST(filter_values_follow_changes)
{
    api_store_t *s = api_store_new();
    const char *fields =
        "{\"dialogs\":{\"fields\":[{\"name\":\"state\",\"type\":\"string\"},"
        "{\"name\":\"pdd_ms\",\"type\":\"number\"},{\"name\":\"ua\",\"type\":\"string\"}],"
        "\"aliases\":[],\"kinds\":[]},\"streams\":{\"fields\":[],\"aliases\":[]}}";
    ck_assert_int_eq(api_store_apply(s, API_FRAME_FIELDS, fields, (uint32_t)strlen(fields)), 0);
    char big[3000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char with_big[3100];
    snprintf(with_big, sizeof with_big, "[\"Failed\", 900, \"%s\"]", big);
    ck_assert_int_eq(put_dialog_values(s, "a", 1, "[\"Failed\", 120, \"x\"]"), 0);
    ck_assert_int_eq(put_dialog_values(s, "b", 2, "[\"Completed\", 80, \"y\"]"), 0);
    ck_assert_int_eq(put_dialog_values(s, "c", 3, with_big), 0); /* > API_SLAB_MAX: malloc */
    ck_assert_int_eq(put_dialog_values(s, "d", 4, "[\"Failed\"]"), 0);
    matches_t m;
    ck_assert_str_eq(matching(s, "state == 'Failed'", &m), "a,c,d");
    ck_assert_str_eq(matching(s, "state == 'Failed' && pdd_ms > 500", &m), "c");
    ck_assert_str_eq(matching(s, "ua == 'y'", &m), "b");
    ck_assert_str_eq(matching(s, "pdd_ms < 100", &m), "b"); /* d has no pdd_ms */
    /* b fails later with a longer UA; c shrinks back into a slab slot. */
    ck_assert_int_eq(put_dialog_values(s, "b", 2,
                                       "[\"Failed\", 80, \"a much longer agent "
                                       "string that needs a larger slot\"]"),
                     0);
    ck_assert_int_eq(put_dialog_values(s, "c", 3, "[\"Completed\", 900, \"z\"]"), 0);
    ck_assert_str_eq(matching(s, "state == 'Failed'", &m), "a,b,d");
    ck_assert_str_eq(matching(s, "ua =~ 'longer'", &m), "b");
    ck_assert_str_eq(matching(s, "ua == 'z' && pdd_ms == 900", &m), "c");
    ck_assert_int_eq(drop_dialog(s, "a"), 0);
    ck_assert_str_eq(matching(s, "state == 'Failed'", &m), "b,d");
    api_store_free(s);
}
END_TEST

START_TEST(scale_in_order)
{
    scale(false);
}
END_TEST

START_TEST(scale_reverse_order)
{
    scale(true);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_store");
    TCase *tc = tcase_create("api_store");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, state_names);
    tcase_add_test(tc, put_replace_drop);
    tcase_add_test(tc, bad_frames_leave_store_unchanged);
    tcase_add_test(tc, creation_order);
    tcase_add_test(tc, streams_and_ssrc);
    tcase_add_test(tc, many_streams_same_ssrc);
    tcase_add_test(tc, counters);
    tcase_add_test(tc, bytes_track_contents);
    tcase_add_test(tc, totals_and_pdd_percentiles);
    tcase_add_test(tc, slab_slots);
    tcase_add_test(tc, filter_values_follow_changes);
    tcase_add_test(tc, scale_in_order);
    tcase_add_test(tc, scale_reverse_order);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
