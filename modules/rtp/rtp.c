/* The RTP module: follows every RTP and RTCP stream, ties it to its dialog
 * through the SDP the SIP module publishes, grades it, and explains one-way
 * audio, NAT problems and missing media. Dialogs carry its streams, media
 * diagnosis, rtp.* filter fields and report section through a dialog
 * annotation (rtp_out_annotation.c); the "rtp.media" service serves the
 * streams (rtp_out_media.c); it prints streams itself (--streams-json, the
 * --report streams table). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_fax.h"
#include "rtp_mod.h"
#include "rtp_mos.h"
#include "sipnab/error.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/rtp.h"
#include "sipnab/sip.h"

static const snb_metric_def_t counter_defs[] = {RTP_COUNTERS(SNB_METRIC_COUNTER_DEF)};

/* ---- SIP INFO DTMF (application/dtmf-relay: "Signal=5\r\nDuration=160") ---- */

static void info_dtmf(rtp_mod_t *m, const snb_sip_message_event_t *ev)
{
    if (!ev->is_request || ev->method != SNB_SIP_INFO || !ev->body.p) return;
    if (!ev->content_type.p || ev->content_type.len != 22 ||
        strncasecmp(ev->content_type.p, "application/dtmf-relay", 22) != 0)
        return;
    char body[256];
    snb_str_copy(ev->body, body, sizeof body);
    const char *sig = strcasestr(body, "Signal=");
    if (!sig || m->n_info == MAX_INFO_DTMF) return;
    sig += 7;
    while (*sig == ' ')
        sig++;
    const char *dur = strcasestr(body, "Duration=");
    rtp_info_dtmf_t *d = &m->info[m->n_info++];
    snb_str_copy(ev->call_id, d->call_id, sizeof d->call_id);
    d->ts_us = ev->ts_us;
    d->digit = *sig;
    d->duration_ms = dur ? (uint32_t)strtoul(dur + 9, NULL, 10) : 0;
    m->counters[C_info_dtmf]++;
}

/* ---- the events we publish: their copies are ours to define ---- */

/* RTCP reports: the struct plus a copy of the packet. */
static size_t rtcp_event_size(const snb_event_t *ev)
{
    return sizeof(snb_rtcp_event_t) + ((const snb_rtcp_event_t *)ev)->len;
}

static void rtcp_event_copy(const snb_event_t *ev, void *dst)
{
    const snb_rtcp_event_t *r = (const snb_rtcp_event_t *)ev;
    snb_rtcp_event_t *c = dst;
    *c = *r;
    uint8_t *data = (uint8_t *)(c + 1);
    if (r->len) memcpy(data, r->data, r->len);
    c->data = data;
}

static const snb_event_ops_t rtcp_event_ops = {
    .name = SNB_RTP_RTCP_EVENT, .size = rtcp_event_size, .copy = rtcp_event_copy};

/* Stream reports: plain data, copied whole. */
static size_t stream_event_size(const snb_event_t *ev)
{
    (void)ev;
    return sizeof(snb_rtp_stream_event_t);
}

static void stream_event_copy(const snb_event_t *ev, void *dst)
{
    memcpy(dst, ev, sizeof(snb_rtp_stream_event_t));
}

static const snb_event_ops_t stream_event_ops = {
    .name = SNB_RTP_STREAM_EVENT, .size = stream_event_size, .copy = stream_event_copy};

/* ---- stream reports ("rtp.stream", e.g. HEP QoS mirroring) ---- */

/* Publish a stream's final figures, unless nothing changed since the last
 * time (or nobody listens). */
static void publish_stream(rtp_mod_t *m, const rtp_stream_t *s)
{
    snb_bus_t *bus = snb_core_bus(m->core);
    if (!snb_bus_wants(bus, m->ev_stream) || !s->stats.packets ||
        s->reported_packets == s->stats.packets)
        return;
    ((rtp_stream_t *)s)->reported_packets = s->stats.packets; /* our own bookkeeping field */
    double loss = rtp_stream_loss_pct(&s->stats);
    double rtt = s->rtcp.rr_blocks && s->rtcp.rtt_ms >= 0 ? s->rtcp.rtt_ms : -1;
    snb_rtp_stream_event_t ev = {
        .ev = SNB_EVENT_BORROWED(m->ev_stream, &stream_event_ops),
        .first_us = s->first_us,
        .last_us = s->last_us,
        .src = s->src,
        .dst = s->dst,
        .sport = s->sport,
        .dport = s->dport,
        .ssrc = s->ssrc,
        .payload_type = s->stats.pt,
        .clock_rate = s->clock_rate,
        .packets = s->stats.packets,
        .octets = s->stats.octets,
        .expected = rtp_stream_expected(&s->stats),
        .lost = rtp_stream_lost(&s->stats),
        .mean_jitter_ms = s->stats.mean_jitter_ms,
        .max_jitter_ms = s->stats.max_jitter_ms,
        .max_delta_ms = s->stats.max_delta_ms,
        .mos = rtp_stream_mos(s),
        .r_factor = rtp_r_factor(s->codec[0] ? s->codec : NULL, loss < 0 ? 0 : loss,
                                 s->stats.mean_jitter_ms, rtt),
        .orphaned = s->orphaned,
    };
    snprintf(ev.codec, sizeof ev.codec, "%s", s->codec);
    snprintf(ev.call_id, sizeof ev.call_id, "%s", s->call_id);
    rtp_diag_result_t r;
    if (s->call_id[0] && rtp_diagnose(m, s->call_id, &r)) ev.one_way = r.flags & RTP_DIAG_ONE_WAY;
    snb_bus_publish(bus, &ev.ev);
}

