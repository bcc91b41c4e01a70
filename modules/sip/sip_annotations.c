/* See sip_annotations.h. Field ids in the joined table carry their owner in
 * the high bits (0 = the SIP module, k = annotation k-1), so one value
 * callback routes each field to whoever knows it. */
#include "sip_annotations.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip_fields.h"

#define OWNER_SHIFT 16
#define MAX_SCRATCH 1024       /* per annotation */
#define MAX_ACTIVITY 8         /* annotations that report activity */
#define MAX_SCRATCH_TOTAL 8192 /* per evaluation, all annotations */

struct sip_annotations {
    snb_dialog_annotation_t *v;
    size_t n, cap;
    bool sealed;
    snb_filter_field_t *fields; /* joined */
    size_t n_fields;
    snb_filter_alias_t *aliases; /* joined, "problems" rebuilt */
    size_t n_aliases;
    char *problems; /* the "problems" expression */
    size_t scratch_total;
    struct {
        snb_dialog_activity_fn fn;
        void *ctx;
    } activity[MAX_ACTIVITY];
    size_t n_activity;
};

sip_annotations_t *sip_annotations_new(void)
{
    sip_annotations_t *a = calloc(1, sizeof *a);
    if (a && sip_annotations_seal(a) != 0) { /* SIP fields only, until the real seal */
        sip_annotations_free(a);
        return NULL;
    }
    if (a) a->sealed = false;
    return a;
}

void sip_annotations_free(sip_annotations_t *a)
{
    if (!a) return;
    free(a->v);
    free(a->fields);
    free(a->aliases);
    free(a->problems);
    free(a);
}

size_t sip_annotations_count(const sip_annotations_t *a)
{
    return a->n;
}

const snb_dialog_annotation_t *sip_annotations_at(const sip_annotations_t *a, size_t i)
{
    return i < a->n ? &a->v[i] : NULL;
}

static bool field_taken(const sip_annotations_t *a, const char *name)
{
    size_t n;
    const snb_filter_field_t *base = sip_fields_list(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(base[i].name, name)) return true;
    const snb_filter_alias_t *al = sip_fields_aliases(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(al[i].name, name)) return true;
    if (!strcasecmp(name, "problems")) return true;
    for (size_t k = 0; k < a->n; k++) {
        for (size_t i = 0; i < a->v[k].n_fields; i++)
            if (!strcasecmp(a->v[k].fields[i].name, name)) return true;
        for (size_t i = 0; i < a->v[k].n_aliases; i++)
            if (!strcasecmp(a->v[k].aliases[i].name, name)) return true;
    }
    return false;
}

static bool kind_taken(const sip_annotations_t *a, const char *key)
{
    if (!strcmp(key, "hints") || !strcmp(key, "summary")) return true;
    for (size_t k = 0; k < a->n; k++)
        for (size_t i = 0; i < a->v[k].n_kinds; i++)
            if (!strcmp(a->v[k].kinds[i].key, key)) return true;
    return false;
}

