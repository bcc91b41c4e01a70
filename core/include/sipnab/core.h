/* What the core offers modules: the loop, the bus, capture sources and the
 * cross-thread hand-off. Modules never call each other; they publish and
 * subscribe. */
#ifndef SIPNAB_CORE_H
#define SIPNAB_CORE_H

#include <stddef.h>
#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "sipnab/bus.h"
#include "sipnab/export.h"
#include "sipnab/packet.h"
#include "sipnab/stats.h"

typedef struct snb_core snb_core_t;

SNB_API uv_loop_t *snb_core_loop(snb_core_t *core);
SNB_API snb_bus_t *snb_core_bus(snb_core_t *core);

/* Keep the process running after every source has finished (an API that
 * serves a finished file analysis until Ctrl-C). Released by snb_core_unhold. */
SNB_API void snb_core_hold(snb_core_t *core);
SNB_API void snb_core_unhold(snb_core_t *core);

/* Make the process exit with `status` (1 = runtime error) when it ends,
 * e.g. a report asked for a Call-ID that is not in the capture. */
SNB_API void snb_core_fail(snb_core_t *core, int status);

/* ---- counters ----
 * A module registers a group of uint64_t counters it owns; `--stats` prints
 * them after the core's (text and JSON: one key per counter, named
 * "<prefix>_<name>"). The values are read when the run ends, before fini. */
typedef struct snb_counter_def {
    const char *name;
    const char *help;
} snb_counter_def_t;

SNB_API int snb_core_counters(snb_core_t *core, const char *prefix, const snb_counter_def_t *defs,
                              const uint64_t *values, size_t n);
/* Every counter as `--stats --json` prints it, as of now (module groups as
 * their modules last wrote them): a new JSON object, or NULL. */
SNB_API json_t *snb_core_stats_json(snb_core_t *core);

/* ---- services ----
 * A module may offer a typed, versioned table of functions under a name
 * (e.g. "rtp.streams") for other modules to call on the loop thread; the
 * only sanctioned way for one module to call another. The table must stay
 * valid until the provider's fini. A newer provider must keep the layout of
 * older versions (append only). */
SNB_API int snb_core_provide(snb_core_t *core, const char *name, uint32_t version,
                             const void *table);
/* The table, or NULL if nobody provides `name` at version >= min_version. */
SNB_API const void *snb_core_service(snb_core_t *core, const char *name, uint32_t min_version);

/* ---- capture sources ----
 * A source (a file list, an interface, a HEP listener) registers itself, hands
 * raw frames to the core on the loop thread, and says when it has finished.
 * The core decodes each frame with the shared decoder and publishes
 * SNB_EV_PACKET events. When every source has finished the core publishes
 * SNB_EV_CAPTURE_END and, unless held, stops. */
typedef struct snb_source snb_source_t;

SNB_API snb_source_t *snb_source_new(snb_core_t *core, const char *name);
SNB_API void snb_source_frame(snb_source_t *src, const snb_frame_t *frame);
/* A packet the source decoded itself (HEP carries addresses, ports and the
 * payload, not a frame): published as SNB_EV_PACKET as it is. */
SNB_API void snb_source_packet(snb_source_t *src, const snb_packet_t *pkt);
SNB_API snb_capture_stats_t *snb_source_stats(snb_source_t *src);
SNB_API void snb_source_finished(snb_source_t *src);
/* Marks the run failed (exit status non-zero) without stopping other sources. */
SNB_API void snb_source_failed(snb_source_t *src);
SNB_API void snb_source_free(snb_source_t *src);

/* ---- bounded cross-thread hand-off ----
 * A byte ring of variable-size records written by ONE producer thread and
 * drained on the loop thread (uv_async_send; the callback drains what it
 * finds, since sends coalesce). Writing never allocates or locks; a full ring
 * refuses the record and the producer counts the drop. */
typedef struct snb_handoff snb_handoff_t;

/* Called on the loop thread for each record, in order. */
typedef void (*snb_handoff_cb)(void *ud, const void *hdr, size_t hdr_len, const uint8_t *data,
                               size_t data_len);

SNB_API snb_handoff_t *snb_handoff_new(snb_core_t *core, size_t capacity_bytes, snb_handoff_cb cb,
                                       void *ud);
/* The producer thread. Returns 0, or SNB_E_FULL when the record does not fit now. */
SNB_API int snb_handoff_write(snb_handoff_t *h, const void *hdr, size_t hdr_len,
                              const uint8_t *data, size_t data_len);
/* Loop thread: drain what is left, then close the async handle and free. */
SNB_API void snb_handoff_close(snb_handoff_t *h);

#endif
