/* JSON outputs: per message, per dialog (REST shape), call report. */
#include <stdlib.h>
#include <string.h>

#include "sip_out.h"
#include "sipnab/format.h"

void sip_out_json_line(FILE *out, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (text) {
        fputs(text, out);
        fputc('\n', out);
        free(text);
    }
}

/* One --json record from its parts: the message's own strings and how it
 * was seen. A parsed message and a kept summary both render through it, so
 * a kept message prints exactly as --json printed it. Written as text
 * (sipnab/jsonw.h), the same bytes as the tree once built here. */
typedef struct record {
    const sip_msg_meta_t *meta;
    const sip_msg_fields_t *f;
    bool is_request, has_sdp, retransmit;
    unsigned status;
    uint32_t cseq, size, malformed;
} record_t;

static void put_slice(snb_jsonw_t *w, const char *key, snb_str_t s)
{
    snb_jsonw_string(w, key, s.p, s.len); /* NULL: null */
}

/* A timestamp and an address as the outputs write them. */
static void time_write(snb_jsonw_t *w, const char *key, uint64_t ts_us)
{
    char buf[40];
    snb_jsonw_cstring(w, key, snb_format_utc(ts_us, true, buf, sizeof buf));
}

static void addr_write(snb_jsonw_t *w, const char *key, const snb_addr_t *a)
{
    char buf[64];
    snb_jsonw_cstring(w, key, snb_format_addr(a, buf, sizeof buf));
}

/* A string member, or null when there is none. */
static void cstring_or_null(snb_jsonw_t *w, const char *key, const char *s)
{
    if (s)
        snb_jsonw_cstring(w, key, s);
    else
        snb_jsonw_null(w, key);
}

/* The dialog's final status code, or null before one. */
static void final_code_write(snb_jsonw_t *w, const sip_dialog_t *d)
{
    if (d->final_code)
        snb_jsonw_int(w, "final_code", d->final_code);
    else
        snb_jsonw_null(w, "final_code");
}

/* The members every record starts with: when, between whom, how. */
static void put_head(snb_jsonw_t *w, const sip_msg_meta_t *meta, bool is_request)
{
    snb_jsonw_int(w, "schema_version", 1);
    time_write(w, "timestamp", meta->ts_us);
    addr_write(w, "src", &meta->src);
    snb_jsonw_int(w, "src_port", meta->sport);
    addr_write(w, "dst", &meta->dst);
    snb_jsonw_int(w, "dst_port", meta->dport);
    snb_jsonw_cstring(w, "transport", sip_transport_name(meta->transport));
    snb_jsonw_bool(w, "is_request", is_request);
}

/* ... and end with: size and soundness. */
static void put_tail(snb_jsonw_t *w, bool has_sdp, uint32_t size, bool retransmit,
                     uint32_t malformed)
{
    snb_jsonw_bool(w, "has_sdp", has_sdp);
    snb_jsonw_int(w, "size", size);
    snb_jsonw_bool(w, "retransmit", retransmit);
    snb_jsonw_bool(w, "malformed", malformed != 0);
    cstring_or_null(w, "malformed_reason", malformed ? sip_malformed_reason(malformed) : NULL);
}

