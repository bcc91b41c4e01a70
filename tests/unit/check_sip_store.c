/* The dialog store: find/foreach order, eviction order, caps, a million
 * Call-IDs in bounded memory and time, memory per dialog. */
#include <check.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_run.h"
#include "sip_dialog_testlib.h"

#if defined(__SANITIZE_ADDRESS__)
#define TL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TL_ASAN 1
#endif
#endif

#define T(ms) (TL_T0 + TL_MS(ms))

static sip_store_t *new_store(uint32_t max_dialogs, uint32_t max_messages, uint32_t max_sdp)
{
    sip_store_limits_t l = {
        .max_dialogs = max_dialogs, .max_messages = max_messages, .max_sdp = max_sdp};
    sip_store_t *st = sip_store_new(&l);
    ck_assert_ptr_nonnull(st);
    return st;
}

/* A message filled by hand (no parser): fast enough for a million. */
static sip_dialog_t *quick_invite(sip_store_t *st, const char *call_id, uint64_t ts)
{
    sip_msg_t m;
    memset(&m, 0, sizeof m);
    m.is_request = true;
    m.method = SIP_INVITE;
    m.method_name = SNB_STR_LIT("INVITE");
    m.call_id = snb_str(call_id, strlen(call_id));
    m.cseq = 1;
    m.cseq_method = SIP_INVITE;
    m.cseq_method_name = SNB_STR_LIT("INVITE");
    m.from.tag = SNB_STR_LIT("t1");
    m.content_length = -1;
    sip_msg_meta_t meta;
    tl_meta(&meta, ts, SIDE_A, SIP_TRANSPORT_UDP);
    return sip_store_message(st, &m, &meta, NULL);
}

typedef struct {
    char ids[16][32];
    int n, stop_after;
} collect_t;

static bool collect(void *ud, sip_dialog_t *d)
{
    collect_t *c = ud;
    snprintf(c->ids[c->n++], sizeof c->ids[0], "%s", d->call_id);
    return c->n != c->stop_after;
}

START_TEST(find_and_foreach_order)
{
    sip_store_t *st = new_store(100, 16, 4);
    const char *ids[] = {"c0", "c1", "c2", "c3", "c4"};
    for (int i = 0; i < 5; i++)
        quick_invite(st, ids[i], T(i));
    quick_invite(st, "c1", T(10)); /* an existing one: no new dialog, order kept */
    ck_assert_uint_eq(sip_store_count(st), 5);
    ck_assert_uint_eq(sip_store_stats(st)->dialogs_created, 5);
    collect_t c = {.stop_after = -1};
    sip_store_foreach(st, collect, &c);
    ck_assert_int_eq(c.n, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_str_eq(c.ids[i], ids[i]);
    collect_t c2 = {.stop_after = 2};
    sip_store_foreach(st, collect, &c2);
    ck_assert_int_eq(c2.n, 2);
    sip_dialog_t *d = sip_store_find(st, "c3");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->call_id, "c3");
    ck_assert_uint_eq(sip_store_find(st, "c1")->msg_count, 2);
    ck_assert_ptr_null(sip_store_find(st, "zz"));
    ck_assert_ptr_null(sip_store_find(st, "c"));
    ck_assert_ptr_null(sip_store_find(st, NULL));
    sip_store_free(st);
}
END_TEST

