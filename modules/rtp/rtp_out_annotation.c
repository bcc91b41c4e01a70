/* What the RTP module adds to every dialog, as a dialog annotation
 * (sipnab/dialogs.h): its streams under "streams", the media diagnosis
 * (one-way audio, NAT mismatch, no or late media, codec asymmetry, poor
 * quality) with its hints, the rtp.* filter fields and aliases, the media
 * section of the call report, the time of the call's last RTP or UDPTL
 * packet (the duration of a call still up), and under "fax" its T.38 fax
 * phase. */
#include <errno.h>
#include <string.h>

#include "rtp_mod.h"

bool rtp_diagnose(rtp_mod_t *m, const char *call_id, rtp_diag_result_t *out)
{
    memset(out, 0, sizeof *out);
    rtp_call_t *call = rtp_calls_find(m->calls, call_id, strlen(call_id));
    if (!call) return false;
    rtp_diag_stream_t streams[64];
    rtp_diag_call_t view;
    rtp_diag_view(call, m->table, m->now_us, &view, streams, 64);
    rtp_diag_run(&view, &m->diag_cfg, out);
    return true;
}

static json_t *render_streams(void *ctx, const snb_dialog_info_t *d)
{
    rtp_mod_t *m = ctx;
    json_t *a = json_array();
    for (const rtp_stream_t *s = rtp_table_call_next(m->table, d->call_id, NULL); s;
         s = rtp_table_call_next(m->table, d->call_id, s))
        json_array_append_new(a, rtp_out_stream_json(s));
    return a;
}

static void diagnose(void *ctx, const snb_dialog_info_t *d, json_t *diag)
{
    rtp_diag_result_t r;
    if (!rtp_diagnose(ctx, d->call_id, &r)) return;
    size_t n;
    const snb_diagnosis_kind_t *kinds = rtp_diagnosis_kinds(&n);
    json_t *hints = json_object_get(diag, "hints");
    for (size_t i = 0; i < n; i++) {
        uint32_t bit = 1u << i;
        if (!(r.flags & bit)) continue;
        json_object_set_new(diag, kinds[i].key, json_true());
        json_array_append_new(hints, json_string(rtp_diag_hint(&r, bit)));
    }
}

/* The summary is computed on the first field an expression reads. */
static void field(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                  snb_filter_value_t *out)
{
    rtp_mod_t *m = ctx;
    rtp_media_summary_t *sum = scratch;
    if (!sum->computed) {
        rtp_diag_result_t r;
        bool known = rtp_diagnose(m, d->call_id, &r);
        rtp_media_summarize(m->table, d->call_id, known ? &r : NULL, sum);
    }
    rtp_dialog_field_value(sum, id, out);
}

/* The call's last RTP packet: a call still up when the capture ends lasts
 * as long as its media. */
static uint64_t last_packet_us(void *ctx, const snb_dialog_info_t *d)
{
    rtp_mod_t *m = ctx;
    rtp_call_t *call = rtp_calls_find(m->calls, d->call_id, strlen(d->call_id));
    if (!call) return 0; /* no SDP seen: no stream carries its Call-ID */
    uint64_t last = call->fax.last_udptl_us;
    for (const rtp_stream_t *s = rtp_table_call_next(m->table, d->call_id, NULL); s;
         s = rtp_table_call_next(m->table, d->call_id, s))
        if (s->last_us > last) last = s->last_us;
    return last;
}

static void report(void *ctx, const snb_dialog_info_t *d, FILE *out, int format)
{
    rtp_mod_t *m = ctx;
    rtp_diag_result_t r;
    rtp_diagnose(m, d->call_id, &r);
    rtp_out_call_media(out, format == SNB_REPORT_MARKDOWN, m->table, d->call_id, &r, m->info,
                       m->n_info);
}

/* The fax phase is a second annotation: its own key, "fax", present only
 * for calls that offered T.38. */
static json_t *render_fax(void *ctx, const snb_dialog_info_t *d)
{
    rtp_mod_t *m = ctx;
    rtp_call_t *call = rtp_calls_find(m->calls, d->call_id, strlen(d->call_id));
    return call ? rtp_out_fax_json(&call->fax) : NULL;
}

/* "fax": the call switched to T.38 at least once. */
static const snb_filter_field_t fax_fields[] = {{"fax", SNB_FT_BOOL, 0}};

static void fax_field(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                      snb_filter_value_t *out)
{
    (void)scratch;
    (void)id;
    rtp_mod_t *m = ctx;
    rtp_call_t *call = rtp_calls_find(m->calls, d->call_id, strlen(d->call_id));
    memset(out, 0, sizeof *out);
    out->present = true;
    out->b = call && call->fax.switches > 0;
}

static void report_fax(void *ctx, const snb_dialog_info_t *d, FILE *out, int format)
{
    rtp_mod_t *m = ctx;
    rtp_call_t *call = rtp_calls_find(m->calls, d->call_id, strlen(d->call_id));
    if (call) rtp_out_fax_report(out, format == SNB_REPORT_MARKDOWN, &call->fax);
}

int rtp_annotation_register(rtp_mod_t *m)
{
    if (!m->dialogs) return 0; /* no SIP module: streams without dialogs */
    size_t nf, na, nk;
    const snb_filter_field_t *fields = rtp_dialog_fields(&nf);
    const snb_filter_alias_t *aliases = rtp_dialog_aliases(&na);
    const snb_diagnosis_kind_t *kinds = rtp_diagnosis_kinds(&nk);
    snb_dialog_annotation_t a = {.name = "rtp",
                                 .key = "streams",
                                 .ctx = m,
                                 .render = render_streams,
                                 .diagnose = diagnose,
                                 .kinds = kinds,
                                 .n_kinds = nk,
                                 .fields = fields,
                                 .n_fields = nf,
                                 .field = field,
                                 .scratch_size = sizeof(rtp_media_summary_t),
                                 .aliases = aliases,
                                 .n_aliases = na,
                                 .problems = RTP_DIALOG_PROBLEMS,
                                 .report = report};
    int id = m->dialogs->annotate(m->dialogs->ctx, &a);
    if (id < 0) return id;
    m->annotation = id;
    int rc = m->dialogs->annotate_activity(m->dialogs->ctx, id, last_packet_us);
    snb_dialog_annotation_t fax = {.name = "rtp",
                                   .key = "fax",
                                   .ctx = m,
                                   .render = render_fax,
                                   .fields = fax_fields,
                                   .n_fields = 1,
                                   .field = fax_field,
                                   .report = report_fax};
    return rc < 0 ? rc : m->dialogs->annotate(m->dialogs->ctx, &fax) < 0 ? -EINVAL : 0;
}
