/* The agent module (docs/modules/agent.md): a sipnab daemon that captures
 * for sessions a command center (sipnab-center) starts and stops.
 *
 *   sipnab -d eth0 --agent-center http://center:9070 --agent-name edge-1 -c agent.conf
 *
 * This file is the loop side: it evaluates every running session's
 * criteria on every SIP message (through the parsed SIP accessors), follows
 * the matching calls (their later messages, their RTP when capture_rtp, the
 * frames when capture_pcap), turns what belongs to a session into events,
 * and queues them for the worker thread (agent_out_post.c). Commands come
 * from the listener thread (agent_out_listen.c) and the registration answer
 * through snb_handoff rings; log lines from the tailers (agent_out_tail.c). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "agent_event.h"
#include "agent_msgview.h"
#include "agent_out.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/rtp.h"
#include "sipnab/sip.h"

#define TICK_MS 250
#define HANDOFF_BYTES (4u << 20)

static uint64_t wall_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* ---- sessions ---- */

static void refresh_flags(agent_t *a)
{
    a->used_mask = agent_sessions_mask(&a->sessions);
    a->any_pcap = a->any_rtp = false;
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++) {
        const agent_session_t *s = &a->sessions.slot[i];
        if (!s->used) continue;
        a->any_pcap |= s->capture_pcap;
        a->any_rtp |= s->capture_rtp;
    }
}

void agent_publish_ids(agent_t *a)
{
    pthread_mutex_lock(&a->ids_mu);
    a->n_ids = 0;
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++)
        if (a->sessions.slot[i].used)
            memcpy(a->ids[a->n_ids++], a->sessions.slot[i].id, sizeof a->ids[0]);
    pthread_mutex_unlock(&a->ids_mu);
}

static void stop_session(agent_t *a, int slot, const char *why)
{
    a->put_ms[slot] = 0;
    agent_session_t *s = &a->sessions.slot[slot];
    snb_log_info(a->core, "agent", "session %s stopped (%s)", s->id, why);
    agent_follow_drop_session(&a->follow, slot);
    agent_sessions_remove(&a->sessions, s->id);
}

/* Starts or updates a session from its command object. */
static bool put_session(agent_t *a, const json_t *body, const char *path_id)
{
    agent_session_cmd_t cmd;
    char err[256];
    if (agent_session_cmd_parse(body, path_id, &cmd, err, sizeof err) != 0) {
        snb_log_warn(a->core, "agent", "%s", err);
        return false;
    }
    bool created;
    int slot = agent_sessions_put(&a->sessions, &cmd, &created);
    if (slot < 0) {
        snb_log_warn(a->core, "agent",
                     "session %s refused: %zu sessions already run (max_sessions)", cmd.id,
                     a->sessions.n);
        agent_session_cmd_clear(&cmd);
        return false;
    }
    if (created) {
        /* Started again after a restart: continue past what the center already
         * stored from us (its last_seq) and past the saved seq, if any. */
        uint64_t resume = a->seq_state ? agent_seq_resume(a->seq_state, cmd.id) : 0;
        if (cmd.last_seq > resume) resume = cmd.last_seq;
        if (resume > a->sessions.slot[slot].seq) a->sessions.slot[slot].seq = resume;
    }
    if (created) {
        json_t *cj = snb_criteria_json(a->sessions.slot[slot].criteria);
        char *cs = cj ? json_dumps(cj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        snb_log_info(a->core, "agent", "session %s started: %s%s%s", cmd.id, cs ? cs : "",
                     cmd.capture_rtp ? " rtp" : "", cmd.capture_pcap ? " pcap" : "");
        free(cs);
        json_decref(cj);
    }
    return true;
}

void agent_apply_op(void *ud, const void *hdr, size_t hdr_len, const uint8_t *data, size_t len)
{
    agent_t *a = ud;
    if (hdr_len != sizeof(agent_op_t)) return;
    agent_op_t op;
    memcpy(&op, hdr, sizeof op);
    op.id[AGENT_SESSION_ID_LEN] = '\0';
    json_t *j = (data && len) ? json_loadb((const char *)data, len, 0, NULL) : NULL;
    if (op.op == AGENT_OP_PUT) {
        int slot = j && put_session(a, j, op.id) ? agent_sessions_find(&a->sessions, op.id) : -1;
        if (slot >= 0) a->put_ms[slot] = agent_mono_ms();
    } else if (op.op == AGENT_OP_DELETE) {
        int slot = agent_sessions_find(&a->sessions, op.id);
        if (slot >= 0) stop_session(a, slot, "stopped by the center");
    } else if (op.op == AGENT_OP_SYNC && json_is_array(j)) {
        /* The registration answer: exactly these sessions run now. */
        bool keep[AGENT_SESSIONS_MAX] = {false};
        size_t i;
        json_t *cmd;
        json_array_foreach(j, i, cmd)
        {
            if (!put_session(a, cmd, NULL)) continue;
            const char *id = json_string_value(json_object_get(cmd, "id"));
            int slot = id ? agent_sessions_find(&a->sessions, id) : -1;
            if (slot >= 0) keep[slot] = true;
        }
        /* A session started by a command after the registration was sent
         * may be newer than the list: it stays. */
        for (int s = 0; s < AGENT_SESSIONS_MAX; s++)
            if (a->sessions.slot[s].used && !keep[s] && a->put_ms[s] < op.asked_ms)
                stop_session(a, s, "not in the center's list at registration");
    }
    json_decref(j);
    if ((op.op == AGENT_OP_SYNC || op.op == AGENT_OP_REGISTER_FAILED) && a->holding) {
        /* A capture file is read once the center said which sessions run
         * (or could not be asked), so its first calls are not missed. */
        a->holding = false;
        snb_core_pressure(a->core, false);
    }
    refresh_flags(a);
    agent_publish_ids(a);
}

/* ---- events out ---- */

void agent_enqueue(agent_t *a, const char *json, size_t len)
{
    pthread_mutex_lock(&a->mu);
    bool ok = agent_queue_push(&a->queue, json, len);
    pthread_mutex_unlock(&a->mu);
    agent_count(a, ok ? C_EVENTS_QUEUED : C_EVENTS_DROPPED_QUEUE, 1);
    if (ok) agent_worker_wake(a);
}

/* One copy of ev per session in mask, each with its own seq. */
static void send_to_sessions(agent_t *a, json_t *ev, uint64_t mask)
{
    for (int i = 0; i < AGENT_SESSIONS_MAX && mask; i++) {
        if (!(mask & (1ULL << i))) continue;
        mask &= ~(1ULL << i);
        agent_session_t *s = &a->sessions.slot[i];
        if (!s->used) continue;
        size_t len;
        char *text = agent_event_stamp(ev, s->id, s->seq + 1, &len);
        if (!text) continue;
        s->seq++;
        agent_enqueue(a, text, len);
        free(text);
    }
}

static uint64_t sessions_with(const agent_t *a, bool rtp, bool pcap)
{
    uint64_t m = 0;
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++) {
        const agent_session_t *s = &a->sessions.slot[i];
        if (s->used && (!rtp || s->capture_rtp) && (!pcap || s->capture_pcap)) m |= 1ULL << i;
    }
    return m;
}

