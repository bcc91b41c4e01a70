/* The SIP module: decoded packets -> framer -> messages -> dialogs, printed
 * per message as they come and per dialog when the capture ends, and
 * published on the bus (SNB_EV_SIP_MESSAGE) for other modules. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sip_event.h"
#include "sip_framer.h"
#include "sip_out.h"
#include "sipnab/core.h"
#include "sipnab/dialogs.h"
#include "sipnab/error.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/output.h"

typedef struct sip_conf {
    const char *output; /* auto | none | lines | json */
    bool json;          /* --json: JSON wherever there is a choice */
    bool dialogs_json;
    bool report;
    const char *call_report;   /* Call-ID */
    const char *report_format; /* text | markdown | json */
    const char *filter;
    int64_t max_dialogs;
    int64_t max_messages;
    int64_t max_sdp;
    uint64_t no_response_timeout; /* ms */
    uint64_t no_final_timeout;    /* ms */
    uint64_t max_message_size;
    int64_t max_streams;
    uint64_t stream_timeout;
    uint64_t max_text_per_dialog;
    uint64_t max_text_total;
    bool progress;
} sip_conf_t;

enum output_mode { OUT_NONE, OUT_LINES, OUT_JSON };

/* Counters shown by --stats as sip_<name>. */
#define SIP_COUNTERS(X)                                                                            \
    X(messages, "SIP messages parsed")                                                             \
    X(malformed, "SIP messages flagged malformed (kept, with a reason)")                           \
    X(retransmits, "SIP messages that repeat an earlier one")                                      \
    X(no_call_id, "SIP messages without a Call-ID (no dialog)")                                    \
    X(dialogs, "dialogs created")                                                                  \
    X(dialogs_evicted, "dialogs evicted by the max_dialogs cap")                                   \
    X(dialogs_timed_out, "dialogs given up on: no (final) response in time (capture time)")        \
    X(not_sip, "packets with no SIP in them")                                                      \
    X(skipped_bytes, "bytes skipped before a SIP start line")                                      \
    X(oversize, "messages dropped for exceeding max_message_size")                                 \
    X(truncated, "partial messages dropped at a gap, timeout or the end")                          \
    X(stream_evictions, "TCP/WebSocket streams evicted by the max_streams cap")                    \
    X(websocket_frames, "WebSocket frames")                                                        \
    X(sctp_chunks, "SCTP chunks")                                                                  \
    X(texts_kept, "message texts kept for consumers that serve them")                              \
    X(text_capped_dialog, "message texts not kept: the dialog's text cap was reached")             \
    X(text_capped_total, "message texts not kept: the global text cap was reached")                \
    X(setup_samples, "setup-time samples, as Wireshark's sip,stat takes them (ACK after request)")
/* Levels rather than counts. */
#define SIP_GAUGES(X)                                                                              \
    X(setup_avg_ms, "average of those setup times (Wireshark's \"Average setup time\")")           \
    X(setup_min_ms, "shortest of those setup times")                                               \
    X(setup_max_ms, "longest of those setup times")

enum {
#define SIP_COUNTER_ENUM(name, help) C_##name,
    SIP_COUNTERS(SIP_COUNTER_ENUM) SIP_GAUGES(SIP_COUNTER_ENUM)
#undef SIP_COUNTER_ENUM
        C_COUNT
};

static const char *const method_label[] = {"method", NULL};
static const char *const code_label[] = {"code", NULL};

/* The unlabelled counters, then the two labelled families the REST spec
 * names (every message, retransmissions included, as Wireshark counts). */
enum { M_requests = C_COUNT, M_responses, M_COUNT };
static const snb_metric_def_t metric_defs[] = {
    SIP_COUNTERS(SNB_METRIC_COUNTER_DEF)
        SIP_GAUGES(SNB_METRIC_GAUGE_DEF){.name = "requests",
                                         .help = "SIP messages by method",
                                         .type = SNB_METRIC_COUNTER,
                                         .labels = method_label,
                                         .exposition = "sipnab_messages_total"},
    {.name = "responses",
     .help = "SIP responses by status code",
     .type = SNB_METRIC_COUNTER,
     .labels = code_label,
     .exposition = "sipnab_responses_total"},
};
_Static_assert(sizeof metric_defs / sizeof metric_defs[0] == M_COUNT, "sip metric table");