int sip_annotations_add(sip_annotations_t *a, const snb_dialog_annotation_t *ann, char *err,
                        size_t errlen)
{
    const char *who = ann && ann->name ? ann->name : "?";
    if (!ann || a->sealed) {
        snprintf(err, errlen, "%s: annotations are registered during init", who);
        return -EINVAL;
    }
    if ((ann->n_fields && (!ann->fields || !ann->field)) || (ann->n_kinds && !ann->kinds) ||
        (ann->n_aliases && !ann->aliases) || (ann->key && !ann->render) ||
        ann->scratch_size > MAX_SCRATCH) {
        snprintf(err, errlen, "%s: incomplete annotation table", who);
        return -EINVAL;
    }
    if (ann->key) {
        static const char *const own[] = {"schema_version",
                                          "call_id",
                                          "from",
                                          "to",
                                          "from_display",
                                          "to_display",
                                          "state",
                                          "method",
                                          "msg_count",
                                          "duration_sec",
                                          "ongoing",
                                          "tags",
                                          "timing",
                                          "sdp_timeline",
                                          "refer_to",
                                          "refer_replaces",
                                          "diagnosis",
                                          "created_at",
                                          "updated_at",
                                          "messages",
                                          "final_code",
                                          "transport",
                                          "src",
                                          "src_port",
                                          "dst",
                                          "dst_port",
                                          "ua",
                                          "malformed_count",
                                          "timeout",
                                          "messages_dropped"};
        for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
            if (!strcmp(ann->key, own[i])) {
                snprintf(err, errlen, "%s: the dialog key '%s' is the SIP module's", who, ann->key);
                return -EEXIST;
            }
        for (size_t k = 0; k < a->n; k++)
            if (a->v[k].key && !strcmp(a->v[k].key, ann->key)) {
                snprintf(err, errlen, "%s: the dialog key '%s' is taken by %s", who, ann->key,
                         a->v[k].name ? a->v[k].name : "?");
                return -EEXIST;
            }
    }
    for (size_t i = 0; i < ann->n_fields; i++)
        if (!ann->fields[i].name || field_taken(a, ann->fields[i].name)) {
            snprintf(err, errlen, "%s: filter field '%s' is taken", who,
                     ann->fields[i].name ? ann->fields[i].name : "(null)");
            return -EEXIST;
        }
    for (size_t i = 0; i < ann->n_aliases; i++)
        if (!ann->aliases[i].name || field_taken(a, ann->aliases[i].name)) {
            snprintf(err, errlen, "%s: filter alias '%s' is taken", who,
                     ann->aliases[i].name ? ann->aliases[i].name : "(null)");
            return -EEXIST;
        }
    for (size_t i = 0; i < ann->n_kinds; i++)
        if (!ann->kinds[i].key || kind_taken(a, ann->kinds[i].key)) {
            snprintf(err, errlen, "%s: diagnosis kind '%s' is taken", who,
                     ann->kinds[i].key ? ann->kinds[i].key : "(null)");
            return -EEXIST;
        }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        snb_dialog_annotation_t *g = realloc(a->v, cap * sizeof *g);
        if (!g) return -ENOMEM;
        a->v = g;
        a->cap = cap;
    }
    a->v[a->n] = *ann;
    return (int)a->n++;
}

int sip_annotations_seal(sip_annotations_t *a)
{
    size_t nb, nal;
    const snb_filter_field_t *base = sip_fields_list(&nb);
    const snb_filter_alias_t *bal = sip_fields_aliases(&nal);
    size_t nf = nb, na = nal + 1, plen = strlen(SIP_FIELDS_PROBLEMS) + 1;
    a->scratch_total = 0;
    for (size_t k = 0; k < a->n; k++) {
        nf += a->v[k].n_fields;
        na += a->v[k].n_aliases;
        if (a->v[k].problems) plen += strlen(a->v[k].problems) + 8;
        a->scratch_total += (a->v[k].scratch_size + 15) & ~(size_t)15;
    }
    if (a->scratch_total > MAX_SCRATCH_TOTAL) return -EINVAL;
    snb_filter_field_t *fields = calloc(nf, sizeof *fields);
    snb_filter_alias_t *aliases = calloc(na, sizeof *aliases);
    char *problems = malloc(plen);
    if (!fields || !aliases || !problems) {
        free(fields);
        free(aliases);
        free(problems);
        return -ENOMEM;
    }
    size_t f = 0, al = 0;
    for (size_t i = 0; i < nb; i++)
        fields[f++] = base[i];
    for (size_t i = 0; i < nal; i++)
        aliases[al++] = bal[i];
    snprintf(problems, plen, "%s", SIP_FIELDS_PROBLEMS);
    for (size_t k = 0; k < a->n; k++) {
        const snb_dialog_annotation_t *x = &a->v[k];
        for (size_t i = 0; i < x->n_fields; i++) {
            fields[f] = x->fields[i];
            fields[f++].id = (int)((k + 1) << OWNER_SHIFT) | x->fields[i].id;
        }
        for (size_t i = 0; i < x->n_aliases; i++)
            aliases[al++] = x->aliases[i];
        if (x->problems) {
            size_t l = strlen(problems);
            snprintf(problems + l, plen - l, " OR (%s)", x->problems);
        }
    }
    aliases[al++] =
        (snb_filter_alias_t){"problems", problems, "anything an engineer should look at"};
    char err[512];
    if (snb_filter_check_aliases(fields, nf, aliases, al, err, sizeof err) != 0) {
        free(fields);
        free(aliases);
        free(problems);
        return -EINVAL;
    }
    free(a->fields);
    free(a->aliases);
    free(a->problems);
    a->fields = fields;
    a->n_fields = nf;
    a->aliases = aliases;
    a->n_aliases = al;
    a->problems = problems;
    a->sealed = true;
    return 0;
}