START_TEST(eviction_order)
{
    sip_store_t *st = new_store(3, 16, 4);
    tl_call_t c;
    quick_invite(st, "d1", T(0)); /* stays Trying */
    tl_init(&c, st, "d2");
    tl_req(&c, T(1), SIDE_A, "OPTIONS", 1, NULL, NULL);
    tl_resp(&c, T(2), SIDE_B, 200, "OK", "OPTIONS", 1, NULL, NULL); /* finished */
    quick_invite(st, "d3", T(3));
    quick_invite(st, "d4", T(4)); /* full: the finished d2 goes, not the older d1 */
    ck_assert_uint_eq(sip_store_count(st), 3);
    ck_assert_ptr_null(sip_store_find(st, "d2"));
    ck_assert_ptr_nonnull(sip_store_find(st, "d1"));
    ck_assert_uint_eq(sip_store_stats(st)->dialogs_evicted, 1);
    quick_invite(st, "d5", T(5)); /* nothing finished: the oldest, d1 */
    ck_assert_ptr_null(sip_store_find(st, "d1"));
    ck_assert_ptr_nonnull(sip_store_find(st, "d3"));
    /* d4 finishes before d3: d4 is evicted first */
    tl_init(&c, st, "d4");
    tl_resp(&c, T(6), SIDE_B, 486, "Busy Here", "INVITE", 1, NULL, NULL);
    tl_init(&c, st, "d3");
    tl_resp(&c, T(7), SIDE_B, 486, "Busy Here", "INVITE", 1, NULL, NULL);
    ck_assert(sip_store_find(st, "d3")->finished && sip_store_find(st, "d4")->finished);
    quick_invite(st, "d6", T(8));
    ck_assert_ptr_null(sip_store_find(st, "d4"));
    ck_assert_ptr_nonnull(sip_store_find(st, "d3"));
    ck_assert_ptr_nonnull(sip_store_find(st, "d5"));
    ck_assert_uint_eq(sip_store_stats(st)->dialogs_evicted, 3);
    /* creation order survives evictions */
    collect_t co = {.stop_after = -1};
    sip_store_foreach(st, collect, &co);
    ck_assert_int_eq(co.n, 3);
    ck_assert_str_eq(co.ids[0], "d3");
    ck_assert_str_eq(co.ids[1], "d5");
    ck_assert_str_eq(co.ids[2], "d6");
    sip_store_free(st);
}
END_TEST

START_TEST(evicting_registered_binding)
{
    /* a Registered dialog sits in the expiry heap: evicting it must remove it */
    sip_store_t *st = new_store(2, 16, 4);
    tl_call_t c;
    tl_init(&c, st, "r1");
    tl_req(&c, T(0), SIDE_A, "REGISTER", 1, "Contact: <sip:a@10.0.0.1>\nExpires: 60\n", NULL);
    tl_resp(&c, T(1), SIDE_B, 200, "OK", "REGISTER", 1, NULL, NULL);
    tl_init(&c, st, "r2");
    tl_req(&c, T(2), SIDE_A, "REGISTER", 1, "Contact: <sip:b@10.0.0.1>\nExpires: 30\n", NULL);
    tl_resp(&c, T(3), SIDE_B, 200, "OK", "REGISTER", 1, NULL, NULL);
    quick_invite(st, "x", T(4)); /* evicts r1 (oldest, nothing finished) */
    ck_assert_ptr_null(sip_store_find(st, "r1"));
    sip_store_advance(st, T(40000));
    ck_assert_str_eq(tl_state(sip_store_find(st, "r2")), "Expired");
    sip_store_advance(st, T(100000));
    ck_assert_uint_eq(sip_store_stats(st)->registrations_expired, 1);
    sip_store_free(st);
}
END_TEST

START_TEST(expiry_order)
{
    sip_store_t *st = new_store(100, 16, 4);
    tl_call_t c;
    const char *ids[] = {"e60", "e10", "e30"};
    const char *exp[] = {"Expires: 60\n", "Expires: 10\n", "Expires: 30\n"};
    for (int i = 0; i < 3; i++) {
        tl_init(&c, st, ids[i]);
        char h[128];
        snprintf(h, sizeof h, "Contact: <sip:a@10.0.0.1>\n%s", exp[i]);
        tl_req(&c, T(0), SIDE_A, "REGISTER", 1, h, NULL);
        tl_resp(&c, T(0), SIDE_B, 200, "OK", "REGISTER", 1, NULL, NULL);
    }
    sip_store_advance(st, T(15000));
    ck_assert_str_eq(tl_state(sip_store_find(st, "e10")), "Expired");
    ck_assert_str_eq(tl_state(sip_store_find(st, "e30")), "Registered");
    ck_assert_str_eq(tl_state(sip_store_find(st, "e60")), "Registered");
    sip_store_advance(st, T(10000)); /* capture time never goes back */
    sip_store_advance(st, T(45000));
    ck_assert_str_eq(tl_state(sip_store_find(st, "e30")), "Expired");
    ck_assert_str_eq(tl_state(sip_store_find(st, "e60")), "Registered");
    sip_store_advance(st, T(60001));
    ck_assert_str_eq(tl_state(sip_store_find(st, "e60")), "Expired");
    ck_assert_uint_eq(sip_store_stats(st)->registrations_expired, 3);
    sip_store_free(st);
}
END_TEST

