/* Metric groups: collect callbacks run on every read, labelled samples in
 * the --stats JSON and the Prometheus family list, exposition names, and no
 * limit on the number of groups. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "core_internal.h"

typedef struct demo {
    uint64_t values[2];
    int collected;
} demo_t;

static const char *const code_label[] = {"code", NULL};
static const char *const two_labels[] = {"result", "attest", NULL};

static const snb_metric_def_t demo_defs[] = {
    {.name = "seen", .help = "things seen", .type = SNB_METRIC_COUNTER},
    {.name = "fill", .help = "table fill", .type = SNB_METRIC_GAUGE},
    {.name = "codes",
     .help = "by code",
     .type = SNB_METRIC_COUNTER,
     .labels = code_label,
     .exposition = "sipnab_demo_codes_custom"},
    {.name = "verdicts", .help = "by verdict", .type = SNB_METRIC_COUNTER, .labels = two_labels},
    {.name = "hidden", .help = "for /metrics", .flags = SNB_METRIC_NO_STATS},
};

static void collect_demo(void *ud, snb_metric_sink_t *sink)
{
    demo_t *d = ud;
    d->collected++;
    snb_metric_put_all(sink, d->values, 2);
    const char *c200[] = {"200"}, *c404[] = {"404"};
    snb_metric_put(sink, 2, c200, 5);
    snb_metric_put(sink, 2, c404, 1);
    const char *v[] = {"valid", "A"};
    snb_metric_put(sink, 3, v, (double)d->collected);
    snb_metric_put(sink, 3, NULL, 9); /* labels missing: ignored */
    snb_metric_put(sink, 4, NULL, 0.5);
    snb_metric_put(sink, 99, NULL, 1); /* no such metric: ignored */
}

START_TEST(collect_runs_on_every_read)
{
    snb_core_t *core = snb_core_new();
    demo_t d = {.values = {7, 3}};
    snb_metric_group_t g = {
        .prefix = "demo", .defs = demo_defs, .n = 5, .collect = collect_demo, .ud = &d};
    ck_assert_int_eq(snb_core_metrics(core, &g), 0);

    json_t *stats = snb_core_stats_json(core);
    ck_assert_int_eq(d.collected, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(stats, "demo_seen")), 7);
    ck_assert_int_eq(json_integer_value(json_object_get(stats, "demo_fill")), 3);
    json_t *codes = json_object_get(stats, "demo_codes");
    ck_assert_int_eq(json_integer_value(json_object_get(codes, "200")), 5);
    ck_assert_int_eq(json_integer_value(json_object_get(codes, "404")), 1);
    json_t *verdicts = json_object_get(stats, "demo_verdicts");
    ck_assert_int_eq(json_integer_value(json_object_get(verdicts, "valid,A")), 1);
    ck_assert_int_eq(json_object_size(verdicts), 1);
    ck_assert_ptr_null(json_object_get(stats, "demo_hidden"));
    /* The core's own counters come first, without a prefix. */
    ck_assert(json_is_integer(json_object_get(stats, "frames")));
    ck_assert(json_is_integer(json_object_get(stats, "capture_packets")));
    json_decref(stats);

    d.values[0] = 8;
    json_t *fams = snb_core_metrics_json(core);
    ck_assert_int_eq(d.collected, 2); /* current on every read: no refresh interval */
    json_t *seen = NULL, *fill = NULL, *custom = NULL, *verd = NULL, *hidden = NULL, *reasm = NULL;
    for (size_t i = 0; i < json_array_size(fams); i++) {
        json_t *f = json_array_get(fams, i);
        const char *n = json_string_value(json_object_get(f, "name"));
        if (!strcmp(n, "sipnab_demo_seen_total")) seen = f;
        if (!strcmp(n, "sipnab_demo_fill")) fill = f;
        if (!strcmp(n, "sipnab_demo_codes_custom")) custom = f;
        if (!strcmp(n, "sipnab_demo_verdicts_total")) verd = f;
        if (!strcmp(n, "sipnab_demo_hidden_total")) hidden = f;
        if (!strcmp(n, "sipnab_reassembly_timeouts_total")) reasm = f;
    }
    ck_assert_ptr_nonnull(seen);
    ck_assert_ptr_nonnull(fill);
    ck_assert_ptr_nonnull(custom);
    ck_assert_ptr_nonnull(verd);
    ck_assert_ptr_nonnull(hidden); /* NO_STATS is for --stats only */
    ck_assert_ptr_nonnull(reasm);
    ck_assert_str_eq(json_string_value(json_object_get(fill, "type")), "gauge");
    ck_assert_str_eq(json_string_value(json_object_get(seen, "type")), "counter");
    json_t *s0 = json_array_get(json_object_get(seen, "samples"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(s0, "value")), 8);
    ck_assert_int_eq(json_array_size(json_object_get(custom, "samples")), 2);
    json_t *v0 = json_array_get(json_object_get(verd, "samples"), 0);
    json_t *labels = json_object_get(v0, "labels");
    ck_assert_str_eq(json_string_value(json_object_get(labels, "result")), "valid");
    ck_assert_str_eq(json_string_value(json_object_get(labels, "attest")), "A");
    json_t *h0 = json_array_get(json_object_get(hidden, "samples"), 0);
    ck_assert(json_is_real(json_object_get(h0, "value")));
    json_decref(fams);
    snb_core_free(core);
}
END_TEST

static void collect_nothing(void *ud, snb_metric_sink_t *sink)
{
    (void)ud;
    (void)sink;
}

START_TEST(groups_have_no_fixed_limit)
{
    snb_core_t *core = snb_core_new();
    static const snb_metric_def_t one[] = {{.name = "x", .help = "x"}};
    static char prefixes[100][8];
    for (int i = 0; i < 100; i++) {
        snprintf(prefixes[i], sizeof prefixes[i], "g%d", i);
        snb_metric_group_t g = {
            .prefix = prefixes[i], .defs = one, .n = 1, .collect = collect_nothing};
        ck_assert_int_eq(snb_core_metrics(core, &g), 0);
    }
    snb_metric_group_t bad = {.prefix = "b", .defs = one, .n = 1};
    ck_assert_int_eq(snb_core_metrics(core, &bad), -22); /* no collect callback */
    json_t *fams = snb_core_metrics_json(core);
    ck_assert_ptr_nonnull(fams);
    json_t *last = json_array_get(fams, json_array_size(fams) - 1);
    ck_assert_str_eq(json_string_value(json_object_get(last, "name")), "sipnab_g99_x_total");
    json_decref(fams);
    snb_core_free(core);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, collect_runs_on_every_read);
    tcase_add_test(tc, groups_have_no_fixed_limit);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
