/* The security module's glue: reads "sip.message" events through the
 * accessors into the detector (sec_detect.c), publishes "security.alert"
 * events, marks the dialogs involved (a "security" annotation with the
 * security.alert filter field), counts alerts by type and hands them to the
 * outputs (security_out.c). Everything runs on capture time. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sec_alert_fmt.h"
#include "sec_number.h"
#include "security_mod.h"
#include "sipnab/error.h"
#include "sipnab/format.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/sip.h"

/* ---- the alert event ---- */

static size_t alert_size(const snb_event_t *ev)
{
    (void)ev;
    return sizeof(snb_security_alert_t);
}

static void alert_copy(const snb_event_t *ev, void *dst)
{
    memcpy(dst, ev, sizeof(snb_security_alert_t));
}

static const snb_event_ops_t alert_ops = {
    .name = SNB_SECURITY_ALERT_EVENT, .size = alert_size, .copy = alert_copy};

/* ---- per-dialog marks ---- */

typedef struct security_dialog {
    unsigned types; /* 1 << snb_security_type */
    char source[48];
} security_dialog_t;

static void mark_dialog(security_mod_t *m, const char *call_id, size_t len, unsigned types,
                        const snb_addr_t *src)
{
    if (!types || !call_id || !len) return;
    const snb_dialog_t *d = m->dialogs->find(m->dialogs->ctx, call_id, len);
    void **slot = d ? m->dialogs->data(m->dialogs->ctx, d, m->annotation) : NULL;
    if (!slot) return;
    security_dialog_t *sd = *slot;
    if (sd && (sd->types | types) == sd->types) return; /* nothing new */
    if (!sd) {
        if (!(sd = calloc(1, sizeof *sd))) return;
        snb_format_addr(src, sd->source, sizeof sd->source);
        *slot = sd;
        m->dialogs_marked++;
    }
    sd->types |= types;
    m->dialogs->touch(m->dialogs->ctx, d);
}

static void on_alert(void *ud, const snb_security_alert_t *alert)
{
    security_mod_t *m = ud;
    m->alerts[alert->type]++;
    for (unsigned i = 0; i < alert->n_call_ids; i++)
        mark_dialog(m, alert->call_ids[i], strlen(alert->call_ids[i]), 1u << alert->type,
                    &alert->src);
    security_out_alert(m, alert);
    snb_bus_t *bus = snb_core_bus(m->core);
    if (!snb_bus_wants(bus, m->ev_alert)) return;
    snb_security_alert_t ev = *alert;
    ev.ev = SNB_EVENT_BORROWED(m->ev_alert, &alert_ops);
    snb_bus_publish(bus, &ev.ev);
}

/* ---- SIP in ---- */

static snb_str_t target_user(const snb_sip_message_event_t *ev)
{
    const snb_sip_api_t *sip = ev->sip;
    if (ev->method == SNB_SIP_REGISTER) {
        snb_sip_nameaddr_t to;
        if (sip->nameaddr(sip->header(ev->msg, "To", 0), &to)) return to.parts.user;
        return SNB_STR_NULL;
    }
    snb_sip_uri_t uri;
    if (sip->uri(sip->request_uri(ev->msg), &uri)) return uri.user;
    return SNB_STR_NULL;
}

/* The distinct-count sketches' key, chosen at the first message, once the
 * sources are open. A live source (an interface, a HEP listener) keeps the
 * process's random key, so a sender cannot aim its names at the sketches'
 * registers; reading files the key is fixed, so the same capture gives the
 * same alerts, counts and "distinct_users" run after run. */
static void choose_sketch_key(security_mod_t *m)
{
    snb_hash_key_t key;
    if (snb_core_has_live_source(m->core))
        key = *snb_core_hash_key(m->core);
    else
        snb_hash_key_from_seed(&key, 0x7365632d736b6574ULL /* "sec-sket" */,
                               0x63682d6b65790000ULL /* "ch-key" */);
    sec_detect_set_sketch_key(m->det, &key);
    m->sketch_keyed = true;
}

