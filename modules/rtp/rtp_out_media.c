/* The "rtp.media" service (sipnab/media.h): the stream store for any
 * number of consumers, each with its own cursor. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_mod.h"

struct snb_stream_cursor {
    rtp_table_cursor_t changes; /* where rtp_table_changes left this consumer */
    uint64_t gone_next;         /* position in the gone log */
    struct snb_stream_cursor *next;
};

static snb_stream_info_t info_of(const rtp_stream_t *s, bool active)
{
    return (snb_stream_info_t){.handle = s,
                               .id = s->id,
                               .ssrc = s->ssrc,
                               .orphaned = s->orphaned,
                               .active = active,
                               .mos = rtp_stream_mos(s),
                               .jitter_ms = s->stats.mean_jitter_ms,
                               .loss_pct = rtp_stream_loss_pct(&s->stats),
                               .packets = s->stats.packets,
                               .call_id = s->call_id};
}

static bool is_active(const rtp_mod_t *m, const rtp_stream_t *s)
{
    return rtp_table_stream_active(m->table, s, STREAM_ACTIVE_WINDOW_US, m->ended);
}

static void svc_foreach(void *ctx, snb_stream_fn fn, void *ud)
{
    rtp_mod_t *m = ctx;
    for (const rtp_stream_t *s = rtp_table_first(m->table); s; s = rtp_table_next(s)) {
        snb_stream_info_t i = info_of(s, is_active(m, s));
        if (!fn(ud, &i)) break;
    }
}

static void svc_find_ssrc(void *ctx, uint32_t ssrc, snb_stream_fn fn, void *ud)
{
    rtp_mod_t *m = ctx;
    const rtp_stream_t *found[64];
    size_t n = rtp_table_by_ssrc(m->table, ssrc, found, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        snb_stream_info_t si = info_of(found[i], is_active(m, found[i]));
        if (!fn(ud, &si)) break;
    }
}

static void svc_dialog_streams(void *ctx, const char *call_id, snb_stream_fn fn, void *ud)
{
    rtp_mod_t *m = ctx;
    for (const rtp_stream_t *s = rtp_table_call_next(m->table, call_id, NULL); s;
         s = rtp_table_call_next(m->table, call_id, s)) {
        snb_stream_info_t i = info_of(s, is_active(m, s));
        if (!fn(ud, &i)) break;
    }
}

/* ---- cursors ---- */

static snb_stream_cursor_t *svc_cursor_new(void *ctx)
{
    rtp_mod_t *m = ctx;
    snb_stream_cursor_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->gone_next = snb_gonelog_end(m->gone);
    c->next = m->cursors;
    m->cursors = c;
    return c;
}