/* ---- packets: the frame of a SIP message, RTP of followed calls ---- */

static void keep_frame(agent_t *a, const snb_packet_t *p)
{
    const snb_frame_t *f = p->frame;
    if (!f || !f->data) return;
    if (f->caplen > a->frame_cap) {
        size_t cap = f->caplen < 2048 ? 2048 : f->caplen;
        uint8_t *n = realloc(a->frame, cap);
        if (!n) return;
        a->frame = n;
        a->frame_cap = cap;
    }
    memcpy(a->frame, f->data, f->caplen);
    a->frame_len = f->caplen;
    a->frame_orig_len = f->wirelen;
    a->frame_linktype = f->linktype;
    a->frame_ts = f->ts_us;
    a->frame_src = p->src;
    a->frame_dst = p->dst;
    a->frame_sport = p->sport;
    a->frame_dport = p->dport;
}

static void on_packet(agent_t *a, const snb_packet_event_t *pe)
{
    if (!a->any_pcap) return;
    const snb_packet_t *p = &pe->pkt;
    if (!p->payload_len) return;
    uint8_t b = p->payload[0];
    /* SIP starts with a method or "SIP/2.0"; over TCP (and WebSocket) any
     * segment may end a message. The sip.message that follows in this
     * dispatch picks the frame up if its addresses match. */
    if ((b >= 'A' && b <= 'Z') || b == '\r' || b == '\n' || p->transport == SNB_TRANSPORT_TCP) {
        keep_frame(a, p);
        return;
    }
    if (p->transport != SNB_TRANSPORT_UDP || !a->any_rtp || (b & 0xc0) != 0x80) return;
    agent_follow_entry_t *e =
        agent_follow_find_media(&a->follow, p->dst.family, p->dst.a, p->dport);
    if (!e) e = agent_follow_find_media(&a->follow, p->src.family, p->src.a, p->sport);
    if (!e || !p->frame) return;
    uint64_t mask = e->sessions & sessions_with(a, true, true);
    if (!mask) return;
    char src[64], dst[64];
    agent_format_endpoint(p->src.family, p->src.a, p->sport, src, sizeof src);
    agent_format_endpoint(p->dst.family, p->dst.a, p->dport, dst, sizeof dst);
    uint32_t ssrc = p->payload_len >= 12
                        ? (uint32_t)p->payload[8] << 24 | (uint32_t)p->payload[9] << 16 |
                              (uint32_t)p->payload[10] << 8 | p->payload[11]
                        : 0;
    agent_rtp_fields_t f = {.ts_us = p->ts_us,
                            .call_id = e->call_id,
                            .src = src,
                            .dst = dst,
                            .ssrc = ssrc,
                            .pt = -1,
                            .sample = false,
                            .packet = {p->frame->data, p->frame->caplen, p->frame->wirelen,
                                       p->frame->linktype, p->frame->ts_us}};
    json_t *ev = agent_event_rtp(&f);
    if (!ev) return;
    send_to_sessions(a, ev, mask);
    json_decref(ev);
    agent_count(a, C_RTP_PACKETS, 1);
}