static void on_sip_message(security_mod_t *m, const snb_sip_message_event_t *ev)
{
    if (!m->sketch_keyed) choose_sketch_key(m);
    const snb_sip_api_t *sip = ev->sip;
    sec_msg_t msg = {
        .ts_us = ev->ts_us,
        .src = ev->src,
        .dst = ev->dst,
        .sport = ev->sport,
        .dport = ev->dport,
        .is_request = ev->is_request,
        .retransmit = ev->retransmit,
        .method = ev->method,
        .cseq_method = ev->cseq_method,
        .status = ev->status,
        .cseq = ev->cseq,
        .call_id = ev->call_id,
        .has_to_tag = ev->to_tag.p && ev->to_tag.len,
        .has_sdp = ev->sdp_role != SNB_SDP_NONE,
    };
    if (ev->is_request && ev->msg && sip) {
        msg.user_agent = sip->header(ev->msg, "User-Agent", 0);
        msg.from_tag = ev->from_tag;
        /* Only what the rules read: credentials of REGISTER and INVITE (the
         * refusals counted are theirs), the target of the enumerable ones. */
        bool reg_or_inv = ev->method == SNB_SIP_REGISTER || ev->method == SNB_SIP_INVITE;
        msg.has_credentials = reg_or_inv && (sip->header_count(ev->msg, "Authorization") ||
                                             sip->header_count(ev->msg, "Proxy-Authorization"));
        if (reg_or_inv || ev->method == SNB_SIP_OPTIONS) msg.target_user = target_user(ev);
        if (msg.has_credentials) { /* the account tried: To of a REGISTER, From of an INVITE */
            snb_sip_nameaddr_t from;
            if (ev->method == SNB_SIP_REGISTER)
                msg.account = msg.target_user;
            else if (sip->nameaddr(sip->header(ev->msg, "From", 0), &from))
                msg.account = from.parts.user;
        }
    }
    unsigned types = sec_detect_msg(m->det, &msg);
    if (types)
        mark_dialog(m, ev->call_id.p, ev->call_id.len, types, ev->is_request ? &ev->src : &ev->dst);
    if (ev->is_request && (types & (1u << SNB_SEC_SCANNER))) security_out_kill_request(m, ev);
}

static void on_event(void *ud, const snb_event_t *ev)
{
    security_mod_t *m = ud;
    if ((snb_event_type_t)ev->type == m->ev_message)
        on_sip_message(m, (const snb_sip_message_event_t *)ev);
    else if (ev->type == SNB_EV_PACKET)
        security_out_kill_packet(m, ((const snb_packet_event_t *)ev)->source);
    else if (ev->type == SNB_EV_CAPTURE_END) {
        sec_detect_flush(m->det);
        security_out_end(m);
    }
}

/* ---- the dialog annotation ---- */

static const security_dialog_t *dialog_of(security_mod_t *m, const snb_dialog_info_t *d)
{
    void **slot = m->dialogs->data(m->dialogs->ctx, d->dialog, m->annotation);
    return slot ? *slot : NULL;
}

/* "scanner,bruteforce": the types in their enum order. */
static size_t types_text(unsigned types, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned t = 0; t < SNB_SEC_TYPE_COUNT; t++)
        if (types & (1u << t)) {
            int w = snprintf(buf + n, size - n, "%s%s", n ? "," : "", snb_security_type_name(t));
            if (w < 0 || (size_t)w >= size - n) break;
            n += (size_t)w;
        }
    return n;
}

static json_t *render(void *ctx, const snb_dialog_info_t *d)
{
    const security_dialog_t *sd = dialog_of(ctx, d);
    if (!sd) return NULL;
    json_t *types = json_array();
    for (unsigned t = 0; t < SNB_SEC_TYPE_COUNT; t++)
        if (sd->types & (1u << t))
            json_array_append_new(types, json_string(snb_security_type_name(t)));
    return json_pack("{s:o, s:s}", "alerts", types, "source", sd->source);
}

enum { F_ALERT, F_SOURCE };
static const snb_filter_field_t fields[] = {
    {"security.alert", SNB_FT_STRING, F_ALERT},
    {"security.source", SNB_FT_STRING, F_SOURCE},
};

typedef struct field_scratch {
    char types[128];
} field_scratch_t;

static void field(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                  snb_filter_value_t *out)
{
    const security_dialog_t *sd = dialog_of(ctx, d);
    field_scratch_t *fs = scratch;
    memset(out, 0, sizeof *out);
    if (!sd) return;
    out->present = true;
    if (id == F_ALERT) {
        out->len = types_text(sd->types, fs->types, sizeof fs->types);
        out->str = fs->types;
    } else {
        out->str = sd->source;
        out->len = strlen(sd->source);
    }
}

