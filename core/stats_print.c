/* End-of-run counters: `--stats` as aligned text, `--stats --json` as one
 * JSON object with one key per counter. Both come from the X-macro tables. */
#include <inttypes.h>
#include <jansson.h>

#include "core_internal.h"

typedef struct counter_row {
    const char *name;
    const char *help;
    uint64_t value;
} counter_row_t;

static size_t collect(snb_core_t *core, counter_row_t *rows, size_t max)
{
    snb_capture_stats_t cap;
    snb_sources_stats(core, &cap);
    const snb_decode_stats_t *d = &core->decode_stats;
    size_t n = 0;
#define SNB_ROW_CAP(field, text)                                                                   \
    if (n < max) rows[n++] = (counter_row_t){#field, text, cap.field};
#define SNB_ROW_DEC(field, text)                                                                   \
    if (n < max) rows[n++] = (counter_row_t){#field, text, d->field};
    SNB_CAPTURE_COUNTERS(SNB_ROW_CAP)
    SNB_DECODE_COUNTERS(SNB_ROW_DEC)
#undef SNB_ROW_CAP
#undef SNB_ROW_DEC
    return n;
}

/* Every counter, core then module groups, with "<prefix>_<name>" names kept
 * in `names` (rows point into it). */
static size_t collect_all(snb_core_t *core, counter_row_t *rows, char (*names)[64], size_t max)
{
    size_t n = collect(core, rows, max);
    for (size_t g = 0; g < core->n_counter_groups; g++) {
        const struct snb_counter_group *grp = &core->counter_groups[g];
        for (size_t i = 0; i < grp->n && n < max; i++, n++) {
            snprintf(names[n], sizeof names[n], "%s_%s", grp->prefix, grp->defs[i].name);
            rows[n] = (counter_row_t){names[n], grp->defs[i].help, grp->values[i]};
        }
    }
    return n;
}

json_t *snb_core_stats_json(snb_core_t *core)
{
    counter_row_t rows[512];
    char names[512][64];
    size_t n = collect_all(core, rows, names, sizeof rows / sizeof rows[0]);
    json_t *obj = json_object();
    for (size_t i = 0; obj && i < n; i++)
        json_object_set_new(obj, rows[i].name, json_integer((json_int_t)rows[i].value));
    return obj;
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
    counter_row_t rows[512];
    char names[512][64];
    size_t n = collect_all(core, rows, names, sizeof rows / sizeof rows[0]);
    fprintf(out, "sipnab statistics\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-24s %14" PRIu64 "  %s\n", rows[i].name, rows[i].value, rows[i].help);
}