/* Distinct method names counted; more go to "OTHER" (hostile input must not
 * grow the metrics without bound). */
#define MAX_METHOD_LABELS 32

typedef struct sip_mod {
    snb_core_t *core;
    const sip_conf_t *conf;
    enum output_mode output;
    sip_framer_t *framer;
    sip_store_t *store;
    snb_filter_t *filter;
    int sub;
    /* What we print, each a claim on stdout (sipnab/output.h). */
    snb_output_t *out_msgs, *out_dialogs, *out_report, *out_call;
    uint64_t packets;
    bool ended;
    uv_timer_t progress;
    bool progress_on;
    uint64_t counters[C_COUNT];
    struct {
        char name[24];
        uint64_t n;
    } methods[MAX_METHOD_LABELS + 1]; /* the last one is "OTHER" */
    size_t n_methods;
    uint64_t responses[600]; /* by status code - 100 */
    snb_event_type_t ev_message, ev_dialog;
    sip_annotations_t *ann;        /* what other modules add to dialogs */
    sip_service_t service;         /* the context of ... */
    snb_dialogs_service_t dialogs; /* ... what we provide as "sip.dialogs" */
    snb_jsonw_t json_line;         /* --json: one record at a time, buffer reused */
} sip_mod_t;

static sip_msg_meta_t meta_of(const snb_packet_t *pkt, sip_transport_t transport)
{
    return (sip_msg_meta_t){.ts_us = pkt->ts_us,
                            .src = pkt->src,
                            .dst = pkt->dst,
                            .sport = pkt->sport,
                            .dport = pkt->dport,
                            .transport = (uint8_t)transport};
}

/* Method names are tokens, but one from a hostile packet may hold anything:
 * keep letters and '-', the rest becomes '_'. */
static void count_message(sip_mod_t *m, const sip_msg_t *msg)
{
    if (!msg->is_request) {
        if (msg->status_code >= 100 && msg->status_code <= 699)
            m->responses[msg->status_code - 100]++;
        return;
    }
    char name[24];
    size_t n = 0;
    for (; n < msg->method_name.len && n < sizeof name - 1; n++) {
        char c = msg->method_name.p[n];
        name[n] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ? c : '_';
    }
    name[n] = '\0';
    if (!n) snprintf(name, sizeof name, "OTHER");
    for (size_t i = 0; i < m->n_methods; i++) {
        if (!strcmp(m->methods[i].name, name)) {
            m->methods[i].n++;
            return;
        }
    }
    size_t slot = m->n_methods;
    if (slot == MAX_METHOD_LABELS) {
        slot = MAX_METHOD_LABELS; /* the overflow row */
        snprintf(m->methods[slot].name, sizeof m->methods[slot].name, "OTHER");
    } else {
        snprintf(m->methods[slot].name, sizeof m->methods[slot].name, "%s", name);
        m->n_methods++;
    }
    m->methods[slot].n++;
}

/* Framer callback: one complete SIP message. */
static void on_message(void *ud, const snb_packet_t *pkt, sip_transport_t transport,
                       const sip_msg_t *msg)
{
    sip_mod_t *m = ud;
    sip_msg_meta_t meta = meta_of(pkt, transport);
    bool retransmit = false;
    sip_dialog_t *d = sip_store_message(m->store, msg, &meta, &retransmit);
    count_message(m, msg);
    /* Under --filter, messages are printed at the end for matching dialogs. */
    if (!m->filter) {
        if (m->output == OUT_LINES) {
            sip_out_message_line(snb_output_stream(m->out_msgs), &meta, msg, retransmit);
        } else if (m->output == OUT_JSON) {
            snb_jsonw_reset(&m->json_line);
            sip_out_message_write(&m->json_line, &meta, msg, retransmit);
            if (!m->json_line.failed)
                snb_output_line(m->out_msgs, m->json_line.p, m->json_line.len);
        }
    }
    snb_bus_t *bus = snb_core_bus(m->core);
    if (snb_bus_wants(bus, m->ev_message)) {
        snb_sip_message_event_t ev;
        sip_event_fill(&ev, m->ev_message, &meta, msg, retransmit, d);
        snb_bus_publish(bus, &ev.ev);
    }
}