START_TEST(caps_messages_and_sdp)
{
    sip_store_t *st = new_store(10, 3, 2);
    tl_call_t c;
    char sdp[512];
    tl_sdp(sdp, sizeof sdp, "10.0.0.1", 4000, "sendrecv", "0");
    tl_init(&c, st, "caps");
    sip_dialog_t *d = tl_req(&c, T(0), SIDE_A, "INVITE", 1, NULL, sdp);
    strcpy(c.to_tag, "t");
    tl_resp(&c, T(1), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_resp(&c, T(2), SIDE_B, 200, "OK", "INVITE", 1, NULL, sdp);
    tl_req(&c, T(3), SIDE_A, "ACK", 1, NULL, NULL);
    tl_req(&c, T(4), SIDE_A, "INVITE", 2, NULL, sdp);
    tl_resp(&c, T(5), SIDE_B, 200, "OK", "INVITE", 2, NULL, sdp);
    tl_req(&c, T(6), SIDE_A, "BYE", 3, NULL, NULL);
    ck_assert_uint_eq(d->msg_count, 7);
    ck_assert_uint_eq(d->n_msgs, 3);
    ck_assert_uint_le(d->cap_msgs, 3);
    ck_assert_str_eq(d->msgs[2].label, "200 OK"); /* the first ones are kept */
    ck_assert_uint_eq(d->n_sdp, 2);
    ck_assert_uint_le(d->cap_sdp, 2);
    ck_assert_str_eq(tl_state(d), "Completed"); /* state follows all messages */
    sip_store_free(st);
}
END_TEST

START_TEST(zero_limits)
{
    sip_store_t *st = new_store(0, 0, 0); /* max_dialogs 0 acts as 1 */
    sip_dialog_t *d = quick_invite(st, "z1", T(0));
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_msgs, 0);
    ck_assert_uint_eq(d->msg_count, 1);
    quick_invite(st, "z2", T(1));
    ck_assert_uint_eq(sip_store_count(st), 1);
    ck_assert_ptr_nonnull(sip_store_find(st, "z2"));
    sip_store_free(st);
}
END_TEST

START_TEST(many_dialogs_findable)
{
    sip_store_t *st = new_store(20000, 4, 2);
    char id[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "id-%d", i);
        quick_invite(st, id, T(i));
    }
    ck_assert_uint_eq(sip_store_count(st), 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "id-%d", i);
        sip_dialog_t *d = sip_store_find(st, id);
        ck_assert_ptr_nonnull(d);
        ck_assert_str_eq(d->call_id, id);
    }
    sip_store_free(st);
}
END_TEST

START_TEST(million_call_ids_bounded)
{
    sip_store_t *st = new_store(10000, 8, 4);
    char id[32];
#ifndef TL_ASAN
    struct mallinfo2 before = mallinfo2();
    size_t peak = 0;
#endif
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint32_t i = 0; i < 1000000; i++) {
        snprintf(id, sizeof id, "%08x-%u@host", i * 2654435761u, i);
        quick_invite(st, id, TL_T0 + i);
#ifndef TL_ASAN
        if ((i & 0xffff) == 0) {
            struct mallinfo2 now = mallinfo2();
            if (now.uordblks > before.uordblks && now.uordblks - before.uordblks > peak)
                peak = now.uordblks - before.uordblks;
        }
#endif
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_uint_eq(sip_store_count(st), 10000);
    ck_assert_uint_eq(sip_store_stats(st)->dialogs_created, 1000000);
    ck_assert_uint_eq(sip_store_stats(st)->dialogs_evicted, 990000);
    /* the newest survive */
    snprintf(id, sizeof id, "%08x-%u@host", 999999u * 2654435761u, 999999u);
    ck_assert_ptr_nonnull(sip_store_find(st, id));
    snprintf(id, sizeof id, "%08x-%u@host", 0u, 0u);
    ck_assert_ptr_null(sip_store_find(st, id));
    /* A guard against a scan per eviction (hours), not a benchmark: loose
     * enough for ASan on a loaded machine. */
    ck_assert_msg(secs < 60.0, "1e6 Call-IDs took %.2f s", secs);
#ifndef TL_ASAN
    /* 10 000 one-message dialogs: well under 4 KiB each, and it stays so */
    ck_assert_msg(peak < (size_t)10000 * 4096, "peak heap %zu bytes", peak);
#endif
    sip_store_free(st);
}
END_TEST

