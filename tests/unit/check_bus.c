/* The event bus: named types, per-type subscriptions, ordering, deferred
 * publish through the arena, refcounts and copies. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_internal.h"
#include "check_run.h"
#include "sipnab/event.h"

typedef struct recorder {
    int ids[64];
    int n;
    int tag;
    snb_bus_t *bus;
    int publish_from_handler; /* publish one CAPTURE_END while handling a PACKET */
    snb_event_t *kept;
} recorder_t;

static void record(void *ud, const snb_event_t *ev)
{
    recorder_t *r = ud;
    if (r->n < 64) r->ids[r->n++] = r->tag * 100 + (int)ev->type;
    if (r->publish_from_handler && ev->type == SNB_EV_PACKET) {
        r->publish_from_handler = 0;
        snb_event_t nested = {.type = SNB_EV_CAPTURE_END,
                              .flags = SNB_EVF_BORROWED,
                              .refcount = 1,
                              .ops = &snb_plain_event_ops};
        snb_bus_publish(r->bus, &nested);
        /* Not delivered yet: no recursion into this or any handler. */
        ck_assert_int_eq(r->ids[r->n - 1], r->tag * 100 + SNB_EV_PACKET);
    }
}

static void publish_plain(snb_bus_t *bus, snb_event_type_t type)
{
    snb_event_t ev = {
        .type = type, .flags = SNB_EVF_BORROWED, .refcount = 1, .ops = &snb_plain_event_ops};
    ck_assert_int_eq(snb_bus_publish(bus, &ev), 0);
}

START_TEST(types_select_subscribers_in_order)
{
    snb_bus_t *bus = snb_bus_new();
    snb_event_type_t alert = snb_bus_register(bus, "test.alert");
    ck_assert_int_eq(alert, SNB_EV_BUILTIN_COUNT);
    recorder_t all = {.tag = 1}, packets = {.tag = 2};
    const snb_event_type_t both[] = {SNB_EV_PACKET, SNB_EV_CAPTURE_END};
    int a = snb_bus_subscribe(bus, both, 2, record, &all);
    int b = snb_bus_subscribe(bus, both, 1, record, &packets);
    ck_assert_int_gt(a, 0);
    ck_assert_int_gt(b, a);
    ck_assert(snb_bus_wants(bus, SNB_EV_PACKET));
    ck_assert(!snb_bus_wants(bus, alert));
    publish_plain(bus, SNB_EV_PACKET);
    publish_plain(bus, SNB_EV_CAPTURE_END);
    publish_plain(bus, alert); /* nobody listens */
    ck_assert_int_eq(all.n, 2);
    ck_assert_int_eq(all.ids[0], 100 + SNB_EV_PACKET);
    ck_assert_int_eq(all.ids[1], 100 + SNB_EV_CAPTURE_END);
    ck_assert_int_eq(packets.n, 1);
    ck_assert_uint_eq(snb_bus_delivered(bus), 3);
    snb_bus_unsubscribe(bus, b);
    ck_assert(snb_bus_wants(bus, SNB_EV_PACKET)); /* `all` still wants packets */
    publish_plain(bus, SNB_EV_PACKET);
    ck_assert_int_eq(packets.n, 1);
    ck_assert_int_eq(all.n, 3);
    snb_bus_unsubscribe(bus, a);
    ck_assert(!snb_bus_wants(bus, SNB_EV_PACKET));
    ck_assert_int_eq(snb_bus_subscribe(bus, both, 2, NULL, &all), -22); /* -EINVAL */
    snb_bus_free(bus);
}
END_TEST

START_TEST(types_are_registered_by_name)
{
    snb_bus_t *bus = snb_bus_new();
    ck_assert_int_eq(snb_bus_lookup(bus, "packet"), SNB_EV_PACKET);
    ck_assert_int_eq(snb_bus_lookup(bus, "capture-end"), SNB_EV_CAPTURE_END);
    ck_assert_int_eq(snb_bus_lookup(bus, "sip.message"), -2); /* -ENOENT: not loaded */
    /* No fixed limit: far more types than a 64-bit mask could hold. */
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "t.%d", i);
        ck_assert_int_eq(snb_bus_register(bus, name), SNB_EV_BUILTIN_COUNT + i);
    }
    ck_assert_int_eq(snb_bus_register(bus, "t.7"), -17); /* -EEXIST */
    ck_assert_int_eq(snb_bus_register(bus, ""), -22);
    ck_assert_int_eq(snb_bus_lookup(bus, "t.199"), SNB_EV_BUILTIN_COUNT + 199);
    ck_assert_str_eq(snb_bus_type_name(bus, SNB_EV_BUILTIN_COUNT + 7), "t.7");
    ck_assert_ptr_null(snb_bus_type_name(bus, 100000));
    /* The last type is delivered like the first. */
    recorder_t r = {.tag = 0};
    snb_event_type_t last = snb_bus_lookup(bus, "t.199");
    /* A consumer of an optional producer passes the failed lookup as is. */
    const snb_event_type_t types[] = {snb_bus_lookup(bus, "absent"), last};
    ck_assert_int_gt(snb_bus_subscribe(bus, types, 2, record, &r), 0);
    publish_plain(bus, last);
    ck_assert_int_eq(r.n, 1);
    ck_assert_int_eq(r.ids[0], last);
    /* A type that was never handed out is refused. */
    const snb_event_type_t bogus[] = {last + 1};
    ck_assert_int_eq(snb_bus_subscribe(bus, bogus, 1, record, &r), -22);
    snb_bus_free(bus);
}
END_TEST

