/* The syslog module: security alerts (and, if asked, quality drops) to
 * syslog, the spec's "Syslog Alerts" (docs/modules/syslog.md):
 *   sipnab -d eth0 --kill-scanner --alert syslog --syslog
 * One target: the local socket (RFC 3164, as local daemons expect), or a
 * remote collector over UDP or TCP (RFC 5424 with structured data; TCP
 * with octet-counting framing, RFC 6587). Sending never blocks the loop:
 * datagrams that cannot leave now are dropped, TCP keeps a bounded queue
 * while it (re)connects; every loss is counted. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "sipnab/core.h"
#include "sipnab/error.h"
#include "sipnab/format.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/rtp.h"
#include "sipnab/security.h"
#include "sipnab/sockaddr.h"
#include "syslog_format.h"

typedef struct syslog_conf {
    const char *alert; /* "syslog": the spec's --alert syslog */
    bool enabled;
    const char *target;
    const char *facility;
    const char *format;
    const char *app_name;
    const char *hostname;
    double quality_threshold; /* 0: quality drops are not sent */
    int64_t queue;
    uint64_t reconnect; /* ms */
} syslog_conf_t;

enum { T_UNIX, T_UDP, T_TCP };

enum { M_SENT, M_DROPPED_QUEUE, M_DROPPED_SEND, M_DROPPED_DISCONNECTED, M_RECONNECTS, M_COUNT };

typedef struct queued {
    struct queued *next;
    uv_write_t req;
    size_t len;
    char data[]; /* "LEN MSG" */
} queued_t;

typedef struct syslog_mod {
    snb_core_t *core;
    const syslog_conf_t *conf;
    int kind;
    int facility;
    bool rfc5424;
    char hostname[256];
    long pid;
    struct sockaddr_storage addr;
    struct sockaddr_un unix_addr;
    int unix_fd;
    uv_udp_t udp;
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_timer_t retry;
    bool connected, connecting, stopping;
    bool holding;          /* the core waits for a connection in progress */
    queued_t *head, *tail; /* TCP: waiting to be written */
    size_t queued, in_flight;
    const snb_security_service_t *security;
    snb_event_type_t ev_alert, ev_stream;
    int sub;
    uint64_t counters[M_COUNT];
    char last_error[128];
} syslog_mod_t;

/* ---- sending ---- */

static void tcp_connect(syslog_mod_t *m);

static void retry_connect(uv_timer_t *t)
{
    tcp_connect(t->data);
}

static void written(uv_write_t *w, int status)
{
    queued_t *q = w->data;
    syslog_mod_t *m = q->req.handle->data;
    if (status == 0)
        m->counters[M_SENT]++;
    else
        m->counters[M_DROPPED_SEND]++;
    free(q);
    /* A finished file waits for what is being written, not for a queue
     * to a collector that is away. */
    if (--m->in_flight == 0) snb_core_unhold(m->core);
}

static void tcp_flush(syslog_mod_t *m)
{
    while (m->connected && m->head) {
        queued_t *q = m->head;
        m->head = q->next;
        if (!m->head) m->tail = NULL;
        m->queued--;
        uv_buf_t b = uv_buf_init(q->data, (unsigned)q->len);
        q->req.data = q;
        if (uv_write(&q->req, (uv_stream_t *)&m->tcp, &b, 1, written) != 0) {
            m->counters[M_DROPPED_SEND]++;
            free(q);
            continue;
        }
        if (m->in_flight++ == 0) snb_core_hold(m->core);
    }
}

static void tcp_closed(uv_handle_t *h)
{
    syslog_mod_t *m = h->data;
    if (m->stopping) return;
    uv_timer_start(&m->retry, retry_connect, m->conf->reconnect, 0);
}

