/* The event bus. Single-threaded by design: every call happens on the loop
 * thread, so there are no locks. Other threads reach it through a hand-off
 * (handoff.c).
 *
 * Each event type has its own subscriber list, so a dispatch touches only
 * the handlers that asked for that type, and there is no limit on the
 * number of types. Events published during a dispatch are copied into an
 * arena that is emptied once the queue has drained: deferring a borrowed
 * event costs a memcpy, not a malloc. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bus_internal.h"

typedef struct subscription {
    snb_event_handler fn;
    void *ud;
    int id; /* 0 once unsubscribed; compacted when no dispatch is running */
} subscription_t;

typedef struct type_slot {
    char *name;
    subscription_t *subs;
    size_t n_subs, cap_subs;
    size_t live; /* subscriptions with id != 0 */
} type_slot_t;

struct snb_bus {
    type_slot_t *types;
    size_t n_types, cap_types;
    int next_id;
    int dispatch_depth;
    bool needs_compact;
    snb_event_t *queue_head, *queue_tail; /* published during a dispatch */
    snb_arena_t *arena;                   /* the borrowed ones among them */
    bool arena_used;                      /* since the last reset */
    uint64_t delivered, queue_failures;
};

#define ARENA_CHUNK (64u * 1024)

static snb_event_type_t add_type(snb_bus_t *bus, const char *name)
{
    if (bus->n_types == bus->cap_types) {
        size_t cap = bus->cap_types ? bus->cap_types * 2 : 16;
        type_slot_t *t = realloc(bus->types, cap * sizeof *t);
        if (!t) return -ENOMEM;
        bus->types = t;
        bus->cap_types = cap;
    }
    char *copy = strdup(name);
    if (!copy) return -ENOMEM;
    bus->types[bus->n_types] = (type_slot_t){.name = copy};
    return (snb_event_type_t)bus->n_types++;
}

snb_bus_t *snb_bus_new(void)
{
    snb_bus_t *bus = calloc(1, sizeof *bus);
    if (!bus) return NULL;
    bus->next_id = 1;
    bus->arena = snb_arena_new(ARENA_CHUNK);
    if (!bus->arena || add_type(bus, "packet") != SNB_EV_PACKET ||
        add_type(bus, "capture-end") != SNB_EV_CAPTURE_END) {
        snb_bus_free(bus);
        return NULL;
    }
    return bus;
}

snb_event_type_t snb_bus_lookup(const snb_bus_t *bus, const char *name)
{
    for (size_t i = 0; name && i < bus->n_types; i++)
        if (!strcmp(bus->types[i].name, name)) return (snb_event_type_t)i;
    return -ENOENT;
}

snb_event_type_t snb_bus_register(snb_bus_t *bus, const char *name)
{
    if (!name || !*name) return -EINVAL;
    if (snb_bus_lookup(bus, name) >= 0) return -EEXIST;
    return add_type(bus, name);
}

const char *snb_bus_type_name(const snb_bus_t *bus, snb_event_type_t type)
{
    return type >= 0 && (size_t)type < bus->n_types ? bus->types[type].name : NULL;
}

static void compact(snb_bus_t *bus)
{
    for (size_t t = 0; t < bus->n_types; t++) {
        type_slot_t *slot = &bus->types[t];
        size_t w = 0;
        for (size_t r = 0; r < slot->n_subs; r++)
            if (slot->subs[r].id) slot->subs[w++] = slot->subs[r];
        slot->n_subs = w;
    }
    bus->needs_compact = false;
}

static int add_sub(type_slot_t *slot, snb_event_handler fn, void *ud, int id)
{
    if (slot->n_subs == slot->cap_subs) {
        size_t cap = slot->cap_subs ? slot->cap_subs * 2 : 4;
        subscription_t *s = realloc(slot->subs, cap * sizeof *s);
        if (!s) return -ENOMEM;
        slot->subs = s;
        slot->cap_subs = cap;
    }
    slot->subs[slot->n_subs++] = (subscription_t){.fn = fn, .ud = ud, .id = id};
    slot->live++;
    return 0;
}