/* ---- SIP messages ---- */

static const char *const transport_names[] = {"udp", "tcp", "sctp", "ws", "tls"};

static void on_sip_message(agent_t *a, const snb_sip_message_event_t *ev)
{
    if (a->sessions.n == 0 || !ev->call_id.p || !ev->call_id.len) return;
    agent_follow_entry_t *e = agent_follow_find(&a->follow, ev->call_id.p, ev->call_id.len);
    uint64_t used = a->used_mask;
    uint64_t mask = e ? (e->sessions & used) : 0;
    if (mask != used) {
        /* The message's own fields first; From/To/R-URI/headers are read
         * through the accessors only for sessions that pass the cheap
         * criteria and need them. */
        agent_msgview_t v;
        agent_msgview_init(&v, ev);
        for (uint64_t todo = used & ~mask; todo; todo &= todo - 1) {
            int i = __builtin_ctzll(todo);
            uint64_t bit = 1ULL << i;
            const snb_criteria_t *c = a->sessions.slot[i].criteria;
            if (!snb_criteria_prefilter(c, &v.m)) continue;
            agent_msgview_need(&v, snb_criteria_needs(c), a->conf->tenant_headers.v,
                               a->conf->tenant_headers.n);
            if (snb_criteria_match(c, &v.m)) mask |= bit;
        }
    }
    if (!mask) return;
    uint64_t now = wall_us();
    e = agent_follow_add(&a->follow, ev->call_id.p, ev->call_id.len, mask, now);
    if (!e) agent_count(a, C_CALLS_REFUSED, 1);
    for (unsigned i = 0; e && i < ev->n_media && i < SNB_SIP_MAX_MEDIA; i++) {
        agent_endpoint_t ep = {.family = ev->media[i].addr.family, .port = ev->media[i].port};
        memcpy(ep.a, ev->media[i].addr.a, sizeof ep.a);
        agent_follow_add_media(&a->follow, e, &ep);
    }
    agent_count(a, C_SIP_MATCHED, 1);

    char src[64], dst[64], summary[600];
    agent_format_endpoint(ev->src.family, ev->src.a, ev->sport, src, sizeof src);
    agent_format_endpoint(ev->dst.family, ev->dst.a, ev->dport, dst, sizeof dst);
    if (ev->is_request) {
        snb_str_t ruri = ev->sip && ev->msg ? ev->sip->request_uri(ev->msg) : SNB_STR_NULL;
        snprintf(summary, sizeof summary, "%.*s %.*s", (int)ev->method_name.len,
                 ev->method_name.p ? ev->method_name.p : "", (int)(ruri.len > 500 ? 500 : ruri.len),
                 ruri.p ? ruri.p : "");
    } else {
        snb_str_t reason = ev->sip && ev->msg ? ev->sip->reason(ev->msg) : SNB_STR_NULL;
        snprintf(summary, sizeof summary, "%u %.*s", ev->status,
                 (int)(reason.len > 500 ? 500 : reason.len), reason.p ? reason.p : "");
    }
    agent_sip_fields_t f = {
        .ts_us = ev->ts_us,
        .type = ev->transport == 3 ? "webrtc" : "sip",
        .call_id = ev->call_id.p,
        .call_id_len = ev->call_id.len,
        .src = src,
        .dst = dst,
        .transport = ev->transport < 5 ? transport_names[ev->transport] : "other",
        .method = ev->is_request ? ev->method_name.p : NULL,
        .method_len = ev->method_name.len,
        .status = ev->is_request ? 0 : ev->status,
        .summary = summary,
        .summary_len = strlen(summary),
        .data = ev->raw,
        .data_len = ev->raw_len,
    };
    json_t *plain = agent_event_sip(&f);
    if (!plain) return;
    uint64_t pcap_mask = mask & sessions_with(a, false, true);
    json_t *with_packet = NULL;
    /* The frame kept in this dispatch: same capture time, addresses and
     * ports (an older frame of the same flow must not stand in for it). */
    if (pcap_mask && a->frame_len && a->frame_ts == ev->ts_us && a->frame_sport == ev->sport &&
        a->frame_dport == ev->dport && memcmp(&a->frame_src, &ev->src, sizeof ev->src) == 0 &&
        memcmp(&a->frame_dst, &ev->dst, sizeof ev->dst) == 0) {
        f.packet = (agent_packet_ref_t){a->frame, a->frame_len, a->frame_orig_len,
                                        a->frame_linktype, a->frame_ts};
        with_packet = agent_event_sip(&f);
    }
    send_to_sessions(a, plain, mask & ~(with_packet ? pcap_mask : 0));
    if (with_packet) send_to_sessions(a, with_packet, pcap_mask);
    json_decref(plain);
    json_decref(with_packet);
}

/* ---- RTP samples ---- */

typedef struct sample_ctx {
    agent_t *a;
    uint64_t mask;
    const char *call_id;
    agent_follow_entry_t *entry;
} sample_ctx_t;

