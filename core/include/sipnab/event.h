/* Typed, refcounted, immutable events.
 *
 * Two types are built in (SNB_EV_PACKET, SNB_EV_CAPTURE_END); every other
 * type is registered by name by the module that produces it
 * (snb_bus_register, e.g. "sip.message"), and consumers look the name up
 * when they start. The producer owns the payload layout: its ops say how
 * many bytes a copy needs and how to make one, so the core copies events
 * without knowing what is in them.
 *
 * A handler receives a borrowed const pointer valid for the dispatch only.
 * To keep an event, call snb_event_retain() and keep the pointer it returns:
 * a borrowed event (SNB_EVF_BORROWED: a packet still in libpcap's buffer, a
 * SIP message on the publisher's stack) is copied to the heap on its first
 * retain, so the hot path never allocates when nobody keeps anything. An
 * event published from inside a handler is copied into the bus's
 * per-dispatch arena, not the heap, until it has been delivered. Events are
 * never modified after publication, so nobody deep-copies per handler. */
#ifndef SIPNAB_EVENT_H
#define SIPNAB_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "sipnab/export.h"
#include "sipnab/packet.h"

/* An event type: a small integer the bus hands out. Negative values are
 * "not registered" (the producing module is not loaded). */
typedef int snb_event_type_t;

enum snb_builtin_event {
    SNB_EV_PACKET = 0,      /* snb_packet_event_t: one decoded UDP/TCP/SCTP packet */
    SNB_EV_CAPTURE_END = 1, /* every source has finished (end of files); no payload */
    SNB_EV_BUILTIN_COUNT
};

enum snb_event_flags {
    SNB_EVF_BORROWED = 1u << 0, /* points at memory the publisher reuses: copy to keep */
};

typedef struct snb_event snb_event_t;

typedef struct snb_event_ops {
    const char *name;
    /* Bytes a self-contained copy of ev needs: the struct and whatever it
     * points at that the publisher reuses. */
    size_t (*size)(const snb_event_t *ev);
    /* Copy ev into dst (size(ev) bytes, 16-byte aligned), pointers moved
     * into dst. The core then fixes the header's flags, refcount and link. */
    void (*copy)(const snb_event_t *ev, void *dst);
    /* Optional: free an owned event whose refcount reached zero. NULL means
     * free(ev), which is right for every copy the core made. */
    void (*destroy)(snb_event_t *ev);
} snb_event_ops_t;

struct snb_event {
    uint32_t type;  /* snb_event_type_t */
    uint32_t flags; /* snb_event_flags */
    uint32_t refcount;
    const snb_event_ops_t *ops;
    struct snb_event *next; /* bus queue link, owned by the bus */
};

/* SNB_EV_PACKET payload. */
typedef struct snb_packet_event {
    snb_event_t ev;
    snb_packet_t pkt;
    const char *source; /* name of the source instance, e.g. "cli" */
} snb_packet_event_t;

/* Keep an event beyond the dispatch; returns the pointer to keep (a heap
 * copy for a borrowed event), or NULL if copying failed for lack of memory. */
SNB_API snb_event_t *snb_event_retain(const snb_event_t *ev);
SNB_API void snb_event_release(snb_event_t *ev);

/* Ops for SNB_EV_PACKET events (the copy holds frame and payload). */
SNB_API extern const snb_event_ops_t snb_packet_event_ops;
/* Ops for events that are just the snb_event_t header (SNB_EV_CAPTURE_END). */
SNB_API extern const snb_event_ops_t snb_plain_event_ops;

/* A borrowed event header for publishing from the stack. */
#define SNB_EVENT_BORROWED(type_, ops_)                                                            \
    (snb_event_t)                                                                                  \
    {                                                                                              \
        .type = (uint32_t)(type_), .flags = SNB_EVF_BORROWED, .refcount = 1, .ops = (ops_)         \
    }

#endif
