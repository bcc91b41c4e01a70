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
#include "sipnab/hash.h"
#include "sipnab/export.h"
#include "sipnab/packet.h"
#include "sipnab/stats.h"

typedef struct snb_core snb_core_t;

SNB_API uv_loop_t *snb_core_loop(snb_core_t *core);
/* The process's random hash key (sipnab/hash.h): key every table whose keys
 * come from packets with it. Valid for the life of the core. */
SNB_API const snb_hash_key_t *snb_core_hash_key(snb_core_t *core);
SNB_API snb_bus_t *snb_core_bus(snb_core_t *core);

/* Keep the process running after every source has finished (an API that
 * serves a finished file analysis until Ctrl-C). Released by snb_core_unhold. */
SNB_API void snb_core_hold(snb_core_t *core);
SNB_API void snb_core_unhold(snb_core_t *core);

/* Back-pressure: an output that cannot keep up (HEP pacing to a collector)
 * asks the sources that can wait (capture files, not live interfaces) to
 * stop reading until it lets go. Calls nest; loop thread only. */
SNB_API void snb_core_pressure(snb_core_t *core, bool on);
SNB_API bool snb_core_pressured(const snb_core_t *core);
/* A source that stopped reading under pressure: cb(ud) once it is gone
 * (once). Cancel with the same pair before ud is freed. */
SNB_API int snb_core_when_released(snb_core_t *core, void (*cb)(void *ud), void *ud);
SNB_API void snb_core_cancel_released(snb_core_t *core, void (*cb)(void *ud), void *ud);

/* Make the process exit with `status` (1 = runtime error) when it ends,
 * e.g. a report asked for a Call-ID that is not in the capture. */
SNB_API void snb_core_fail(snb_core_t *core, int status);

/* ---- metrics ----
 * A module registers a group of metrics it owns and a collect callback that
 * reports their current values whenever somebody reads them: `--stats` at
 * the end of a run, and the API's /metrics while capture runs (so figures
 * are current on an idle link too). A metric may have labels; the module
 * bounds their cardinality (label values from packets need a cap).
 *
 * Names: `--stats` prints "<prefix>_<name>" (and "{label=...}" for labelled
 * samples); Prometheus gets "sipnab_<prefix>_<name>_total" for counters and
 * "sipnab_<prefix>_<name>" for gauges, unless `exposition` gives the exact
 * family name a contract fixes (e.g. "sipnab_messages_total"). */
typedef enum snb_metric_type {
    SNB_METRIC_COUNTER = 0, /* only goes up */
    SNB_METRIC_GAUGE = 1,   /* a level (e.g. an average, a table's fill) */
} snb_metric_type_t;

enum snb_metric_flags {
    SNB_METRIC_NO_STATS = 1u << 0, /* for /metrics only, not printed by --stats */
};

typedef struct snb_metric_def {
    const char *name; /* [a-z0-9_]+ */
    const char *help;
    snb_metric_type_t type;
    const char *const *labels; /* NULL-terminated label names, or NULL: one unlabelled sample */
    const char *exposition;    /* exact Prometheus family name, or NULL */
    unsigned flags;            /* snb_metric_flags */
} snb_metric_def_t;

/* For X-macro lists: X(name, help) -> an unlabelled counter or gauge. */
#define SNB_METRIC_COUNTER_DEF(name_, help_)                                                       \
    {.name = #name_, .help = (help_), .type = SNB_METRIC_COUNTER},
#define SNB_METRIC_GAUGE_DEF(name_, help_)                                                         \
    {.name = #name_, .help = (help_), .type = SNB_METRIC_GAUGE},

/* Where a collect callback reports values; valid during the callback. */
typedef struct snb_metric_sink snb_metric_sink_t;

/* One sample of defs[metric]: label_values has one string per label name
 * (NULL for an unlabelled metric). A metric reported twice with the same
 * labels keeps the last value. */
SNB_API void snb_metric_put(snb_metric_sink_t *sink, size_t metric, const char *const *label_values,
                            double value);
/* The common case: value[i] for the unlabelled metric i, for i < n. */
SNB_API void snb_metric_put_all(snb_metric_sink_t *sink, const uint64_t *values, size_t n);

typedef struct snb_metric_group {
    const char *prefix; /* e.g. "sip"; "" for the core's own counters */
    const snb_metric_def_t *defs;
    size_t n;
    void (*collect)(void *ud, snb_metric_sink_t *sink);
    void *ud;
} snb_metric_group_t;

/* The group is copied; defs, prefix and ud must stay valid until fini.
 * Loop thread. 0, -EINVAL, -ENOMEM; no limit on the number of groups. */
SNB_API int snb_core_metrics(snb_core_t *core, const snb_metric_group_t *group);

/* Every metric as `--stats --json` prints it, collected now: one key per
 * unlabelled metric ("<prefix>_<name>": number) and an object per labelled
 * one (label values joined by ',' -> number). A new object, or NULL. */
SNB_API json_t *snb_core_stats_json(snb_core_t *core);
/* Every metric for a Prometheus exposition, collected now:
 * [{"name": family, "type": "counter"|"gauge", "help": text,
 *   "samples": [{"labels": {name: value, ...}, "value": number}, ...]}, ...]
 * in registration order. A new array, or NULL. */
SNB_API json_t *snb_core_metrics_json(snb_core_t *core);

/* Where an option's value came from, to start an error message with:
 * "FILE:LINE: option 'KEY'" from a file, the flag (e.g. "--filter") from
 * the command line, else "option 'KEY'". Returns buf. */
SNB_API const char *snb_core_option_where(snb_core_t *core, const char *section,
                                          const char *instance, const char *key, const char *flag,
                                          char *buf, size_t len);

/* ---- services ----
 * A module may offer a typed, versioned table of functions under a name
 * (e.g. "sip.dialogs") for other modules to call on the loop thread; the
 * only sanctioned way for one module to call another. The table must stay
 * valid until the provider's fini. A newer provider must keep the layout of
 * older versions (append only). No limit on the number of services. */
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

/* ---- live capture ----
 * A source that reads a live interface says so, so modules can tell a
 * capture happening now (where acting on the network, e.g. fetching a
 * certificate, makes sense) from a file read later (where it never does). */
SNB_API void snb_source_set_live(snb_source_t *src, bool live);
/* true when a live source is registered and not yet finished. */
SNB_API bool snb_core_has_live_source(snb_core_t *core);

#endif
