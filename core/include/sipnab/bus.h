/* The event bus: synchronous dispatch on the loop thread, subscription by
 * event type, events published from inside a handler are queued and
 * delivered after the current dispatch (no recursion, order preserved).
 *
 * Event types other than the built-in ones are registered by name by their
 * producer (during its init) and looked up by consumers (during their
 * start, when every init has run). */
#ifndef SIPNAB_BUS_H
#define SIPNAB_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "sipnab/event.h"
#include "sipnab/export.h"

typedef struct snb_bus snb_bus_t;

typedef void (*snb_event_handler)(void *ud, const snb_event_t *ev);

/* Register a new event type under a unique name (e.g. "sip.message").
 * Returns its type (> SNB_EV_CAPTURE_END), -EEXIST if the name is taken,
 * -EINVAL for an empty name, -ENOMEM. No limit on the number of types. */
SNB_API snb_event_type_t snb_bus_register(snb_bus_t *bus, const char *name);
/* The type registered under name; -ENOENT when nobody did (its producer is
 * not loaded). "packet" and "capture-end" name the built-in types. */
SNB_API snb_event_type_t snb_bus_lookup(const snb_bus_t *bus, const char *name);
/* The name of a type; NULL when unknown. */
SNB_API const char *snb_bus_type_name(const snb_bus_t *bus, snb_event_type_t type);

/* One handler for n types. Negative types in the list (a lookup of a
 * producer that is not loaded) are skipped, so a consumer can subscribe to
 * optional producers without checking each. Returns a subscription id > 0,
 * -EINVAL (no handler, or a type that was never registered), -ENOMEM. */
SNB_API int snb_bus_subscribe(snb_bus_t *bus, const snb_event_type_t *types, size_t n,
                              snb_event_handler fn, void *ud);
SNB_API void snb_bus_unsubscribe(snb_bus_t *bus, int id);

/* Publish consumes the caller's reference. A borrowed event (SNB_EVF_BORROWED)
 * is dispatched at once when the bus is idle; inside a dispatch it is copied
 * into the bus's arena and queued. Returns 0, or a negative error (unknown
 * type; a queued copy that failed for lack of memory, which is counted). */
SNB_API int snb_bus_publish(snb_bus_t *bus, snb_event_t *ev);

/* True when at least one subscriber wants this type: lets a publisher skip
 * building events nobody reads. False for negative types. */
SNB_API int snb_bus_wants(const snb_bus_t *bus, snb_event_type_t type);

#endif