int snb_bus_subscribe(snb_bus_t *bus, const snb_event_type_t *types, size_t n, snb_event_handler fn,
                      void *ud)
{
    if (!fn || (n && !types)) return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (types[i] >= 0 && (size_t)types[i] >= bus->n_types) return -EINVAL;
    int id = bus->next_id++;
    for (size_t i = 0; i < n; i++) {
        if (types[i] < 0) continue; /* an optional producer that is not loaded */
        int rc = add_sub(&bus->types[types[i]], fn, ud, id);
        if (rc) {
            snb_bus_unsubscribe(bus, id);
            return rc;
        }
    }
    return id;
}

void snb_bus_unsubscribe(snb_bus_t *bus, int id)
{
    if (id <= 0) return;
    for (size_t t = 0; t < bus->n_types; t++) {
        type_slot_t *slot = &bus->types[t];
        for (size_t i = 0; i < slot->n_subs; i++) {
            if (slot->subs[i].id == id) {
                slot->subs[i].id = 0;
                slot->live--;
                bus->needs_compact = true;
            }
        }
    }
    if (bus->dispatch_depth == 0 && bus->needs_compact) compact(bus);
}

int snb_bus_wants(const snb_bus_t *bus, snb_event_type_t type)
{
    return type >= 0 && (size_t)type < bus->n_types && bus->types[type].live > 0;
}

static void dispatch(snb_bus_t *bus, const snb_event_t *ev)
{
    bus->dispatch_depth++;
    /* Index loop over a snapshot of the count, re-reading the arrays: a
     * handler may subscribe (realloc) or unsubscribe (id = 0) meanwhile. */
    size_t n = bus->types[ev->type].n_subs;
    for (size_t i = 0; i < n; i++) {
        subscription_t s = bus->types[ev->type].subs[i];
        if (!s.id) continue;
        s.fn(s.ud, ev);
        bus->delivered++;
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
        snb_event_release(ev); /* nothing for arena copies, which stay borrowed */
    }
    if (bus->arena_used) snb_arena_reset(bus->arena);
    bus->arena_used = false;
    if (bus->needs_compact) compact(bus);
}

/* A copy of a borrowed event in the arena, still marked borrowed: a
 * subscriber that keeps it gets its own heap copy from snb_event_retain. */
static snb_event_t *arena_copy(snb_bus_t *bus, const snb_event_t *ev)
{
    size_t size = ev->ops->size(ev);
    snb_event_t *c = snb_arena_alloc(bus->arena, size);
    if (!c) return NULL;
    bus->arena_used = true;
    ev->ops->copy(ev, c);
    c->flags |= SNB_EVF_BORROWED;
    c->refcount = 1;
    c->next = NULL;
    return c;
}

int snb_bus_publish(snb_bus_t *bus, snb_event_t *ev)
{
    if ((size_t)ev->type >= bus->n_types) {
        snb_event_release(ev);
        return -EINVAL;
    }
    if (bus->dispatch_depth > 0) {
        /* Deliver after the current dispatch: no recursion, order preserved. */
        if (!bus->types[ev->type].live) {
            snb_event_release(ev);
            return 0;
        }
        snb_event_t *queued = ev;
        if (ev->flags & SNB_EVF_BORROWED) {
            queued = arena_copy(bus, ev);
            if (!queued) {
                bus->queue_failures++;
                return -ENOMEM;
            }
        }
        queued->next = NULL;
        if (bus->queue_tail)
            bus->queue_tail->next = queued;
        else
            bus->queue_head = queued;
        bus->queue_tail = queued;
        return 0;
    }
    if (bus->types[ev->type].live) dispatch(bus, ev);
    snb_event_release(ev);
    /* Most packets publish nothing from their handlers: skip the drain. */
    if (bus->queue_head || bus->arena_used || bus->needs_compact) drain_queue(bus);
    return 0;
}

uint64_t snb_bus_delivered(const snb_bus_t *bus)
{
    return bus->delivered;
}

uint64_t snb_bus_queue_failures(const snb_bus_t *bus)
{
    return bus->queue_failures;
}

void snb_bus_free(snb_bus_t *bus)
{
    if (!bus) return;
    if (bus->arena) drain_queue(bus);
    for (size_t t = 0; t < bus->n_types; t++) {
        free(bus->types[t].name);
        free(bus->types[t].subs);
    }
    free(bus->types);
    snb_arena_free(bus->arena);
    free(bus);
}