static void report(void *ctx, const snb_dialog_info_t *d, FILE *out, int format)
{
    const security_dialog_t *sd = dialog_of(ctx, d);
    if (!sd) return;
    char types[128];
    types_text(sd->types, types, sizeof types);
    if (format == SNB_REPORT_MARKDOWN)
        fprintf(out, "\n## Security\n\nSource %s raised: %s\n", sd->source, types);
    else
        fprintf(out, "Security: source %s raised: %s\n", sd->source, types);
}

static void free_data(void *ctx, void *data)
{
    (void)ctx;
    free(data);
}

/* ---- metrics ---- */

static const char *const type_label[] = {"type", NULL};
enum {
    MT_ALERTS,
    MT_SOURCES,
    MT_EVICTED,
    MT_SUPPRESSED,
    MT_DIALOGS,
    MT_KILL_DRY,
    MT_KILL_SENT,
    MT_KILL_LIMITED,
    MT_KILL_FAILED,
    MT_COUNT
};
static const snb_metric_def_t metric_defs[MT_COUNT] = {
    {.name = "alerts",
     .help = "Security alerts by type",
     .type = SNB_METRIC_COUNTER,
     .labels = type_label},
    {.name = "sources", .help = "Source addresses the detector holds", .type = SNB_METRIC_GAUGE},
    {.name = "sources_evicted",
     .help = "Sources forgotten to stay within max_sources",
     .type = SNB_METRIC_COUNTER},
    {.name = "alerts_suppressed",
     .help = "Detections not reported again within alert_interval",
     .type = SNB_METRIC_COUNTER},
    {.name = "dialogs_marked",
     .help = "Dialogs given a security annotation",
     .type = SNB_METRIC_COUNTER},
    {.name = "kill_dry_run",
     .help = "Scanner replies described, not sent (file input)",
     .type = SNB_METRIC_COUNTER},
    {.name = "kill_sent", .help = "Scanner replies sent", .type = SNB_METRIC_COUNTER},
    {.name = "kill_rate_limited",
     .help = "Scanner replies held back by the rate limits",
     .type = SNB_METRIC_COUNTER},
    {.name = "kill_failed",
     .help = "Scanner replies that could not be sent",
     .type = SNB_METRIC_COUNTER},
};

static void collect(void *ud, snb_metric_sink_t *sink)
{
    security_mod_t *m = ud;
    for (unsigned t = 0; t < SNB_SEC_TYPE_COUNT; t++) {
        const char *v[] = {snb_security_type_name(t)};
        snb_metric_put(sink, MT_ALERTS, v, (double)m->alerts[t]);
    }
    const sec_stats_t *s = sec_detect_stats(m->det);
    snb_metric_put(sink, MT_SOURCES, NULL, s->sources);
    snb_metric_put(sink, MT_EVICTED, NULL, (double)s->evicted);
    snb_metric_put(sink, MT_SUPPRESSED, NULL, (double)s->suppressed);
    snb_metric_put(sink, MT_DIALOGS, NULL, (double)m->dialogs_marked);
    snb_metric_put(sink, MT_KILL_DRY, NULL, (double)m->kill_dry_run);
    snb_metric_put(sink, MT_KILL_SENT, NULL, (double)m->kill_sent);
    snb_metric_put(sink, MT_KILL_LIMITED, NULL, (double)m->kill_limited);
    snb_metric_put(sink, MT_KILL_FAILED, NULL, (double)m->kill_failed);
}

/* ---- lifetime ---- */

static void security_fini(void *state);