/* A typical call: INVITE/100/180/200/ACK/BYE/200, two SDPs. */
static sip_dialog_t *typical_call(sip_store_t *st, const char *id, uint64_t t)
{
    tl_call_t c;
    char sa[512], sb[512];
    tl_sdp(sa, sizeof sa, "10.0.0.1", 4000, "sendrecv", "0 8 101");
    tl_sdp(sb, sizeof sb, "10.0.0.2", 5000, "sendrecv", "0 101");
    tl_init(&c, st, id);
    sip_dialog_t *d = tl_req(&c, t, SIDE_A, "INVITE", 1, "User-Agent: phone\n", sa);
    tl_resp(&c, t + 10, SIDE_B, 100, "Trying", "INVITE", 1, NULL, NULL);
    strcpy(c.to_tag, "tt");
    tl_resp(&c, t + 20, SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    tl_resp(&c, t + 30, SIDE_B, 200, "OK", "INVITE", 1, NULL, sb);
    tl_req(&c, t + 40, SIDE_A, "ACK", 1, NULL, NULL);
    tl_req(&c, t + 50, SIDE_A, "BYE", 2, NULL, NULL);
    tl_resp(&c, t + 60, SIDE_B, 200, "OK", "BYE", 2, NULL, NULL);
    return d;
}

START_TEST(memory_per_dialog)
{
    sip_store_t *st = new_store(5000, 64, 16);
    sip_dialog_t *d = typical_call(st, "mem-0@example.com", T(0));
    ck_assert_uint_eq(d->n_msgs, 7);
    ck_assert_uint_eq(d->n_sdp, 2);
    size_t bytes = sip_store_dialog_bytes(d);
    ck_assert_msg(bytes < 8192, "a typical call takes %zu bytes", bytes);
    ck_assert_uint_ge(bytes, sizeof(sip_dialog_t) + 7 * sizeof(sip_msg_summary_t));
#ifndef TL_ASAN
    /* the allocator agrees, overhead included */
    struct mallinfo2 before = mallinfo2();
    char id[64];
    for (int i = 1; i <= 1000; i++) {
        snprintf(id, sizeof id, "mem-%d@example.com", i);
        typical_call(st, id, T(i * 100));
    }
    struct mallinfo2 after = mallinfo2();
    size_t per = (after.uordblks - before.uordblks) / 1000;
    ck_assert_msg(per < 8192, "%zu heap bytes per typical call", per);
#endif
    sip_store_free(st);
}
END_TEST

/* Cursors: each consumer gets every dialog that changed since it last
 * looked, once, in the order of its last change, and evictions in sequence
 * with the changes; consumers do not take from each other. */
typedef struct fed {
    char ids[16][40];
    int n;
    int resyncs;
} fed_t;

static bool feed_changed(void *ud, sip_dialog_t *d)
{
    fed_t *f = ud;
    if (f->n < 16) snprintf(f->ids[f->n++], sizeof f->ids[0], "%s", d->call_id);
    return true;
}

static void feed_gone(void *ud, const char *call_id)
{
    fed_t *f = ud;
    if (f->n < 16) snprintf(f->ids[f->n++], sizeof f->ids[0], "gone:%s", call_id);
}

static void feed_resync(void *ud)
{
    ((fed_t *)ud)->resyncs++;
}

static const sip_store_feed_t feed = {feed_changed, feed_gone, feed_resync};

START_TEST(cursors)
{
    sip_store_t *st = new_store(3, 8, 4);
    quick_invite(st, "before", T(0)); /* before the cursor: a new cursor sees it */
    sip_store_cursor_t *c = sip_store_cursor_new(st);
    quick_invite(st, "a", T(1));
    quick_invite(st, "b", T(2));
    quick_invite(st, "a", T(3)); /* changed again: once, at its latest place */
    fed_t f = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 2, &feed, &f), 2);
    ck_assert_str_eq(f.ids[0], "before");
    ck_assert_str_eq(f.ids[1], "b");
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 10, &feed, &f), 1);
    ck_assert_str_eq(f.ids[2], "a");
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 10, &feed, &f), 0);

    /* A second consumer starts before everything held; the first is not
     * disturbed by it. */
    sip_store_cursor_t *c2 = sip_store_cursor_new(st);
    fed_t f2 = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c2, 10, &feed, &f2), 3);
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 10, &feed, &f), 0);

    /* A fourth dialog evicts the oldest ("before"): both hear it went, in
     * sequence: gone first, then the new one. */
    quick_invite(st, "c", T(4));
    fed_t g = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 10, &feed, &g), 1);
    ck_assert_int_eq(g.n, 2);
    ck_assert_str_eq(g.ids[0], "gone:before");
    ck_assert_str_eq(g.ids[1], "c");
    fed_t g2 = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c2, 10, &feed, &g2), 1);
    ck_assert_str_eq(g2.ids[0], "gone:before");

    /* A touch (an annotation's data changed) makes it changed for all. */
    sip_store_touch(st, sip_store_find(st, "b"));
    fed_t t = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 10, &feed, &t), 1);
    ck_assert_str_eq(t.ids[0], "b");
    /* A dialog evicted after it changed: only its going is told. */
    quick_invite(st, "a", T(5));
    quick_invite(st, "d", T(6)); /* evicts the oldest finished-or-first: "a" */
    fed_t e = {.n = 0};
    sip_store_cursor_next(st, c, 10, &feed, &e);
    bool saw_gone_a = false, saw_a = false;
    for (int i = 0; i < e.n; i++) {
        saw_gone_a |= !strcmp(e.ids[i], "gone:a");
        saw_a |= !strcmp(e.ids[i], "a");
    }
    ck_assert(saw_gone_a && !saw_a);

    /* Reset (the consumer lost its copies): everything held again. */
    sip_store_cursor_reset(st, c);
    fed_t all = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 10, &feed, &all), 3);
    sip_store_cursor_free(st, c);
    sip_store_cursor_free(st, c2);
    sip_store_free(st);
}
END_TEST