/* Streams silent for STREAM_IDLE_REPORT_US have ended (live capture). The
 * walk visits every stream (a cache miss each), so it is skipped when no
 * module listens: publish_stream would drop every report then. */
static void report_idle_streams(rtp_mod_t *m)
{
    if (!snb_bus_wants(snb_core_bus(m->core), m->ev_stream)) return;
    for (const rtp_stream_t *s = rtp_table_first(m->table); s; s = rtp_table_next(s))
        if (m->now_us > s->last_us && m->now_us - s->last_us > STREAM_IDLE_REPORT_US)
            publish_stream(m, s);
}

/* The table evicts a stream: its report goes out, and the feed's consumer
 * must drop its copy. */
static void on_stream_end(void *ud, const rtp_stream_t *s, bool evicted)
{
    rtp_mod_t *m = ud;
    if (evicted && !m->ended) publish_stream(m, s);
    if (evicted) rtp_media_stream_gone(m, s->id);
}

static bool stream_matches(const rtp_mod_t *m, const rtp_stream_t *s)
{
    return rtp_stream_matches(m->filter, s);
}

/* RTCP for other modules (HEP mirroring), with the Call-ID of the stream
 * its sender SSRC belongs to. Built only if somebody listens. */
static void publish_rtcp(rtp_mod_t *m, const snb_packet_t *pkt)
{
    snb_bus_t *bus = snb_core_bus(m->core);
    if (!snb_bus_wants(bus, m->ev_rtcp) || pkt->payload_len < 8) return;
    snb_rtcp_event_t ev = {
        .ev = SNB_EVENT_BORROWED(m->ev_rtcp, &rtcp_event_ops),
        .ts_us = pkt->ts_us,
        .src = pkt->src,
        .dst = pkt->dst,
        .sport = pkt->sport,
        .dport = pkt->dport,
        .data = pkt->payload,
        .len = pkt->payload_len,
    };
    uint32_t ssrc = (uint32_t)pkt->payload[4] << 24 | (uint32_t)pkt->payload[5] << 16 |
                    (uint32_t)pkt->payload[6] << 8 | pkt->payload[7];
    const rtp_stream_t *s[4];
    size_t n = rtp_table_by_ssrc(m->table, ssrc, s, 4);
    for (size_t i = 0; i < n && i < 4 && !ev.call_id[0]; i++)
        snprintf(ev.call_id, sizeof ev.call_id, "%s", s[i]->call_id);
    snb_bus_publish(bus, &ev.ev);
}

/* ---- events ---- */

static void copy_counters(rtp_mod_t *m)
{
    const rtp_table_stats_t *t = rtp_table_stats(m->table);
    const rtp_calls_stats_t *c = rtp_calls_stats(m->calls);
    m->counters[C_packets] = t->rtp_packets;
    m->counters[C_rtcp_packets] = t->rtcp_packets;
    m->counters[C_non_rtp] = t->non_rtp;
    m->counters[C_streams] = t->streams;
    m->counters[C_streams_sdp] = t->streams_sdp;
    m->counters[C_streams_heuristic] = t->streams_heuristic;
    m->counters[C_claimed_late] = t->claimed_late;
    m->counters[C_orphaned] = t->orphaned;
    m->counters[C_evicted] = t->evicted;
    m->counters[C_pending_dropped] = t->pending_dropped;
    m->counters[C_calls] = c->calls;
    m->counters[C_calls_evicted] = c->evicted;
    m->counters[C_calls_forgotten] = c->forgotten;
    m->counters[C_rtt_samples] = t->rtt_samples;
    m->counters[C_udptl_packets] = c->udptl;
}