static int make_detector(security_mod_t *m)
{
    const security_conf_t *c = m->conf;
    sec_cfg_t cfg = SEC_CFG_DEFAULT;
    cfg.max_sources = (uint32_t)c->max_sources;
    cfg.max_calls = (uint32_t)c->max_calls;
    cfg.window_us = c->window * 1000u;
    cfg.idle_us = c->idle * 1000u;
    cfg.alert_us = c->alert_interval * 1000u;
    cfg.sweep_hosts = (uint32_t)c->sweep_hosts;
    cfg.enum_targets = (uint32_t)c->enum_users;
    cfg.enum_ratio = (double)c->enum_ratio_pct / 100.0;
    cfg.bf_failures = (uint32_t)c->bf_failures;
    cfg.bf_account_failures = (uint32_t)c->bf_account_failures;
    cfg.max_accounts = (uint32_t)c->max_accounts;
    cfg.rate_register = (uint32_t)c->register_rate;
    cfg.rate_invite = (uint32_t)c->invite_rate;
    cfg.rate_options = (uint32_t)c->options_rate;
    cfg.toll_calls = (uint32_t)c->toll_calls;
    cfg.toll_run = (uint32_t)c->toll_run;
    cfg.toll_prefixes = c->toll_prefixes.n ? c->toll_prefixes.v : sec_default_toll_prefixes;
    cfg.n_toll_prefixes = c->toll_prefixes.n;
    if (!c->toll_prefixes.n)
        while (sec_default_toll_prefixes[cfg.n_toll_prefixes])
            cfg.n_toll_prefixes++;
    cfg.wangiri_calls = (uint32_t)c->wangiri_calls;
    cfg.wangiri_ring_us = c->wangiri_ring * 1000u;
    cfg.ua = m->ua;
    cfg.fingerprints = c->fingerprints;
    cfg.key = *snb_core_hash_key(m->core);
    cfg.on_alert = on_alert;
    cfg.ud = m;
    m->det = sec_detect_new(&cfg);
    return m->det ? 0 : -ENOMEM;
}

/* ---- the "security.alerts" service ---- */

static json_t *service_alert_json(void *ctx, const snb_security_alert_t *a)
{
    (void)ctx;
    return sec_alert_json(a);
}

static const char *service_severity_name(void *ctx, unsigned severity)
{
    (void)ctx;
    return sec_alert_severity_name(severity);
}

static const snb_security_service_t security_service = {.alert_json = service_alert_json,
                                                        .severity_name = service_severity_name};

static int security_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    security_mod_t *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    m->core = core;
    m->conf = inst[0].conf;
    m->annotation = -1;
    char err[256];
    m->ua = sec_ua_new(m->conf->kill_ua, m->conf->builtin_ua, err, sizeof err);
    if (!m->ua) {
        snb_log_error(core, "security", "%s", err);
        free(m);
        return SNB_E_CONFIG;
    }
    m->dialogs = snb_core_service(core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION);
    if (!m->dialogs) {
        snb_log_error(core, "security", "needs the sip module's dialog store");
        security_fini(m);
        return -ENOENT;
    }
    int rc = make_detector(m);
    if (rc == 0) {
        m->ev_alert = snb_bus_register(snb_core_bus(core), SNB_SECURITY_ALERT_EVENT);
        if (m->ev_alert < 0) rc = m->ev_alert;
    }
    if (rc == 0) {
        snb_dialog_annotation_t a = {.name = "security",
                                     .key = "security",
                                     .ctx = m,
                                     .render = render,
                                     .fields = fields,
                                     .n_fields = sizeof fields / sizeof fields[0],
                                     .field = field,
                                     .scratch_size = sizeof(field_scratch_t),
                                     .report = report,
                                     .free_data = free_data};
        m->annotation = m->dialogs->annotate(m->dialogs->ctx, &a);
        if (m->annotation < 0) rc = m->annotation;
    }
    if (rc == 0) {
        snb_metric_group_t g = {
            .prefix = "security", .defs = metric_defs, .n = MT_COUNT, .collect = collect, .ud = m};
        rc = snb_core_metrics(core, &g);
    }
    if (rc == 0)
        rc = snb_core_provide(core, SNB_SECURITY_SERVICE, SNB_SECURITY_SERVICE_VERSION,
                              &security_service);
    if (rc == 0) rc = security_out_claim(m);
    if (rc == 0) rc = security_out_kill_init(m);
    if (rc) {
        security_fini(m);
        return rc;
    }
    *state = m;
    return 0;
}

static int security_start(void *state)
{
    security_mod_t *m = state;
    snb_bus_t *bus = snb_core_bus(m->core);
    m->ev_message = snb_bus_lookup(bus, SNB_SIP_MESSAGE_EVENT);
    /* Packets only for --kill-scanner: which source instance each came from. */
    const snb_event_type_t types[] = {m->ev_message, SNB_EV_CAPTURE_END, SNB_EV_PACKET};
    m->sub = snb_bus_subscribe(bus, types, m->kill ? 3 : 2, on_event, m);
    return m->sub > 0 ? 0 : m->sub;
}

