/* Typed, refcounted, immutable events.
 *
 * A handler receives a borrowed const pointer valid for the dispatch only.
 * To keep an event, call snb_event_retain() and keep the pointer it returns:
 * an event published as SNB_EVF_BORROWED (e.g. a packet still in libpcap's
 * buffer) is cloned on its first retain, so the hot path never allocates when
 * nobody keeps anything. Release with snb_event_release(). Events are never
 * modified after publication, so nobody deep-copies per handler. */
#ifndef SIPNAB_EVENT_H
#define SIPNAB_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "sipnab/export.h"
#include "sipnab/packet.h"

/* Event types; a subscription is a mask of (1 << type). New types are added
 * at the end with an ABI minor bump. */
typedef enum snb_event_type {
    SNB_EV_PACKET = 0,    /* snb_packet_event_t: one decoded UDP/TCP/SCTP packet */
    SNB_EV_CAPTURE_END,   /* every source has finished (end of files) */
    SNB_EV_SIP_MESSAGE,   /* reserved for modules/sip */
    SNB_EV_DIALOG_UPDATE, /* reserved for modules/sip */
    SNB_EV_STREAM_UPDATE, /* reserved for modules/rtp */
    SNB_EV_RTCP_REPORT,   /* reserved for modules/rtp */
    SNB_EV_ALERT,         /* reserved for security analysers */
    SNB_EV_TYPE_COUNT
} snb_event_type_t;

#define SNB_EVMASK(type) (UINT64_C(1) << (type))

enum snb_event_flags {
    SNB_EVF_BORROWED = 1u << 0, /* points at memory the publisher reuses: clone to keep */
};

typedef struct snb_event snb_event_t;

typedef struct snb_event_ops {
    const char *name;
    /* Make an owned heap copy of a borrowed event (refcount 1). */
    snb_event_t *(*clone)(const snb_event_t *ev);
    /* Free an owned event when its refcount drops to zero. */
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

/* Keep an event beyond the dispatch; returns the pointer to keep (a clone for
 * a borrowed event), or NULL if cloning failed for lack of memory. */
SNB_API snb_event_t *snb_event_retain(const snb_event_t *ev);
SNB_API void snb_event_release(snb_event_t *ev);

/* Ops for SNB_EV_PACKET events (clone copies frame and payload). */
SNB_API extern const snb_event_ops_t snb_packet_event_ops;
/* Ops for events that are just the snb_event_t header (SNB_EV_CAPTURE_END). */
SNB_API extern const snb_event_ops_t snb_plain_event_ops;

#endif
