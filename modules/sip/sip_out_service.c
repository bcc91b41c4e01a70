/* The "sip.dialogs" service (sipnab/dialogs.h) over the store and the
 * annotation registry: how every other module reads dialogs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sip_out.h"
#include "sipnab/log.h"

static sip_service_t *S(void *ctx)
{
    return ctx;
}

static sip_dialog_t *D(const snb_dialog_t *d)
{
    return (sip_dialog_t *)d; /* a snb_dialog_t is a sip_dialog_t */
}

/* ---- annotations ---- */

static int svc_annotate(void *ctx, const snb_dialog_annotation_t *a)
{
    char err[256];
    int id = sip_annotations_add(S(ctx)->ann, a, err, sizeof err);
    if (id < 0) snb_log_error(S(ctx)->core, "sip", "%s", err);
    return id;
}

static int svc_annotate_activity(void *ctx, int annotation, snb_dialog_activity_fn fn)
{
    return sip_annotations_activity(S(ctx)->ann, annotation, fn);
}

static void **svc_data(void *ctx, const snb_dialog_t *d, int annotation)
{
    if (!d || annotation < 0) return NULL;
    return sip_store_slot(S(ctx)->store, D(d), (size_t)annotation);
}

static void svc_touch(void *ctx, const snb_dialog_t *d)
{
    if (d) sip_store_touch(S(ctx)->store, D(d));
}

/* ---- lookup ---- */

static const snb_dialog_t *svc_find(void *ctx, const char *call_id, size_t len)
{
    char id[1024];
    if (!call_id || len >= sizeof id) return NULL;
    memcpy(id, call_id, len);
    id[len] = '\0';
    return (const snb_dialog_t *)sip_store_find(S(ctx)->store, id);
}

static void svc_info(void *ctx, const snb_dialog_t *d, snb_dialog_info_t *out)
{
    (void)ctx;
    sip_annotations_info(D(d), out);
}

static size_t svc_count(void *ctx)
{
    return sip_store_count(S(ctx)->store);
}

typedef struct visit {
    snb_dialog_fn fn;
    void *ud;
} visit_t;

static bool visit_one(void *ud, sip_dialog_t *d)
{
    visit_t *v = ud;
    snb_dialog_info_t info;
    sip_annotations_info(d, &info);
    return v->fn(v->ud, &info);
}

static void svc_foreach(void *ctx, snb_dialog_fn fn, void *ud)
{
    visit_t v = {fn, ud};
    sip_store_foreach(S(ctx)->store, visit_one, &v);
}

static size_t svc_messages(void *ctx, const snb_dialog_t *h, size_t from, size_t max,
                           snb_dialog_message_fn fn, void *ud)
{
    (void)ctx;
    const sip_dialog_t *d = D(h);
    size_t done = 0;
    for (size_t i = from; i < d->n_msgs && done < max; i++) {
        const sip_msg_summary_t *s = &d->msgs[i];
        snb_dialog_message_t m = {.index = (uint32_t)i,
                                  .ts_us = s->ts_us,
                                  .src = s->src,
                                  .dst = s->dst,
                                  .sport = s->sport,
                                  .dport = s->dport,
                                  .transport = s->transport,
                                  .is_request = s->is_request,
                                  .retransmit = s->retransmit,
                                  .has_sdp = s->has_sdp,
                                  .method = s->method,
                                  .cseq_method = s->cseq_method,
                                  .status = s->status,
                                  .cseq = s->cseq,
                                  .size = s->size,
                                  .malformed = s->malformed,
                                  .label = s->label,
                                  .text = s->text_len ? d->text + s->text_off : NULL,
                                  .text_len = s->text_len};
        done++;
        if (!fn(ud, &m)) break;
    }
    return done;
}

static void svc_want_text(void *ctx)
{
    sip_store_keep_text(S(ctx)->store, true);
}

/* ---- cursors ---- */

typedef struct cursor_visit {
    const snb_dialogs_feed_t *feed;
    void *ud;
} cursor_visit_t;

static bool cursor_changed(void *ud, sip_dialog_t *d)
{
    cursor_visit_t *v = ud;
    snb_dialog_info_t info;
    sip_annotations_info(d, &info);
    if (v->feed->changed) v->feed->changed(v->ud, &info);
    return true;
}

static void cursor_gone(void *ud, const char *call_id)
{
    cursor_visit_t *v = ud;
    if (v->feed->gone) v->feed->gone(v->ud, call_id);
}

static void cursor_resync(void *ud)
{
    cursor_visit_t *v = ud;
    if (v->feed->resync) v->feed->resync(v->ud);
}

static snb_dialog_cursor_t *svc_cursor_new(void *ctx)
{
    return (snb_dialog_cursor_t *)sip_store_cursor_new(S(ctx)->store);
}

static void svc_cursor_free(void *ctx, snb_dialog_cursor_t *c)
{
    sip_store_cursor_free(S(ctx)->store, (sip_store_cursor_t *)c);
}

static void svc_cursor_reset(void *ctx, snb_dialog_cursor_t *c)
{
    sip_store_cursor_reset(S(ctx)->store, (sip_store_cursor_t *)c);
}

static size_t svc_cursor_next(void *ctx, snb_dialog_cursor_t *c, size_t max,
                              const snb_dialogs_feed_t *feed, void *ud)
{
    static const sip_store_feed_t relay = {cursor_changed, cursor_gone, cursor_resync};
    cursor_visit_t v = {feed, ud};
    return sip_store_cursor_next(S(ctx)->store, (sip_store_cursor_t *)c, max, &relay, &v);
}

/* ---- filters ---- */

static snb_filter_t *svc_filter_compile(void *ctx, const char *expr, char *err, size_t errlen)
{
    return sip_annotations_compile(S(ctx)->ann, expr, err, errlen);
}