static void security_stop(void *state)
{
    security_mod_t *m = state;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
}

static void security_fini(void *state)
{
    security_mod_t *m = state;
    security_out_free(m);
    sec_detect_free(m->det);
    sec_ua_free(m->ua);
    free(m);
}

/* Every threshold and window, with its default (docs/modules/security.md). */
static const snb_option_t security_options[] = {
    {.name = "fail2ban",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(security_conf_t, fail2ban),
     .help = "print one line per detection for fail2ban (--fail2ban)"},
    {.name = "alerts_json",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(security_conf_t, alerts_json),
     .help = "print one JSON object per detection (--alerts-json)"},
    {.name = "report",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(security_conf_t, report),
     .help = "when the input ends, print a table of the alerts (--report)"},
    {.name = "kill_scanner",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(security_conf_t, kill_scanner),
     .help = "answer scanners with a SIP reply (file input: print what would be sent)"},
    {.name = "kill_response",
     .type = SNB_OPT_INT,
     .def = "200",
     .min = 100,
     .max = 699,
     .offset = offsetof(security_conf_t, kill_response),
     .help = "the status code of the reply to scanners"},
    {.name = "kill_ua",
     .type = SNB_OPT_STRING,
     .offset = offsetof(security_conf_t, kill_ua),
     .help = "a PCRE2 regex of further scanner User-Agents (case-insensitive)"},
    {.name = "builtin_ua",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(security_conf_t, builtin_ua),
     .help = "match the built-in scanner User-Agents (friendly-scanner, sipsak, ...)"},
    {.name = "fingerprints",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(security_conf_t, fingerprints),
     .help = "recognise scanning tools by their headers (SIPVicious's From tag)"},
    {.name = "max_sources",
     .type = SNB_OPT_INT,
     .def = "65536",
     .min = 16,
     .max = 16777216,
     .offset = offsetof(security_conf_t, max_sources),
     .help = "source addresses held; beyond, the least recently active is forgotten"},
    {.name = "max_calls",
     .type = SNB_OPT_INT,
     .def = "16384",
     .min = 16,
     .max = 16777216,
     .offset = offsetof(security_conf_t, max_calls),
     .help = "recent calls remembered (one-ring CANCELs, refused credentials)"},
    {.name = "window",
     .type = SNB_OPT_DURATION,
     .def = "60s",
     .min = 1000,
     .max = 86400000,
     .offset = offsetof(security_conf_t, window),
     .help = "counting window per source, from its first message"},
    {.name = "idle",
     .type = SNB_OPT_DURATION,
     .def = "2s",
     .min = 100,
     .max = 3600000,
     .offset = offsetof(security_conf_t, idle),
     .help = "a pause after which a source's enumeration is judged"},
    {.name = "alert_interval",
     .type = SNB_OPT_DURATION,
     .def = "60s",
     .min = 1000,
     .max = 86400000,
     .offset = offsetof(security_conf_t, alert_interval),
     .help = "at most one alert per source and type within this"},
    {.name = "sweep_hosts",
     .type = SNB_OPT_INT,
     .def = "10",
     .min = 2,
     .max = 1000,
     .offset = offsetof(security_conf_t, sweep_hosts),
     .help = "addresses one source sends requests to in a window that make it a scanner"},
    {.name = "enum_users",
     .type = SNB_OPT_INT,
     .def = "20",
     .min = 2,
     .max = 1000,
     .offset = offsetof(security_conf_t, enum_users),
     .help = "distinct users addressed in a window that can make a source a scanner"},
    {.name = "enum_ratio",
     .type = SNB_OPT_INT,
     .def = "60",
     .min = 1,
     .max = 100,
     .offset = offsetof(security_conf_t, enum_ratio_pct),
     .help = "percent: distinct users per request above which requests enumerate"},
    {.name = "bruteforce_failures",
     .type = SNB_OPT_INT,
     .def = "10",
     .min = 2,
     .max = 100000,
     .offset = offsetof(security_conf_t, bf_failures),
     .help = "requests with credentials refused (401/403/407) in a window"},
    {.name = "bruteforce_account_failures",
     .type = SNB_OPT_INT,
     .def = "20",
     .min = 2,
     .max = 100000,
     .offset = offsetof(security_conf_t, bf_account_failures),
     .help = "refusals of one account from two addresses or more in a window (distributed "
             "guessing)"},
    {.name = "max_accounts",
     .type = SNB_OPT_INT,
     .def = "16384",
     .min = 16,
     .max = 16777216,
     .offset = offsetof(security_conf_t, max_accounts),
     .help = "accounts whose refusals are counted"},
    {.name = "register_rate",
     .type = SNB_OPT_INT,
     .def = "50",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(security_conf_t, register_rate),
     .help = "REGISTERs per second from one source that are a flood"},
    {.name = "invite_rate",
     .type = SNB_OPT_INT,
     .def = "50",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(security_conf_t, invite_rate),
     .help = "INVITEs per second from one source that are a flood"},
    {.name = "options_rate",
     .type = SNB_OPT_INT,
     .def = "50",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(security_conf_t, options_rate),
     .help = "OPTIONS per second from one source that are a flood"},
    {.name = "toll_calls",
     .type = SNB_OPT_INT,
     .def = "5",
     .min = 1,
     .max = 100000,
     .offset = offsetof(security_conf_t, toll_calls),
     .help = "answered calls to toll_prefixes in a window that are toll fraud"},
    {.name = "toll_run",
     .type = SNB_OPT_INT,
     .def = "5",
     .min = 2,
     .max = 100000,
     .offset = offsetof(security_conf_t, toll_run),
     .help = "answered calls to consecutive numbers in a window that are toll fraud"},
    {.name = "toll_prefixes",
     .type = SNB_OPT_LIST,
     .offset = offsetof(security_conf_t, toll_prefixes),
     .help = "country/network codes of premium and high-risk destinations (+882, 00252 or 53); "
             "empty: the built-in list"},
    {.name = "wangiri_calls",
     .type = SNB_OPT_INT,
     .def = "10",
     .min = 2,
     .max = 100000,
     .offset = offsetof(security_conf_t, wangiri_calls),
     .help = "one-ring calls in a window that are wangiri"},
    {.name = "wangiri_ring",
     .type = SNB_OPT_DURATION,
     .def = "5s",
     .min = 100,
     .max = 60000,
     .offset = offsetof(security_conf_t, wangiri_ring),
     .help = "a call CANCELled within this of its INVITE rang once"},
    {.name = "report_max",
     .type = SNB_OPT_INT,
     .def = "10000",
     .min = 1,
     .max = 10000000,
     .offset = offsetof(security_conf_t, report_max),
     .help = "alerts kept for the --report table (the rest are counted)"},
    SNB_OPTIONS_END,
};