static bool print_filtered_messages(void *ud, sip_dialog_t *d)
{
    sip_mod_t *m = ud;
    if (!sip_annotations_match(m->ann, m->filter, d)) return true;
    for (uint32_t i = 0; i < d->n_msgs; i++) {
        json_t *o = sip_out_summary_json(d, &d->msgs[i]);
        if (m->output == OUT_JSON) {
            snb_output_json(m->out_msgs, o);
        } else {
            /* Lines rebuilt from the summary: the same fields as the live line. */
            fprintf(snb_output_stream(m->out_msgs),
                    "%s %s:%lld -> %s:%lld %s %s (CSeq %lld %s) Call-ID: %s%s\n",
                    json_string_value(json_object_get(o, "timestamp")),
                    json_string_value(json_object_get(o, "src")),
                    (long long)json_integer_value(json_object_get(o, "src_port")),
                    json_string_value(json_object_get(o, "dst")),
                    (long long)json_integer_value(json_object_get(o, "dst_port")),
                    json_string_value(json_object_get(o, "transport")), d->msgs[i].label,
                    (long long)d->msgs[i].cseq, sip_method_name(d->msgs[i].cseq_method), d->call_id,
                    d->msgs[i].retransmit ? " [retransmission]" : "");
        }
        json_decref(o);
    }
    return true;
}

static bool print_dialog_json(void *ud, sip_dialog_t *d)
{
    sip_mod_t *m = ud;
    if (!sip_annotations_match(m->ann, m->filter, d)) return true;
    json_t *o = sip_out_dialog_json(d, m->ann);
    snb_output_json(m->out_dialogs, o);
    json_decref(o);
    return true;
}

static bool print_report_row(void *ud, sip_dialog_t *d)
{
    sip_mod_t *m = ud;
    if (sip_annotations_match(m->ann, m->filter, d))
        sip_out_report_row(snb_output_stream(m->out_report), d, m->ann);
    return true;
}

static bool call_report_json(const sip_conf_t *c)
{
    return !strcmp(c->report_format, "json") ||
           (c->json && strcmp(c->report_format, "markdown") != 0);
}

static void print_call_report(sip_mod_t *m)
{
    sip_dialog_t *d = sip_store_find(m->store, m->conf->call_report);
    if (!d) {
        snb_log_error(m->core, "sip", "no dialog with Call-ID '%s' in the capture",
                      m->conf->call_report);
        snb_core_fail(m->core, 1);
        return;
    }
    FILE *out = snb_output_stream(m->out_call);
    if (!out) return;
    if (call_report_json(m->conf)) {
        json_t *o = sip_out_report_json(d, m->ann);
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (text) fprintf(out, "%s\n", text);
        free(text);
        json_decref(o);
    } else if (!strcmp(m->conf->report_format, "markdown")) {
        sip_out_call_report_markdown(out, d, m->ann);
    } else {
        sip_out_call_report_text(out, d, m->ann);
    }
}

static void stop_progress(sip_mod_t *m)
{
    if (!m->progress_on) return;
    m->progress_on = false;
    uv_close((uv_handle_t *)&m->progress, NULL);
    fputs("\r\033[K", stderr);
}

