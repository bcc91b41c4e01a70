/* siprec.so: SIPREC recording metadata (RFC 7865/7866) of the dialogs a
 * Session Recording Client opens. The loop glue: finds the
 * application/rs-metadata+xml part of every INVITE/re-INVITE (and UPDATE)
 * through the platform's multipart accessors, parses it (siprec_xml.c),
 * merges partial updates in order (siprec_merge.c), maps stream labels to
 * the SDP's a=label m-lines and to the RTP streams the rtp module tied to
 * the dialog, and fills the REST key "siprec_metadata" (null for calls that
 * are not recordings), filter fields, a call-report section and counters. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sipnab/core.h>
#include <sipnab/dialogs.h>
#include <sipnab/log.h>
#include <sipnab/media.h>
#include <sipnab/module.h>
#include <sipnab/sip.h>

#include "siprec_merge.h"
#include "siprec_sdp.h"
#include "siprec_xml.h"

#define MAX_UPDATES 64 /* metadata messages listed per dialog; more are counted */

typedef struct siprec_conf {
    bool enabled;
    uint64_t max_size;
} siprec_conf_t;

/* What a dialog keeps (in the dialog store's slot for us). */
typedef struct siprec_dialog {
    json_t *state;      /* merged metadata (siprec_merge) */
    json_t *sdp_labels; /* the latest offer's labelled m-lines */
    json_t *updates;    /* one entry per metadata message */
    json_t *detection;
    char shape[8], ns[64];
    unsigned n_updates, errors, truncated;
    /* for filter fields, refreshed after each merge */
    unsigned participants, streams;
    char session_id[128], group_id[128], aors[512];
} siprec_dialog_t;

enum { SHAPE_RFC, SHAPE_RIBBON, SHAPE_ACME, SHAPE_COUNT };
static const char *const shape_names[SHAPE_COUNT] = {"rfc", "ribbon", "acme"};

typedef struct siprec {
    snb_core_t *core;
    const siprec_conf_t *conf;
    const snb_dialogs_service_t *dialogs;
    const snb_media_service_t *media;
    int annotation;
    snb_event_type_t ev_message;
    int subscription;
    uint64_t sessions[SHAPE_COUNT];
    uint64_t documents[SIPREC_XML_ERROR_COUNT];
    uint64_t truncated;
} siprec_t;

/* ---- SIP in ---- */

static bool token_in(const snb_sip_message_event_t *ev, const char *header, const char *token)
{
    unsigned n = ev->sip->header_count(ev->msg, header);
    for (unsigned i = 0; i < n && i < 32; i++) {
        snb_str_t v = ev->sip->header(ev->msg, header, i);
        while (v.len && (v.p[0] == ' ' || v.p[0] == '\t'))
            v = snb_str(v.p + 1, v.len - 1);
        while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
            v.len--;
        if (snb_str_ieq(v, token)) return true;
    }
    return false;
}

static bool contact_has(const snb_sip_message_event_t *ev, const char *param)
{
    snb_str_t c = ev->sip->header(ev->msg, "Contact", 0);
    return c.p && ev->sip->param(c, param).p;
}

typedef struct found {
    snb_str_t xml;
    int parts;
} found_t;

static bool find_metadata(void *ud, const snb_sip_part_t *part)
{
    found_t *f = ud;
    f->parts++;
    if (snb_str_ieq(part->content_type, "application/rs-metadata+xml") ||
        snb_str_ieq(part->content_type, "application/rs-metadata") ||
        (snb_str_ieq(part->disposition, "recording-session") && !part->multipart)) {
        f->xml = part->body;
        return false;
    }
    return true;
}

