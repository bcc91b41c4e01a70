/* The event bus. Single-threaded by design: every call happens on the loop
 * thread, so there are no locks. Other threads reach it through a hand-off
 * (handoff.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "bus_internal.h"

typedef struct subscription {
    uint64_t mask;
    snb_event_handler fn;
    void *ud;
    int id; /* 0 once unsubscribed; compacted when no dispatch is running */
} subscription_t;

struct snb_bus {
    subscription_t *subs;
    size_t n_subs, cap_subs;
    int next_id;
    uint64_t wanted; /* union of live masks: lets publishers skip unwanted work */
    int dispatch_depth;
    bool needs_compact;
    snb_event_t *queue_head, *queue_tail; /* published during a dispatch */
    uint64_t delivered;
};

snb_bus_t *snb_bus_new(void)
{
    snb_bus_t *bus = calloc(1, sizeof *bus);
    if (bus) bus->next_id = 1;
    return bus;
}

static void recompute_wanted(snb_bus_t *bus)
{
    bus->wanted = 0;
    for (size_t i = 0; i < bus->n_subs; i++)
        if (bus->subs[i].id) bus->wanted |= bus->subs[i].mask;
}

static void compact(snb_bus_t *bus)
{
    size_t w = 0;
    for (size_t r = 0; r < bus->n_subs; r++)
        if (bus->subs[r].id) bus->subs[w++] = bus->subs[r];
    bus->n_subs = w;
    bus->needs_compact = false;
}

int snb_bus_subscribe(snb_bus_t *bus, uint64_t mask, snb_event_handler fn, void *ud)
{
    if (!fn || !mask) return -EINVAL;
    if (bus->n_subs == bus->cap_subs) {
        size_t cap = bus->cap_subs ? bus->cap_subs * 2 : 8;
        subscription_t *s = realloc(bus->subs, cap * sizeof *s);
        if (!s) return -ENOMEM;
        bus->subs = s;
        bus->cap_subs = cap;
    }
    int id = bus->next_id++;
    bus->subs[bus->n_subs++] = (subscription_t){.mask = mask, .fn = fn, .ud = ud, .id = id};
    bus->wanted |= mask;
    return id;
}

void snb_bus_unsubscribe(snb_bus_t *bus, int id)
{
    for (size_t i = 0; i < bus->n_subs; i++) {
        if (bus->subs[i].id == id) {
            bus->subs[i].id = 0;
            bus->needs_compact = true;
        }
    }
    recompute_wanted(bus);
    if (bus->dispatch_depth == 0 && bus->needs_compact) compact(bus);
}

int snb_bus_wants(const snb_bus_t *bus, snb_event_type_t type)
{
    return (bus->wanted & SNB_EVMASK(type)) != 0;
}

static void dispatch(snb_bus_t *bus, const snb_event_t *ev)
{
    uint64_t bit = SNB_EVMASK(ev->type);
    bus->dispatch_depth++;
    /* Index loop with a snapshot of n: a handler may subscribe (realloc) or
     * unsubscribe (id = 0) while we iterate. */
    size_t n = bus->n_subs;
    for (size_t i = 0; i < n; i++) {
        subscription_t *s = &bus->subs[i];
        if (s->id && (s->mask & bit)) {
            s->fn(s->ud, ev);
            bus->delivered++;
        }
    }
    bus->dispatch_depth--;
}

static void drain_queue(snb_bus_t *bus)
{
    while (bus->queue_head) {
        snb_event_t *ev = bus->queue_head;
        bus->queue_head = ev->next;
        if (!bus->queue_head) bus->queue_tail = NULL;
        ev->next = NULL;
        dispatch(bus, ev);
        snb_event_release(ev);
    }
    if (bus->needs_compact) compact(bus);
}

int snb_bus_publish(snb_bus_t *bus, snb_event_t *ev)
{
    if (ev->type >= SNB_EV_TYPE_COUNT) {
        snb_event_release(ev);
        return -EINVAL;
    }
    if (bus->dispatch_depth > 0) {
        /* Deliver after the current dispatch: no recursion, order preserved. */
        snb_event_t *owned = ev;
        if (ev->flags & SNB_EVF_BORROWED) {
            owned = snb_event_retain(ev);
            if (!owned) return -ENOMEM;
        }
        owned->next = NULL;
        if (bus->queue_tail)
            bus->queue_tail->next = owned;
        else
            bus->queue_head = owned;
        bus->queue_tail = owned;
        return 0;
    }
    if (bus->wanted & SNB_EVMASK(ev->type)) dispatch(bus, ev);
    snb_event_release(ev);
    drain_queue(bus);
    return 0;
}

uint64_t snb_bus_delivered(const snb_bus_t *bus)
{
    return bus->delivered;
}

void snb_bus_free(snb_bus_t *bus)
{
    if (!bus) return;
    drain_queue(bus);
    free(bus->subs);
    free(bus);
}