static void tcp_lost(syslog_mod_t *m, int err)
{
    if (strcmp(m->last_error, uv_strerror(err)) != 0) { /* said once per cause */
        snprintf(m->last_error, sizeof m->last_error, "%s", uv_strerror(err));
        snb_log_warn(m->core, "syslog", "%s: %s; retrying every %llu ms, queueing up to %lld",
                     m->conf->target, m->last_error, (unsigned long long)m->conf->reconnect,
                     (long long)m->conf->queue);
    }
    m->connected = m->connecting = false;
    if (!uv_is_closing((uv_handle_t *)&m->tcp)) uv_close((uv_handle_t *)&m->tcp, tcp_closed);
}

static void on_tcp_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    free(buf->base); /* a collector says nothing; EOF or an error is a loss */
    if (n < 0) tcp_lost(s->data, (int)n);
}

static void alloc_read(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = malloc(256);
    buf->len = buf->base ? 256 : 0;
}

/* A file run that queued messages waits for the connection attempt it
 * started, not longer (a collector that is away costs no time). */
static void release_hold(syslog_mod_t *m)
{
    if (!m->holding) return;
    m->holding = false;
    snb_core_unhold(m->core);
}

static void on_connect(uv_connect_t *c, int status)
{
    syslog_mod_t *m = c->data;
    m->connecting = false;
    if (status) {
        tcp_lost(m, status);
        release_hold(m);
        return;
    }
    m->connected = true;
    if (m->last_error[0]) snb_log_info(m->core, "syslog", "%s: connected again", m->conf->target);
    m->last_error[0] = '\0';
    uv_read_start((uv_stream_t *)&m->tcp, alloc_read, on_tcp_read);
    tcp_flush(m); /* holds the core while its writes are in flight */
    release_hold(m);
}

static void tcp_connect(syslog_mod_t *m)
{
    if (m->stopping || m->connecting || m->connected) return;
    if (uv_is_closing((uv_handle_t *)&m->tcp)) return;
    uv_tcp_init(snb_core_loop(m->core), &m->tcp);
    m->tcp.data = m;
    m->connect.data = m;
    m->connecting = true;
    int rc = uv_tcp_connect(&m->connect, &m->tcp, (const struct sockaddr *)&m->addr, on_connect);
    if (rc) {
        m->connecting = false;
        tcp_lost(m, rc);
    } else {
        m->counters[M_RECONNECTS] += m->last_error[0] != 0;
    }
}

static void send_text(syslog_mod_t *m, const char *msg, size_t len)
{
    if (m->kind == T_UNIX) {
        ssize_t n = sendto(m->unix_fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
                           (const struct sockaddr *)&m->unix_addr, sizeof m->unix_addr);
        if (n == (ssize_t)len) {
            m->counters[M_SENT]++;
        } else {
            m->counters[M_DROPPED_SEND]++;
            if (strcmp(m->last_error, strerror(errno)) != 0) {
                snprintf(m->last_error, sizeof m->last_error, "%s", strerror(errno));
                snb_log_warn(m->core, "syslog", "%s: %s (counted; said once)", m->conf->target,
                             m->last_error);
            }
        }
        return;
    }
    if (m->kind == T_UDP) {
        uv_buf_t b = uv_buf_init((char *)msg, (unsigned)len);
        int rc = uv_udp_try_send(&m->udp, &b, 1, (const struct sockaddr *)&m->addr);
        m->counters[rc == (int)len ? M_SENT : M_DROPPED_SEND]++;
        return;
    }
    /* TCP: octet counting, "LEN SP MSG" */
    if (m->queued >= (size_t)m->conf->queue) {
        m->counters[m->connected ? M_DROPPED_QUEUE : M_DROPPED_DISCONNECTED]++;
        return;
    }
    queued_t *q = malloc(sizeof *q + len + 24);
    if (!q) {
        m->counters[M_DROPPED_QUEUE]++;
        return;
    }
    int head = snprintf(q->data, 24, "%zu ", len);
    memcpy(q->data + head, msg, len);
    q->len = (size_t)head + len;
    q->next = NULL;
    if (m->tail)
        m->tail->next = q;
    else
        m->head = q;
    m->tail = q;
    m->queued++;
    if (m->connecting && !m->holding) {
        m->holding = true;
        snb_core_hold(m->core);
    }
    tcp_flush(m);
}