static const snb_flag_t security_flags[] = {
    {.name = "fail2ban",
     .key = "fail2ban",
     .value = "yes",
     .flags = SNB_FLAG_LOADS,
     .help = "one line per detection, for fail2ban (contrib/fail2ban)"},
    {.name = "alerts-json",
     .key = "alerts_json",
     .value = "yes",
     .flags = SNB_FLAG_LOADS,
     .help = "one JSON object per security alert"},
    {.name = "report",
     .key = "report",
     .value = "yes",
     .help = "when the input ends, a table of the security alerts"},
    {.name = "kill-scanner",
     .key = "kill_scanner",
     .value = "yes",
     .flags = SNB_FLAG_LOADS,
     .help = "answer detected scanners (file input: print what would be sent)"},
    {.name = "kill-response",
     .arg = "CODE",
     .key = "kill_response",
     .flags = SNB_FLAG_LOADS,
     .help = "status code of the reply to scanners (default 200)"},
    {.name = "kill-ua",
     .arg = "REGEX",
     .key = "kill_ua",
     .flags = SNB_FLAG_LOADS,
     .help = "further scanner User-Agents (PCRE2, case-insensitive)"},
    {.name = NULL},
};

static const char *const security_depends[] = {"sip", NULL};

SNB_MODULE(.description = "SIP security: scanners, brute force, floods, toll fraud, wangiri",
           .depends = security_depends, .options = security_options,
           .conf_size = sizeof(security_conf_t), .cli_flags = security_flags, .init = security_init,
           .start = security_start, .stop = security_stop, .fini = security_fini);