static void refresh_fields(siprec_dialog_t *sd)
{
    json_t *participants = json_object_get(sd->state, "participants");
    sd->participants = (unsigned)json_array_size(participants);
    sd->streams = (unsigned)json_array_size(json_object_get(sd->state, "streams"));
    const char *sid = json_string_value(
        json_object_get(json_array_get(json_object_get(sd->state, "sessions"), 0), "session_id"));
    snprintf(sd->session_id, sizeof sd->session_id, "%s", sid ? sid : "");
    const char *gid = json_string_value(
        json_object_get(json_array_get(json_object_get(sd->state, "groups"), 0), "group_id"));
    snprintf(sd->group_id, sizeof sd->group_id, "%s", gid ? gid : "");
    size_t len = 0, i, j;
    json_t *p, *aor;
    sd->aors[0] = '\0';
    json_array_foreach(participants, i, p) json_array_foreach(json_object_get(p, "aors"), j, aor)
    {
        int n = snprintf(sd->aors + len, sizeof sd->aors - len, "%s%s", len ? "," : "",
                         json_string_value(aor) ? json_string_value(aor) : "");
        if (n < 0 || (size_t)n >= sizeof sd->aors - len) break;
        len += (size_t)n;
    }
}

static void free_dialog(void *ctx, void *data)
{
    (void)ctx;
    siprec_dialog_t *sd = data;
    if (!sd) return;
    json_decref(sd->state);
    json_decref(sd->sdp_labels);
    json_decref(sd->updates);
    json_decref(sd->detection);
    free(sd);
}

static siprec_dialog_t *dialog_new(void)
{
    siprec_dialog_t *sd = calloc(1, sizeof *sd);
    if (!sd) return NULL;
    sd->state = siprec_state_new();
    sd->updates = json_array();
    sd->detection = json_pack("{s:b, s:b, s:b, s:b}", "require_siprec", 0, "supported_siprec", 0,
                              "contact_sip_src", 0, "srs_contact_sip_srs", 0);
    if (!sd->state || !sd->updates || !sd->detection) {
        free_dialog(NULL, sd);
        return NULL;
    }
    return sd;
}

static json_t *iso_time(uint64_t ts_us)
{
    time_t s = (time_t)(ts_us / 1000000);
    struct tm tm;
    char buf[40];
    gmtime_r(&s, &tm);
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%06uZ", (unsigned)(ts_us % 1000000));
    return json_string(buf);
}

static void on_request(siprec_t *s, const snb_sip_message_event_t *ev)
{
    found_t f = {0};
    if (ev->sip->parts(ev->msg, find_metadata, &f) < 0 &&
        (snb_str_ieq(ev->content_type, "application/rs-metadata+xml") ||
         snb_str_ieq(ev->content_type, "application/rs-metadata")))
        f.xml = ev->sip->body(ev->msg); /* an update with metadata alone (RFC 7866 §7.1.1) */
    if (!f.xml.p) return;
    const snb_dialog_t *d = s->dialogs->find(s->dialogs->ctx, ev->call_id.p, ev->call_id.len);
    void **slot = d ? s->dialogs->data(s->dialogs->ctx, d, s->annotation) : NULL;
    if (!slot) return;
    siprec_dialog_t *sd = *slot;
    bool first = !sd;
    if (!sd && !(sd = *slot = dialog_new())) return;

    siprec_xml_error_t err = SIPREC_XML_TOO_BIG;
    unsigned truncated = 0;
    json_t *doc = f.xml.len <= s->conf->max_size
                      ? siprec_xml_parse(f.xml.p, f.xml.len, &err, &truncated)
                      : NULL;
    s->documents[doc ? SIPREC_XML_OK : err]++;
    s->truncated += truncated;
    sd->truncated += truncated;
    if (doc) {
        siprec_merge(sd->state, doc);
        snprintf(sd->shape, sizeof sd->shape, "%s",
                 json_string_value(json_object_get(doc, "shape")));
        snprintf(sd->ns, sizeof sd->ns, "%s", json_string_value(json_object_get(doc, "namespace")));
        refresh_fields(sd);
    } else {
        sd->errors++;
    }
    snb_str_t sdp = ev->sip->sdp(ev->msg);
    if (sdp.p) {
        json_t *latest = siprec_sdp_labels(sdp.p, sdp.len);
        if (!sd->sdp_labels) sd->sdp_labels = json_array();
        siprec_sdp_merge(sd->sdp_labels, latest);
        json_decref(latest);
    }
    json_t *det = sd->detection;
    if (token_in(ev, "Require", "siprec")) json_object_set_new(det, "require_siprec", json_true());
    if (token_in(ev, "Supported", "siprec"))
        json_object_set_new(det, "supported_siprec", json_true());
    if (contact_has(ev, "+sip.src")) json_object_set_new(det, "contact_sip_src", json_true());
    if (sd->n_updates++ < MAX_UPDATES) {
        char method[32];
        snb_str_copy(ev->method_name, method, sizeof method);
        json_array_append_new(
            sd->updates,
            json_pack("{s:s, s:I, s:o, s:o, s:s?}", "method", method, "cseq", (json_int_t)ev->cseq,
                      "time", iso_time(ev->ts_us), "datamode",
                      doc ? json_incref(json_object_get(doc, "datamode")) : json_null(), "error",
                      doc ? NULL : siprec_xml_error_name(err)));
    }
    if (first && doc) {
        const char *shape = json_string_value(json_object_get(doc, "shape"));
        for (int k = 0; k < SHAPE_COUNT; k++)
            if (shape && !strcmp(shape, shape_names[k])) s->sessions[k]++;
    }
    json_decref(doc);
    s->dialogs->touch(s->dialogs->ctx, d);
}