START_TEST(publish_inside_handler_is_deferred_and_ordered)
{
    snb_bus_t *bus = snb_bus_new();
    recorder_t first = {.tag = 1, .bus = bus, .publish_from_handler = 1};
    recorder_t second = {.tag = 2};
    const snb_event_type_t both[] = {SNB_EV_PACKET, SNB_EV_CAPTURE_END};
    snb_bus_subscribe(bus, both, 2, record, &first);
    snb_bus_subscribe(bus, both, 2, record, &second);
    publish_plain(bus, SNB_EV_PACKET);
    /* Both saw the packet before either saw the nested CAPTURE_END. */
    ck_assert_int_eq(first.n, 2);
    ck_assert_int_eq(second.n, 2);
    ck_assert_int_eq(first.ids[0], 100 + SNB_EV_PACKET);
    ck_assert_int_eq(second.ids[0], 200 + SNB_EV_PACKET);
    ck_assert_int_eq(first.ids[1], 100 + SNB_EV_CAPTURE_END);
    ck_assert_int_eq(second.ids[1], 200 + SNB_EV_CAPTURE_END);
    snb_bus_free(bus);
}
END_TEST

static void keep_packet(void *ud, const snb_event_t *ev)
{
    recorder_t *r = ud;
    r->kept = snb_event_retain(ev);
}

START_TEST(retaining_a_borrowed_packet_clones_it)
{
    snb_bus_t *bus = snb_bus_new();
    recorder_t r = {0};
    const snb_event_type_t packets[] = {SNB_EV_PACKET};
    snb_bus_subscribe(bus, packets, 1, keep_packet, &r);
    uint8_t frame_bytes[64];
    for (int i = 0; i < 64; i++)
        frame_bytes[i] = (uint8_t)i;
    snb_frame_t frame = {
        .ts_us = 42, .caplen = 64, .wirelen = 64, .linktype = 1, .data = frame_bytes};
    char reassembled[] = "outside the frame";
    snb_packet_event_t pe = {
        .ev = {.type = SNB_EV_PACKET,
               .flags = SNB_EVF_BORROWED,
               .refcount = 1,
               .ops = &snb_packet_event_ops},
        .pkt = {.ts_us = 42, .frame = &frame, .payload = frame_bytes + 42, .payload_len = 22},
        .source = "lan",
    };
    snb_bus_publish(bus, &pe.ev);
    ck_assert_ptr_nonnull(r.kept);
    ck_assert_ptr_ne(r.kept, &pe.ev);
    /* The publisher reuses its buffers: the clone must not care. */
    memset(frame_bytes, 0xee, sizeof frame_bytes);
    const snb_packet_event_t *k = (const snb_packet_event_t *)r.kept;
    ck_assert_uint_eq(k->ev.refcount, 1);
    ck_assert(!(k->ev.flags & SNB_EVF_BORROWED));
    ck_assert_uint_eq(k->pkt.frame->caplen, 64);
    ck_assert_uint_eq(k->pkt.frame->data[10], 10);
    ck_assert_uint_eq(k->pkt.payload[0], 42);
    ck_assert_ptr_eq(k->pkt.payload, k->pkt.frame->data + 42);
    ck_assert_str_eq(k->source, "lan");
    /* A second retain of an owned event shares it. */
    snb_event_t *again = snb_event_retain(r.kept);
    ck_assert_ptr_eq(again, r.kept);
    ck_assert_uint_eq(again->refcount, 2);
    snb_event_release(again);
    snb_event_release(r.kept);

    /* Payload outside the frame (reassembled data) is copied too. */
    pe.pkt.payload = (const uint8_t *)reassembled;
    pe.pkt.payload_len = sizeof reassembled;
    snb_bus_publish(bus, &pe.ev);
    k = (const snb_packet_event_t *)r.kept;
    memset(reassembled, 'x', sizeof reassembled - 1);
    ck_assert_str_eq((const char *)k->pkt.payload, "outside the frame");
    snb_event_release(r.kept);
    snb_bus_free(bus);
}
END_TEST

static void unsubscribe_self(void *ud, const snb_event_t *ev)
{
    recorder_t *r = ud;
    r->n++;
    snb_bus_unsubscribe(r->bus, r->tag);
}