static bool svc_filter_match(void *ctx, const snb_filter_t *f, const snb_dialog_t *d)
{
    return sip_annotations_match(S(ctx)->ann, f, D(d));
}

static void svc_filter_free(void *ctx, snb_filter_t *f)
{
    (void)ctx;
    snb_filter_free(f);
}

static json_t *svc_field_table(void *ctx)
{
    return sip_annotations_table_json(S(ctx)->ann);
}

static json_t *svc_field_values(void *ctx, const snb_dialog_t *d)
{
    return sip_annotations_values_json(S(ctx)->ann, D(d));
}

static void svc_field_values_each(void *ctx, const snb_dialog_t *d, snb_field_value_fn fn, void *ud)
{
    sip_annotations_values_each(S(ctx)->ann, D(d), fn, ud);
}

/* ---- renderers ---- */

static json_t *svc_summary_json(void *ctx, const snb_dialog_t *d)
{
    (void)ctx;
    return sip_out_dialog_summary_json(D(d), S(ctx)->ann);
}

static void svc_summary_write(void *ctx, const snb_dialog_t *d, snb_jsonw_t *w)
{
    sip_out_dialog_summary_write(w, D(d), S(ctx)->ann);
}

static json_t *svc_dialog_json(void *ctx, const snb_dialog_t *d)
{
    return sip_out_dialog_json(D(d), S(ctx)->ann);
}

static json_t *svc_report_json(void *ctx, const snb_dialog_t *d)
{
    return sip_out_report_json(D(d), S(ctx)->ann);
}

static void svc_report_write(void *ctx, const snb_dialog_t *d, snb_jsonw_t *w, json_t **diagnosis)
{
    sip_out_report_write(w, D(d), S(ctx)->ann, diagnosis);
}

static void report_mem_close(sip_service_t *s)
{
    if (s->report_mem) fclose(s->report_mem);
    free(s->report_buf);
    s->report_mem = NULL;
    s->report_buf = NULL;
    s->report_size = 0;
}

static char *svc_report_text(void *ctx, const snb_dialog_t *d, int format, size_t *len)
{
    sip_service_t *s = S(ctx);
    if (!s->report_mem) s->report_mem = open_memstream(&s->report_buf, &s->report_size);
    FILE *f = s->report_mem;
    if (!f || fseeko(f, 0, SEEK_SET) != 0) {
        report_mem_close(s);
        return NULL;
    }
    if (format == SNB_REPORT_MARKDOWN)
        sip_out_call_report_markdown(f, D(d), s->ann);
    else
        sip_out_call_report_text(f, D(d), s->ann);
    off_t n = fflush(f) == 0 && !ferror(f) ? ftello(f) : -1;
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!text) {
        report_mem_close(s); /* a stream in error is not used again */
        return NULL;
    }
    memcpy(text, s->report_buf, (size_t)n);
    text[n] = '\0';
    if (len) *len = (size_t)n;
    return text;
}

void sip_service_release(sip_service_t *ctx)
{
    report_mem_close(ctx);
}

/* With its text kept, a message is parsed again and rendered exactly as
 * `--json` printed it; without, from what its summary holds. */
static bool svc_message_write(void *ctx, const snb_dialog_t *h, const snb_dialog_message_t *m,
                              snb_jsonw_t *w)
{
    (void)ctx;
    const sip_dialog_t *d = D(h);
    if (m->text) {
        sip_msg_t *msg = malloc(sizeof *msg);
        size_t used;
        if (msg && sip_msg_parse(m->text, m->text_len, 0, msg, &used) == SIP_PARSE_OK) {
            sip_msg_meta_t meta = {.ts_us = m->ts_us,
                                   .src = m->src,
                                   .dst = m->dst,
                                   .sport = m->sport,
                                   .dport = m->dport,
                                   .transport = m->transport};
            sip_out_message_write(w, &meta, msg, m->retransmit);
            free(msg);
            return true;
        }
        free(msg);
    }
    if (m->index >= d->n_msgs) return false;
    sip_out_summary_write(w, d, &d->msgs[m->index]);
    return true;
}

static json_t *svc_message_json(void *ctx, const snb_dialog_t *h, const snb_dialog_message_t *m)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    json_t *o = NULL;
    if (svc_message_write(ctx, h, m, &w) && !w.failed) o = json_loadb(w.p, w.len, 0, NULL);
    snb_jsonw_free(&w);
    return o;
}

void sip_service_fill(sip_service_t *ctx, snb_dialogs_service_t *svc)
{
    *svc = (snb_dialogs_service_t){
        .ctx = ctx,
        .annotate = svc_annotate,
        .data = svc_data,
        .touch = svc_touch,
        .find = svc_find,
        .info = svc_info,
        .count = svc_count,
        .foreach = svc_foreach,
        .messages = svc_messages,
        .want_text = svc_want_text,
        .cursor_new = svc_cursor_new,
        .cursor_free = svc_cursor_free,
        .cursor_reset = svc_cursor_reset,
        .cursor_next = svc_cursor_next,
        .filter_compile = svc_filter_compile,
        .filter_match = svc_filter_match,
        .filter_free = svc_filter_free,
        .field_table_json = svc_field_table,
        .field_values_json = svc_field_values,
        .summary_json = svc_summary_json,
        .dialog_json = svc_dialog_json,
        .report_json = svc_report_json,
        .report_text = svc_report_text,
        .message_json = svc_message_json,
        .annotate_activity = svc_annotate_activity,
        .message_write = svc_message_write,
        .report_write = svc_report_write,
        .summary_write = svc_summary_write,
        .field_values_each = svc_field_values_each,
    };
}