void sip_annotations_info(const sip_dialog_t *d, snb_dialog_info_t *out)
{
    *out = (snb_dialog_info_t){.dialog = (const snb_dialog_t *)d,
                               .call_id = d->call_id,
                               .from_user = sip_dialog_from_user(d),
                               .to_user = sip_dialog_to_user(d),
                               .state = d->state,
                               .method = d->method,
                               .final_code = d->final_code,
                               .created_us = d->first_us,
                               .updated_us = d->last_us,
                               .pdd_us = d->timing.pdd_us,
                               .msg_count = d->msg_count,
                               .seq = sip_store_dialog_seq(d)};
}

/* ---- evaluating ---- */

typedef struct eval_ctx {
    const sip_annotations_t *a;
    const sip_dialog_t *d;
    snb_dialog_info_t info;
    sip_field_scratch_t sip;
    unsigned char *scratch; /* per annotation, at offsets in registration order */
} eval_ctx_t;

static void eval_value(void *ud, int id, snb_filter_value_t *out)
{
    eval_ctx_t *c = ud;
    size_t owner = (size_t)id >> OWNER_SHIFT;
    int local = id & ((1 << OWNER_SHIFT) - 1);
    if (owner == 0) {
        sip_fields_value(c->d, local, &c->sip, out);
        return;
    }
    memset(out, 0, sizeof *out);
    size_t k = owner - 1, off = 0;
    if (k >= c->a->n) return;
    for (size_t j = 0; j < k; j++)
        off += (c->a->v[j].scratch_size + 15) & ~(size_t)15;
    c->a->v[k].field(c->a->v[k].ctx, &c->info, c->scratch + off, local, out);
}

snb_filter_t *sip_annotations_compile(const sip_annotations_t *a, const char *expr, char *err,
                                      size_t errlen)
{
    return snb_filter_compile(expr, a->fields, a->n_fields, a->aliases, a->n_aliases, err, errlen);
}

bool sip_annotations_match(const sip_annotations_t *a, const snb_filter_t *f, const sip_dialog_t *d)
{
    if (!f) return true;
    _Alignas(16) unsigned char scratch[MAX_SCRATCH_TOTAL];
    memset(scratch, 0, a->scratch_total);
    eval_ctx_t c = {.a = a, .d = d, .sip = {.ann = a}, .scratch = scratch};
    sip_annotations_info(d, &c.info);
    return snb_filter_eval(f, eval_value, &c);
}

static const char *type_name(snb_filter_type_t t)
{
    return t == SNB_FT_NUMBER ? "number" : t == SNB_FT_BOOL ? "bool" : "string";
}

json_t *sip_annotations_table_json(const sip_annotations_t *a)
{
    json_t *fields = json_array(), *aliases = json_array(), *kinds = json_array();
    for (size_t i = 0; i < a->n_fields; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "name", json_string(a->fields[i].name));
        json_object_set_new(f, "type", json_string(type_name(a->fields[i].type)));
        json_array_append_new(fields, f);
    }
    for (size_t i = 0; i < a->n_aliases; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", json_string(a->aliases[i].name));
        json_object_set_new(x, "expression", json_string(a->aliases[i].expression));
        json_object_set_new(x, "help", json_string(a->aliases[i].help ? a->aliases[i].help : ""));
        json_array_append_new(aliases, x);
    }
    for (size_t k = 0; k < a->n; k++)
        for (size_t i = 0; i < a->v[k].n_kinds; i++)
            json_array_append_new(kinds, json_string(a->v[k].kinds[i].key));
    json_t *o = json_object();
    json_object_set_new(o, "fields", fields);
    json_object_set_new(o, "aliases", aliases);
    json_object_set_new(o, "kinds", kinds);
    return o;
}

void sip_annotations_values_each(const sip_annotations_t *a, const sip_dialog_t *d,
                                 snb_field_value_fn fn, void *ud)
{
    _Alignas(16) unsigned char scratch[MAX_SCRATCH_TOTAL];
    memset(scratch, 0, a->scratch_total);
    eval_ctx_t c = {.a = a, .d = d, .sip = {.ann = a}, .scratch = scratch};
    sip_annotations_info(d, &c.info);
    for (size_t i = 0; i < a->n_fields; i++) {
        snb_filter_value_t v;
        eval_value(&c, a->fields[i].id, &v);
        fn(ud, i, a->fields[i].type, &v);
    }
}

static void append_value(void *ud, size_t i, snb_filter_type_t type, const snb_filter_value_t *v)
{
    (void)i;
    json_t *values = ud;
    json_t *j = !v->present             ? json_null()
                : type == SNB_FT_NUMBER ? json_real(v->num)
                : type == SNB_FT_BOOL   ? json_boolean(v->b)
                                        : json_stringn(v->str ? v->str : "", v->len);
    json_array_append_new(values, j ? j : json_null());
}