START_TEST(unsubscribe_during_dispatch_is_safe)
{
    snb_bus_t *bus = snb_bus_new();
    recorder_t self = {.bus = bus}, other = {.tag = 2};
    const snb_event_type_t packets[] = {SNB_EV_PACKET};
    self.tag = snb_bus_subscribe(bus, packets, 1, unsubscribe_self, &self);
    snb_bus_subscribe(bus, packets, 1, record, &other);
    publish_plain(bus, SNB_EV_PACKET);
    publish_plain(bus, SNB_EV_PACKET);
    ck_assert_int_eq(self.n, 1);
    ck_assert_int_eq(other.n, 2);
    snb_bus_free(bus);
}
END_TEST

/* A handler that republishes every packet it sees as a "test.echo" event
 * built on its own stack, and one that records what arrives. */
typedef struct echo {
    snb_bus_t *bus;
    snb_event_type_t echo;
    int seen;
    char text[64];
    snb_event_t *kept;
    bool keep;
} echo_t;

typedef struct echo_event {
    snb_event_t ev;
    const char *text; /* points at the publisher's buffer */
    size_t len;
} echo_event_t;

static size_t echo_size(const snb_event_t *ev)
{
    return sizeof(echo_event_t) + ((const echo_event_t *)ev)->len + 1;
}

static void echo_copy(const snb_event_t *ev, void *dst)
{
    const echo_event_t *e = (const echo_event_t *)ev;
    echo_event_t *c = dst;
    *c = *e;
    char *t = (char *)(c + 1);
    memcpy(t, e->text, e->len + 1);
    c->text = t;
}

static const snb_event_ops_t echo_ops = {.name = "echo", .size = echo_size, .copy = echo_copy};

static void republish(void *ud, const snb_event_t *ev)
{
    echo_t *e = ud;
    char buf[64];
    snprintf(buf, sizeof buf, "packet %d", e->seen++);
    echo_event_t out = {
        .ev = SNB_EVENT_BORROWED(e->echo, &echo_ops), .text = buf, .len = strlen(buf)};
    ck_assert_int_eq(snb_bus_publish(e->bus, &out.ev), 0);
    memset(buf, 'z', sizeof buf - 1); /* the publisher reuses its memory at once */
    (void)ev;
}

static void on_echo(void *ud, const snb_event_t *ev)
{
    echo_t *e = ud;
    const echo_event_t *x = (const echo_event_t *)ev;
    snprintf(e->text, sizeof e->text, "%s", x->text);
    /* Still borrowed while in the arena: keeping it means a heap copy. */
    ck_assert(ev->flags & SNB_EVF_BORROWED);
    if (e->keep) e->kept = snb_event_retain(ev);
}

START_TEST(deferred_events_are_copied_by_their_ops)
{
    snb_bus_t *bus = snb_bus_new();
    echo_t e = {.bus = bus, .echo = snb_bus_register(bus, "test.echo")};
    const snb_event_type_t packets[] = {SNB_EV_PACKET}, echoes[] = {e.echo};
    snb_bus_subscribe(bus, packets, 1, republish, &e);
    snb_bus_subscribe(bus, echoes, 1, on_echo, &e);
    publish_plain(bus, SNB_EV_PACKET);
    ck_assert_str_eq(e.text, "packet 0");
    /* Many dispatches reuse the arena instead of growing it. */
    for (int i = 0; i < 10000; i++)
        publish_plain(bus, SNB_EV_PACKET);
    ck_assert_str_eq(e.text, "packet 10000");
    /* Kept beyond the dispatch: a heap copy that survives the arena's reuse. */
    e.keep = true;
    publish_plain(bus, SNB_EV_PACKET);
    e.keep = false;
    publish_plain(bus, SNB_EV_PACKET);
    ck_assert_ptr_nonnull(e.kept);
    ck_assert(!(e.kept->flags & SNB_EVF_BORROWED));
    ck_assert_str_eq(((const echo_event_t *)e.kept)->text, "packet 10001");
    ck_assert_str_eq(e.text, "packet 10002");
    snb_event_release(e.kept);
    snb_bus_free(bus);
}
END_TEST

START_TEST(out_of_range_type_is_refused)
{
    snb_bus_t *bus = snb_bus_new();
    snb_event_t ev = {
        .type = 1000, .flags = SNB_EVF_BORROWED, .refcount = 1, .ops = &snb_plain_event_ops};
    ck_assert_int_eq(snb_bus_publish(bus, &ev), -22);
    snb_bus_free(bus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("bus");
    tcase_add_test(tc, types_select_subscribers_in_order);
    tcase_add_test(tc, types_are_registered_by_name);
    tcase_add_test(tc, deferred_events_are_copied_by_their_ops);
    tcase_add_test(tc, publish_inside_handler_is_deferred_and_ordered);
    tcase_add_test(tc, retaining_a_borrowed_packet_clones_it);
    tcase_add_test(tc, unsubscribe_during_dispatch_is_safe);
    tcase_add_test(tc, out_of_range_type_is_refused);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
