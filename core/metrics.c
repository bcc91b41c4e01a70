/* Metric groups (see "metrics" in sipnab/core.h): registration, one collect
 * pass over every group, and the two renderings of what it gathered (the
 * flat `--stats` JSON and the Prometheus-shaped family list the API serves).
 * `--stats` text is printed by stats_print.c from the same pass. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bus_internal.h"
#include "core_internal.h"
#include "metrics_internal.h"

int snb_core_metrics(snb_core_t *core, const snb_metric_group_t *group)
{
    if (!group || !group->prefix || !group->collect || (group->n && !group->defs)) return -EINVAL;
    for (size_t i = 0; i < group->n; i++)
        if (!group->defs[i].name || !*group->defs[i].name) return -EINVAL;
    if (core->n_metric_groups == core->cap_metric_groups) {
        size_t cap = core->cap_metric_groups ? core->cap_metric_groups * 2 : 16;
        snb_metric_group_t *g = realloc(core->metric_groups, cap * sizeof *g);
        if (!g) return -ENOMEM;
        core->metric_groups = g;
        core->cap_metric_groups = cap;
    }
    core->metric_groups[core->n_metric_groups++] = *group;
    return 0;
}

void snb_core_metrics_free(snb_core_t *core)
{
    free(core->metric_groups);
    core->metric_groups = NULL;
    core->n_metric_groups = core->cap_metric_groups = 0;
}

/* ---- collecting ---- */

static size_t label_count(const snb_metric_def_t *d)
{
    size_t n = 0;
    while (d->labels && d->labels[n])
        n++;
    return n;
}

void snb_metric_put(snb_metric_sink_t *sink, size_t metric, const char *const *label_values,
                    double value)
{
    if (sink->failed || metric >= sink->group->n) return;
    const snb_metric_def_t *def = &sink->group->defs[metric];
    size_t nl = label_count(def);
    if (nl && !label_values) return;
    if (sink->n == sink->cap) {
        size_t cap = sink->cap ? sink->cap * 2 : 256;
        snb_metric_sample_t *s = realloc(sink->samples, cap * sizeof *s);
        if (!s) {
            sink->failed = true;
            return;
        }
        sink->samples = s;
        sink->cap = cap;
    }
    /* The label values, NUL-separated in one block. */
    size_t len = 0;
    for (size_t i = 0; i < nl; i++)
        len += strlen(label_values[i] ? label_values[i] : "") + 1;
    char *labels = NULL;
    if (nl) {
        labels = malloc(len);
        if (!labels) {
            sink->failed = true;
            return;
        }
        char *p = labels;
        for (size_t i = 0; i < nl; i++) {
            const char *v = label_values[i] ? label_values[i] : "";
            size_t l = strlen(v) + 1;
            memcpy(p, v, l);
            p += l;
        }
    }
    sink->samples[sink->n++] =
        (snb_metric_sample_t){.group = sink->group, .def = def, .labels = labels, .value = value};
}

void snb_metric_put_all(snb_metric_sink_t *sink, const uint64_t *values, size_t n)
{
    for (size_t i = 0; i < n && i < sink->group->n; i++)
        if (!sink->group->defs[i].labels) snb_metric_put(sink, i, NULL, (double)values[i]);
}

int snb_metrics_collect(snb_core_t *core, snb_metric_sink_t *sink)
{
    memset(sink, 0, sizeof *sink);
    for (size_t g = 0; g < core->n_metric_groups; g++) {
        sink->group = &core->metric_groups[g];
        sink->group->collect(sink->group->ud, sink);
    }
    return sink->failed ? -ENOMEM : 0;
}

void snb_metrics_sink_free(snb_metric_sink_t *sink)
{
    for (size_t i = 0; i < sink->n; i++)
        free(sink->samples[i].labels);
    free(sink->samples);
    memset(sink, 0, sizeof *sink);
}

void snb_metric_stats_name(const snb_metric_sample_t *s, char *out, size_t size)
{
    if (*s->group->prefix)
        snprintf(out, size, "%s_%s", s->group->prefix, s->def->name);
    else
        snprintf(out, size, "%s", s->def->name);
}

json_t *snb_metric_number(double v)
{
    /* Whole numbers as JSON integers ("udp":2), the rest as reals. */
    if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
        return json_integer((json_int_t)v);
    return json_real(isfinite(v) ? v : 0);
}

/* ---- renderings ---- */

json_t *snb_core_stats_json(snb_core_t *core)
{
    snb_metric_sink_t sink;
    json_t *obj = json_object();
    if (!obj || snb_metrics_collect(core, &sink) != 0) {
        snb_metrics_sink_free(&sink);
        json_decref(obj);
        return NULL;
    }
    for (size_t i = 0; i < sink.n; i++) {
        const snb_metric_sample_t *s = &sink.samples[i];
        if (s->def->flags & SNB_METRIC_NO_STATS) continue;
        char name[128];
        snb_metric_stats_name(s, name, sizeof name);
        if (!s->labels) {
            json_object_set_new(obj, name, snb_metric_number(s->value));
            continue;
        }
        json_t *group = json_object_get(obj, name);
        if (!json_is_object(group)) {
            group = json_object();
            json_object_set_new(obj, name, group);
        }
        char key[512];
        size_t k = 0, nl = label_count(s->def);
        const char *v = s->labels;
        for (size_t l = 0; l < nl; l++) {
            int w = snprintf(key + k, sizeof key - k, "%s%s", l ? "," : "", v);
            if (w > 0) k = k + (size_t)w < sizeof key ? k + (size_t)w : sizeof key - 1;
            v += strlen(v) + 1;
        }
        json_object_set_new(group, key, snb_metric_number(s->value));
    }
    snb_metrics_sink_free(&sink);
    return obj;
}