static bool on_stream(void *ud, const snb_stream_info_t *s)
{
    sample_ctx_t *c = ud;
    /* One sample per interval while the stream receives packets: a stream
     * that got none since its last sample is quiet (its end sends the
     * final figures from rtp.stream). */
    if (!s->packets || !agent_follow_sampled(c->entry, s->id, s->packets)) return true;
    json_t *sj = c->a->media->stream_json(c->a->media->ctx, s->handle);
    agent_rtp_fields_t f = {
        .ts_us = wall_us(),
        .call_id = c->call_id,
        .src = json_string_value(json_object_get(sj, "src")),
        .dst = json_string_value(json_object_get(sj, "dst")),
        .ssrc = s->ssrc,
        .pt = json_is_integer(json_object_get(sj, "payload_type"))
                  ? (int)json_integer_value(json_object_get(sj, "payload_type"))
                  : -1,
        .packets = s->packets,
        .lost = json_integer_value(json_object_get(sj, "lost")),
        .jitter_ms = s->jitter_ms,
        .sample = true,
    };
    if (!f.src) f.src = "";
    if (!f.dst) f.dst = "";
    json_t *ev = agent_event_rtp(&f);
    json_decref(sj);
    if (ev) {
        send_to_sessions(c->a, ev, c->mask);
        json_decref(ev);
        agent_count(c->a, C_RTP_SAMPLES, 1);
    }
    return true;
}

static bool sample_call(void *ud, agent_follow_entry_t *e)
{
    agent_t *a = ud;
    uint64_t mask = e->sessions & sessions_with(a, true, false);
    if (!mask) return true;
    sample_ctx_t c = {a, mask, e->call_id, e};
    a->media->dialog_streams(a->media->ctx, e->call_id, on_stream, &c);
    return true;
}

/* A stream ended: its final figures, once. */
static void on_stream_end(agent_t *a, const snb_rtp_stream_event_t *st)
{
    if (!a->any_rtp || !st->call_id[0]) return;
    agent_follow_entry_t *e = agent_follow_find(&a->follow, st->call_id, strlen(st->call_id));
    uint64_t mask = e ? e->sessions & sessions_with(a, true, false) : 0;
    if (!mask) return;
    char src[64], dst[64];
    agent_format_endpoint(st->src.family, st->src.a, st->sport, src, sizeof src);
    agent_format_endpoint(st->dst.family, st->dst.a, st->dport, dst, sizeof dst);
    agent_rtp_fields_t f = {.ts_us = st->last_us,
                            .call_id = st->call_id,
                            .src = src,
                            .dst = dst,
                            .ssrc = st->ssrc,
                            .pt = st->payload_type,
                            .packets = st->packets,
                            .lost = st->lost,
                            .jitter_ms = st->mean_jitter_ms,
                            .sample = true};
    json_t *ev = agent_event_rtp(&f);
    if (!ev) return;
    send_to_sessions(a, ev, mask);
    json_decref(ev);
    agent_count(a, C_RTP_SAMPLES, 1);
}

static void on_event(void *ud, const snb_event_t *ev)
{
    agent_t *a = ud;
    snb_event_type_t t = (snb_event_type_t)ev->type;
    if (t == SNB_EV_PACKET)
        on_packet(a, (const snb_packet_event_t *)ev);
    else if (t == a->ev_message)
        on_sip_message(a, (const snb_sip_message_event_t *)ev);
    else if (t == a->ev_stream)
        on_stream_end(a, (const snb_rtp_stream_event_t *)ev);
}

/* ---- log lines ---- */

typedef struct log_ctx {
    agent_t *a;
    uint64_t mask;
    const char *call_id;
} log_ctx_t;

static bool on_token(void *ud, const char *tok, size_t len)
{
    log_ctx_t *c = ud;
    agent_follow_entry_t *e = agent_follow_find(&c->a->follow, tok, len);
    if (!e) return true;
    c->mask |= e->sessions;
    if (!c->call_id) c->call_id = e->call_id;
    return true;
}

void agent_log_line(agent_t *a, const char *file, const char *line, size_t len)
{
    if (a->sessions.n == 0) return;
    log_ctx_t c = {a, 0, NULL};
    if (a->follow.n) agent_line_tokens(line, len, on_token, &c);
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++) {
        const agent_session_t *s = &a->sessions.slot[i];
        if (s->used && !(c.mask & (1ULL << i)) && snb_criteria_match_line(s->criteria, line, len))
            c.mask |= 1ULL << i;
    }
    c.mask &= agent_sessions_mask(&a->sessions);
    if (!c.mask) return;
    json_t *ev = agent_event_log(wall_us(), file, line, len, c.call_id);
    if (!ev) return;
    send_to_sessions(a, ev, c.mask);
    json_decref(ev);
    agent_count(a, C_LOG_LINES_MATCHED, 1);
}

/* ---- the tick: log files, expiry, samples ---- */

/* Writes the sessions' seqs to state_file when they changed (write and
 * rename, so a crash leaves the old or the new file). */