/* The SRS's 2xx answer names it with +sip.srs (RFC 7866 §6.1.1). */
static void on_response(siprec_t *s, const snb_sip_message_event_t *ev)
{
    const snb_dialog_t *d = s->dialogs->find(s->dialogs->ctx, ev->call_id.p, ev->call_id.len);
    void **slot = d ? s->dialogs->data(s->dialogs->ctx, d, s->annotation) : NULL;
    siprec_dialog_t *sd = slot ? *slot : NULL;
    if (!sd || !contact_has(ev, "+sip.srs")) return;
    if (!json_is_true(json_object_get(sd->detection, "srs_contact_sip_srs"))) {
        json_object_set_new(sd->detection, "srs_contact_sip_srs", json_true());
        s->dialogs->touch(s->dialogs->ctx, d);
    }
}

static void on_event(void *ud, const snb_event_t *ev)
{
    siprec_t *s = ud;
    if ((snb_event_type_t)ev->type != s->ev_message) return;
    const snb_sip_message_event_t *m = (const snb_sip_message_event_t *)ev;
    if (m->retransmit || !m->msg || !m->sip) return;
    if (m->is_request && (m->method == SNB_SIP_INVITE || m->method == SNB_SIP_UPDATE))
        on_request(s, m);
    else if (!m->is_request && m->cseq_method == SNB_SIP_INVITE && m->status >= 200 &&
             m->status < 300)
        on_response(s, m);
}

/* ---- the dialog annotation ---- */

static siprec_dialog_t *of(siprec_t *s, const snb_dialog_info_t *d)
{
    void **slot = s->dialogs->data(s->dialogs->ctx, d->dialog, s->annotation);
    return slot ? *slot : NULL;
}

typedef struct rtp_match {
    siprec_t *s;
    json_t *labels; /* the labelled m-lines seen, with their endpoints */
    json_t *out;    /* rtp_streams */
} rtp_match_t;

/* "2025-03-14T09:30:00.100000Z" as epoch seconds; 0 when unreadable. */
static double epoch_of(const char *iso)
{
    struct tm tm = {0};
    unsigned usec = 0;
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d.%6uZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &usec) < 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm) + usec / 1e6;
}

/* An RTP stream of the dialog sent from a labelled m-line's address and
 * port (any the label has had: a re-INVITE may have disabled it since). */
static bool match_stream(void *ud, const snb_stream_info_t *si)
{
    rtp_match_t *m = ud;
    json_t *js = m->s->media->stream_json(m->s->media->ctx, si->handle);
    const char *src = json_string_value(json_object_get(js, "src"));
    size_t i, j;
    json_t *e, *ep;
    json_array_foreach(m->labels, i, e)
    {
        bool from_it = false;
        json_array_foreach(json_object_get(e, "endpoints"), j, ep) from_it |=
            src && !strcmp(src, json_string_value(ep));
        if (!from_it) continue;
        char ssrc[16];
        snprintf(ssrc, sizeof ssrc, "0x%08x", si->ssrc);
        json_array_append_new(
            m->out,
            json_pack("{s:O, s:s, s:O?, s:O?, s:O?, s:O?, s:I, s:f, s:f}", "label",
                      json_object_get(e, "label"), "ssrc", ssrc, "payload_type",
                      json_object_get(js, "payload_type"), "codec", json_object_get(js, "codec"),
                      "src", json_object_get(js, "src"), "dst", json_object_get(js, "dst"),
                      "packets", (json_int_t)si->packets, "first_epoch",
                      epoch_of(json_string_value(json_object_get(js, "first_seen"))), "last_epoch",
                      epoch_of(json_string_value(json_object_get(js, "last_seen")))));
        break;
    }
    json_decref(js);
    return true;
}

