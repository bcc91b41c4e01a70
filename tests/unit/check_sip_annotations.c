/* The dialog annotation registry: what other modules add to a dialog's
 * JSON, diagnosis, filter fields, aliases, "problems" and report, and the
 * one filter table that joins them with the SIP module's own fields. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "sip_annotations.h"
#include "sip_dialog_testlib.h"

/* A pretend "recorder" module: a key, a diagnosis kind, a number field, an
 * alias and a report section. */
typedef struct recorder {
    int renders, fields_read;
    double score;
} recorder_t;

static json_t *rec_render(void *ctx, const snb_dialog_info_t *d)
{
    recorder_t *r = ctx;
    r->renders++;
    return json_pack("{s:s, s:f}", "call", d->call_id, "score", r->score);
}

static void rec_diagnose(void *ctx, const snb_dialog_info_t *d, json_t *diag)
{
    recorder_t *r = ctx;
    (void)d;
    if (r->score < 2) {
        json_object_set_new(diag, "not_recorded", json_true());
        json_array_append_new(json_object_get(diag, "hints"),
                              json_string("the recorder missed it"));
    }
}

static const snb_diagnosis_kind_t rec_kinds[] = {{"not_recorded", "not recorded"}};
static const snb_filter_field_t rec_fields[] = {{"rec.score", SNB_FT_NUMBER, 7}};
static const snb_filter_alias_t rec_aliases[] = {{"bad-recording", "rec.score < 2", "poor score"}};

static void rec_field(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                      snb_filter_value_t *out)
{
    recorder_t *r = ctx;
    (void)d;
    int *computed = scratch; /* once per evaluation */
    if (!*computed) r->fields_read++;
    *computed = 1;
    memset(out, 0, sizeof *out);
    out->present = id == 7;
    out->num = r->score;
}

static void rec_report(void *ctx, const snb_dialog_info_t *d, FILE *out, int format)
{
    (void)ctx;
    fprintf(out, format == SNB_REPORT_MARKDOWN ? "## Recording of %s\n" : "Recording: %s\n",
            d->call_id);
}

static snb_dialog_annotation_t recorder_table(recorder_t *r)
{
    return (snb_dialog_annotation_t){.name = "recorder",
                                     .key = "recording",
                                     .ctx = r,
                                     .render = rec_render,
                                     .diagnose = rec_diagnose,
                                     .kinds = rec_kinds,
                                     .n_kinds = 1,
                                     .fields = rec_fields,
                                     .n_fields = 1,
                                     .field = rec_field,
                                     .scratch_size = sizeof(int),
                                     .aliases = rec_aliases,
                                     .n_aliases = 1,
                                     .problems = "bad-recording",
                                     .report = rec_report};
}

static sip_dialog_t *one_failed_call(sip_store_t *st)
{
    static tl_call_t c;
    tl_init(&c, st, "ann-1@example.com");
    tl_req(&c, TL_T0, SIDE_A, "INVITE", 1, NULL, NULL);
    return tl_resp(&c, TL_T0 + TL_MS(100), SIDE_B, 486, "Busy Here", "INVITE", 1, NULL, NULL);
}

START_TEST(registration_rules)
{
    sip_annotations_t *a = sip_annotations_new();
    recorder_t r = {0};
    snb_dialog_annotation_t t = recorder_table(&r);
    char err[256];
    ck_assert_int_eq(sip_annotations_add(a, &t, err, sizeof err), 0);
    /* the same key, field or kind again is refused, with why */
    ck_assert_int_eq(sip_annotations_add(a, &t, err, sizeof err), -17);
    ck_assert_ptr_nonnull(strstr(err, "'recording' is taken by recorder"));
    snb_dialog_annotation_t own = {.name = "x", .key = "state", .render = rec_render};
    ck_assert_int_eq(sip_annotations_add(a, &own, err, sizeof err), -17);
    static const snb_filter_field_t clash[] = {{"pdd", SNB_FT_NUMBER, 1}};
    snb_dialog_annotation_t f = {.name = "y", .fields = clash, .n_fields = 1, .field = rec_field};
    ck_assert_int_eq(sip_annotations_add(a, &f, err, sizeof err), -17);
    ck_assert_ptr_nonnull(strstr(err, "'pdd' is taken"));
    snb_dialog_annotation_t incomplete = {.name = "z", .fields = clash, .n_fields = 1};
    ck_assert_int_eq(sip_annotations_add(a, &incomplete, err, sizeof err), -22);
    ck_assert_int_eq(sip_annotations_seal(a), 0);
    /* after the seal (modules started), no more registrations */
    snb_dialog_annotation_t late = {.name = "late"};
    ck_assert_int_eq(sip_annotations_add(a, &late, err, sizeof err), -22);
    ck_assert_uint_eq(sip_annotations_count(a), 1);
    sip_annotations_free(a);
}
END_TEST