static void save_seq_state(agent_t *a, bool force)
{
    if (!a->conf->state_file) return;
    uint64_t sum = 0;
    for (int i = 0; i < AGENT_SESSIONS_MAX; i++)
        if (a->sessions.slot[i].used) sum += a->sessions.slot[i].seq * 31 + (uint64_t)i;
    if (!force && sum == a->seq_state_sum) return;
    json_t *st = agent_seq_state(&a->sessions);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", a->conf->state_file);
    if (!st || json_dump_file(st, tmp, JSON_COMPACT) != 0 ||
        rename(tmp, a->conf->state_file) != 0) {
        if (!a->state_error_logged)
            snb_log_warn(a->core, "agent", "state_file %s: cannot write", a->conf->state_file);
        a->state_error_logged = true;
    } else {
        a->seq_state_sum = sum;
    }
    json_decref(st);
}

static void on_tick(uv_timer_t *t)
{
    agent_t *a = t->data;
    save_seq_state(a, false);
    agent_tailers_poll(a);
    uint64_t now = wall_us();
    int slots[AGENT_SESSIONS_MAX];
    size_t n = agent_sessions_expired(&a->sessions, now, slots);
    for (size_t i = 0; i < n; i++)
        stop_session(a, slots[i], "expired");
    if (n) {
        refresh_flags(a);
        agent_publish_ids(a);
    }
    uint64_t idle_us = a->conf->call_idle * 1000u;
    if (now > idle_us) agent_follow_expire(&a->follow, now - idle_us);
    uint64_t ms = uv_now(snb_core_loop(a->core));
    if (a->media && a->any_rtp && ms >= a->next_sample_ms) {
        agent_follow_foreach(&a->follow, sample_call, a);
        a->next_sample_ms = ms + a->conf->rtp_sample_interval;
    }
}

/* ---- metrics ---- */

static const char *const state_label[] = {"state", NULL};
static const char *const result_label[] = {"result", NULL};
enum {
    M_EVENTS,
    M_BATCHES,
    M_COMMANDS,
    M_REGISTRATIONS,
    M_LOG_LINES,
    M_LOG_ROTATIONS,
    M_SIP_MATCHED,
    M_RTP_SAMPLES,
    M_RTP_PACKETS,
    M_CALLS_REFUSED,
    M_SESSIONS,
    M_FOLLOWED,
    M_QUEUE,
    M_COUNT
};
static const snb_metric_def_t metric_defs[M_COUNT] = {
    [M_EVENTS] = {.name = "events",
                  .help = "events for sessions: queued, sent, dropped "
                          "(queue_full, refused, at_stop), rejected by the center",
                  .type = SNB_METRIC_COUNTER,
                  .labels = state_label},
    [M_BATCHES] = {.name = "batches",
                   .help = "batches posted to /api/ingest: sent, retried",
                   .type = SNB_METRIC_COUNTER,
                   .labels = result_label},
    [M_COMMANDS] = {.name = "commands",
                    .help = "session commands: accepted, refused, "
                            "unauthorized",
                    .type = SNB_METRIC_COUNTER,
                    .labels = result_label},
    [M_REGISTRATIONS] = {.name = "registrations",
                         .help = "registrations with the center: ok, "
                                 "failed",
                         .type = SNB_METRIC_COUNTER,
                         .labels = result_label},
    [M_LOG_LINES] = {.name = "log_lines",
                     .help = "lines of tailed log files: read, matched",
                     .type = SNB_METRIC_COUNTER,
                     .labels = result_label},
    [M_LOG_ROTATIONS] = {.name = "log_rotations",
                         .help = "tailed log files rotated or truncated",
                         .type = SNB_METRIC_COUNTER},
    [M_SIP_MATCHED] = {.name = "sip_matched",
                       .help = "SIP messages that belong to a session",
                       .type = SNB_METRIC_COUNTER},
    [M_RTP_SAMPLES] = {.name = "rtp_samples",
                       .help = "RTP samples sent",
                       .type = SNB_METRIC_COUNTER},
    [M_RTP_PACKETS] = {.name = "rtp_packets",
                       .help = "RTP packets sent for export (capture_pcap)",
                       .type = SNB_METRIC_COUNTER},
    [M_CALLS_REFUSED] = {.name = "calls_refused",
                         .help = "matching messages whose call could "
                                 "not be followed (max_calls reached)",
                         .type = SNB_METRIC_COUNTER},
    [M_SESSIONS] = {.name = "sessions", .help = "sessions running", .type = SNB_METRIC_GAUGE},
    [M_FOLLOWED] = {.name = "followed_calls",
                    .help = "calls followed for sessions",
                    .type = SNB_METRIC_GAUGE},
    [M_QUEUE] = {.name = "queue_events",
                 .help = "events waiting to be sent",
                 .type = SNB_METRIC_GAUGE},
};

static void put1(snb_metric_sink_t *sink, size_t m, const char *label, uint64_t v)
{
    const char *vals[] = {label};
    snb_metric_put(sink, m, vals, (double)v);
}