static uint64_t wall_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static void emit(syslog_mod_t *m, int severity, const char *msgid, const syslog_param_t *params,
                 size_t n, const char *text)
{
    syslog_msg_t msg = {.facility = m->facility,
                        .severity = severity,
                        .ts_us = wall_us(),
                        .hostname = m->hostname,
                        .app_name = m->conf->app_name,
                        .msgid = msgid,
                        .procid = m->pid,
                        .params = params,
                        .n_params = n,
                        .text = text};
    char buf[SYSLOG_MSG_MAX];
    size_t len = m->rfc5424 ? syslog_format_5424(&msg, buf, sizeof buf)
                            : syslog_format_3164(&msg, buf, sizeof buf);
    send_text(m, buf, len);
}

/* ---- events ---- */

#define MAX_PARAMS 40

/* The alert's --alerts-json fields as SD parameters: scalars as they are,
 * arrays joined with ',', objects (counts by method and response) as
 * name.key. */
static size_t alert_params(json_t *o, syslog_param_t *p, char values[][256], size_t max)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (n == max) break;
        if (json_is_object(v)) {
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2)
            {
                if (n == max) break;
                char *name = values[n] + 128;
                snprintf(name, 128, "%s.%s", key, k2);
                snprintf(values[n], 128, "%lld", (long long)json_integer_value(v2));
                p[n] = (syslog_param_t){.name = name, .value = values[n]};
                n++;
            }
            continue;
        }
        char *val = values[n];
        val[0] = '\0';
        if (json_is_string(v)) {
            snprintf(val, 256, "%s", json_string_value(v));
        } else if (json_is_integer(v)) {
            snprintf(val, 256, "%lld", (long long)json_integer_value(v));
        } else if (json_is_real(v)) {
            snprintf(val, 256, "%g", json_real_value(v));
        } else if (json_is_boolean(v)) {
            snprintf(val, 256, "%s", json_is_true(v) ? "true" : "false");
        } else if (json_is_array(v)) {
            size_t i, len = 0;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                int w = snprintf(val + len, 256 - len, "%s%s", i ? "," : "",
                                 json_is_string(e) ? json_string_value(e) : "");
                if (w < 0 || (size_t)w >= 256 - len) break;
                len += (size_t)w;
            }
        } else {
            continue;
        }
        p[n++] = (syslog_param_t){.name = key, .value = val};
    }
    return n;
}

static void on_alert(syslog_mod_t *m, const snb_security_alert_t *a)
{
    json_t *o = m->security ? m->security->alert_json(m->security->ctx, a) : NULL;
    if (!o) return;
    syslog_param_t params[MAX_PARAMS];
    char values[MAX_PARAMS][256];
    size_t n = alert_params(o, params, values, MAX_PARAMS);
    char text[512], src[64];
    snprintf(text, sizeof text, "%s from %s: %s", snb_security_type_name(a->type),
             snb_format_addr(&a->src, src, sizeof src), a->reason);
    emit(m, a->severity, snb_security_type_name(a->type), params, n, text);
    json_decref(o);
}

static void on_stream(syslog_mod_t *m, const snb_rtp_stream_event_t *s)
{
    if (m->conf->quality_threshold <= 0 || s->mos < 0 || s->mos >= m->conf->quality_threshold)
        return;
    char ssrc[16], src[80], dst[80], mos[16], thr[16], packets[24], lost[24];
    snprintf(ssrc, sizeof ssrc, "0x%08x", s->ssrc);
    snprintf(mos, sizeof mos, "%.2f", s->mos);
    snprintf(thr, sizeof thr, "%.2f", m->conf->quality_threshold);
    snprintf(packets, sizeof packets, "%llu", (unsigned long long)s->packets);
    snprintf(lost, sizeof lost, "%lld", (long long)s->lost);
    snb_format_endpoint(&s->src, s->sport, src, sizeof src);
    snb_format_endpoint(&s->dst, s->dport, dst, sizeof dst);
    const syslog_param_t params[] = {
        {"call_id", s->call_id}, {"ssrc", ssrc}, {"src", src},       {"dst", dst},
        {"codec", s->codec},     {"mos", mos},   {"threshold", thr}, {"packets", packets},
        {"lost", lost}};
    char text[512];
    snprintf(text, sizeof text, "quality: MOS %s below %s on %s -> %s (call %s)", mos, thr, src,
             dst, s->call_id[0] ? s->call_id : "none");
    emit(m, 5 /* notice */, "quality", params, sizeof params / sizeof *params, text);
}