/* A cursor that falls more than the gone log's capacity behind resyncs:
 * it is told to start over, then gets everything held. */
START_TEST(cursor_resync_after_many_evictions)
{
    sip_store_t *st = new_store(4, 2, 1);
    sip_store_cursor_t *c = sip_store_cursor_new(st);
    char id[32];
    for (int i = 0; i < 70000; i++) {
        snprintf(id, sizeof id, "c%d", i);
        quick_invite(st, id, T(i));
    }
    fed_t f = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 100, &feed, &f), 4);
    ck_assert_int_eq(f.resyncs, 1);
    ck_assert_str_eq(f.ids[0], "c69996");
    /* caught up: no more resyncs */
    quick_invite(st, "x", T(80000));
    fed_t g = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 100, &feed, &g), 1);
    ck_assert_int_eq(g.resyncs, 0);
    ck_assert_str_eq(g.ids[0], "gone:c69996");
    sip_store_cursor_free(st, c);
    sip_store_free(st);
}
END_TEST

/* The observer hears of creation and every state change (for the
 * "sip.dialog" event), annotations' slots are freed with their dialog. */
typedef struct seen_changes {
    int created, changed;
    uint8_t last_prev, last_state;
} seen_changes_t;

static void observe(void *ud, const sip_dialog_t *d, uint8_t prev, bool created)
{
    seen_changes_t *s = ud;
    if (created)
        s->created++;
    else
        s->changed++;
    s->last_prev = prev;
    s->last_state = d->state;
}