static void copy_counters(sip_mod_t *m)
{
    const sip_framer_stats_t *fs = sip_framer_stats(m->framer);
    const sip_store_stats_t *ss = sip_store_stats(m->store);
    m->counters[C_messages] = fs->messages;
    m->counters[C_malformed] = fs->malformed;
    m->counters[C_retransmits] = ss->retransmits;
    m->counters[C_no_call_id] = ss->messages_no_call_id;
    m->counters[C_dialogs] = ss->dialogs_created;
    m->counters[C_dialogs_evicted] = ss->dialogs_evicted;
    m->counters[C_dialogs_timed_out] = ss->dialogs_timed_out;
    m->counters[C_not_sip] = fs->not_sip;
    m->counters[C_skipped_bytes] = fs->skipped_bytes;
    m->counters[C_oversize] = fs->oversize;
    m->counters[C_truncated] = fs->truncated;
    m->counters[C_stream_evictions] = fs->stream_evictions;
    m->counters[C_websocket_frames] = fs->ws_frames;
    m->counters[C_sctp_chunks] = fs->sctp_chunks;
    m->counters[C_texts_kept] = ss->texts_kept;
    m->counters[C_text_capped_dialog] = ss->text_capped_dialog;
    m->counters[C_text_capped_total] = ss->text_capped_total;
    uint32_t n, avg, min, max;
    sip_store_setup_stats(m->store, &n, &avg, &min, &max);
    m->counters[C_setup_samples] = n;
    m->counters[C_setup_avg_ms] = avg;
    m->counters[C_setup_min_ms] = min;
    m->counters[C_setup_max_ms] = max;
}

/* The input ended (file done, or live capture stopped): final outputs. */
static void on_capture_end(sip_mod_t *m)
{
    if (m->ended) return;
    m->ended = true;
    stop_progress(m);
    sip_framer_flush(m->framer);
    copy_counters(m);
    if (m->filter && m->output != OUT_NONE) sip_store_foreach(m->store, print_filtered_messages, m);
    if (snb_output_active(m->out_dialogs)) sip_store_foreach(m->store, print_dialog_json, m);
    if (snb_output_active(m->out_report)) {
        sip_out_report_header(snb_output_stream(m->out_report));
        sip_store_foreach(m->store, print_report_row, m);
    }
    if (m->conf->call_report && *m->conf->call_report) print_call_report(m);
}

static void on_event(void *ud, const snb_event_t *ev)
{
    sip_mod_t *m = ud;
    if (ev->type == SNB_EV_PACKET) {
        m->packets++;
        sip_framer_packet(m->framer, &((const snb_packet_event_t *)ev)->pkt);
    } else if (ev->type == SNB_EV_CAPTURE_END) {
        on_capture_end(m);
    }
}

static void on_progress(uv_timer_t *t)
{
    sip_mod_t *m = t->data;
    fprintf(stderr, "\rsipnab: %llu packets, %u dialogs", (unsigned long long)m->packets,
            sip_store_count(m->store));
}

/* Claim stdout for every output the configuration asks for. The
 * per-message records are the default output: in `output = auto` they step
 * back when any module (ours or another) prints something asked for. */
static int claim_outputs(sip_mod_t *m)
{
    const sip_conf_t *c = m->conf;
    snb_core_t *core = m->core;
    bool ok = true;
    if (strcmp(c->output, "none") != 0) {
        bool json = !strcmp(c->output, "json") || (!strcmp(c->output, "auto") && c->json);
        m->output = json ? OUT_JSON : OUT_LINES;
        m->out_msgs = snb_output_claim(core, "sip", json ? "per-message JSON" : "per-message lines",
                                       json ? SNB_OUT_JSON : SNB_OUT_TEXT,
                                       !strcmp(c->output, "auto") ? SNB_OUT_AUTO : 0);
        ok &= m->out_msgs != NULL;
    }
    if (c->dialogs_json) {
        m->out_dialogs = snb_output_claim(core, "sip", "--dialogs-json", SNB_OUT_JSON, 0);
        ok &= m->out_dialogs != NULL;
    }
    if (c->report) {
        m->out_report = snb_output_claim(core, "sip", "--report", SNB_OUT_TEXT, 0);
        ok &= m->out_report != NULL;
    }
    if (c->call_report && *c->call_report) {
        /* Pretty-printed JSON is one document, not NDJSON: text for mixing rules. */
        m->out_call = snb_output_claim(core, "sip", "--call-report", SNB_OUT_TEXT, 0);
        ok &= m->out_call != NULL;
    }
    return ok ? 0 : -ENOMEM;
}

/* ---- dialog events ---- */

