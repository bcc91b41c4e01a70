/* The event bus: synchronous dispatch on the loop thread, subscription by
 * type mask, events published from inside a handler are queued and delivered
 * after the current dispatch (no recursion, order preserved). */
#ifndef SIPNAB_BUS_H
#define SIPNAB_BUS_H

#include <stdint.h>

#include "sipnab/event.h"
#include "sipnab/export.h"

typedef struct snb_bus snb_bus_t;

typedef void (*snb_event_handler)(void *ud, const snb_event_t *ev);

/* Returns a subscription id > 0, or a negative error. */
SNB_API int snb_bus_subscribe(snb_bus_t *bus, uint64_t mask, snb_event_handler fn, void *ud);
SNB_API void snb_bus_unsubscribe(snb_bus_t *bus, int id);

/* Publish consumes the caller's reference. A borrowed event (SNB_EVF_BORROWED)
 * is dispatched at once when the bus is idle; inside a dispatch it is cloned
 * and queued. Returns 0, or a negative error if a queued clone failed. */
SNB_API int snb_bus_publish(snb_bus_t *bus, snb_event_t *ev);

/* True when at least one subscriber wants this type: lets a publisher skip
 * building events nobody reads. */
SNB_API int snb_bus_wants(const snb_bus_t *bus, snb_event_type_t type);

#endif