static int freed;
static void free_slot(void *ud, size_t slot, void *data)
{
    (void)ud;
    ck_assert_uint_eq(slot, 1);
    free(data);
    freed++;
}

START_TEST(observer_and_slots)
{
    sip_store_t *st = new_store(1, 8, 4);
    seen_changes_t seen = {0};
    sip_store_observe(st, observe, &seen);
    sip_store_set_slots(st, 2, free_slot, NULL);
    sip_dialog_t *d = quick_invite(st, "one", T(0));
    ck_assert_int_eq(seen.created, 1);
    ck_assert_int_eq(seen.changed, 0);
    quick_invite(st, "one", T(1)); /* a resend: no state change */
    ck_assert_int_eq(seen.changed, 0);
    void **slot = sip_store_slot(st, d, 1);
    ck_assert_ptr_nonnull(slot);
    ck_assert_ptr_null(*slot);
    *slot = malloc(16);
    ck_assert_ptr_null(sip_store_slot(st, d, 2)); /* out of range */
    freed = 0;
    quick_invite(st, "two", T(2)); /* evicts "one": its slot goes with it */
    ck_assert_int_eq(freed, 1);
    ck_assert_int_eq(seen.created, 2);
    sip_store_free(st);
}
END_TEST

/* Requests still waiting are given up on in capture time: no response at
 * all after no_response_us (Timer B/F), only provisional ones after
 * no_final_us (Timer C, INVITE). */
/* Records the order in which dialogs time out. */
typedef struct {
    char ids[4][16];
    int n;
} timeout_order_t;

static void record_timeout(void *ud, const sip_dialog_t *d, uint8_t prev, bool created)
{
    timeout_order_t *o = ud;
    (void)prev;
    if (!created && d->timeout != SIP_TIMEOUT_NONE && o->n < 4)
        snprintf(o->ids[o->n++], sizeof o->ids[0], "%s", d->call_id);
}

/* A resend pushes a deadline later without re-sorting the heap at once
 * (sync_node): dialogs still time out in the order of their true deadlines,
 * each at its own. */
START_TEST(timeouts_in_deadline_order_after_a_deadline_moved)
{
    sip_store_limits_t l = {
        .max_dialogs = 100, .max_messages = 16, .max_sdp = 4, .no_response_us = 32000000};
    sip_store_t *st = sip_store_new(&l);
    timeout_order_t order = {.n = 0};
    sip_store_observe(st, record_timeout, &order);
    quick_invite(st, "moved", T(0));    /* deadline 32 s ... */
    quick_invite(st, "fixed", T(5000)); /* 37 s */
    quick_invite(st, "moved", T(8000)); /* ... now 40 s */
    quick_invite(st, "gone", T(9000));  /* 41 s, then answered: no deadline */
    tl_call_t g;
    tl_init(&g, st, "gone");
    strcpy(g.to_tag, "tt");
    tl_resp(&g, T(9100), SIDE_B, 200, "OK", "INVITE", 1, NULL, NULL);
    sip_store_advance(st, T(39000));
    ck_assert_int_eq(order.n, 1);
    ck_assert_str_eq(order.ids[0], "fixed");
    sip_store_advance(st, T(60000));
    ck_assert_int_eq(order.n, 2);
    ck_assert_str_eq(order.ids[1], "moved");
    ck_assert_uint_eq(sip_store_find(st, "fixed")->ended_us, T(37000));
    ck_assert_uint_eq(sip_store_find(st, "moved")->ended_us, T(40000));
    ck_assert_str_eq(sip_dialog_state_name(sip_store_find(st, "gone")->state), "InCall");
    ck_assert_uint_eq(sip_store_stats(st)->dialogs_timed_out, 2);
    sip_store_free(st);
}
END_TEST

