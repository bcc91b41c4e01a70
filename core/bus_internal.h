/* Bus lifetime, owned by the core (modules only see bus.h). */
#ifndef SNB_BUS_INTERNAL_H
#define SNB_BUS_INTERNAL_H

#include "sipnab/bus.h"

snb_bus_t *snb_bus_new(void);
/* Deliver whatever is still queued (used on shutdown), then free. */
void snb_bus_free(snb_bus_t *bus);
/* Events delivered since creation (for tests and stats). */
uint64_t snb_bus_delivered(const snb_bus_t *bus);
/* Events published inside a dispatch that could not be queued (no memory). */
uint64_t snb_bus_queue_failures(const snb_bus_t *bus);

#endif
