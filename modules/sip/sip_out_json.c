/* JSON outputs: per message, per dialog (REST shape), call report. */
#include <string.h>

#include "sip_out.h"
#include "sipnab/format.h"

static json_t *json_slice(snb_str_t s)
{
    return s.p ? json_stringn(s.p, s.len) : json_null();
}

static json_t *json_time(uint64_t ts_us)
{
    char buf[40];
    snb_format_utc(ts_us, true, buf, sizeof buf);
    return json_string(buf);
}

static json_t *json_addr(const snb_addr_t *a)
{
    char buf[64];
    snb_format_addr(a, buf, sizeof buf);
    return json_string(buf);
}

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
 * a kept message prints exactly as --json printed it. */
typedef struct record {
    const sip_msg_meta_t *meta;
    const sip_msg_fields_t *f;
    bool is_request, has_sdp, retransmit;
    unsigned status;
    uint32_t cseq, size, malformed;
} record_t;

static json_t *record_json(const record_t *r)
{
    const snb_str_t *v = r->f->v;
    json_t *o = json_object();
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "timestamp", json_time(r->meta->ts_us));
    json_object_set_new(o, "src", json_addr(&r->meta->src));
    json_object_set_new(o, "src_port", json_integer(r->meta->sport));
    json_object_set_new(o, "dst", json_addr(&r->meta->dst));
    json_object_set_new(o, "dst_port", json_integer(r->meta->dport));
    json_object_set_new(o, "transport", json_string(sip_transport_name(r->meta->transport)));
    json_object_set_new(o, "is_request", json_boolean(r->is_request));
    json_object_set_new(o, "method",
                        json_slice(r->is_request ? v[SIP_MF_METHOD] : v[SIP_MF_CSEQ_METHOD]));
    json_object_set_new(o, "status_code", r->is_request ? json_null() : json_integer(r->status));
    json_object_set_new(o, "reason", r->is_request ? json_null() : json_slice(v[SIP_MF_REASON]));
    json_object_set_new(o, "request_uri",
                        r->is_request ? json_slice(v[SIP_MF_REQUEST_URI]) : json_null());
    json_object_set_new(o, "call_id", json_slice(v[SIP_MF_CALL_ID]));
    json_object_set_new(o, "from", json_slice(v[SIP_MF_FROM]));
    json_object_set_new(o, "to", json_slice(v[SIP_MF_TO]));
    json_object_set_new(o, "from_tag", json_slice(v[SIP_MF_FROM_TAG]));
    json_object_set_new(o, "to_tag", json_slice(v[SIP_MF_TO_TAG]));
    json_object_set_new(o, "cseq", json_integer(r->cseq));
    json_object_set_new(o, "cseq_method", json_slice(v[SIP_MF_CSEQ_METHOD]));
    json_object_set_new(o, "ua", json_slice(v[SIP_MF_UA]));
    json_object_set_new(o, "content_type", json_slice(v[SIP_MF_CONTENT_TYPE]));
    json_object_set_new(o, "has_sdp", json_boolean(r->has_sdp));
    json_object_set_new(o, "size", json_integer(r->size));
    json_object_set_new(o, "retransmit", json_boolean(r->retransmit));
    json_object_set_new(o, "malformed", json_boolean(r->malformed != 0));
    json_object_set_new(o, "malformed_reason",
                        r->malformed ? json_string(sip_malformed_reason(r->malformed))
                                     : json_null());
    return o;
}

json_t *sip_out_message_json(const sip_msg_meta_t *meta, const sip_msg_t *msg, bool retransmit)
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
    return record_json(&r);
}

/* A summary kept before its strings were (over the arena's cap): the
 * dialog's From, To and User-Agent stand in for the message's. */
static json_t *summary_fallback_json(const sip_dialog_t *d, const sip_msg_summary_t *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "timestamp", json_time(m->ts_us));
    json_object_set_new(o, "src", json_addr(&m->src));
    json_object_set_new(o, "src_port", json_integer(m->sport));
    json_object_set_new(o, "dst", json_addr(&m->dst));
    json_object_set_new(o, "dst_port", json_integer(m->dport));
    json_object_set_new(o, "transport", json_string(sip_transport_name(m->transport)));
    json_object_set_new(o, "is_request", json_boolean(m->is_request));
    json_object_set_new(o, "method",
                        json_string(m->is_request ? m->label : sip_method_name(m->cseq_method)));
    json_object_set_new(o, "status_code", m->is_request ? json_null() : json_integer(m->status));
    /* The label of a response is "<code> <reason>". */
    const char *reason = strchr(m->label, ' ');
    json_object_set_new(o, "reason",
                        m->is_request ? json_null() : json_string(reason ? reason + 1 : ""));
    json_object_set_new(o, "call_id", json_string(d->call_id));
    json_object_set_new(o, "from", json_string(d->from_user));
    json_object_set_new(o, "to", json_string(d->to_user));
    json_object_set_new(o, "cseq", json_integer(m->cseq));
    json_object_set_new(o, "cseq_method", json_string(sip_method_name(m->cseq_method)));
    json_object_set_new(o, "ua", json_string(d->ua));
    json_object_set_new(o, "has_sdp", json_boolean(m->has_sdp));
    json_object_set_new(o, "size", json_integer(m->size));
    json_object_set_new(o, "retransmit", json_boolean(m->retransmit));
    json_object_set_new(o, "malformed", json_boolean(m->malformed != 0));
    json_object_set_new(o, "malformed_reason",
                        m->malformed ? json_string(sip_malformed_reason(m->malformed))
                                     : json_null());
    return o;
}