static void on_capture_end(rtp_mod_t *m)
{
    if (m->ended) return;
    m->ended = true;
    /* No SDP can come any more: settle orphans. Diagnosis keeps now_us. */
    rtp_table_advance(m->table, UINT64_MAX);
    copy_counters(m);
    for (const rtp_stream_t *s = rtp_table_first(m->table); s; s = rtp_table_next(s))
        publish_stream(m, s);
    if (snb_output_active(m->out_streams)) {
        for (const rtp_stream_t *s = rtp_table_first(m->table); s; s = rtp_table_next(s)) {
            if (!stream_matches(m, s)) continue;
            json_t *o = rtp_out_stream_json(s);
            snb_output_json(m->out_streams, o);
            json_decref(o);
        }
    }
    FILE *out = snb_output_stream(m->out_report);
    if (out) {
        rtp_out_table_header(out);
        for (const rtp_stream_t *s = rtp_table_first(m->table); s; s = rtp_table_next(s))
            if (stream_matches(m, s)) rtp_out_table_row(out, s);
    }
}

static void on_event(void *ud, const snb_event_t *ev)
{
    rtp_mod_t *m = ud;
    if ((snb_event_type_t)ev->type == m->ev_sip) {
        const snb_sip_message_event_t *sm = (const snb_sip_message_event_t *)ev;
        if (sm->ts_us > m->now_us) m->now_us = sm->ts_us;
        unsigned new_eps = 0;
        rtp_calls_sip(m->calls, sm, &new_eps);
        if (new_eps) rtp_table_sdp(m->table);
        rtp_table_advance(m->table, sm->ts_us); /* one clock: the stream service's too */
        info_dtmf(m, sm);
        return;
    }
    switch (ev->type) {
    case SNB_EV_PACKET: {
        const snb_packet_t *pkt = &((const snb_packet_event_t *)ev)->pkt;
        if (pkt->transport != SNB_TRANSPORT_UDP) return;
        if (pkt->ts_us > m->now_us) m->now_us = pkt->ts_us;
        /* Now and then (every 4096 packets, at most once a second of
         * capture time: each walk visits every stream), look for streams
         * that ended. */
        if ((++m->udp_packets & 4095) == 0 && m->now_us - m->idle_walk_us >= STREAM_IDLE_WALK_US) {
            m->idle_walk_us = m->now_us;
            report_idle_streams(m);
        }
        if (rtp_fax_packet(m->calls, pkt)) { /* UDPTL: the RTP stream stopped at the switch */
            rtp_table_advance(m->table, pkt->ts_us);
            break;
        }
        if (rtp_table_packet(m->table, pkt, NULL) == RTP_TABLE_RTCP) publish_rtcp(m, pkt);
        break;
    }
    case SNB_EV_CAPTURE_END:
        on_capture_end(m);
        break;
    default:
        break;
    }
}

/* ---- lifetime ---- */

static void rtp_fini(void *state);

/* Read by --stats and, while capture runs, by the API's /metrics. */
static void collect_metrics(void *ud, snb_metric_sink_t *sink)
{
    rtp_mod_t *m = ud;
    copy_counters(m);
    snb_metric_put_all(sink, m->counters, C_COUNT);
}

/* A decimal option (the option types have no real numbers): "5", "2.5". */
static int decimal_option(snb_core_t *core, const char *key, const char *text, double max,
                          double *out)
{
    char *end;
    double v = text ? strtod(text, &end) : 0;
    if (text && end != text && *end == '\0' && v >= 0 && v <= max) {
        *out = v;
        return 0;
    }
    char where[512];
    snb_log_error(core, "rtp", "%s: '%s' is not a number from 0 to %g",
                  snb_core_option_where(core, "rtp", NULL, key, NULL, where, sizeof where),
                  text ? text : "", max);
    return SNB_E_CONFIG;
}