static void on_event(void *ud, const snb_event_t *ev)
{
    syslog_mod_t *m = ud;
    snb_event_type_t type = (snb_event_type_t)ev->type;
    if (type == m->ev_alert)
        on_alert(m, (const snb_security_alert_t *)ev);
    else if (type == m->ev_stream)
        on_stream(m, (const snb_rtp_stream_event_t *)ev);
}

/* ---- metrics ---- */

static const char *const reason_label[] = {"reason", NULL};
static const snb_metric_def_t metric_defs[] = {
    {.name = "sent", .help = "syslog messages sent", .type = SNB_METRIC_COUNTER},
    {.name = "dropped",
     .help = "syslog messages lost: queue full, send error, or not connected",
     .type = SNB_METRIC_COUNTER,
     .labels = reason_label},
    {.name = "reconnects", .help = "TCP connections made again", .type = SNB_METRIC_COUNTER},
    {.name = "queued", .help = "TCP messages waiting to be written", .type = SNB_METRIC_GAUGE},
};

static void collect(void *ud, snb_metric_sink_t *sink)
{
    syslog_mod_t *m = ud;
    snb_metric_put(sink, 0, NULL, (double)m->counters[M_SENT]);
    static const char *const reasons[] = {"queue_full", "send_error", "not_connected"};
    for (int i = 0; i < 3; i++) {
        const char *v[] = {reasons[i]};
        snb_metric_put(sink, 1, v, (double)m->counters[M_DROPPED_QUEUE + i]);
    }
    snb_metric_put(sink, 2, NULL, (double)m->counters[M_RECONNECTS]);
    snb_metric_put(sink, 3, NULL, (double)(m->queued + m->in_flight));
}

/* ---- lifetime ---- */

static void syslog_fini(void *state)
{
    syslog_mod_t *m = state;
    if (!m) return;
    while (m->head) {
        queued_t *q = m->head;
        m->head = q->next;
        free(q);
    }
    if (m->unix_fd >= 0) close(m->unix_fd);
    free(m);
}

/* "unix:/dev/log", "udp:HOST:PORT", "tcp:HOST:PORT" (a bare path is unix). */
static int parse_target(syslog_mod_t *m, const char *t, char *why, size_t whylen)
{
    const char *rest = t;
    if (!strncmp(t, "udp:", 4) || !strncmp(t, "tcp:", 4)) {
        m->kind = t[0] == 'u' ? T_UDP : T_TCP;
        rest = t + 4;
        socklen_t len;
        if (snb_sockaddr_parse(rest, NULL, &m->addr, &len) != 0) {
            snprintf(why, whylen, "'%s' is not HOST:PORT", rest);
            return -1;
        }
        return 0;
    }
    if (!strncmp(t, "unix:", 5)) rest = t + 5;
    if (rest[0] != '/' || strlen(rest) >= sizeof m->unix_addr.sun_path) {
        snprintf(why, whylen, "'%s': expected unix:/PATH, udp:HOST:PORT or tcp:HOST:PORT", t);
        return -1;
    }
    m->kind = T_UNIX;
    m->unix_addr.sun_family = AF_UNIX;
    snprintf(m->unix_addr.sun_path, sizeof m->unix_addr.sun_path, "%s", rest);
    return 0;
}