static void family_name(const snb_metric_sample_t *s, char *out, size_t size)
{
    const snb_metric_def_t *d = s->def;
    if (d->exposition) {
        snprintf(out, size, "%s", d->exposition);
        return;
    }
    const char *suffix = d->type == SNB_METRIC_COUNTER ? "_total" : "";
    if (*s->group->prefix)
        snprintf(out, size, "sipnab_%s_%s%s", s->group->prefix, d->name, suffix);
    else
        snprintf(out, size, "sipnab_%s%s", d->name, suffix);
}

json_t *snb_core_metrics_json(snb_core_t *core)
{
    snb_metric_sink_t sink;
    json_t *families = json_array();
    if (!families || snb_metrics_collect(core, &sink) != 0) {
        snb_metrics_sink_free(&sink);
        json_decref(families);
        return NULL;
    }
    /* One family per definition, in registration order, even without samples
     * (a labelled counter nothing has counted yet is still announced). */
    for (size_t g = 0; g < core->n_metric_groups; g++) {
        const snb_metric_group_t *grp = &core->metric_groups[g];
        for (size_t m = 0; m < grp->n; m++) {
            const snb_metric_def_t *d = &grp->defs[m];
            snb_metric_sample_t probe = {.group = grp, .def = d};
            char name[160];
            family_name(&probe, name, sizeof name);
            json_t *f = json_object();
            json_object_set_new(f, "name", json_string(name));
            json_object_set_new(f, "type",
                                json_string(d->type == SNB_METRIC_COUNTER ? "counter" : "gauge"));
            json_object_set_new(f, "help", json_string(d->help ? d->help : ""));
            json_t *samples = json_array();
            size_t nl = label_count(d);
            for (size_t i = 0; i < sink.n; i++) {
                const snb_metric_sample_t *s = &sink.samples[i];
                if (s->def != d) continue;
                json_t *labels = json_object();
                const char *v = s->labels;
                for (size_t l = 0; l < nl; l++) {
                    json_object_set_new(labels, d->labels[l], json_string(v));
                    v += strlen(v) + 1;
                }
                json_t *sample = json_object();
                json_object_set_new(sample, "labels", labels);
                json_object_set_new(sample, "value", snb_metric_number(s->value));
                json_array_append_new(samples, sample);
            }
            json_object_set_new(f, "samples", samples);
            json_array_append_new(families, f);
        }
    }
    snb_metrics_sink_free(&sink);
    return families;
}

/* ---- the core's own group ---- */

enum {
#define SNB_ENUM_CAP(name, help) CORE_##name,
    SNB_CAPTURE_COUNTERS(SNB_ENUM_CAP)
#undef SNB_ENUM_CAP
#define SNB_ENUM_DEC(name, help) CORE_##name,
        SNB_DECODE_COUNTERS(SNB_ENUM_DEC)
#undef SNB_ENUM_DEC
            CORE_bus_queue_failures,
    CORE_reassembly_timeouts_total,
    CORE_COUNT
};

static const snb_metric_def_t core_defs[] = {
#define SNB_DEF(name, help) {#name, help, SNB_METRIC_COUNTER, NULL, NULL, 0},
    SNB_CAPTURE_COUNTERS(SNB_DEF) SNB_DECODE_COUNTERS(SNB_DEF)
#undef SNB_DEF
        {"bus_queue_failures", "events published in a handler that could not be queued (memory)",
         SNB_METRIC_COUNTER, NULL, NULL, 0},
    /* The REST spec's figure (capture_packets above is its
     * sipnab_capture_packets_total by the naming rule). */
    {"reassembly_timeouts", "TCP/IP reassembly sessions that timed out", SNB_METRIC_COUNTER, NULL,
     "sipnab_reassembly_timeouts_total", SNB_METRIC_NO_STATS},
};
_Static_assert(sizeof core_defs / sizeof core_defs[0] == CORE_COUNT, "core metric table");

static void collect_core(void *ud, snb_metric_sink_t *sink)
{
    snb_core_t *core = ud;
    snb_capture_stats_t cap;
    snb_sources_stats(core, &cap);
    const snb_decode_stats_t *d = &core->decode_stats;
    uint64_t v[CORE_COUNT];
#define SNB_VAL_CAP(name, help) v[CORE_##name] = cap.name;
    SNB_CAPTURE_COUNTERS(SNB_VAL_CAP)
#undef SNB_VAL_CAP
#define SNB_VAL_DEC(name, help) v[CORE_##name] = d->name;
    SNB_DECODE_COUNTERS(SNB_VAL_DEC)
#undef SNB_VAL_DEC
    v[CORE_bus_queue_failures] = snb_bus_queue_failures(core->bus);
    v[CORE_reassembly_timeouts_total] = d->frag_timeouts + d->tcp_timeouts;
    snb_metric_put_all(sink, v, CORE_COUNT);
}

int snb_core_metrics_register_builtin(snb_core_t *core)
{
    snb_metric_group_t g = {
        .prefix = "", .defs = core_defs, .n = CORE_COUNT, .collect = collect_core, .ud = core};
    return snb_core_metrics(core, &g);
}