static int rtp_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    rtp_mod_t *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    m->core = core;
    m->conf = inst[0].conf;
    const rtp_conf_t *c = m->conf;
    if (c->filter && *c->filter) {
        char err[1024], where[512];
        size_t nf;
        const snb_filter_field_t *fields = rtp_stream_fields(&nf);
        m->filter = snb_filter_compile(c->filter, fields, nf, NULL, 0, err, sizeof err);
        if (!m->filter) {
            char *nl = strchr(err, '\n'); /* one line: no caret drawing */
            if (nl) *nl = '\0';
            snb_log_error(core, "rtp", "%s: %s",
                          snb_core_option_where(core, "rtp", NULL, "filter", "--stream-filter",
                                                where, sizeof where),
                          err);
            free(m);
            return SNB_E_CONFIG;
        }
    }
    rtp_diag_cfg_t diag = RTP_DIAG_CFG_DEFAULT;
    diag.late_media_us = c->late_media * 1000u;
    diag.poor_min_packets = (uint32_t)c->poor_min_packets;
    if (decimal_option(core, "poor_loss", c->poor_loss, 100, &diag.poor_loss_pct) ||
        decimal_option(core, "poor_jitter", c->poor_jitter, 60000, &diag.poor_jitter_ms) ||
        decimal_option(core, "poor_mos", c->poor_mos, 5, &diag.poor_mos)) {
        snb_filter_free(m->filter);
        free(m);
        return SNB_E_CONFIG;
    }
    rtp_table_cfg_t tc = RTP_TABLE_CFG_DEFAULT;
    tc.max_streams = (uint32_t)c->max_streams;
    tc.heuristic = c->heuristic;
    tc.heur_packets = (uint32_t)c->heuristic_packets;
    tc.orphan_timeout_us = c->orphan_timeout * 1000u;
    tc.interval_us = c->interval * 1000u;
    tc.on_stream_end = on_stream_end;
    tc.ud = m;
    m->diag_cfg = diag;
    tc.hash_key = *snb_core_hash_key(core);
    m->calls = rtp_calls_new((uint32_t)c->max_calls);
    if (m->calls) rtp_calls_set_key(m->calls, snb_core_hash_key(core));
    if (m->calls) rtp_calls_set_linger(m->calls, c->call_linger * 1000u);
    m->table = m->calls ? rtp_table_new(&tc, m->calls) : NULL;
    if (!m->table) {
        rtp_calls_free(m->calls);
        snb_filter_free(m->filter);
        free(m);
        return -ENOMEM;
    }
    m->gone = snb_gonelog_new(65536);
    rtp_media_service_fill(m);
    snb_bus_t *bus = snb_core_bus(core);
    m->ev_rtcp = snb_bus_register(bus, SNB_RTP_RTCP_EVENT);
    m->ev_stream = snb_bus_register(bus, SNB_RTP_STREAM_EVENT);
    snb_metric_group_t metrics = {
        .prefix = "rtp", .defs = counter_defs, .n = C_COUNT, .collect = collect_metrics, .ud = m};
    /* The SIP module (a dependency) has run its init: its store is there. */
    m->dialogs = snb_core_service(core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION);
    int rc = !m->gone           ? -ENOMEM
             : m->ev_rtcp < 0   ? m->ev_rtcp
             : m->ev_stream < 0 ? m->ev_stream
                                : snb_core_metrics(core, &metrics);
    if (rc == 0) rc = rtp_annotation_register(m);
    if (rc == 0 && c->streams_json &&
        !(m->out_streams = snb_output_claim(core, "rtp", "--streams-json", SNB_OUT_JSON, 0)))
        rc = -ENOMEM;
    if (rc == 0 && c->report &&
        !(m->out_report = snb_output_claim(core, "rtp", "--report", SNB_OUT_TEXT, 0)))
        rc = -ENOMEM;
    if (rc) {
        rtp_fini(m); /* init failed: the core will not call fini */
        return rc;
    }
    snb_core_provide(core, SNB_MEDIA_SERVICE, SNB_MEDIA_SERVICE_VERSION, &m->service);
    *state = m;
    return 0;
}

static int rtp_start(void *state)
{
    rtp_mod_t *m = state;
    snb_bus_t *bus = snb_core_bus(m->core);
    m->ev_sip = snb_bus_lookup(bus, SNB_SIP_MESSAGE_EVENT); /* sip is a dependency: present */
    const snb_event_type_t types[] = {SNB_EV_PACKET, m->ev_sip, SNB_EV_CAPTURE_END};
    m->sub = snb_bus_subscribe(bus, types, 3, on_event, m);
    return m->sub > 0 ? 0 : m->sub;
}

static void rtp_stop(void *state)
{
    rtp_mod_t *m = state;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
    copy_counters(m);
}

static void rtp_fini(void *state)
{
    rtp_mod_t *m = state;
    rtp_table_free(m->table); /* calls on_stream_end (not evicted) as it frees */
    rtp_calls_free(m->calls);
    snb_filter_free(m->filter);
    rtp_media_free(m);
    free(m);
}

static const char *const rtp_depends[] = {"sip", NULL};