static void svc_cursor_free(void *ctx, snb_stream_cursor_t *c)
{
    rtp_mod_t *m = ctx;
    for (snb_stream_cursor_t **pp = &m->cursors; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    free(c);
}

static void svc_cursor_reset(void *ctx, snb_stream_cursor_t *c)
{
    rtp_mod_t *m = ctx;
    c->changes = (rtp_table_cursor_t){0};
    c->gone_next = snb_gonelog_end(m->gone);
}

typedef struct visit {
    const snb_streams_feed_t *feed;
    void *ud;
} visit_t;

static void visit(void *ud, const rtp_stream_t *s, bool active)
{
    visit_t *v = ud;
    snb_stream_info_t i = info_of(s, active);
    if (v->feed->changed) v->feed->changed(v->ud, &i);
}

static size_t svc_cursor_next(void *ctx, snb_stream_cursor_t *c, const snb_streams_feed_t *feed,
                              void *ud)
{
    rtp_mod_t *m = ctx;
    if (c->gone_next < snb_gonelog_start(m->gone)) { /* evictions it needed were forgotten */
        if (feed->resync) feed->resync(ud);
        svc_cursor_reset(m, c);
    }
    const void *key;
    for (; snb_gonelog_get(m->gone, c->gone_next, NULL, &key, NULL); c->gone_next++) {
        uint64_t id;
        memcpy(&id, key, sizeof id);
        if (feed->gone) feed->gone(ud, id);
    }
    uint64_t min = snb_gonelog_end(m->gone);
    for (const snb_stream_cursor_t *k = m->cursors; k; k = k->next)
        if (k->gone_next < min) min = k->gone_next;
    snb_gonelog_trim(m->gone, min);
    visit_t v = {feed, ud};
    const rtp_feed_rule_t rule = {.active_window_us = STREAM_ACTIVE_WINDOW_US,
                                  .ended = m->ended,
                                  .now_ms = (uint32_t)uv_now(snb_core_loop(m->core)),
                                  .progress_ms = STREAM_PROGRESS_MS};
    return rtp_table_changes(m->table, &c->changes, &rule, visit, &v);
}

void rtp_media_stream_gone(rtp_mod_t *m, uint64_t id)
{
    if (m->cursors && m->gone) snb_gonelog_add(m->gone, 0, &id, sizeof id);
}

/* ---- filters ---- */

static snb_filter_t *svc_filter_compile(void *ctx, const char *expr, char *err, size_t errlen)
{
    (void)ctx;
    size_t n;
    const snb_filter_field_t *f = rtp_stream_fields(&n);
    return snb_filter_compile(expr, f, n, NULL, 0, err, errlen);
}

static bool svc_filter_match(void *ctx, const snb_filter_t *f, const void *handle)
{
    (void)ctx;
    return rtp_stream_matches(f, handle);
}

static void svc_filter_free(void *ctx, snb_filter_t *f)
{
    (void)ctx;
    snb_filter_free(f);
}

static json_t *svc_field_table(void *ctx)
{
    (void)ctx;
    size_t n;
    const snb_filter_field_t *f = rtp_stream_fields(&n);
    json_t *fields = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(f[i].name));
        json_object_set_new(o, "type",
                            json_string(f[i].type == SNB_FT_NUMBER ? "number"
                                        : f[i].type == SNB_FT_BOOL ? "bool"
                                                                   : "string"));
        json_array_append_new(fields, o);
    }
    json_t *t = json_object();
    json_object_set_new(t, "fields", fields);
    json_object_set_new(t, "aliases", json_array());
    return t;
}

static json_t *svc_field_values(void *ctx, const void *handle)
{
    (void)ctx;
    size_t n;
    const snb_filter_field_t *f = rtp_stream_fields(&n);
    json_t *values = json_array();
    for (size_t i = 0; i < n; i++) {
        rtp_stream_scratch_t scratch;
        snb_filter_value_t v;
        rtp_stream_field_value(handle, f[i].id, &scratch, &v);
        json_array_append_new(values, !v.present                   ? json_null()
                                      : f[i].type == SNB_FT_NUMBER ? json_real(v.num)
                                      : f[i].type == SNB_FT_BOOL   ? json_boolean(v.b)
                                                                   : json_stringn(v.str, v.len));
    }
    return values;
}

static json_t *svc_stream_json(void *ctx, const void *handle)
{
    (void)ctx;
    return rtp_out_stream_json(handle);
}

void rtp_media_service_fill(rtp_mod_t *m)
{
    m->service = (snb_media_service_t){.ctx = m,
                                       .foreach = svc_foreach,
                                       .find_ssrc = svc_find_ssrc,
                                       .dialog_streams = svc_dialog_streams,
                                       .cursor_new = svc_cursor_new,
                                       .cursor_free = svc_cursor_free,
                                       .cursor_reset = svc_cursor_reset,
                                       .cursor_next = svc_cursor_next,
                                       .filter_compile = svc_filter_compile,
                                       .filter_match = svc_filter_match,
                                       .filter_free = svc_filter_free,
                                       .field_table_json = svc_field_table,
                                       .field_values_json = svc_field_values,
                                       .stream_json = svc_stream_json};
}

void rtp_media_free(rtp_mod_t *m)
{
    while (m->cursors) {
        snb_stream_cursor_t *c = m->cursors;
        m->cursors = c->next;
        free(c);
    }
    snb_gonelog_free(m->gone);
    m->gone = NULL;
}