/* The store tells us of every new dialog and state change: published as
 * "sip.dialog" (queued by the bus until the packet's dispatch is over). */
static void on_dialog_change(void *ud, const sip_dialog_t *d, uint8_t prev_state, bool created)
{
    sip_mod_t *m = ud;
    snb_bus_t *bus = snb_core_bus(m->core);
    if (!snb_bus_wants(bus, m->ev_dialog)) return;
    snb_sip_dialog_event_t ev = {.ev = SNB_EVENT_BORROWED(m->ev_dialog, &sip_dialog_event_ops),
                                 .ts_us = d->last_us,
                                 .state = d->state,
                                 .prev_state = prev_state,
                                 .final_code = d->final_code,
                                 .method = d->method,
                                 .created = created};
    snprintf(ev.call_id, sizeof ev.call_id, "%s", d->call_id);
    snb_bus_publish(bus, &ev.ev);
}

/* An annotation's per-dialog data, freed by its owner. */
static void free_slot(void *ud, size_t slot, void *data)
{
    sip_mod_t *m = ud;
    const snb_dialog_annotation_t *a = sip_annotations_at(m->ann, slot);
    if (a && a->free_data) a->free_data(a->ctx, data);
}

/* Read by --stats and, while capture runs, by the API's /metrics. */
static void collect_metrics(void *ud, snb_metric_sink_t *sink)
{
    sip_mod_t *m = ud;
    copy_counters(m);
    snb_metric_put_all(sink, m->counters, C_COUNT);
    for (size_t i = 0; i <= MAX_METHOD_LABELS; i++) {
        if (i >= m->n_methods && i != MAX_METHOD_LABELS) continue;
        if (!m->methods[i].n) continue;
        const char *v[] = {m->methods[i].name};
        snb_metric_put(sink, M_requests, v, (double)m->methods[i].n);
    }
    for (unsigned c = 0; c < 600; c++) {
        if (!m->responses[c]) continue;
        char code[8];
        snprintf(code, sizeof code, "%u", c + 100);
        const char *v[] = {code};
        snb_metric_put(sink, M_responses, v, (double)m->responses[c]);
    }
}

static void sip_fini(void *state);

static int sip_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    sip_mod_t *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    snb_jsonw_init(&m->json_line, true); /* as snb_output_json: JSON_ENSURE_ASCII */
    m->core = core;
    m->conf = inst[0].conf;
    m->output = OUT_NONE;
    sip_store_limits_t sl = {.max_dialogs = (uint32_t)m->conf->max_dialogs,
                             .max_messages = (uint32_t)m->conf->max_messages,
                             .max_sdp = (uint32_t)m->conf->max_sdp,
                             .no_response_us = m->conf->no_response_timeout * 1000u,
                             .no_final_us = m->conf->no_final_timeout * 1000u,
                             .max_text_dialog = m->conf->max_text_per_dialog,
                             .max_text_total = m->conf->max_text_total,
                             .hash_key = *snb_core_hash_key(core)};
    sip_framer_limits_t fl = {.max_streams = (uint32_t)m->conf->max_streams,
                              .max_message = (uint32_t)m->conf->max_message_size,
                              .idle_timeout_us = m->conf->stream_timeout * 1000u};
    m->store = sip_store_new(&sl);
    m->framer = sip_framer_new(&fl, on_message, m);
    m->ann = sip_annotations_new();
    if (!m->store || !m->framer || !m->ann) {
        sip_fini(m);
        return -ENOMEM;
    }
    sip_store_observe(m->store, on_dialog_change, m);
    snb_bus_t *bus = snb_core_bus(core);
    m->ev_message = snb_bus_register(bus, SNB_SIP_MESSAGE_EVENT);
    m->ev_dialog = snb_bus_register(bus, SNB_SIP_DIALOG_EVENT);
    snb_metric_group_t metrics = {
        .prefix = "sip", .defs = metric_defs, .n = M_COUNT, .collect = collect_metrics, .ud = m};
    int rc = m->ev_message < 0  ? m->ev_message
             : m->ev_dialog < 0 ? m->ev_dialog
                                : snb_core_metrics(core, &metrics);
    if (rc == 0) rc = claim_outputs(m);
    m->service = (sip_service_t){.core = core, .store = m->store, .ann = m->ann};
    sip_service_fill(&m->service, &m->dialogs);
    if (rc == 0)
        rc = snb_core_provide(core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION, &m->dialogs);
    if (rc == 0)
        rc = snb_core_provide(core, SNB_SIP_PARSER_SERVICE, SNB_SIP_PARSER_VERSION, &sip_api);
    if (rc) {
        sip_fini(m);
        return rc;
    }
    *state = m;
    return 0;
}

