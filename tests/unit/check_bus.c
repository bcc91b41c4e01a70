/* The event bus: masks, ordering, deferred publish, refcounts and clones. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bus_internal.h"
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

START_TEST(masks_select_subscribers_in_order)
{
    snb_bus_t *bus = snb_bus_new();
    recorder_t all = {.tag = 1}, packets = {.tag = 2};
    int a = snb_bus_subscribe(bus, SNB_EVMASK(SNB_EV_PACKET) | SNB_EVMASK(SNB_EV_CAPTURE_END),
                              record, &all);
    int b = snb_bus_subscribe(bus, SNB_EVMASK(SNB_EV_PACKET), record, &packets);
    ck_assert_int_gt(a, 0);
    ck_assert_int_gt(b, a);
    ck_assert(snb_bus_wants(bus, SNB_EV_PACKET));
    ck_assert(!snb_bus_wants(bus, SNB_EV_ALERT));
    publish_plain(bus, SNB_EV_PACKET);
    publish_plain(bus, SNB_EV_CAPTURE_END);
    publish_plain(bus, SNB_EV_ALERT); /* nobody listens */
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
    ck_assert_int_eq(snb_bus_subscribe(bus, 0, record, &all), -22); /* -EINVAL */
    snb_bus_free(bus);
}
END_TEST

START_TEST(publish_inside_handler_is_deferred_and_ordered)
{
    snb_bus_t *bus = snb_bus_new();
    recorder_t first = {.tag = 1, .bus = bus, .publish_from_handler = 1};
    recorder_t second = {.tag = 2};
    snb_bus_subscribe(bus, ~UINT64_C(0), record, &first);
    snb_bus_subscribe(bus, ~UINT64_C(0), record, &second);
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
    snb_bus_subscribe(bus, SNB_EVMASK(SNB_EV_PACKET), keep_packet, &r);
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
    self.tag = snb_bus_subscribe(bus, SNB_EVMASK(SNB_EV_PACKET), unsubscribe_self, &self);
    snb_bus_subscribe(bus, SNB_EVMASK(SNB_EV_PACKET), record, &other);
    publish_plain(bus, SNB_EV_PACKET);
    publish_plain(bus, SNB_EV_PACKET);
    ck_assert_int_eq(self.n, 1);
    ck_assert_int_eq(other.n, 2);
    snb_bus_free(bus);
}
END_TEST

START_TEST(out_of_range_type_is_refused)
{
    snb_bus_t *bus = snb_bus_new();
    snb_event_t ev = {.type = SNB_EV_TYPE_COUNT,
                      .flags = SNB_EVF_BORROWED,
                      .refcount = 1,
                      .ops = &snb_plain_event_ops};
    ck_assert_int_eq(snb_bus_publish(bus, &ev), -22);
    snb_bus_free(bus);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("bus");
    tcase_add_test(tc, masks_select_subscribers_in_order);
    tcase_add_test(tc, publish_inside_handler_is_deferred_and_ordered);
    tcase_add_test(tc, retaining_a_borrowed_packet_clones_it);
    tcase_add_test(tc, unsubscribe_during_dispatch_is_safe);
    tcase_add_test(tc, out_of_range_type_is_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