static void record_write(snb_jsonw_t *w, const record_t *r)
{
    const snb_str_t *v = r->f->v;
    snb_jsonw_object_begin(w, NULL);
    put_head(w, r->meta, r->is_request);
    put_slice(w, "method", r->is_request ? v[SIP_MF_METHOD] : v[SIP_MF_CSEQ_METHOD]);
    if (r->is_request) {
        snb_jsonw_null(w, "status_code");
        snb_jsonw_null(w, "reason");
        put_slice(w, "request_uri", v[SIP_MF_REQUEST_URI]);
    } else {
        snb_jsonw_int(w, "status_code", r->status);
        put_slice(w, "reason", v[SIP_MF_REASON]);
        snb_jsonw_null(w, "request_uri");
    }
    put_slice(w, "call_id", v[SIP_MF_CALL_ID]);
    put_slice(w, "from", v[SIP_MF_FROM]);
    put_slice(w, "to", v[SIP_MF_TO]);
    put_slice(w, "from_tag", v[SIP_MF_FROM_TAG]);
    put_slice(w, "to_tag", v[SIP_MF_TO_TAG]);
    snb_jsonw_int(w, "cseq", r->cseq);
    put_slice(w, "cseq_method", v[SIP_MF_CSEQ_METHOD]);
    put_slice(w, "ua", v[SIP_MF_UA]);
    put_slice(w, "content_type", v[SIP_MF_CONTENT_TYPE]);
    put_tail(w, r->has_sdp, r->size, r->retransmit, r->malformed);
    snb_jsonw_object_end(w);
}

void sip_out_message_write(snb_jsonw_t *w, const sip_msg_meta_t *meta, const sip_msg_t *msg,
                           bool retransmit)
{
    sip_msg_fields_t f;
    sip_msg_fields_of(msg, &f);
    record_t r = {.meta = meta,
                  .f = &f,
                  .is_request = msg->is_request,
                  .has_sdp = sip_msg_sdp(msg).p != NULL,
                  .retransmit = retransmit,
                  .status = msg->status_code,
                  .cseq = msg->cseq,
                  .size = (uint32_t)msg->len,
                  .malformed = msg->malformed};
    record_write(w, &r);
}

/* How a kept message was seen, from its summary. */
static sip_msg_meta_t summary_meta(const sip_msg_summary_t *m)
{
    return (sip_msg_meta_t){.ts_us = m->ts_us,
                            .src = m->src,
                            .dst = m->dst,
                            .sport = m->sport,
                            .dport = m->dport,
                            .transport = m->transport};
}

/* A summary kept before its strings were (over the arena's cap): the
 * dialog's From, To and User-Agent stand in for the message's. */
static void summary_fallback_write(snb_jsonw_t *w, const sip_dialog_t *d,
                                   const sip_msg_summary_t *m)
{
    sip_msg_meta_t meta = summary_meta(m);
    snb_jsonw_object_begin(w, NULL);
    put_head(w, &meta, m->is_request);
    snb_jsonw_cstring(w, "method", m->is_request ? m->label : sip_method_name(m->cseq_method));
    if (m->is_request) {
        snb_jsonw_null(w, "status_code");
        snb_jsonw_null(w, "reason");
    } else {
        /* The label of a response is "<code> <reason>". */
        const char *reason = strchr(m->label, ' ');
        snb_jsonw_int(w, "status_code", m->status);
        snb_jsonw_cstring(w, "reason", reason ? reason + 1 : "");
    }
    snb_jsonw_cstring(w, "call_id", d->call_id);
    snb_jsonw_cstring(w, "from", sip_dialog_from_user(d));
    snb_jsonw_cstring(w, "to", sip_dialog_to_user(d));
    snb_jsonw_int(w, "cseq", m->cseq);
    snb_jsonw_cstring(w, "cseq_method", sip_method_name(m->cseq_method));
    snb_jsonw_cstring(w, "ua", sip_dialog_ua(d));
    put_tail(w, m->has_sdp, m->size, m->retransmit, m->malformed);
    snb_jsonw_object_end(w);
}

void sip_out_summary_write(snb_jsonw_t *w, const sip_dialog_t *d, const sip_msg_summary_t *m)
{
    if (!m->fields_kept) {
        summary_fallback_write(w, d, m);
        return;
    }
    sip_msg_fields_t f;
    sip_fields_get(&d->fields, m->fields, &f);
    sip_msg_meta_t meta = summary_meta(m);
    record_t r = {.meta = &meta,
                  .f = &f,
                  .is_request = m->is_request,
                  .has_sdp = m->sdp_present,
                  .retransmit = m->retransmit,
                  .status = m->status,
                  .cseq = m->cseq,
                  .size = m->size,
                  .malformed = m->malformed};
    record_write(w, &r);
}

