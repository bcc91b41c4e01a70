/* End-of-run metrics: `--stats` as aligned text, `--stats --json` as one
 * JSON object (snb_core_stats_json). Both come from one collect pass. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "core_internal.h"
#include "metrics_internal.h"

static void print_value(FILE *out, double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
        fprintf(out, "%14" PRIu64, (uint64_t)(v < 0 ? 0 : v));
    else
        fprintf(out, "%14.3f", v);
}

void snb_stats_print(snb_core_t *core, FILE *out, bool json)
{
    if (json) {
        json_t *obj = snb_core_stats_json(core);
        char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (text) fprintf(out, "%s\n", text);
        free(text);
        json_decref(obj);
        return;
    }
    snb_metric_sink_t sink;
    snb_metrics_collect(core, &sink);
    fprintf(out, "sipnab statistics\n");
    for (size_t i = 0; i < sink.n; i++) {
        const snb_metric_sample_t *s = &sink.samples[i];
        if (s->def->flags & SNB_METRIC_NO_STATS) continue;
        char name[256];
        snb_metric_stats_name(s, name, sizeof name);
        if (s->labels) {
            /* name{label="value",...} */
            size_t k = strlen(name);
            const char *v = s->labels;
            for (size_t l = 0; s->def->labels[l] && k < sizeof name - 1; l++) {
                int w = snprintf(name + k, sizeof name - k, "%s%s=\"%s\"", l ? "," : "{",
                                 s->def->labels[l], v);
                if (w > 0) k = k + (size_t)w < sizeof name ? k + (size_t)w : sizeof name - 1;
                v += strlen(v) + 1;
            }
            if (k < sizeof name - 1) name[k++] = '}', name[k] = '\0';
        }
        fprintf(out, "  %-32s ", name);
        print_value(out, s->value);
        fprintf(out, "  %s\n", s->def->help ? s->def->help : "");
    }
    snb_metrics_sink_free(&sink);
}