json_t *sip_out_summary_json(const sip_dialog_t *d, const sip_msg_summary_t *m)
{
    if (!m->fields_kept) return summary_fallback_json(d, m);
    sip_msg_fields_t f;
    sip_fields_get(&d->fields, m->fields, &f);
    sip_msg_meta_t meta = {.ts_us = m->ts_us,
                           .src = m->src,
                           .dst = m->dst,
                           .sport = m->sport,
                           .dport = m->dport,
                           .transport = m->transport};
    record_t r = {.meta = &meta,
                  .f = &f,
                  .is_request = m->is_request,
                  .has_sdp = m->sdp_present,
                  .retransmit = m->retransmit,
                  .status = m->status,
                  .cseq = m->cseq,
                  .size = m->size,
                  .malformed = m->malformed};
    return record_json(&r);
}

static json_t *json_ms(int64_t us)
{
    return us < 0 ? json_null() : json_integer((json_int_t)((us + 500) / 1000));
}

static json_t *sdp_entry_json(const sip_sdp_entry_t *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "timestamp", json_time(e->ts_us));
    json_object_set_new(o, "direction", json_string(e->offer ? "offer" : "answer"));
    json_t *codecs = json_array();
    for (unsigned i = 0; i < e->n_codecs; i++)
        json_array_append_new(codecs, json_string(e->codecs[i]));
    json_object_set_new(o, "codecs", codecs);
    json_object_set_new(o, "media_addr", json_string(e->media_addr));
    json_object_set_new(o, "media_port", json_integer(e->media_port));
    json_object_set_new(o, "mode", json_string(sdp_direction_name(e->mode)));
    json_t *events = json_array();
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{SIP_SDP_HOLD, "hold"},
                 {SIP_SDP_RESUME, "resume"},
                 {SIP_SDP_CODEC_CHANGE, "codec_change"},
                 {SIP_SDP_T38, "t38"},
                 {SIP_SDP_ADDR_CHANGE, "media_address_change"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (e->changes & names[i].bit) json_array_append_new(events, json_string(names[i].name));
    json_object_set_new(o, "events", events);
    json_object_set_new(o, "crypto", json_boolean(e->has_crypto));
    json_object_set_new(o, "from_caller", json_boolean(e->from_caller));
    return o;
}

json_t *sip_out_dialog_json(const sip_dialog_t *d, const sip_annotations_t *ann)
{
    json_t *o = json_object();
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "call_id", json_string(d->call_id));
    json_object_set_new(o, "from", json_string(d->from_user));
    json_object_set_new(o, "to", json_string(d->to_user));
    json_object_set_new(o, "from_display", json_string(d->from_display));
    json_object_set_new(o, "to_display", json_string(d->to_display));
    json_object_set_new(o, "state", json_string(sip_dialog_state_name(d->state)));
    json_object_set_new(o, "method", json_string(sip_method_name(d->method)));
    json_object_set_new(o, "msg_count", json_integer(d->msg_count));
    bool ongoing;
    json_object_set_new(o, "duration_sec",
                        json_real(sip_annotations_duration_sec(ann, d, &ongoing)));
    json_object_set_new(o, "tags", json_array());
    json_t *t = json_object();
    json_object_set_new(t, "pdd_ms", json_ms(d->timing.pdd_us));
    json_object_set_new(t, "setup_ms", json_ms(d->timing.setup_us));
    json_object_set_new(t, "ring_ms", json_ms(d->timing.ring_us));
    json_object_set_new(t, "trying_delay_ms", json_ms(d->timing.trying_delay_us));
    json_object_set_new(t, "teardown_ms", json_ms(d->timing.teardown_us));
    json_object_set_new(t, "retransmits", json_integer(d->timing.retransmits));
    json_object_set_new(o, "timing", t);
    json_t *tl = json_array();
    for (uint32_t i = 0; i < d->n_sdp; i++)
        json_array_append_new(tl, sdp_entry_json(&d->sdp[i]));
    json_object_set_new(o, "sdp_timeline", tl);
    json_object_set_new(o, "refer_to", d->refer_to ? json_string(d->refer_to) : json_null());
    /* an addition to the spec's shape: the transfer's Replaces, decoded */
    if (d->refer_replaces) json_object_set_new(o, "refer_replaces", json_string(d->refer_replaces));
    /* The spec's places for what other modules fill (annotations replace
     * these in place, keeping the order clients see). */
    json_object_set_new(o, "siprec_metadata", json_null());
    json_object_set_new(o, "diagnosis", sip_annotations_diagnosis(ann, d));
    json_object_set_new(o, "streams", json_array());
    json_object_set_new(o, "created_at", json_time(d->first_us));
    json_object_set_new(o, "updated_at", json_time(d->last_us));
    /* Additions beyond the REST shape (never renaming its fields). */
    json_object_set_new(o, "final_code", d->final_code ? json_integer(d->final_code) : json_null());
    json_object_set_new(o, "transport", json_string(sip_transport_name(d->transport)));
    json_object_set_new(o, "src", json_addr(&d->src));
    json_object_set_new(o, "src_port", json_integer(d->sport));
    json_object_set_new(o, "dst", json_addr(&d->dst));
    json_object_set_new(o, "dst_port", json_integer(d->dport));
    json_object_set_new(o, "ua", json_string(d->ua));
    json_object_set_new(o, "malformed_count", json_integer(d->malformed_count));
    const char *timeout = sip_dialog_timeout_name(d);
    json_object_set_new(o, "timeout", timeout ? json_string(timeout) : json_null());
    /* answered, no end seen: duration_sec runs to its last packet so far */
    json_object_set_new(o, "ongoing", json_boolean(ongoing));
    sip_annotations_render(ann, d, o);
    return o;
}

