/* The collect pass shared by metrics.c and stats_print.c. */
#ifndef SNB_METRICS_INTERNAL_H
#define SNB_METRICS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "sipnab/core.h"

typedef struct snb_metric_sample {
    const snb_metric_group_t *group;
    const snb_metric_def_t *def;
    char *labels; /* one NUL-terminated value per label name, back to back; NULL if none */
    double value;
} snb_metric_sample_t;

struct snb_metric_sink {
    const snb_metric_group_t *group; /* the group being collected */
    snb_metric_sample_t *samples;
    size_t n, cap;
    bool failed; /* out of memory: the pass is incomplete */
};

/* Ask every group for its values, in registration order. 0 or -ENOMEM
 * (free the sink either way). */
int snb_metrics_collect(snb_core_t *core, snb_metric_sink_t *sink);
void snb_metrics_sink_free(snb_metric_sink_t *sink);
/* "<prefix>_<name>" (or "<name>" for the core's own group). */
void snb_metric_stats_name(const snb_metric_sample_t *s, char *out, size_t size);
/* A JSON integer for whole values, else a real. */
json_t *snb_metric_number(double v);

#endif