json_t *sip_annotations_values_json(const sip_annotations_t *a, const sip_dialog_t *d)
{
    json_t *values = json_array();
    if (values) sip_annotations_values_each(a, d, append_value, values);
    return values;
}

/* ---- the dialog's JSON and report ---- */

json_t *sip_annotations_diagnosis(const sip_annotations_t *a, const sip_dialog_t *d)
{
    json_t *diag = json_object();
    /* The REST spec's three flags first, whoever sets them. */
    json_object_set_new(diag, "one_way_audio", json_false());
    json_object_set_new(diag, "nat_mismatch", json_false());
    json_object_set_new(diag, "no_media", json_false());
    for (size_t k = 0; k < a->n; k++)
        for (size_t i = 0; i < a->v[k].n_kinds; i++)
            if (!json_object_get(diag, a->v[k].kinds[i].key))
                json_object_set_new(diag, a->v[k].kinds[i].key, json_false());
    json_object_set_new(diag, "hints", json_array());
    snb_dialog_info_t info;
    sip_annotations_info(d, &info);
    for (size_t k = 0; k < a->n; k++)
        if (a->v[k].diagnose) a->v[k].diagnose(a->v[k].ctx, &info, diag);
    return diag;
}

json_t *sip_annotations_summary(const sip_annotations_t *a, const sip_dialog_t *d,
                                const json_t *diag)
{
    char text[512];
    int n = snprintf(text, sizeof text, "%s", sip_dialog_state_name(d->state));
    if (d->final_code && d->final_code >= 300)
        n += snprintf(text + n, sizeof text - (size_t)n, " (final response %u)", d->final_code);
    else if (sip_dialog_timeout_name(d))
        n += snprintf(text + n, sizeof text - (size_t)n, " (%s)", sip_dialog_timeout_name(d));
    int found = 0;
    for (size_t k = 0; k < a->n; k++)
        for (size_t i = 0; i < a->v[k].n_kinds && (size_t)n < sizeof text; i++)
            if (json_is_true(json_object_get(diag, a->v[k].kinds[i].key)))
                n += snprintf(text + n, sizeof text - (size_t)n, "%s%s", found++ ? ", " : "; ",
                              a->v[k].kinds[i].words ? a->v[k].kinds[i].words
                                                     : a->v[k].kinds[i].key);
    if (!found && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n, "; no media problem found");
    return json_string(text);
}

size_t sip_annotations_values(const sip_annotations_t *a, const sip_dialog_t *d, const char **keys,
                              json_t **values)
{
    if (!a) return 0;
    snb_dialog_info_t info;
    sip_annotations_info(d, &info);
    size_t n = 0;
    for (size_t k = 0; k < a->n; k++) {
        if (!a->v[k].key) continue;
        keys[n] = a->v[k].key;
        values[n++] = a->v[k].render(a->v[k].ctx, &info);
    }
    return n;
}

void sip_annotations_report(const sip_annotations_t *a, const sip_dialog_t *d, FILE *out,
                            int format)
{
    snb_dialog_info_t info;
    sip_annotations_info(d, &info);
    for (size_t k = 0; k < a->n; k++)
        if (a->v[k].report) a->v[k].report(a->v[k].ctx, &info, out, format);
}

int sip_annotations_activity(sip_annotations_t *a, int id, snb_dialog_activity_fn fn)
{
    if (id < 0 || (size_t)id >= a->n || !fn || a->sealed) return -EINVAL;
    if (a->n_activity == MAX_ACTIVITY) return -ENOSPC;
    a->activity[a->n_activity].fn = fn;
    a->activity[a->n_activity].ctx = a->v[id].ctx;
    a->n_activity++;
    return 0;
}

double sip_annotations_duration_sec(const sip_annotations_t *a, const sip_dialog_t *d,
                                    bool *ongoing)
{
    bool up = d->answered_us && !d->ended_us;
    if (ongoing) *ongoing = up;
    if (!up || !a || !a->n_activity) return sip_dialog_duration_sec(d);
    snb_dialog_info_t info;
    sip_annotations_info(d, &info);
    uint64_t last = d->last_us;
    for (size_t i = 0; i < a->n_activity; i++) {
        uint64_t t = a->activity[i].fn(a->activity[i].ctx, &info);
        if (t > last) last = t;
    }
    return last > d->answered_us ? (double)(last - d->answered_us) / 1e6 : 0.0;
}