/* The tree forms, for callers that want one: the text, parsed. */
static json_t *parsed(snb_jsonw_t *w)
{
    json_t *o = w->failed ? NULL : json_loadb(w->p, w->len, 0, NULL);
    snb_jsonw_free(w);
    return o;
}

json_t *sip_out_message_json(const sip_msg_meta_t *meta, const sip_msg_t *msg, bool retransmit)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    sip_out_message_write(&w, meta, msg, retransmit);
    return parsed(&w);
}

json_t *sip_out_summary_json(const sip_dialog_t *d, const sip_msg_summary_t *m)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    sip_out_summary_write(&w, d, m);
    return parsed(&w);
}

/* A timing value: the rounded milliseconds, or null (not measured). */
static void ms_write(snb_jsonw_t *w, const char *key, int64_t us)
{
    if (us < 0)
        snb_jsonw_null(w, key);
    else
        snb_jsonw_int(w, key, sip_timing_ms(us));
}

static void sdp_entry_write(snb_jsonw_t *w, const sip_sdp_entry_t *e)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{SIP_SDP_HOLD, "hold"},
                 {SIP_SDP_RESUME, "resume"},
                 {SIP_SDP_CODEC_CHANGE, "codec_change"},
                 {SIP_SDP_T38, "t38"},
                 {SIP_SDP_ADDR_CHANGE, "media_address_change"}};
    snb_jsonw_object_begin(w, NULL);
    time_write(w, "timestamp", e->ts_us);
    snb_jsonw_cstring(w, "direction", e->offer ? "offer" : "answer");
    snb_jsonw_array_begin(w, "codecs");
    for (unsigned i = 0; i < e->n_codecs; i++)
        snb_jsonw_cstring(w, NULL, e->codecs[i]);
    snb_jsonw_array_end(w);
    snb_jsonw_cstring(w, "media_addr", e->media_addr);
    snb_jsonw_int(w, "media_port", e->media_port);
    snb_jsonw_cstring(w, "mode", sdp_direction_name(e->mode));
    snb_jsonw_array_begin(w, "events");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (e->changes & names[i].bit) snb_jsonw_cstring(w, NULL, names[i].name);
    snb_jsonw_array_end(w);
    snb_jsonw_bool(w, "crypto", e->has_crypto);
    snb_jsonw_bool(w, "from_caller", e->from_caller);
    snb_jsonw_object_end(w);
}

/* The annotations' values for one dialog. Registration keeps their keys
 * off the dialog's own (sip_annotations_add) except the two places the
 * REST spec gives optional modules, which the dialog fills with their empty
 * value: "siprec_metadata" and "streams". Every other key follows the
 * dialog's members, in registration order. */
typedef struct ann_values {
    const char **keys;
    json_t **values;
    size_t n;
} ann_values_t;

/* Writes the annotation's value for key and takes it out; false if none. */
static bool annotation_write(snb_jsonw_t *w, ann_values_t *av, const char *key)
{
    for (size_t i = 0; i < av->n; i++) {
        if (!av->values[i] || strcmp(av->keys[i], key) != 0) continue;
        snb_jsonw_json(w, key, av->values[i]);
        json_decref(av->values[i]);
        av->values[i] = NULL;
        return true;
    }
    return false;
}

/* The dialog in the REST shape, with every annotation, as members of the
 * object being written. with_summary: diagnosis gets its "summary" (the
 * call report); *diagnosis, when asked, the diagnosis written. */