static const snb_option_t rtp_options[] = {
    {.name = "streams_json",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(rtp_conf_t, streams_json),
     .help = "when the input ends, print one JSON object per stream (--streams-json)"},
    {.name = "report",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(rtp_conf_t, report),
     .help = "when the input ends, print a table of all streams (--report)"},
    {.name = "filter",
     .type = SNB_OPT_STRING,
     .offset = offsetof(rtp_conf_t, filter),
     .help = "only streams matching this expression are printed (--stream-filter; fields "
             "rtp.mos, rtp.loss, rtp.jitter, rtp.orphaned, codec, call_id, packets, ssrc)"},
    {.name = "max_streams",
     .type = SNB_OPT_INT,
     .def = "100000",
     .min = 16,
     .max = 10000000,
     .offset = offsetof(rtp_conf_t, max_streams),
     .help = "streams held; beyond, the least recently active one is evicted (counted)"},
    {.name = "max_calls",
     .type = SNB_OPT_INT,
     .def = "100000",
     .min = 16,
     .max = 10000000,
     .offset = offsetof(rtp_conf_t, max_calls),
     .help = "calls whose SDP endpoints are held; beyond, the call that ended first (else the "
             "least recently updated) is evicted in O(1) (counted)"},
    {.name = "call_linger",
     .type = SNB_OPT_DURATION,
     .def = "0",
     .max = 30ull * 24 * 3600 * 1000,
     .offset = offsetof(rtp_conf_t, call_linger),
     .help = "forget a call this long (capture time) after it ended; 0 keeps ended calls until "
             "the table is full (the end-of-input reports and the API need them)"},
    {.name = "heuristic",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(rtp_conf_t, heuristic),
     .help = "find RTP that no captured SDP announced (RTP-only captures)"},
    {.name = "heuristic_packets",
     .type = SNB_OPT_INT,
     .def = "2",
     .min = 2,
     .max = 8,
     .offset = offsetof(rtp_conf_t, heuristic_packets),
     .help = "consecutive packets that confirm a stream found by the heuristic"},
    {.name = "orphan_timeout",
     .type = SNB_OPT_DURATION,
     .def = "10s",
     .min = 1,
     .max = 3600000,
     .offset = offsetof(rtp_conf_t, orphan_timeout),
     .help = "capture time after its first packet that a stream waits for an SDP to claim it"},
    {.name = "interval",
     .type = SNB_OPT_DURATION,
     .def = "5s",
     .min = 100,
     .max = 3600000,
     .offset = offsetof(rtp_conf_t, interval),
     .help = "length of a quality interval"},
    {.name = "late_media",
     .type = SNB_OPT_DURATION,
     .def = "1s",
     .min = 1,
     .max = 3600000,
     .offset = offsetof(rtp_conf_t, late_media),
     .help = "first RTP this long after the 200 OK is reported as late media"},
    {.name = "poor_loss",
     .type = SNB_OPT_STRING,
     .def = "5",
     .offset = offsetof(rtp_conf_t, poor_loss),
     .help = "poor_quality: a direction losing this percentage of its packets (0 = off)"},
    {.name = "poor_jitter",
     .type = SNB_OPT_STRING,
     .def = "30",
     .offset = offsetof(rtp_conf_t, poor_jitter),
     .help = "poor_quality: a direction with this mean jitter in ms (RFC 3550, as Wireshark's "
             "Mean Jitter; 0 = off)"},
    {.name = "poor_mos",
     .type = SNB_OPT_STRING,
     .def = "3.1",
     .offset = offsetof(rtp_conf_t, poor_mos),
     .help = "poor_quality: a direction whose MOS is below this (0 = off)"},
    {.name = "poor_min_packets",
     .type = SNB_OPT_INT,
     .def = "50",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(rtp_conf_t, poor_min_packets),
     .help = "poor_quality: streams with fewer packets are not judged"},
    SNB_OPTIONS_END,
};

static const snb_flag_t rtp_flags[] = {
    {.name = "report",
     .key = "report",
     .value = "yes",
     .help = "when the input ends, a table of every RTP stream"},
    {.name = "streams-json",
     .key = "streams_json",
     .value = "yes",
     .help = "when the input ends, one JSON object per RTP stream"},
    {.name = "stream-filter",
     .arg = "EXPR",
     .key = "filter",
     .help = "only streams matching EXPR are printed (rtp.mos, rtp.loss, codec, ...)"},
    {.name = NULL},
};

SNB_MODULE(.description = "RTP/RTCP streams, RFC 3550 quality, MOS, DTMF, media diagnosis",
           .depends = rtp_depends, .options = rtp_options, .conf_size = sizeof(rtp_conf_t),
           .cli_flags = rtp_flags, .init = rtp_init, .start = rtp_start, .stop = rtp_stop,
           .fini = rtp_fini);