/* The `filter` option (--filter) against the dialog fields and every
 * module's annotations; *out stays NULL when there is none. A compile error
 * is one `file:line` line. */
static int compile_filter(sip_mod_t *m, const char *text, snb_filter_t **out)
{
    *out = NULL;
    if (!text || !*text) return 0;
    char err[1024], where[512];
    *out = sip_annotations_compile(m->ann, text, err, sizeof err);
    if (*out) return 0;
    /* One line: the caret drawing is for the terminal, not here. */
    char *nl = strchr(err, '\n');
    if (nl) *nl = '\0';
    snb_log_error(
        m->core, "sip", "%s: %s",
        snb_core_option_where(m->core, "sip", NULL, "filter", "--filter", where, sizeof where),
        err);
    return SNB_E_CONFIG;
}

/* Every module's init has run, so every annotation and filter field is
 * registered: the filter can be compiled (on every run, and by -t). */
static int sip_check(void *state)
{
    sip_mod_t *m = state;
    if (sip_annotations_seal(m->ann) != 0) {
        snb_log_error(m->core, "sip", "the dialog annotations' filter aliases do not compile");
        return SNB_E_MODULE;
    }
    sip_store_set_slots(m->store, sip_annotations_count(m->ann), free_slot, m);
    return compile_filter(m, m->conf->filter, &m->filter);
}

static int sip_start(void *state)
{
    sip_mod_t *m = state;
    /* The core has decided who owns stdout. */
    if (!snb_output_active(m->out_msgs)) m->output = OUT_NONE;
    static const snb_event_type_t types[] = {SNB_EV_PACKET, SNB_EV_CAPTURE_END};
    m->sub = snb_bus_subscribe(snb_core_bus(m->core), types, 2, on_event, m);
    if (m->sub < 0) return m->sub;
    if (m->conf->progress && isatty(STDERR_FILENO)) {
        uv_timer_init(snb_core_loop(m->core), &m->progress);
        m->progress.data = m;
        uv_timer_start(&m->progress, on_progress, 500, 500);
        uv_unref((uv_handle_t *)&m->progress); /* never keeps the loop alive */
        m->progress_on = true;
    }
    return 0;
}

static void sip_stop(void *state)
{
    sip_mod_t *m = state;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
    stop_progress(m);
    copy_counters(m);
}

static void sip_fini(void *state)
{
    sip_mod_t *m = state;
    sip_framer_free(m->framer);
    sip_service_release(&m->service);
    sip_store_free(m->store); /* frees annotation data: before the registry */
    sip_annotations_free(m->ann);
    snb_filter_free(m->filter);
    snb_jsonw_free(&m->json_line);
    free(m);
}