START_TEST(filter_joins_sip_and_annotation_fields)
{
    sip_store_limits_t l = tl_limits();
    sip_store_t *st = sip_store_new(&l);
    sip_dialog_t *d = one_failed_call(st);
    sip_annotations_t *a = sip_annotations_new();
    recorder_t r = {.score = 1.5};
    snb_dialog_annotation_t t = recorder_table(&r);
    char err[512];
    /* before the seal only SIP's fields compile */
    ck_assert_ptr_null(sip_annotations_compile(a, "rec.score < 2", err, sizeof err));
    ck_assert_int_eq(sip_annotations_add(a, &t, err, sizeof err), 0);
    ck_assert_int_eq(sip_annotations_seal(a), 0);
    snb_filter_t *f =
        sip_annotations_compile(a, "final_code == 486 AND rec.score < 2", err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    ck_assert(sip_annotations_match(a, f, d));
    r.score = 3;
    ck_assert(!sip_annotations_match(a, f, d));
    snb_filter_free(f);
    /* the annotation's alias, and "problems" gaining it */
    r.score = 1;
    f = sip_annotations_compile(a, "bad-recording", err, sizeof err);
    ck_assert(sip_annotations_match(a, f, d));
    snb_filter_free(f);
    json_t *t0 = sip_annotations_table_json(a);
    const char *problems = NULL;
    json_t *als = json_object_get(t0, "aliases");
    for (size_t i = 0; i < json_array_size(als); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(als, i), "name")), "problems"))
            problems = json_string_value(json_object_get(json_array_get(als, i), "expression"));
    ck_assert_str_eq(problems, "failed OR slow-setup OR retransmitted OR malformed > 0 OR "
                               "(bad-recording)");
    json_decref(t0);
    /* a field read twice in one expression is computed once (scratch) */
    r.fields_read = 0;
    f = sip_annotations_compile(a, "rec.score > 0 AND rec.score < 5", err, sizeof err);
    ck_assert(sip_annotations_match(a, f, d));
    ck_assert_int_eq(r.fields_read, 1);
    snb_filter_free(f);
    /* the table and values that travel to the API process */
    json_t *table = sip_annotations_table_json(a);
    json_t *values = sip_annotations_values_json(a, d);
    json_t *fields = json_object_get(table, "fields");
    ck_assert_uint_eq(json_array_size(fields), json_array_size(values));
    bool found = false;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const char *name = json_string_value(json_object_get(json_array_get(fields, i), "name"));
        if (!strcmp(name, "rec.score")) {
            found = true;
            ck_assert(json_real_value(json_array_get(values, i)) == 1.0);
        }
        if (!strcmp(name, "state"))
            ck_assert_str_eq(json_string_value(json_array_get(values, i)), "Failed");
    }
    ck_assert(found);
    const json_t *kinds = json_object_get(table, "kinds");
    ck_assert_str_eq(json_string_value(json_array_get(kinds, 0)), "not_recorded");
    json_decref(table);
    json_decref(values);
    sip_annotations_free(a);
    sip_store_free(st);
}
END_TEST

/* An annotation's activity (its media) extends an answered call that has
 * not ended; an ended one lasts from the 2xx to its end. */
static uint64_t media_until(void *ctx, const snb_dialog_info_t *d)
{
    (void)d;
    return *(const uint64_t *)ctx;
}