static void collect(void *ud, snb_metric_sink_t *sink)
{
    agent_t *a = ud;
#define C(x) atomic_load_explicit(&a->counters[x], memory_order_relaxed)
    put1(sink, M_EVENTS, "queued", C(C_EVENTS_QUEUED));
    put1(sink, M_EVENTS, "sent", C(C_EVENTS_SENT));
    put1(sink, M_EVENTS, "dropped_queue_full", C(C_EVENTS_DROPPED_QUEUE));
    put1(sink, M_EVENTS, "dropped_refused", C(C_EVENTS_DROPPED_REFUSED));
    put1(sink, M_EVENTS, "dropped_at_stop", C(C_EVENTS_DROPPED_STOP));
    put1(sink, M_EVENTS, "rejected", C(C_EVENTS_REJECTED));
    put1(sink, M_BATCHES, "sent", C(C_BATCHES_SENT));
    put1(sink, M_BATCHES, "retried", C(C_BATCHES_RETRIED));
    put1(sink, M_COMMANDS, "accepted", C(C_COMMANDS_ACCEPTED));
    put1(sink, M_COMMANDS, "refused", C(C_COMMANDS_REFUSED));
    put1(sink, M_COMMANDS, "unauthorized", C(C_COMMANDS_UNAUTHORIZED));
    put1(sink, M_REGISTRATIONS, "ok", C(C_REGISTER_OK));
    put1(sink, M_REGISTRATIONS, "failed", C(C_REGISTER_FAILED));
    put1(sink, M_LOG_LINES, "read", C(C_LOG_LINES_READ));
    put1(sink, M_LOG_LINES, "matched", C(C_LOG_LINES_MATCHED));
    snb_metric_put(sink, M_LOG_ROTATIONS, NULL, (double)C(C_LOG_ROTATIONS));
    snb_metric_put(sink, M_SIP_MATCHED, NULL, (double)C(C_SIP_MATCHED));
    snb_metric_put(sink, M_RTP_SAMPLES, NULL, (double)C(C_RTP_SAMPLES));
    snb_metric_put(sink, M_RTP_PACKETS, NULL, (double)C(C_RTP_PACKETS));
    snb_metric_put(sink, M_CALLS_REFUSED, NULL, (double)C(C_CALLS_REFUSED));
#undef C
    snb_metric_put(sink, M_SESSIONS, NULL, (double)a->sessions.n);
    snb_metric_put(sink, M_FOLLOWED, NULL, (double)a->follow.n);
    pthread_mutex_lock(&a->mu);
    size_t q = a->queue.n;
    pthread_mutex_unlock(&a->mu);
    snb_metric_put(sink, M_QUEUE, NULL, (double)q);
}

/* ---- lifetime ---- */

static bool name_valid(const char *n)
{
    size_t i = 0;
    for (; n && n[i]; i++) {
        char c = n[i];
        if (i >= 64 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return i > 0;
}

static int check_conf(snb_core_t *core, const agent_conf_t *c)
{
    char where[256];
#define WHERE(key, flag) snb_core_option_where(core, "agent", NULL, key, flag, where, sizeof where)
    if (!c->center || (strncmp(c->center, "http://", 7) && strncmp(c->center, "https://", 8))) {
        snb_log_error(core, "agent", "%s: the center's URL (http:// or https://) is required",
                      WHERE("center", "--agent-center"));
        return -EINVAL;
    }
    if (!name_valid(c->name)) {
        snb_log_error(core, "agent", "%s: 1-64 characters of A-Z a-z 0-9 . _ - required",
                      WHERE("name", "--agent-name"));
        return -EINVAL;
    }
    if (!c->collector_token || !c->collector_token[0]) {
        snb_log_error(core, "agent", "%s: required (the center's collector token)",
                      WHERE("collector_token", "--agent-collector-token"));
        return -EINVAL;
    }
    if (!c->command_token || strlen(c->command_token) < 16) {
        snb_log_error(core, "agent", "%s: required, at least 16 characters",
                      WHERE("command_token", "--agent-command-token"));
        return -EINVAL;
    }
    if (!!c->tls_cert != !!c->tls_key) {
        snb_log_error(core, "agent", "%s: tls_cert and tls_key go together",
                      WHERE(c->tls_cert ? "tls_key" : "tls_cert", NULL));
        return -EINVAL;
    }
    if (c->tenant_headers.n > AGENT_TENANT_HEADERS_MAX) {
        snb_log_error(core, "agent", "%s: at most %d headers", WHERE("tenant_headers", NULL),
                      AGENT_TENANT_HEADERS_MAX);
        return -EINVAL;
    }
#undef WHERE
    return 0;
}

static int agent_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    const agent_conf_t *conf = inst[0].conf;
    int rc = check_conf(core, conf);
    if (rc) return rc;
    agent_t *a = calloc(1, sizeof *a);
    if (!a) return -ENOMEM;
    a->core = core;
    a->conf = conf;
    agent_sessions_init(&a->sessions, (size_t)conf->max_sessions);
    if (agent_follow_init(&a->follow, (size_t)conf->max_calls, snb_core_hash_key(core)) != 0) {
        free(a);
        return -ENOMEM;
    }
    agent_queue_init(&a->queue, (size_t)conf->buffer_events, (size_t)conf->buffer_bytes);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    pthread_mutex_init(&a->ids_mu, NULL);
    snb_metric_group_t g = {
        .prefix = "agent", .defs = metric_defs, .n = M_COUNT, .collect = collect, .ud = a};
    rc = snb_core_metrics(core, &g);
    if (rc) {
        agent_follow_free(&a->follow);
        free(a);
        return rc;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    *state = a;
    return 0;
}

static int write_port_file(agent_t *a)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", a->conf->port_file);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", a->listen_port) < 0 || fclose(f) != 0 ||
        rename(tmp, a->conf->port_file) != 0) {
        snb_log_error(a->core, "agent", "option 'port_file': cannot write %s", a->conf->port_file);
        return -EIO;
    }
    return 0;
}