static int syslog_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    syslog_mod_t *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    m->core = core;
    m->conf = inst[0].conf;
    m->unix_fd = -1;
    m->pid = (long)getpid();
    char why[256], where[512];
    if (parse_target(m, m->conf->target, why, sizeof why) != 0) {
        snb_log_error(core, "syslog", "%s: %s",
                      snb_core_option_where(core, "syslog", NULL, "target", "--syslog-target",
                                            where, sizeof where),
                      why);
        syslog_fini(m);
        return SNB_E_CONFIG;
    }
    m->facility = syslog_facility(m->conf->facility);
    m->rfc5424 = !strcmp(m->conf->format, "rfc5424") ||
                 (!strcmp(m->conf->format, "auto") && m->kind != T_UNIX);
    if (m->conf->hostname && *m->conf->hostname)
        snprintf(m->hostname, sizeof m->hostname, "%s", m->conf->hostname);
    else if (gethostname(m->hostname, sizeof m->hostname - 1) != 0)
        snprintf(m->hostname, sizeof m->hostname, "-");
    snb_metric_group_t g = {.prefix = "syslog",
                            .defs = metric_defs,
                            .n = sizeof metric_defs / sizeof *metric_defs,
                            .collect = collect,
                            .ud = m};
    int rc = snb_core_metrics(core, &g);
    if (rc) {
        syslog_fini(m);
        return rc;
    }
    *state = m;
    return 0;
}

static int syslog_check(void *state)
{
    syslog_mod_t *m = state;
    /* Loaded with nothing to send is not an error (a packaged default, a
     * conf.d file that turns the security module off), but worth a line. */
    if (!snb_core_service(m->core, SNB_SECURITY_SERVICE, SNB_SECURITY_SERVICE_VERSION) &&
        m->conf->quality_threshold <= 0)
        snb_log_warn(m->core, "syslog",
                     "nothing to send: the security module is not loaded (--kill-scanner, "
                     "--fail2ban, --load security) and quality_threshold is 0");
    return 0;
}

static int syslog_start(void *state)
{
    syslog_mod_t *m = state;
    uv_loop_t *loop = snb_core_loop(m->core);
    uv_timer_init(loop, &m->retry);
    m->retry.data = m;
    if (m->kind == T_UNIX) {
        m->unix_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (m->unix_fd < 0) return -errno;
    } else if (m->kind == T_UDP) {
        uv_udp_init(loop, &m->udp);
        m->udp.data = m;
    } else {
        m->tcp.data = m;
        tcp_connect(m);
    }
    snb_bus_t *bus = snb_core_bus(m->core);
    m->security = snb_core_service(m->core, SNB_SECURITY_SERVICE, SNB_SECURITY_SERVICE_VERSION);
    m->ev_alert = snb_bus_lookup(bus, SNB_SECURITY_ALERT_EVENT);
    m->ev_stream = m->conf->quality_threshold > 0 ? snb_bus_lookup(bus, SNB_RTP_STREAM_EVENT) : -1;
    const snb_event_type_t types[] = {m->ev_alert, m->ev_stream};
    m->sub = snb_bus_subscribe(bus, types, 2, on_event, m);
    snb_log_info(m->core, "syslog", "alerts to %s (%s, facility %s)", m->conf->target,
                 m->rfc5424 ? "RFC 5424" : "RFC 3164", m->conf->facility);
    return m->sub > 0 ? 0 : m->sub;
}

static void syslog_stop(void *state)
{
    syslog_mod_t *m = state;
    m->stopping = true;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
    uv_close((uv_handle_t *)&m->retry, NULL);
    if (m->kind == T_UDP) uv_close((uv_handle_t *)&m->udp, NULL);
    if (m->kind == T_TCP && !uv_is_closing((uv_handle_t *)&m->tcp) &&
        (m->connected || m->connecting))
        uv_close((uv_handle_t *)&m->tcp, NULL);
    if (m->queued) {
        snb_log_warn(m->core, "syslog", "%zu messages not sent at stop (%s unreachable)", m->queued,
                     m->conf->target);
        m->counters[M_DROPPED_DISCONNECTED] += m->queued;
    }
}