START_TEST(activity_extends_an_ongoing_call)
{
    sip_store_limits_t l = tl_limits();
    sip_store_t *st = sip_store_new(&l);
    sip_dialog_t *d = one_failed_call(st);
    sip_annotations_t *a = sip_annotations_new();
    uint64_t media_last = 0;
    snb_dialog_annotation_t t = {.name = "media", .ctx = &media_last};
    char err[256];
    int id = sip_annotations_add(a, &t, err, sizeof err);
    ck_assert_int_ge(id, 0);
    ck_assert_int_eq(sip_annotations_activity(a, id + 1, media_until), -22);
    ck_assert_int_eq(sip_annotations_activity(a, id, NULL), -22);
    ck_assert_int_eq(sip_annotations_activity(a, id, media_until), 0);
    ck_assert_int_eq(sip_annotations_seal(a), 0);
    ck_assert_int_eq(sip_annotations_activity(a, id, media_until), -22); /* init only */
    d->answered_us = 1000000;
    d->ended_us = 0;
    d->last_us = 1046212;
    bool ongoing = false;
    media_last = 0; /* no media: its last message */
    ck_assert_double_eq_tol(sip_annotations_duration_sec(a, d, &ongoing), 0.046212, 1e-9);
    ck_assert(ongoing);
    media_last = 27430810;
    ck_assert_double_eq_tol(sip_annotations_duration_sec(a, d, &ongoing), 26.430810, 1e-9);
    ck_assert(ongoing);
    ck_assert_double_eq_tol(sip_annotations_duration_sec(NULL, d, NULL), 0.046212, 1e-9);
    d->ended_us = 5000000; /* BYE */
    ck_assert_double_eq_tol(sip_annotations_duration_sec(a, d, &ongoing), 4.0, 1e-9);
    ck_assert(!ongoing);
    d->answered_us = 0; /* never answered */
    ck_assert_double_eq_tol(sip_annotations_duration_sec(a, d, &ongoing), 0.0, 1e-9);
    ck_assert(!ongoing);
    sip_annotations_free(a);
    sip_store_free(st);
}
END_TEST

START_TEST(dialog_json_diagnosis_and_report)
{
    sip_store_limits_t l = tl_limits();
    sip_store_t *st = sip_store_new(&l);
    sip_dialog_t *d = one_failed_call(st);
    sip_annotations_t *a = sip_annotations_new();
    recorder_t r = {.score = 1};
    snb_dialog_annotation_t t = recorder_table(&r);
    char err[256];
    ck_assert_int_eq(sip_annotations_add(a, &t, err, sizeof err), 0);
    ck_assert_int_eq(sip_annotations_seal(a), 0);
    json_t *diag = sip_annotations_diagnosis(a, d);
    /* the REST spec's three flags always, then every registered kind */
    ck_assert(json_is_false(json_object_get(diag, "one_way_audio")));
    ck_assert(json_is_false(json_object_get(diag, "no_media")));
    ck_assert(json_is_true(json_object_get(diag, "not_recorded")));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(diag, "hints"), 0)),
                     "the recorder missed it");
    json_t *summary = sip_annotations_summary(a, d, diag);
    ck_assert_str_eq(json_string_value(summary), "Failed (final response 486); not recorded");
    json_decref(summary);
    json_decref(diag);
    /* the annotation's value under its key (the dialog's JSON writer places
     * it, and gives the spec's keys nobody filled their empty value:
     * it_check_sip_outputs) */
    const char *keys[1];
    json_t *values[1];
    ck_assert_uint_eq(sip_annotations_count(a), 1);
    ck_assert_uint_eq(sip_annotations_values(a, d, keys, values), 1);
    ck_assert_str_eq(keys[0], "recording");
    ck_assert_str_eq(json_string_value(json_object_get(values[0], "call")), "ann-1@example.com");
    json_decref(values[0]);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sip_annotations_report(a, d, f, SNB_REPORT_MARKDOWN);
    fclose(f);
    ck_assert_str_eq(text, "## Recording of ann-1@example.com\n");
    free(text);
    sip_annotations_free(a);
    sip_store_free(st);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sip_annotations");
    TCase *tc = tcase_create("sip_annotations");
    tcase_add_test(tc, registration_rules);
    tcase_add_test(tc, filter_joins_sip_and_annotation_fields);
    tcase_add_test(tc, dialog_json_diagnosis_and_report);
    tcase_add_test(tc, activity_extends_an_ongoing_call);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