json_t *sip_out_dialog_summary_json(const sip_dialog_t *d, const sip_annotations_t *ann)
{
    json_t *o = json_object();
    json_object_set_new(o, "call_id", json_string(d->call_id));
    json_object_set_new(o, "from", json_string(d->from_user));
    json_object_set_new(o, "to", json_string(d->to_user));
    json_object_set_new(o, "state", json_string(sip_dialog_state_name(d->state)));
    json_object_set_new(o, "method", json_string(sip_method_name(d->method)));
    bool ongoing;
    json_object_set_new(o, "duration_sec",
                        json_real(sip_annotations_duration_sec(ann, d, &ongoing)));
    json_object_set_new(o, "msg_count", json_integer(d->msg_count));
    json_t *t = json_object();
    json_object_set_new(t, "pdd_ms", json_ms(d->timing.pdd_us));
    json_object_set_new(t, "setup_ms", json_ms(d->timing.setup_us));
    json_object_set_new(t, "retransmits", json_integer(d->timing.retransmits));
    json_object_set_new(o, "timing", t);
    json_object_set_new(o, "created_at", json_time(d->first_us));
    json_object_set_new(o, "updated_at", json_time(d->last_us));
    json_object_set_new(o, "final_code", d->final_code ? json_integer(d->final_code) : json_null());
    const char *timeout = sip_dialog_timeout_name(d);
    json_object_set_new(o, "timeout", timeout ? json_string(timeout) : json_null());
    /* answered, no end seen: duration_sec runs to its last packet so far */
    json_object_set_new(o, "ongoing", json_boolean(ongoing));
    return o;
}

json_t *sip_out_report_json(const sip_dialog_t *d, const sip_annotations_t *ann)
{
    json_t *o = sip_out_dialog_json(d, ann);
    json_t *diag = json_object_get(o, "diagnosis");
    json_object_set_new(diag, "summary", sip_annotations_summary(ann, d, diag));
    json_t *ladder = json_array();
    for (uint32_t i = 0; i < d->n_msgs; i++) {
        const sip_msg_summary_t *m = &d->msgs[i];
        json_t *e = json_object();
        json_object_set_new(e, "t_ms", json_real((double)(m->ts_us - d->first_us) / 1000.0));
        json_object_set_new(e, "timestamp", json_time(m->ts_us));
        json_object_set_new(e, "src", json_addr(&m->src));
        json_object_set_new(e, "src_port", json_integer(m->sport));
        json_object_set_new(e, "dst", json_addr(&m->dst));
        json_object_set_new(e, "dst_port", json_integer(m->dport));
        json_object_set_new(e, "label", json_string(m->label));
        json_object_set_new(e, "is_request", json_boolean(m->is_request));
        json_object_set_new(e, "cseq", json_integer(m->cseq));
        json_object_set_new(e, "cseq_method", json_string(sip_method_name(m->cseq_method)));
        json_object_set_new(e, "has_sdp", json_boolean(m->has_sdp));
        json_object_set_new(e, "retransmit", json_boolean(m->retransmit));
        json_object_set_new(e, "malformed", json_boolean(m->malformed != 0));
        json_array_append_new(ladder, e);
    }
    json_object_set_new(o, "messages", ladder);
    json_object_set_new(o, "messages_dropped", json_integer(d->msg_count - d->n_msgs));
    return o;
}