static void dialog_members_write(snb_jsonw_t *w, const sip_dialog_t *d,
                                 const sip_annotations_t *ann, bool with_summary,
                                 json_t **diagnosis)
{
    size_t cap = sip_annotations_count(ann);
    const char *keys_local[8];
    json_t *values_local[8];
    ann_values_t av = {.keys = keys_local, .values = values_local};
    if (cap > 8) {
        av.keys = malloc(cap * sizeof *av.keys);
        av.values = malloc(cap * sizeof *av.values);
        if (!av.keys || !av.values) cap = 0; /* dialog without annotations */
    }
    if (cap) av.n = sip_annotations_values(ann, d, av.keys, av.values);

    snb_jsonw_int(w, "schema_version", 1);
    snb_jsonw_cstring(w, "call_id", d->call_id);
    snb_jsonw_cstring(w, "from", sip_dialog_from_user(d));
    snb_jsonw_cstring(w, "to", sip_dialog_to_user(d));
    snb_jsonw_cstring(w, "from_display", sip_dialog_from_display(d));
    snb_jsonw_cstring(w, "to_display", sip_dialog_to_display(d));
    snb_jsonw_cstring(w, "state", sip_dialog_state_name(d->state));
    snb_jsonw_cstring(w, "method", sip_method_name(d->method));
    snb_jsonw_int(w, "msg_count", d->msg_count);
    bool ongoing;
    snb_jsonw_real(w, "duration_sec", sip_annotations_duration_sec(ann, d, &ongoing));
    snb_jsonw_array_begin(w, "tags");
    snb_jsonw_array_end(w);
    snb_jsonw_object_begin(w, "timing");
    ms_write(w, "pdd_ms", d->timing.pdd_us);
    ms_write(w, "setup_ms", d->timing.setup_us);
    ms_write(w, "ring_ms", d->timing.ring_us);
    ms_write(w, "trying_delay_ms", d->timing.trying_delay_us);
    ms_write(w, "teardown_ms", d->timing.teardown_us);
    snb_jsonw_int(w, "retransmits", d->timing.retransmits);
    snb_jsonw_object_end(w);
    snb_jsonw_array_begin(w, "sdp_timeline");
    for (uint32_t i = 0; i < d->n_sdp; i++)
        sdp_entry_write(w, &d->sdp[i]);
    snb_jsonw_array_end(w);
    cstring_or_null(w, "refer_to", d->refer_to);
    /* an addition to the spec's shape: the transfer's Replaces, decoded */
    if (d->refer_replaces) snb_jsonw_cstring(w, "refer_replaces", d->refer_replaces);
    if (!annotation_write(w, &av, "siprec_metadata")) snb_jsonw_null(w, "siprec_metadata");
    json_t *diag = sip_annotations_diagnosis(ann, d);
    if (with_summary && diag)
        json_object_set_new(diag, "summary", sip_annotations_summary(ann, d, diag));
    if (diag) snb_jsonw_json(w, "diagnosis", diag);
    if (!annotation_write(w, &av, "streams")) {
        snb_jsonw_array_begin(w, "streams");
        snb_jsonw_array_end(w);
    }
    time_write(w, "created_at", d->first_us);
    time_write(w, "updated_at", d->last_us);
    /* Additions beyond the REST shape (never renaming its fields). */
    final_code_write(w, d);
    snb_jsonw_cstring(w, "transport", sip_transport_name(d->transport));
    addr_write(w, "src", &d->src);
    snb_jsonw_int(w, "src_port", d->sport);
    addr_write(w, "dst", &d->dst);
    snb_jsonw_int(w, "dst_port", d->dport);
    snb_jsonw_cstring(w, "ua", sip_dialog_ua(d));
    snb_jsonw_int(w, "malformed_count", d->malformed_count);
    cstring_or_null(w, "timeout", sip_dialog_timeout_name(d));
    /* answered, no end seen: duration_sec runs to its last packet so far */
    snb_jsonw_bool(w, "ongoing", ongoing);
    for (size_t i = 0; i < av.n; i++)
        if (av.values[i]) annotation_write(w, &av, av.keys[i]);

    if (diagnosis)
        *diagnosis = diag;
    else
        json_decref(diag);
    if (av.keys != keys_local) {
        free(av.keys);
        free(av.values);
    }
}