static int by_label_then_start(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t ox = json_integer_value(json_object_get(x, "_order")),
               oy = json_integer_value(json_object_get(y, "_order"));
    if (ox != oy) return ox < oy ? -1 : 1;
    double fx = json_number_value(json_object_get(x, "first_epoch")),
           fy = json_number_value(json_object_get(y, "first_epoch"));
    return (fx > fy) - (fx < fy);
}

/* The labelled m-lines, and the RTP streams each label maps to (in the
 * shape of truth.json's rtp_streams). */
static void add_media(siprec_t *s, const snb_dialog_info_t *d, siprec_dialog_t *sd, json_t *out)
{
    json_t *labels = sd->sdp_labels ? json_incref(sd->sdp_labels) : json_array();
    json_t *rtp = json_array();
    if (s->media) {
        rtp_match_t m = {s, labels, rtp};
        s->media->dialog_streams(s->media->ctx, d->call_id, match_stream, &m);
    }
    /* in label order (as the m-lines were first offered), then by start */
    size_t n = json_array_size(rtp);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    for (size_t i = 0; v && i < n; i++) {
        v[i] = json_incref(json_array_get(rtp, i));
        size_t k;
        json_t *e;
        json_array_foreach(labels, k, e) if (json_equal(json_object_get(e, "label"),
                                                        json_object_get(v[i], "label")))
            json_object_set_new(v[i], "_order", json_integer((json_int_t)k));
    }
    if (v) {
        qsort(v, n, sizeof *v, by_label_then_start);
        json_array_clear(rtp);
        for (size_t i = 0; i < n; i++) {
            json_object_del(v[i], "_order");
            json_array_append_new(rtp, v[i]);
        }
        free(v);
    }
    json_object_set_new(out, "sdp_labels", labels);
    json_object_set_new(out, "rtp_streams", rtp);
}

static json_t *render(void *ctx, const snb_dialog_info_t *d)
{
    siprec_t *s = ctx;
    siprec_dialog_t *sd = of(s, d);
    if (!sd) return NULL;
    json_t *out = siprec_resolve(sd->state);
    if (!out) return NULL;
    json_object_set_new(out, "shape", sd->shape[0] ? json_string(sd->shape) : json_null());
    json_object_set_new(out, "namespace", sd->ns[0] ? json_string(sd->ns) : json_null());
    json_object_set(out, "detection", sd->detection);
    json_object_set(out, "metadata_messages", sd->updates);
    json_object_set_new(out, "metadata_count", json_integer(sd->n_updates));
    json_object_set_new(out, "errors", json_integer(sd->errors));
    json_object_set_new(out, "truncated", json_integer(sd->truncated));
    add_media(s, d, sd, out);
    return out;
}

enum { F_PARTICIPANTS, F_STREAMS, F_SESSION, F_GROUP, F_AORS, F_SHAPE, F_UPDATES, F_ERRORS };
static const snb_filter_field_t fields[] = {
    {"siprec.participants", SNB_FT_NUMBER, F_PARTICIPANTS},
    {"siprec.streams", SNB_FT_NUMBER, F_STREAMS},
    {"siprec.session_id", SNB_FT_STRING, F_SESSION},
    {"siprec.group_id", SNB_FT_STRING, F_GROUP},
    {"siprec.aors", SNB_FT_STRING, F_AORS},
    {"siprec.shape", SNB_FT_STRING, F_SHAPE},
    {"siprec.updates", SNB_FT_NUMBER, F_UPDATES},
    {"siprec.errors", SNB_FT_NUMBER, F_ERRORS},
};

static const snb_filter_alias_t aliases[] = {
    {"recording", "siprec.updates > 0", "a SIPREC recording session (RFC 7866)"},
};