static const snb_option_t syslog_options[] = {
    {.name = "alert",
     .type = SNB_OPT_ENUM,
     .def = "syslog",
     .choices = "syslog",
     .offset = offsetof(syslog_conf_t, alert),
     .help = "where alerts go (the spec's --alert syslog); syslog is the only kind"},
    {.name = "enabled",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(syslog_conf_t, enabled),
     .help = "send (--syslog)"},
    {.name = "target",
     .type = SNB_OPT_STRING,
     .def = "unix:/dev/log",
     .offset = offsetof(syslog_conf_t, target),
     .help = "unix:/PATH (the local daemon), udp:HOST:PORT or tcp:HOST:PORT (a collector)"},
    {.name = "facility",
     .type = SNB_OPT_ENUM,
     .def = "local0",
     .choices = "local0|local1|local2|local3|local4|local5|local6|local7|user|daemon|auth|"
                "authpriv|syslog",
     .offset = offsetof(syslog_conf_t, facility),
     .help = "syslog facility"},
    {.name = "format",
     .type = SNB_OPT_ENUM,
     .def = "auto",
     .choices = "auto|rfc5424|rfc3164",
     .offset = offsetof(syslog_conf_t, format),
     .help = "auto: RFC 3164 to a unix socket, RFC 5424 (structured data) over the network"},
    {.name = "app_name",
     .type = SNB_OPT_STRING,
     .def = "sipnab",
     .offset = offsetof(syslog_conf_t, app_name),
     .help = "APP-NAME (RFC 5424) or tag (RFC 3164)"},
    {.name = "hostname",
     .type = SNB_OPT_STRING,
     .offset = offsetof(syslog_conf_t, hostname),
     .help = "HOSTNAME in RFC 5424 messages (default: this host's name)"},
    {.name = "quality_threshold",
     .type = SNB_OPT_NUMBER,
     .def = "0",
     .min = 0,
     .max = 5,
     .offset = offsetof(syslog_conf_t, quality_threshold),
     .help = "also send a notice for each stream whose final MOS is below this (0: off)"},
    {.name = "queue",
     .type = SNB_OPT_INT,
     .def = "1000",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(syslog_conf_t, queue),
     .help = "TCP: messages kept while the collector is slow or away; beyond, dropped and counted"},
    {.name = "reconnect",
     .type = SNB_OPT_DURATION,
     .def = "5s",
     .min = 100,
     .max = 3600000,
     .offset = offsetof(syslog_conf_t, reconnect),
     .help = "TCP: wait between connection attempts"},
    SNB_OPTIONS_END,
};

static const snb_flag_t syslog_flags[] = {
    {.name = "alert",
     .arg = "KIND",
     .key = "alert",
     .flags = SNB_FLAG_LOADS,
     .help = "send security alerts to KIND (syslog)"},
    {.name = "syslog",
     .key = "enabled",
     .value = "yes",
     .flags = SNB_FLAG_LOADS,
     .help = "send security alerts to the local syslog (/dev/log)"},
    {.name = "syslog-target",
     .arg = "TARGET",
     .key = "target",
     .flags = SNB_FLAG_LOADS,
     .help = "unix:/PATH, udp:HOST:PORT or tcp:HOST:PORT instead of /dev/log"},
    {.name = "syslog-facility",
     .arg = "NAME",
     .key = "facility",
     .help = "syslog facility (default local0)"},
    {.name = NULL},
};

SNB_MODULE(.description = "security alerts and quality drops to syslog (RFC 5424 / RFC 3164)",
           .options = syslog_options, .conf_size = sizeof(syslog_conf_t), .init = syslog_init,
           .start = syslog_start, .stop = syslog_stop, .fini = syslog_fini, .check = syslog_check,
           .cli_flags = syslog_flags);
