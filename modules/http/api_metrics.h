/* GET /metrics: the Prometheus text exposition (version 0.0.4) of the store,
 * with the metric names, labels and histogram buckets of the REST spec.
 * Computed here from the dialogs and streams held:
 *
 *   sipnab_dialogs_total{state}        counter   dialogs held, by state (lowercased), all 12
 *   sipnab_rtp_streams_active          gauge     streams with active set
 *   sipnab_rtp_streams_total{status}   counter   "established" (not orphaned), "orphaned"
 *   sipnab_pdd_seconds                 histogram 0.5 1 2 3 5 10 +Inf (dialogs with pdd_ms >= 0)
 *   sipnab_mos                         histogram 1 2 2.5 3 3.5 4 4.5 +Inf (streams, mos >= 0)
 *   sipnab_jitter_ms                   histogram 5 10 20 50 100 200 +Inf (streams)
 *   sipnab_loss_percent                histogram 0.1 0.5 1 2 5 10 +Inf (streams)
 *   sipnab_diagnosis_total{kind}       counter   dialogs by diagnosis flag
 *   sipnab_api_feed_complete           gauge     1 when the capture ended and all of it arrived
 *
 * then every family the capture process's modules registered, as they
 * collected it (counters.families: sipnab_messages_total{method} and
 * sipnab_responses_total{code} from the SIP module, sipnab_capture_packets_total,
 * sipnab_<prefix>_<name>_total for module counters, ...), and last the
 * contract families nothing filled yet (e.g. sipnab_security_alerts_total
 * without a detector module), announced with no sample. A family name seen
 * twice keeps the first; invalid names are left out. Label values are
 * escaped (backslash, double quote, newline). */
#ifndef SNB_API_METRICS_H
#define SNB_API_METRICS_H

#include <stddef.h>

#include "api_store.h"

/* malloc'd text (NUL-terminated, length in *len); NULL when out of memory. */
char *api_metrics_render(const api_store_t *store, size_t *len);

#endif