static const snb_option_t sip_options[] = {
    {.name = "output",
     .type = SNB_OPT_ENUM,
     .def = "auto",
     .choices = "auto|none|lines|json",
     .offset = offsetof(sip_conf_t, output),
     .help = "per-message output on stdout: a line each, a JSON object each (--json), or none; "
             "auto = lines unless a dialog output is asked for"},
    {.name = "json",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(sip_conf_t, json),
     .help = "JSON wherever there is a choice: per-message records and the call report (--json)"},
    {.name = "dialogs_json",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(sip_conf_t, dialogs_json),
     .help = "when the input ends, print one JSON object per dialog (--dialogs-json)"},
    {.name = "report",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(sip_conf_t, report),
     .help = "when the input ends, print a table of all dialogs (--report)"},
    {.name = "call_report",
     .type = SNB_OPT_STRING,
     .offset = offsetof(sip_conf_t, call_report),
     .help = "when the input ends, print the report of this Call-ID (--call-report)"},
    {.name = "report_format",
     .type = SNB_OPT_ENUM,
     .def = "text",
     .choices = "text|markdown|json",
     .offset = offsetof(sip_conf_t, report_format),
     .help = "format of the call report (--markdown); json also with --json"},
    {.name = "filter",
     .type = SNB_OPT_STRING,
     .offset = offsetof(sip_conf_t, filter),
     .help = "only dialogs matching this expression (docs/filter-language.md) are printed"},
    {.name = "max_dialogs",
     .type = SNB_OPT_INT,
     .def = "200000",
     .min = 1,
     .max = 100000000,
     .offset = offsetof(sip_conf_t, max_dialogs),
     .help = "dialogs held; beyond, the oldest finished dialog is evicted (counted)"},
    {.name = "max_messages",
     .type = SNB_OPT_INT,
     .def = "64",
     .min = 1,
     .max = 100000,
     .offset = offsetof(sip_conf_t, max_messages),
     .help = "messages kept per dialog for the ladder (all are counted)"},
    {.name = "max_sdp",
     .type = SNB_OPT_INT,
     .def = "16",
     .min = 1,
     .max = 1000,
     .offset = offsetof(sip_conf_t, max_sdp),
     .help = "SDP timeline entries kept per dialog"},
    {.name = "no_response_timeout",
     .type = SNB_OPT_DURATION,
     .def = "32s",
     .max = 86400000,
     .offset = offsetof(sip_conf_t, no_response_timeout),
     .help = "a request with no response at all this long (capture time) fails as 'no response' "
             "(RFC 3261 Timer B/F); 0 = never"},
    {.name = "no_final_timeout",
     .type = SNB_OPT_DURATION,
     .def = "180s",
     .max = 86400000,
     .offset = offsetof(sip_conf_t, no_final_timeout),
     .help = "an INVITE with only provisional responses this long fails as 'no final response' "
             "(Timer C); 0 = never"},
    {.name = "max_message_size",
     .type = SNB_OPT_SIZE,
     .def = "256k",
     .min = 1024,
     .max = 16 * 1024 * 1024,
     .offset = offsetof(sip_conf_t, max_message_size),
     .help = "largest SIP message reassembled from a stream; larger ones are dropped (counted)"},
    {.name = "max_streams",
     .type = SNB_OPT_INT,
     .def = "10000",
     .min = 1,
     .max = 10000000,
     .offset = offsetof(sip_conf_t, max_streams),
     .help = "TCP/WebSocket directions with a partial message buffered"},
    {.name = "stream_timeout",
     .type = SNB_OPT_DURATION,
     .def = "60s",
     .min = 1,
     .max = 86400000,
     .offset = offsetof(sip_conf_t, stream_timeout),
     .help = "capture time a partial message waits for the rest"},
    {.name = "max_text_per_dialog",
     .type = SNB_OPT_SIZE,
     .def = "16k",
     .max = 16 * 1024 * 1024,
     .offset = offsetof(sip_conf_t, max_text_per_dialog),
     .help = "message texts kept per dialog, once a consumer asks for them (an MCP server); "
             "beyond, messages are kept without their text (counted); 0 = none"},
    {.name = "max_text_total",
     .type = SNB_OPT_SIZE,
     .def = "64m",
     .max = 64LL * 1024 * 1024 * 1024,
     .offset = offsetof(sip_conf_t, max_text_total),
     .help = "message texts kept in all dialogs together (counted when reached); 0 = none"},
    {.name = "progress",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(sip_conf_t, progress),
     .help = "show packets and dialogs on stderr while reading, when stderr is a terminal"},
    SNB_OPTIONS_END,
};