static int agent_start(void *state)
{
    agent_t *a = state;
    snb_bus_t *bus = snb_core_bus(a->core);
    uv_loop_t *loop = snb_core_loop(a->core);
    a->ev_message = snb_bus_lookup(bus, SNB_SIP_MESSAGE_EVENT);
    a->ev_stream = snb_bus_lookup(bus, SNB_RTP_STREAM_EVENT);
    a->media = snb_core_service(a->core, SNB_MEDIA_SERVICE, SNB_MEDIA_SERVICE_VERSION);
    if (a->ev_message < 0) {
        snb_log_error(a->core, "agent", "needs the sip module (sip.message events)");
        return -ENOENT;
    }
    a->from_listener = snb_handoff_new(a->core, HANDOFF_BYTES, agent_apply_op, a);
    a->from_worker = snb_handoff_new(a->core, HANDOFF_BYTES, agent_apply_op, a);
    if (!a->from_listener || !a->from_worker) return -ENOMEM;
    int rc = agent_listener_start(a);
    if (rc) return rc;
    if (a->conf->url && a->conf->url[0]) {
        snprintf(a->url, sizeof a->url, "%s", a->conf->url);
    } else {
        /* From the listen address, with the port actually bound (port 0). */
        char host[256];
        snprintf(host, sizeof host, "%s", a->conf->listen);
        char *colon = strrchr(host, ':');
        if (colon) *colon = '\0';
        if (!host[0] || !strcmp(host, "0.0.0.0") || !strcmp(host, "[::]"))
            snprintf(host, sizeof host, "127.0.0.1");
        snprintf(a->url, sizeof a->url, "%s://%s:%u", a->conf->tls_cert ? "https" : "http", host,
                 a->listen_port);
    }
    if (a->conf->port_file && (rc = write_port_file(a))) return rc;
    if (a->conf->state_file) {
        json_error_t je;
        a->seq_state = json_load_file(a->conf->state_file, 0, &je);
        if (!a->seq_state && access(a->conf->state_file, F_OK) == 0)
            snb_log_warn(a->core, "agent", "state_file %s: %s (seqs start at 1)",
                         a->conf->state_file, je.text);
    }
    if ((rc = agent_tailers_start(a))) return rc;
    const snb_event_type_t types[] = {SNB_EV_PACKET, a->ev_message, a->ev_stream};
    a->subscription = snb_bus_subscribe(bus, types, 3, on_event, a);
    if (a->subscription <= 0) return a->subscription ? a->subscription : -EINVAL;
    uv_timer_init(loop, &a->tick);
    a->tick.data = a;
    uv_timer_start(&a->tick, on_tick, TICK_MS, TICK_MS);
    a->tick_started = true;
    snb_log_info(a->core, "agent", "%s: commands on %s, center %s", a->conf->name, a->url,
                 a->conf->center);
    snb_core_pressure(a->core, true);
    a->holding = true;
    return agent_worker_start(a);
}

static void agent_stop(void *state)
{
    agent_t *a = state;
    if (a->tick_started) {
        uv_timer_stop(&a->tick);
        uv_close((uv_handle_t *)&a->tick, NULL);
        a->tick_started = false;
    }
    if (a->subscription > 0) snb_bus_unsubscribe(snb_core_bus(a->core), a->subscription);
    a->subscription = 0;
    agent_listener_stop(a);
    if (a->holding) snb_core_pressure(a->core, false);
    a->holding = false;
    agent_tailers_poll(a); /* lines written up to now */
    agent_tailers_stop(a);
    save_seq_state(a, false);
    agent_worker_stop(a); /* flushes the queue for up to flush_timeout */
    if (a->from_listener) snb_handoff_close(a->from_listener);
    if (a->from_worker) snb_handoff_close(a->from_worker);
    a->from_listener = a->from_worker = NULL;
}

static void agent_fini(void *state)
{
    agent_t *a = state;
    agent_sessions_clear(&a->sessions);
    agent_follow_free(&a->follow);
    agent_queue_clear(&a->queue);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->ids_mu);
    json_decref(a->seq_state);
    free(a->frame);
    free(a);
}