static void field(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                  snb_filter_value_t *out)
{
    (void)scratch;
    const siprec_dialog_t *sd = of(ctx, d);
    memset(out, 0, sizeof *out);
    if (!sd) return;
    out->present = true;
    switch (id) {
    case F_PARTICIPANTS:
        out->num = sd->participants;
        break;
    case F_STREAMS:
        out->num = sd->streams;
        break;
    case F_UPDATES:
        out->num = sd->n_updates;
        break;
    case F_ERRORS:
        out->num = sd->errors;
        break;
    case F_SESSION:
        snb_filter_value_text(out, sd->session_id);
        break;
    case F_GROUP:
        snb_filter_value_text(out, sd->group_id);
        break;
    case F_AORS:
        snb_filter_value_text(out, sd->aors);
        break;
    case F_SHAPE:
        snb_filter_value_text(out, sd->shape);
        break;
    }
}

static const char *str_or(json_t *v, const char *dflt)
{
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static void print_labels(FILE *out, json_t *labels)
{
    size_t i;
    json_t *l;
    if (!json_array_size(labels)) fprintf(out, "-");
    json_array_foreach(labels, i, l) fprintf(out, "%s%s", i ? "," : "", str_or(l, "?"));
}

static void report(void *ctx, const snb_dialog_info_t *d, FILE *out, int format)
{
    json_t *r = render(ctx, d);
    if (!r) return;
    bool md = format == SNB_REPORT_MARKDOWN;
    const char *item = md ? "- " : "  ";
    fprintf(out, md ? "\n## SIPREC recording metadata\n\n" : "SIPREC recording metadata:\n");
    fprintf(out, "%sshape %s, %lld metadata message(s), %lld error(s)\n", item,
            str_or(json_object_get(r, "shape"), "?"),
            json_integer_value(json_object_get(r, "metadata_count")),
            json_integer_value(json_object_get(r, "errors")));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(r, "sessions"), i, o) fprintf(
        out, "%ssession %s, group %s\n", item, str_or(json_object_get(o, "session_id"), "?"),
        str_or(json_object_get(o, "group_ref"), "-"));
    json_array_foreach(json_object_get(r, "participants"), i, o)
    {
        fprintf(out, "%sparticipant %s (%s): sends ", item,
                str_or(json_array_get(json_object_get(o, "aors"), 0), "?"),
                str_or(json_array_get(json_object_get(o, "names"), 0), "-"));
        print_labels(out, json_object_get(o, "send_labels"));
        fprintf(out, ", receives ");
        print_labels(out, json_object_get(o, "recv_labels"));
        if (json_is_string(json_object_get(o, "disassociate_time")))
            fprintf(out, ", left %s", json_string_value(json_object_get(o, "disassociate_time")));
        fprintf(out, "\n");
    }
    json_array_foreach(json_object_get(r, "streams"), i, o)
    {
        const char *label = str_or(json_object_get(o, "label"), "?");
        fprintf(out, "%sstream label %s: from %s", item, label,
                str_or(json_array_get(json_object_get(o, "sender_aors"), 0), "nobody"));
        size_t j;
        json_t *rtp;
        json_array_foreach(json_object_get(r, "rtp_streams"), j,
                           rtp) if (!strcmp(str_or(json_object_get(rtp, "label"), ""), label))
            fprintf(
                out, ", RTP %s %s -> %s (%lld packets)", str_or(json_object_get(rtp, "ssrc"), "?"),
                str_or(json_object_get(rtp, "src"), "?"), str_or(json_object_get(rtp, "dst"), "?"),
                json_integer_value(json_object_get(rtp, "packets")));
        fprintf(out, "\n");
    }
    json_decref(r);
}

/* ---- counters ---- */

static const char *const shape_label[] = {"shape", NULL};
static const char *const result_label[] = {"result", NULL};
static const snb_metric_def_t metrics[] = {
    {.name = "sessions",
     .help = "recording sessions (dialogs with SIPREC metadata), by metadata shape",
     .type = SNB_METRIC_COUNTER,
     .labels = shape_label},
    {.name = "metadata",
     .help = "rs-metadata documents, by parse result",
     .type = SNB_METRIC_COUNTER,
     .labels = result_label},
    {.name = "metadata_truncated",
     .help = "metadata objects and list items dropped at the caps",
     .type = SNB_METRIC_COUNTER},
};