json_t *sip_out_dialog_json(const sip_dialog_t *d, const sip_annotations_t *ann)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    snb_jsonw_object_begin(&w, NULL);
    dialog_members_write(&w, d, ann, false, NULL);
    snb_jsonw_object_end(&w);
    return parsed(&w);
}

void sip_out_dialog_summary_write(snb_jsonw_t *w, const sip_dialog_t *d,
                                  const sip_annotations_t *ann)
{
    bool ongoing;
    double duration = sip_annotations_duration_sec(ann, d, &ongoing);
    snb_jsonw_object_begin(w, NULL);
    snb_jsonw_cstring(w, "call_id", d->call_id);
    snb_jsonw_cstring(w, "from", sip_dialog_from_user(d));
    snb_jsonw_cstring(w, "to", sip_dialog_to_user(d));
    snb_jsonw_cstring(w, "state", sip_dialog_state_name(d->state));
    snb_jsonw_cstring(w, "method", sip_method_name(d->method));
    snb_jsonw_real(w, "duration_sec", duration);
    snb_jsonw_int(w, "msg_count", d->msg_count);
    snb_jsonw_object_begin(w, "timing");
    ms_write(w, "pdd_ms", d->timing.pdd_us);
    ms_write(w, "setup_ms", d->timing.setup_us);
    snb_jsonw_int(w, "retransmits", d->timing.retransmits);
    snb_jsonw_object_end(w);
    time_write(w, "created_at", d->first_us);
    time_write(w, "updated_at", d->last_us);
    final_code_write(w, d);
    cstring_or_null(w, "timeout", sip_dialog_timeout_name(d));
    /* answered, no end seen: duration_sec runs to its last packet so far */
    snb_jsonw_bool(w, "ongoing", ongoing);
    snb_jsonw_object_end(w);
}

json_t *sip_out_dialog_summary_json(const sip_dialog_t *d, const sip_annotations_t *ann)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    sip_out_dialog_summary_write(&w, d, ann);
    return parsed(&w);
}

/* One step of the report's ladder. */
static void ladder_write(snb_jsonw_t *w, const sip_dialog_t *d, const sip_msg_summary_t *m)
{
    snb_jsonw_object_begin(w, NULL);
    snb_jsonw_real(w, "t_ms", (double)(m->ts_us - d->first_us) / 1000.0);
    time_write(w, "timestamp", m->ts_us);
    addr_write(w, "src", &m->src);
    snb_jsonw_int(w, "src_port", m->sport);
    addr_write(w, "dst", &m->dst);
    snb_jsonw_int(w, "dst_port", m->dport);
    snb_jsonw_cstring(w, "label", m->label);
    snb_jsonw_bool(w, "is_request", m->is_request);
    snb_jsonw_int(w, "cseq", m->cseq);
    snb_jsonw_cstring(w, "cseq_method", sip_method_name(m->cseq_method));
    snb_jsonw_bool(w, "has_sdp", m->has_sdp);
    snb_jsonw_bool(w, "retransmit", m->retransmit);
    snb_jsonw_bool(w, "malformed", m->malformed != 0);
    snb_jsonw_object_end(w);
}

void sip_out_report_write(snb_jsonw_t *w, const sip_dialog_t *d, const sip_annotations_t *ann,
                          json_t **diagnosis)
{
    snb_jsonw_object_begin(w, NULL);
    dialog_members_write(w, d, ann, true, diagnosis);
    snb_jsonw_array_begin(w, "messages");
    for (uint32_t i = 0; i < d->n_msgs; i++)
        ladder_write(w, d, &d->msgs[i]);
    snb_jsonw_array_end(w);
    snb_jsonw_int(w, "messages_dropped", d->msg_count - d->n_msgs);
    snb_jsonw_object_end(w);
}

json_t *sip_out_report_json(const sip_dialog_t *d, const sip_annotations_t *ann)
{
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    sip_out_report_write(&w, d, ann, NULL);
    return parsed(&w);
}