static const snb_option_t agent_options[] = {
    {.name = "center",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, center),
     .help = "base URL of sipnab-center (http://host:port or https://)"},
    {.name = "name",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, name),
     .help = "this agent's name at the center (1-64 of A-Z a-z 0-9 . _ -)"},
    {.name = "tags",
     .type = SNB_OPT_STRING,
     .def = "",
     .offset = offsetof(agent_conf_t, tags),
     .help = "comma-separated tags shown at the center (edge,kamailio,fra)"},
    {.name = "listen",
     .type = SNB_OPT_STRING,
     .def = "127.0.0.1:9071",
     .offset = offsetof(agent_conf_t, listen),
     .help = "ADDR:PORT for the center's session commands (port 0: any free port)"},
    {.name = "url",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, url),
     .help = "URL the center reaches the listener at (default: from listen)"},
    {.name = "collector_token",
     .type = SNB_OPT_STRING,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(agent_conf_t, collector_token),
     .help = "bearer token for the center's /api/ingest"},
    {.name = "command_token",
     .type = SNB_OPT_STRING,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(agent_conf_t, command_token),
     .help = "bearer token the center must present with commands (16+ characters)"},
    {.name = "tls_cert",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, tls_cert),
     .help = "PEM certificate: the command listener speaks HTTPS"},
    {.name = "tls_key",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, tls_key),
     .help = "PEM private key for tls_cert"},
    {.name = "center_ca",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, center_ca),
     .help = "CA bundle to verify an https:// center with"},
    {.name = "port_file",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, port_file),
     .help = "write the listener's bound port here at start"},
    {.name = "state_file",
     .type = SNB_OPT_STRING,
     .offset = offsetof(agent_conf_t, state_file),
     .help = "keep the sessions' event seqs here, so a restart does not reuse them"},
    {.name = "log_files",
     .type = SNB_OPT_LIST,
     .offset = offsetof(agent_conf_t, log_files),
     .help = "log files to tail for session lines (Kamailio, Asterisk, FreeSWITCH)"},
    {.name = "tenant_headers",
     .type = SNB_OPT_LIST,
     .def = "X-Tenant,X-Tenant-Code,X-Tenant-ID",
     .offset = offsetof(agent_conf_t, tenant_headers),
     .help = "headers whose value the tenant criterion compares"},
    {.name = "buffer_events",
     .type = SNB_OPT_INT,
     .def = "100000",
     .min = 1,
     .max = 10000000,
     .offset = offsetof(agent_conf_t, buffer_events),
     .help = "events kept while the center is slow or away; more are dropped and counted"},
    {.name = "buffer_bytes",
     .type = SNB_OPT_SIZE,
     .def = "256m",
     .min = 1024,
     .max = (int64_t)16 << 30,
     .offset = offsetof(agent_conf_t, buffer_bytes),
     .help = "bytes of queued events kept at most"},
    {.name = "batch_size",
     .type = SNB_OPT_INT,
     .def = "500",
     .min = 1,
     .max = 100000,
     .offset = offsetof(agent_conf_t, batch_size),
     .help = "events per /api/ingest request"},
    {.name = "rtp_sample_interval",
     .type = SNB_OPT_DURATION,
     .def = "5s",
     .min = 100,
     .max = 3600000,
     .offset = offsetof(agent_conf_t, rtp_sample_interval),
     .help = "one RTP sample per stream this often (capture_rtp)"},
    {.name = "register_interval",
     .type = SNB_OPT_DURATION,
     .def = "30s",
     .min = 100,
     .max = 86400000,
     .offset = offsetof(agent_conf_t, register_interval),
     .help = "registration (and heartbeat) with the center this often"},
    {.name = "flush_timeout",
     .type = SNB_OPT_DURATION,
     .def = "5s",
     .min = 0,
     .max = 600000,
     .offset = offsetof(agent_conf_t, flush_timeout),
     .help = "at shutdown, keep sending queued events this long"},
    {.name = "call_idle",
     .type = SNB_OPT_DURATION,
     .def = "1h",
     .min = 1000,
     .max = 604800000,
     .offset = offsetof(agent_conf_t, call_idle),
     .help = "forget a followed call after this long without a SIP message"},
    {.name = "max_sessions",
     .type = SNB_OPT_INT,
     .def = "64",
     .min = 1,
     .max = AGENT_SESSIONS_MAX,
     .offset = offsetof(agent_conf_t, max_sessions),
     .help = "sessions running at once"},
    {.name = "max_calls",
     .type = SNB_OPT_INT,
     .def = "10000",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(agent_conf_t, max_calls),
     .help = "calls followed at once"},
    SNB_OPTIONS_END,
};

static const snb_flag_t agent_flags[] = {
    {.name = "agent-center",
     .arg = "URL",
     .key = "center",
     .flags = SNB_FLAG_LOADS,
     .help = "run as an agent of this sipnab-center"},
    {.name = "agent-name",
     .arg = "NAME",
     .key = "name",
     .flags = SNB_FLAG_LOADS,
     .help = "this agent's name at the center"},
    {.name = "agent-tags", .arg = "TAGS", .key = "tags", .help = "tags shown at the center"},
    {.name = "agent-listen",
     .arg = "ADDR:PORT",
     .key = "listen",
     .help = "where the center's session commands arrive (default 127.0.0.1:9071)"},
    {.name = "agent-log",
     .arg = "FILE",
     .key = "log_files",
     .flags = SNB_FLAG_APPEND,
     .help = "tail this log file for session lines (repeatable)"},
    {.name = NULL},
};

static const char *const agent_depends[] = {"sip", NULL};

SNB_MODULE(.description = "agent: capture sessions commanded by sipnab-center",
           .depends = agent_depends, .options = agent_options, .conf_size = sizeof(agent_conf_t),
           .cli_flags = agent_flags, .init = agent_init, .start = agent_start, .stop = agent_stop,
           .fini = agent_fini);