static const snb_flag_t sip_flags[] = {
    {.name = "json",
     .key = "json",
     .value = "yes",
     .help = "one JSON object per SIP message (and the call report as JSON)"},
    {.name = "dialogs-json",
     .key = "dialogs_json",
     .value = "yes",
     .help = "when the input ends, one JSON object per dialog"},
    {.name = "report",
     .key = "report",
     .value = "yes",
     .help = "when the input ends, a table of every dialog"},
    {.name = "call-report",
     .arg = "CALL-ID",
     .key = "call_report",
     .help = "when the input ends, the report of one call (text, --markdown, --json)"},
    {.name = "markdown",
     .key = "report_format",
     .value = "markdown",
     .help = "the call report in Markdown"},
    {.name = "filter",
     .arg = "EXPR",
     .key = "filter",
     .help = "only dialogs matching EXPR are printed (docs/filter-language.md)"},
    {.name = NULL},
};

/* ---- reload ---- */

static bool same_str(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* The first option that only takes effect at start, if the new
 * configuration changes it (the store's limits, the end-of-run outputs,
 * which claimed stdout at start). */
static const char *restart_only_change(const sip_conf_t *a, const sip_conf_t *b)
{
    if (a->dialogs_json != b->dialogs_json) return "dialogs_json";
    if (a->report != b->report) return "report";
    if (!same_str(a->call_report, b->call_report)) return "call_report";
    if (!same_str(a->report_format, b->report_format)) return "report_format";
    if (a->max_dialogs != b->max_dialogs) return "max_dialogs";
    if (a->max_messages != b->max_messages) return "max_messages";
    if (a->max_sdp != b->max_sdp) return "max_sdp";
    if (a->no_response_timeout != b->no_response_timeout) return "no_response_timeout";
    if (a->no_final_timeout != b->no_final_timeout) return "no_final_timeout";
    if (a->max_message_size != b->max_message_size) return "max_message_size";
    if (a->max_streams != b->max_streams) return "max_streams";
    if (a->stream_timeout != b->stream_timeout) return "stream_timeout";
    if (a->max_text_per_dialog != b->max_text_per_dialog) return "max_text_per_dialog";
    if (a->max_text_total != b->max_text_total) return "max_text_total";
    return NULL;
}

/* SIGHUP: the per-message output (lines, json, none) and the filter change
 * on a running daemon; the rest needs a restart. All or nothing: a filter
 * that does not compile, or an option that needs a restart, keeps the
 * running configuration (said in one line). */
static int sip_reload(void *state, const snb_instance_conf_t *inst, size_t n)
{
    (void)n;
    sip_mod_t *m = state;
    const sip_conf_t *c = inst[0].conf;
    const char *fixed = restart_only_change(m->conf, c);
    if (fixed) {
        snb_log_warn(m->core, "sip", "'%s' changed: restart sipnab to apply it", fixed);
        return SNB_E_CONFIG;
    }
    int output = OUT_NONE;
    if (strcmp(c->output, "none") != 0)
        output = !strcmp(c->output, "json") || (!strcmp(c->output, "auto") && c->json) ? OUT_JSON
                                                                                       : OUT_LINES;
    if (output != OUT_NONE && !snb_output_active(m->out_msgs)) {
        snb_log_warn(m->core, "sip",
                     "per-message output: stdout was not ours at start (output = none, or "
                     "another output asked for); restart sipnab to apply it");
        return SNB_E_CONFIG;
    }
    snb_filter_t *filter = NULL;
    int rc = compile_filter(m, c->filter, &filter);
    if (rc != 0) return rc;
    snb_filter_free(m->filter);
    m->filter = filter;
    m->output = output;
    m->conf = c;
    snb_log_info(m->core, "sip", "reloaded: per-message output %s%s%s",
                 output == OUT_JSON    ? "json"
                 : output == OUT_LINES ? "lines"
                                       : "none",
                 filter ? ", filter " : "", filter ? c->filter : "");
    return 0;
}

SNB_MODULE(.description = "SIP messages, dialogs, timing and SDP; line/JSON/report outputs",
           .options = sip_options, .conf_size = sizeof(sip_conf_t), .cli_flags = sip_flags,
           .init = sip_init, .start = sip_start, .stop = sip_stop, .fini = sip_fini,
           .check = sip_check, .reload = sip_reload);