START_TEST(unanswered_requests_time_out)
{
    sip_store_limits_t l = {.max_dialogs = 100,
                            .max_messages = 16,
                            .max_sdp = 4,
                            .no_response_us = 32000000,
                            .no_final_us = 180000000};
    sip_store_t *st = sip_store_new(&l);
    sip_store_cursor_t *c = sip_store_cursor_new(st);
    seen_changes_t seen = {0};
    sip_store_observe(st, observe, &seen);
    quick_invite(st, "silent", T(0));
    quick_invite(st, "silent", T(4000)); /* a retransmission moves the deadline */
    tl_call_t ring;
    tl_init(&ring, st, "ringing");
    tl_req(&ring, T(1000), SIDE_A, "INVITE", 1, NULL, NULL);
    strcpy(ring.to_tag, "tt");
    tl_resp(&ring, T(1100), SIDE_B, 180, "Ringing", "INVITE", 1, NULL, NULL);
    fed_t drain = {.n = 0};
    sip_store_cursor_next(st, c, 16, &feed, &drain);
    sip_store_advance(st, T(35000)); /* 31 s after the retransmission: still waiting */
    ck_assert_str_eq(sip_dialog_state_name(sip_store_find(st, "silent")->state), "Trying");
    sip_store_advance(st, T(36001));
    sip_dialog_t *d = sip_store_find(st, "silent");
    ck_assert_str_eq(sip_dialog_state_name(d->state), "Failed");
    ck_assert_str_eq(sip_dialog_timeout_name(d), "no response");
    ck_assert(d->finished);
    ck_assert_uint_eq(d->ended_us, T(36000));
    sip_dialog_t *r = sip_store_find(st, "ringing");
    ck_assert_str_eq(sip_dialog_state_name(r->state), "Ringing"); /* a 180 came back */
    ck_assert_ptr_null(sip_dialog_timeout_name(r));
    sip_store_advance(st, T(1100 + 180001));
    ck_assert_str_eq(sip_dialog_state_name(r->state), "Failed");
    ck_assert_str_eq(sip_dialog_timeout_name(r), "no final response");
    ck_assert_uint_eq(sip_store_stats(st)->dialogs_timed_out, 2);
    /* both count as changed, and both state changes were observed */
    fed_t f = {.n = 0};
    ck_assert_uint_eq(sip_store_cursor_next(st, c, 16, &feed, &f), 2);
    ck_assert_int_eq(seen.last_state, SIP_DS_FAILED);
    ck_assert_int_eq(seen.last_prev, SIP_DS_RINGING);
    sip_store_cursor_free(st, c);
    /* a response after all (a capture gap): the call goes on from where it was */
    strcpy(ring.to_tag, "tt");
    tl_resp(&ring, T(1100 + 190000), SIDE_B, 200, "OK", "INVITE", 1, NULL, NULL);
    ck_assert_str_eq(sip_dialog_state_name(r->state), "InCall");
    ck_assert_ptr_null(sip_dialog_timeout_name(r));
    /* an answered call is left alone; with 0 limits nothing times out */
    sip_store_free(st);
    l.no_response_us = l.no_final_us = 0;
    st = sip_store_new(&l);
    quick_invite(st, "forever", T(0));
    sip_store_advance(st, T(86400000));
    ck_assert_str_eq(sip_dialog_state_name(sip_store_find(st, "forever")->state), "Trying");
    sip_store_free(st);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sip_store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, find_and_foreach_order);
    tcase_add_test(tc, eviction_order);
    tcase_add_test(tc, evicting_registered_binding);
    tcase_add_test(tc, expiry_order);
    tcase_add_test(tc, caps_messages_and_sdp);
    tcase_add_test(tc, zero_limits);
    tcase_add_test(tc, many_dialogs_findable);
    tcase_add_test(tc, million_call_ids_bounded);
    tcase_add_test(tc, memory_per_dialog);
    tcase_add_test(tc, cursors);
    tcase_add_test(tc, cursor_resync_after_many_evictions);
    tcase_add_test(tc, observer_and_slots);
    tcase_add_test(tc, unanswered_requests_time_out);
    tcase_add_test(tc, timeouts_in_deadline_order_after_a_deadline_moved);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return snb_check_run(suite());
}