static void collect(void *ud, snb_metric_sink_t *sink)
{
    siprec_t *s = ud;
    for (int k = 0; k < SHAPE_COUNT; k++)
        if (s->sessions[k]) snb_metric_put(sink, 0, &shape_names[k], (double)s->sessions[k]);
    for (int e = 0; e < SIPREC_XML_ERROR_COUNT; e++)
        if (s->documents[e]) {
            const char *v[] = {siprec_xml_error_name((siprec_xml_error_t)e)};
            snb_metric_put(sink, 1, v, (double)s->documents[e]);
        }
    snb_metric_put(sink, 2, NULL, (double)s->truncated);
}

/* ---- lifetime ---- */

static int siprec_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    siprec_t *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    s->core = core;
    s->conf = inst[0].conf;
    s->dialogs = snb_core_service(core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION);
    if (!s->dialogs) {
        snb_log_error(core, "siprec", "needs the sip module's dialog store");
        free(s);
        return -ENOENT;
    }
    siprec_xml_init();
    snb_dialog_annotation_t a = {.name = "siprec",
                                 .key = "siprec_metadata",
                                 .ctx = s,
                                 .render = render,
                                 .fields = fields,
                                 .n_fields = sizeof fields / sizeof fields[0],
                                 .field = field,
                                 .aliases = aliases,
                                 .n_aliases = 1,
                                 .report = report,
                                 .free_data = free_dialog};
    s->annotation = s->dialogs->annotate(s->dialogs->ctx, &a);
    snb_metric_group_t g = {
        .prefix = "siprec", .defs = metrics, .n = 3, .collect = collect, .ud = s};
    int rc = s->annotation < 0 ? s->annotation : snb_core_metrics(core, &g);
    if (rc) {
        free(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int siprec_start(void *state)
{
    siprec_t *s = state;
    if (!s->conf->enabled) return 0;
    /* optional: without the rtp module, streams have no RTP mapping */
    s->media = snb_core_service(s->core, SNB_MEDIA_SERVICE, SNB_MEDIA_SERVICE_VERSION);
    snb_bus_t *bus = snb_core_bus(s->core);
    s->ev_message = snb_bus_lookup(bus, SNB_SIP_MESSAGE_EVENT);
    s->subscription = snb_bus_subscribe(bus, &s->ev_message, 1, on_event, s);
    return s->subscription > 0 ? 0 : s->subscription;
}

static void siprec_stop(void *state)
{
    siprec_t *s = state;
    if (s->subscription > 0) snb_bus_unsubscribe(snb_core_bus(s->core), s->subscription);
    s->subscription = 0;
}

static void siprec_fini(void *state)
{
    free(state); /* the dialog store frees our per-dialog data with free_dialog */
}

static const snb_option_t siprec_options[] = {
    {.name = "enabled",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(siprec_conf_t, enabled),
     .help = "parse SIPREC recording metadata (RFC 7865/7866)"},
    {.name = "max_size",
     .type = SNB_OPT_SIZE,
     .def = "256k",
     .min = 1024,
     .max = SIPREC_XML_MAX_SIZE,
     .offset = offsetof(siprec_conf_t, max_size),
     .help = "largest rs-metadata document parsed; larger ones are counted and skipped"},
    SNB_OPTIONS_END,
};

static const snb_flag_t siprec_flags[] = {
    {.name = "siprec",
     .key = "enabled",
     .value = "yes",
     .flags = SNB_FLAG_LOADS,
     .help = "parse SIPREC recording metadata (siprec_metadata in dialogs)"},
    {.name = NULL},
};

static const char *const siprec_depends[] = {"sip", NULL};

SNB_MODULE(.description = "SIPREC: recording metadata of RFC 7866 sessions (RFC 7865)",
           .depends = siprec_depends, .options = siprec_options, .conf_size = sizeof(siprec_conf_t),
           .init = siprec_init, .start = siprec_start, .stop = siprec_stop, .fini = siprec_fini,
           .cli_flags = siprec_flags);
