/* The HTTP module, capture side: it spawns the API process (sipnab-api),
 * which serves the REST API and /metrics, and streams to it over a
 * socketpair what the SIP and RTP modules know, already rendered in the REST
 * shapes. The API process never sees a packet, a capture handle or this
 * process's memory: it is exec'd, not just forked, and gets its settings and
 * certificate over the socketpair. If it dies it is started again and sent
 * everything; capture never stops for it.
 *
 * Flow control: the module follows the dialog and stream stores with a
 * cursor of its own (sip.dialogs, rtp.media); every `refresh` it takes what
 * changed in batches while the socketpair's backlog stays under
 * max_backlog, so a stalled API process holds back the feed, never the
 * capture, and memory stays bounded. With each dialog and stream go its
 * filter field values, so the API process evaluates the --filter language. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "api_alerts.h"
#include "api_json_dump.h"
#include "api_outq.h"
#include "api_wire.h"
#include "http_health.h"
#include "sipnab/core.h"
#include "sipnab/dialogs.h"
#include "sipnab/error.h"
#include "sipnab/log.h"
#include "sipnab/media.h"
#include "sipnab/module.h"
#include "sipnab/security.h"
#include "sipnab/sip.h"
#include "sipnab/sockaddr.h"

#include <dlfcn.h>

typedef struct http_conf {
    const char *listen;
    const char *api_key;
    const char *metrics_key;
    const char *tls_cert, *tls_key;
    int64_t max_conn;
    int64_t rate_limit;
    uint64_t idle_timeout; /* ms */
    uint64_t max_request;  /* bytes */
    const char *user;
    uint64_t refresh; /* ms */
    uint64_t max_backlog;
    const char *helper;
    uint64_t health_check; /* ms; 0 = off */
    bool mcp;              /* MCP over stdin/stdout (--mcp) */
    int64_t mcp_max_rows;
} http_conf_t;

#define HTTP_COUNTERS(X)                                                                           \
    X(dialogs_sent, "dialog records sent to the API process")                                      \
    X(dialogs_gone, "evicted dialogs the API process was told to drop")                            \
    X(streams_sent, "stream records sent to the API process")                                      \
    X(bytes_sent, "bytes sent to the API process")                                                 \
    X(backlog_waits, "refreshes held back because the API process was slow")                       \
    X(restarts, "times the API process was started again after it died")                           \
    X(health_failures, "health checks (GET /health) the API process did not answer in time")       \
    X(health_restarts, "times the API process was killed because it stopped answering")

enum {
#define HTTP_COUNTER_ENUM(name, help) C_##name,
    HTTP_COUNTERS(HTTP_COUNTER_ENUM)
#undef HTTP_COUNTER_ENUM
        C_COUNT
};

static const snb_metric_def_t counter_defs[] = {HTTP_COUNTERS(SNB_METRIC_COUNTER_DEF)};

/* Dialogs rendered between two looks at the clock (see refresh). */
#define FEED_BATCH 64
/* Dialogs whose streams changed are rendered again every this many
 * refreshes (their streams in /v1/streams refresh every time). */
#define MEDIA_EVERY 5
#define HANDSHAKE_MS 5000
/* Bytes of records per write: the counters wait for at most one. */
#define WRITE_SLICE (256u << 10)
/* Health checks missed in a row before the API process is replaced. */
#define HEALTH_MISSES 2

typedef struct write_req {
    uv_write_t req;
    size_t len;
    struct http_mod *m;
} write_req_t;

typedef struct http_mod {
    snb_core_t *core;
    const http_conf_t *conf;
    const char *listen;   /* "": no HTTP (--mcp without --api) */
    int mcp_out;          /* --mcp: the real stdout, kept for the API process only */
    bool mcp_client_gone; /* the API process said "Q": the MCP client closed stdin */
    const char *api_key;  /* conf or $SIPNAB_API_KEY */
    char *cert_pem, *key_pem;
    char helper[PATH_MAX];
    char confinement[256]; /* what the API process said of its sandbox */
    int sub;
    bool stopping, ended, held;
    /* the API process */
    uv_process_t proc;
    bool proc_alive;
    uv_pipe_t pipe;
    bool pipe_open;
    uint64_t started_ms;
    uv_timer_t restart_timer;
    uint64_t restart_delay_ms;
    /* its health: GET /health every health_check */
    uv_timer_t health_timer;
    http_probe_t *probe;
    unsigned health_misses;
    struct sockaddr_storage api_addr; /* where to ask */
    socklen_t api_addr_len;
    /* the feed */
    uv_timer_t refresh_timer;
    api_outq_t q;         /* frames waiting to be written (records, and the counters first) */
    bool backlog_held;    /* a refresh waits for the backlog to drain (see on_written) */
    bool complete_sent;   /* counters marked complete are queued: later ones say so too, or
                             a counters frame ahead of them would take it back for a while */
    write_req_t *writing; /* at most one write at a time */
    json_t *media_dirty;  /* Call-IDs whose streams changed (a set) */
    const snb_dialogs_service_t *dialogs; /* the sip module's, looked up at start */
    const snb_media_service_t *media;     /* the rtp module's, NULL without it */
    snb_dialog_cursor_t *dcursor;         /* our place in each store's changes */
    snb_stream_cursor_t *scursor;
    json_t *kinds; /* diagnosis kinds of the field table, for diag_flags */
    /* security alerts (GET /v1/alerts): kept to resend to a new API process */
    const snb_security_service_t *security;
    snb_event_type_t ev_alert;
    api_alerts_t *alerts;
    uint64_t refreshes;
    uint64_t last_full_ns; /* uv_hrtime of the last full refresh (see refresh) */
    bool live;             /* a live interface feeds the capture (as of this refresh) */
    uint64_t counters[C_COUNT];
    snb_jsonw_t msgw;  /* a dialog's message list, written once per feed (buffer reused) */
    snb_jsonw_t fullw; /* its report, likewise */
    snb_jsonw_t sumw;  /* its list item, likewise */
    snb_jsonw_t listw; /* a stream's list item, likewise */
} http_mod_t;

/* ---- settings -------------------------------------------------------------------------------- */

static char *read_file(const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char chunk[4096];
    size_t n;
    while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0 && len < (1u << 20))
        fwrite(chunk, 1, n, mem);
    fclose(f);
    if (!mem || fclose(mem) != 0) {
        snprintf(why, whylen, "%s: out of memory", path);
        free(text);
        return NULL;
    }
    return text;
}

/* Load and check the certificate and key now, so a bad path or a key that
 * does not match is a startup error with one clear line. */
static int load_tls(http_mod_t *m, char *why, size_t whylen)
{
    const http_conf_t *c = m->conf;
    bool cert = c->tls_cert && *c->tls_cert, key = c->tls_key && *c->tls_key;
    if (!cert && !key) return 0;
    if (cert != key) {
        snprintf(why, whylen,
                 "TLS needs both tls_cert and tls_key (--api-tls-cert, --api-tls-key)");
        return -1;
    }
    m->cert_pem = read_file(c->tls_cert, why, whylen);
    if (!m->cert_pem) return -1;
    m->key_pem = read_file(c->tls_key, why, whylen);
    if (!m->key_pem) return -1;
    BIO *cb = BIO_new_mem_buf(m->cert_pem, -1), *kb = BIO_new_mem_buf(m->key_pem, -1);
    X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    int rc = 0;
    if (!x) {
        snprintf(why, whylen, "%s: not a PEM certificate", c->tls_cert);
        rc = -1;
    } else if (!k) {
        snprintf(why, whylen, "%s: not a PEM private key (or it is encrypted)", c->tls_key);
        rc = -1;
    } else if (X509_check_private_key(x, k) != 1) {
        snprintf(why, whylen, "%s does not match the certificate %s", c->tls_key, c->tls_cert);
        rc = -1;
    }
    X509_free(x);
    EVP_PKEY_free(k);
    BIO_free(cb);
    BIO_free(kb);
    return rc;
}

/* sipnab-api lives in ../libexec beside the modules' directory, in the build
 * tree and once installed alike. */
static int find_helper(http_mod_t *m, char *why, size_t whylen)
{
    if (m->conf->helper && *m->conf->helper) {
        snprintf(m->helper, sizeof m->helper, "%s", m->conf->helper);
    } else {
        Dl_info info;
        if (!dladdr((void *)find_helper, &info) || !info.dli_fname) {
            snprintf(why, whylen, "cannot tell where the http module was loaded from");
            return -1;
        }
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", info.dli_fname);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        if (snprintf(m->helper, sizeof m->helper, "%s/../libexec/sipnab-api", dir) >=
            (int)sizeof m->helper) {
            snprintf(why, whylen, "module path too long");
            return -1;
        }
    }
    if (access(m->helper, X_OK) != 0) {
        snprintf(why, whylen, "API program %s: %s", m->helper, strerror(errno));
        return -1;
    }
    return 0;
}

/* The CONFIG frame: everything the API process needs, key and certificate
 * included, so it opens no file of ours. */
static int put_config(http_mod_t *m, api_buf_t *b)
{
    const http_conf_t *c = m->conf;
    json_t *o = json_object();
    json_object_set_new(o, "listen", json_string(m->listen));
    json_object_set_new(o, "mcp_stdio", json_boolean(c->mcp));
    json_object_set_new(o, "mcp_max_rows", json_integer(c->mcp_max_rows));
    json_object_set_new(o, "api_key", json_string(m->api_key ? m->api_key : ""));
    json_object_set_new(o, "metrics_key", json_string(c->metrics_key ? c->metrics_key : ""));
    json_object_set_new(o, "tls_cert_pem", json_string(m->cert_pem ? m->cert_pem : ""));
    json_object_set_new(o, "tls_key_pem", json_string(m->key_pem ? m->key_pem : ""));
    json_object_set_new(o, "max_conn", json_integer(c->max_conn));
    json_object_set_new(o, "rate_limit", json_integer(c->rate_limit));
    json_object_set_new(o, "idle_timeout_s",
                        json_integer((json_int_t)(c->idle_timeout + 999) / 1000));
    json_object_set_new(o, "max_request", json_integer((json_int_t)c->max_request));
    json_object_set_new(o, "user", json_string(c->user ? c->user : ""));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int rc = text ? api_wire_put_text(b, API_FRAME_CONFIG, text, strlen(text)) : -1;
    if (text) {
        OPENSSL_cleanse(text, strlen(text)); /* the key */
        free(text);
    }
    return rc;
}

/* ---- writing to the API process ------------------------------------------------------------ */

static void write_next(http_mod_t *m);
static size_t backlog(const http_mod_t *m);
static void schedule_refresh(http_mod_t *m, uint64_t ms);

static void on_written(uv_write_t *req, int status)
{
    write_req_t *w = (write_req_t *)req;
    http_mod_t *m = w->m;
    size_t len = w->len;
    free(w);
    if (!m) return; /* the pipe closed meanwhile, and the queue with it */
    m->writing = NULL;
    api_outq_written(&m->q);
    if (status != 0) return; /* the pipe is going; on_api_exit restarts it */
    m->counters[C_bytes_sent] += len;
    write_next(m);
    /* A refresh held back by the backlog goes on as soon as half of it is
     * out, rather than at its next look at the clock. */
    if (m->backlog_held && backlog(m) <= m->conf->max_backlog / 2) {
        m->backlog_held = false;
        schedule_refresh(m, 0);
    }
}

/* One slice at a time: the counters lane gets its turn between slices. */
static void write_next(http_mod_t *m)
{
    if (m->writing || !m->pipe_open) return;
    write_req_t *w = calloc(1, sizeof *w); /* out of memory: tried again next refresh */
    const char *p;
    size_t len;
    if (!w || !api_outq_next(&m->q, &p, &len)) {
        free(w);
        return;
    }
    w->m = m;
    w->len = len;
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&m->pipe, &b, 1, on_written) != 0) {
        api_outq_written(&m->q);
        free(w);
        return;
    }
    m->writing = w;
}

static size_t backlog(const http_mod_t *m)
{
    return api_outq_backlog(&m->q);
}

/* ---- the feed -------------------------------------------------------------------------------- */

/* json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER), byte for byte, at a
 * fraction of its cost (api_json_dump.h). */
static char *dump(json_t *v, size_t *len)
{
    return api_json_dump(v, len);
}

/* The diagnosis kinds set in the dialog's "diagnosis" object, as bits in
 * the order of the field table's kinds. */
static uint32_t diag_flags_of(const http_mod_t *m, const json_t *diag)
{
    uint32_t flags = 0;
    for (size_t i = 0; i < json_array_size(m->kinds) && i < 32; i++)
        if (json_is_true(json_object_get(diag, json_string_value(json_array_get(m->kinds, i)))))
            flags |= 1u << i;
    return flags;
}

/* Its kept messages as --json renders them, for MCP's get_dialog: written
 * as one JSON array into the module's reused writer, no tree. */
typedef struct message_list {
    http_mod_t *m;
    const snb_dialog_t *dialog;
} message_list_t;

static bool add_message(void *ud, const snb_dialog_message_t *msg)
{
    message_list_t *l = ud;
    const snb_dialogs_service_t *svc = l->m->dialogs;
    svc->message_write(svc->ctx, l->dialog, msg, &l->m->msgw);
    return !l->m->msgw.failed;
}

static const snb_jsonw_t *messages_text(http_mod_t *m, const snb_dialog_t *dialog)
{
    message_list_t l = {m, dialog};
    snb_jsonw_reset(&m->msgw);
    snb_jsonw_array_begin(&m->msgw, NULL);
    m->dialogs->messages(m->dialogs->ctx, dialog, 0, SIZE_MAX, add_message, &l);
    snb_jsonw_array_end(&m->msgw);
    return &m->msgw;
}

/* A dialog's filter field values, encoded as they come (no tree). */
typedef struct values_sink {
    api_buf_t *buf;
    int rc;
} values_sink_t;

static void put_value(void *ud, size_t i, snb_filter_type_t type, const snb_filter_value_t *v)
{
    (void)i;
    values_sink_t *s = ud;
    s->rc |= api_values_put(s->buf, type, v);
}

static void feed_dialog(void *ud, const snb_dialog_info_t *d)
{
    http_mod_t *m = ud;
    const snb_dialogs_service_t *svc = m->dialogs;
    snb_jsonw_reset(&m->sumw);
    svc->summary_write(svc->ctx, d->dialog, &m->sumw);
    json_t *diag = NULL;
    snb_jsonw_reset(&m->fullw);
    svc->report_write(svc->ctx, d->dialog, &m->fullw, &diag);
    api_buf_t vals = {0};
    values_sink_t sink = {&vals, 0};
    svc->field_values_each(svc->ctx, d->dialog, put_value, &sink);
    const snb_jsonw_t *msgs = messages_text(m, d->dialog);
    uint32_t flags = diag_flags_of(m, diag);
    json_decref(diag);
    size_t mlen = 0;
    char *md = svc->report_text(svc->ctx, d->dialog, SNB_REPORT_MARKDOWN, &mlen);
    if (!m->sumw.failed && !m->fullw.failed && md && !msgs->failed && sink.rc == 0) {
        api_dialog_rec_t rec = {
            .call_id = snb_str(d->call_id, strlen(d->call_id)),
            .from_user = snb_str(d->from_user, strlen(d->from_user)),
            .state = d->state,
            .created_us = d->created_us,
            .captured_us = m->live ? d->updated_us : 0,
            .pdd_ms = d->pdd_us < 0 ? -1 : (int32_t)((d->pdd_us + 500) / 1000),
            .diag_flags = flags,
            .summary_json = snb_str(m->sumw.p, m->sumw.len),
            .full_json = snb_str(m->fullw.p, m->fullw.len),
            .report_markdown = snb_str(md, mlen),
            .values = snb_str(vals.data ? vals.data : "", vals.len),
            .messages_json = snb_str(msgs->p, msgs->len),
        };
        if (api_wire_put_dialog(api_outq_records(&m->q), &rec) == 0) m->counters[C_dialogs_sent]++;
    }
    api_buf_free(&vals);
    free(md);
}

static void feed_dialog_gone(void *ud, const char *call_id)
{
    http_mod_t *m = ud;
    if (api_wire_put_dialog_gone(api_outq_records(&m->q), snb_str(call_id, strlen(call_id))) == 0)
        m->counters[C_dialogs_gone]++;
}

/* A stream in the list view: its JSON without the heavy parts, written
 * from the same tree (a deep copy less those members was a quarter of a
 * stream's feed cost). */
static const snb_jsonw_t *stream_list_view(http_mod_t *m, const json_t *full)
{
    static const char *const heavy[] = {"quality_intervals", "rtcp", "dtmf", NULL};
    snb_jsonw_reset(&m->listw);
    snb_jsonw_object_begin(&m->listw, NULL);
    snb_jsonw_members_except(&m->listw, full, heavy);
    snb_jsonw_object_end(&m->listw);
    return &m->listw;
}

static void feed_stream(void *ud, const snb_stream_info_t *s)
{
    http_mod_t *m = ud;
    json_t *full = m->media->stream_json(m->media->ctx, s->handle);
    const snb_jsonw_t *list = json_is_object(full) ? stream_list_view(m, full) : NULL;
    json_t *values = m->media->field_values_json(m->media->ctx, s->handle);
    size_t flen;
    char *ftext = dump(full, &flen);
    api_buf_t vals = {0};
    int vrc = api_values_encode(&vals, values);
    json_decref(full);
    json_decref(values);
    if (ftext && list && !list->failed && vrc == 0) {
        api_stream_rec_t rec = {.id = s->id,
                                .ssrc = s->ssrc,
                                .orphaned = s->orphaned,
                                .active = s->active,
                                .mos = s->mos,
                                .jitter_ms = s->jitter_ms,
                                .loss_pct = s->loss_pct,
                                .call_id = snb_str(s->call_id, strlen(s->call_id)),
                                .list_json = snb_str(list->p, list->len),
                                .full_json = snb_str(ftext, flen),
                                .values = snb_str(vals.data ? vals.data : "", vals.len)};
        if (api_wire_put_stream(api_outq_records(&m->q), &rec) == 0) m->counters[C_streams_sent]++;
    }
    api_buf_free(&vals);
    free(ftext);
    /* The dialog embeds its streams and diagnosis: render it again soon. */
    if (s->call_id[0] && m->media_dirty)
        json_object_set_new(m->media_dirty, s->call_id, json_null());
}

static void feed_stream_gone(void *ud, uint64_t id)
{
    http_mod_t *m = ud;
    api_wire_put_stream_gone(api_outq_records(&m->q), id);
}

/* A cursor fell too far behind: the API process starts over. */
static void put_alert(void *ud, const char *json, size_t len)
{
    http_mod_t *m = ud;
    api_wire_put_text(api_outq_records(&m->q), API_FRAME_ALERT, json, len);
}

static void resend_alerts(http_mod_t *m)
{
    if (m->alerts) api_alerts_foreach(m->alerts, put_alert, m);
}

static void feed_resync(void *ud)
{
    http_mod_t *m = ud;
    api_wire_put_text(api_outq_records(&m->q), API_FRAME_RESET, "", 0);
    m->complete_sent = false;
    resend_alerts(m);
    if (m->dialogs && m->dcursor) m->dialogs->cursor_reset(m->dialogs->ctx, m->dcursor);
    if (m->media && m->scursor) m->media->cursor_reset(m->media->ctx, m->scursor);
}

/* The filter field tables the records' values follow, sent first. */
static void feed_fields(http_mod_t *m)
{
    json_t *o = json_object();
    json_t *d = m->dialogs ? m->dialogs->field_table_json(m->dialogs->ctx) : json_object();
    json_t *st = m->media ? m->media->field_table_json(m->media->ctx) : json_object();
    json_decref(m->kinds);
    m->kinds = json_incref(json_object_get(d, "kinds"));
    json_object_set_new(o, "dialogs", d);
    json_object_set_new(o, "streams", st);
    size_t len;
    char *text = dump(o, &len);
    json_decref(o);
    if (text) api_wire_put_text(api_outq_records(&m->q), API_FRAME_FIELDS, text, len);
    free(text);
}

/* Render the dialogs whose streams changed (their JSON embeds them), until
 * the refresh's time is up (the rest stay for the next refresh); true when
 * none is left. */
static bool render_dirty(http_mod_t *m, uint64_t start, uint64_t budget_ns)
{
    const snb_dialogs_service_t *svc = m->dialogs;
    const char *call_id;
    json_t *v;
    void *tmp;
    unsigned n = 0;
    json_object_foreach_safe(m->media_dirty, tmp, call_id, v)
    {
        if (++n % FEED_BATCH == 0 && uv_hrtime() - start >= budget_ns) return false;
        const snb_dialog_t *d = svc->find(svc->ctx, call_id, strlen(call_id));
        if (d) {
            snb_dialog_info_t info;
            svc->info(svc->ctx, d, &info);
            feed_dialog(m, &info);
        }
        json_object_del(m->media_dirty, call_id);
    }
    return true;
}

/* Every module's metrics as of now (their collect callbacks run here, so
 * /metrics is current even when no packet arrives). */
static void feed_counters(http_mod_t *m, bool complete)
{
    json_t *families = snb_core_metrics_json(m->core);
    if (!families) return;
    json_t *o = json_object();
    json_object_set_new(o, "families", families);
    json_object_set_new(o, "feed_complete", json_boolean(complete));
    size_t len;
    char *text = dump(o, &len);
    json_decref(o);
    /* "complete" keeps its place after the records it speaks for; the
     * others go before the records still waiting. */
    if (text && complete)
        api_wire_put_text(api_outq_records(&m->q), API_FRAME_COUNTERS, text, len);
    else if (text)
        api_outq_set_counters(&m->q, text, len);
    free(text);
}

static void schedule_refresh(http_mod_t *m, uint64_t ms);

/* One refresh: counters, streams, then the dialogs whose streams changed
 * and the changed dialogs for at most a quarter of the refresh interval, so
 * rendering dialogs never takes more than that share of the loop from the
 * capture; a dialog changed many times in between is rendered once. Once
 * the capture has ended, slices follow back to back, and the last sends the
 * counters again marked complete.
 *
 * A live capture that left dialogs behind gets catch-up slices of dialogs
 * only, each after a pause as long as the slice: half the loop for the feed
 * while it is behind (the capture thread queues packets meanwhile), so at
 * a high call rate every dialog still reaches the API process within about
 * a refresh, where waiting for the next refresh would let the lag grow.
 * The files' rule stays: reading a file keeps three quarters of the loop. */
static void refresh(http_mod_t *m)
{
    if (!m->pipe_open) return;
    if (backlog(m) > m->conf->max_backlog) {
        m->counters[C_backlog_waits]++;
        m->backlog_held = true;
        schedule_refresh(m, 20);
        return;
    }
    m->live = snb_core_has_live_source(m->core);
    const snb_dialogs_service_t *dialogs = m->dialogs;
    const snb_media_service_t *media = m->media;
    uint64_t start = uv_hrtime(), budget_ns = m->conf->refresh * 1000000u / 4;
    bool full = m->ended || start - m->last_full_ns >= m->conf->refresh * 1000000u;
    bool dirty_left = false, more = false;
    if (full) {
        m->last_full_ns = start;
        /* The figures first, and on their way at once: /metrics should not
         * wait for this refresh's streams and dialogs (a quarter of the
         * refresh) to show how far the capture is. */
        feed_counters(m, m->complete_sent);
        write_next(m);
        if (media && m->scursor) {
            static const snb_streams_feed_t sfeed = {feed_stream, feed_stream_gone, feed_resync};
            media->cursor_next(media->ctx, m->scursor, &sfeed, m);
            if (dialogs && (m->ended || ++m->refreshes % MEDIA_EVERY == 0))
                dirty_left = !render_dirty(m, start, budget_ns);
        }
    }
    if (dialogs && m->dcursor) {
        static const snb_dialogs_feed_t dfeed = {feed_dialog, feed_dialog_gone, feed_resync};
        more = true; /* unless the cursor says otherwise in the time left */
        while (more && backlog(m) <= m->conf->max_backlog && uv_hrtime() - start < budget_ns)
            more =
                dialogs->cursor_next(dialogs->ctx, m->dcursor, FEED_BATCH, &dfeed, m) == FEED_BATCH;
    }
    bool dialogs_left = more;
    more = more || dirty_left;
    /* "complete" last, so it follows every record it speaks for. */
    if (m->ended && !more && json_object_size(m->media_dirty) == 0) {
        feed_counters(m, true);
        m->complete_sent = true;
    }
    write_next(m);
    uint64_t next = m->conf->refresh;
    if (more && m->ended)
        next = 0;
    else if (dialogs_left && m->live)
        next = (uv_hrtime() - start) / 1000000u + 1; /* a catch-up slice */
    schedule_refresh(m, next);
}

static void on_refresh(uv_timer_t *t)
{
    refresh(t->data);
}

static void schedule_refresh(http_mod_t *m, uint64_t ms)
{
    if (m->stopping) return;
    uv_timer_start(&m->refresh_timer, on_refresh, ms, 0);
}

/* ---- the API process ------------------------------------------------------------------------- */

static int spawn_api(http_mod_t *m, char *why, size_t whylen);

static void on_pipe_closed(uv_handle_t *h)
{
    (void)h;
}

static void close_pipe(http_mod_t *m)
{
    if (!m->pipe_open) return;
    m->pipe_open = false;
    /* The write in flight completes with ECANCELED and frees itself; libuv
     * writes nothing more after uv_close, so its bytes go with the queue. */
    if (m->writing) m->writing->m = NULL;
    m->writing = NULL;
    api_outq_free(&m->q);
    uv_close((uv_handle_t *)&m->pipe, on_pipe_closed);
}

static void on_restart(uv_timer_t *t)
{
    http_mod_t *m = t->data;
    if (m->stopping) return;
    char why[256];
    if (spawn_api(m, why, sizeof why) != 0) {
        snb_log_error(m->core, "http", "API process did not start again: %s", why);
        m->restart_delay_ms = m->restart_delay_ms * 2 > 30000 ? 30000 : m->restart_delay_ms * 2;
        uv_timer_start(&m->restart_timer, on_restart, m->restart_delay_ms, 0);
        return;
    }
    m->counters[C_restarts]++;
    snb_log_info(m->core, "http", "API process started again (pid %d)", m->proc.pid);
}

static void on_proc_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_api_exit(uv_process_t *p, int64_t status, int signal)
{
    http_mod_t *m = p->data;
    m->proc_alive = false;
    uv_close((uv_handle_t *)p, on_proc_closed);
    /* Its "Q" may still wait unread: the exit can be seen first. */
    uv_os_fd_t fd;
    char said[64];
    ssize_t n;
    if (m->conf->mcp && m->pipe_open && uv_fileno((uv_handle_t *)&m->pipe, &fd) == 0 &&
        (n = read(fd, said, sizeof said)) > 0 && memchr(said, 'Q', (size_t)n))
        m->mcp_client_gone = true;
    close_pipe(m);
    if (m->stopping) return;
    if (m->conf->mcp && m->mcp_client_gone) {
        snb_log_info(m->core, "http", "the MCP client closed stdin; stopping");
        kill(getpid(), SIGTERM);
        return;
    }
    if (signal)
        snb_log_error(m->core, "http", "API process %d killed by signal %d; starting it again",
                      p->pid, signal);
    else
        snb_log_error(m->core, "http", "API process %d exited with status %d; starting it again",
                      p->pid, (int)status);
    /* Back off when it dies at once, again and again. */
    uint64_t lived = uv_now(snb_core_loop(m->core)) - m->started_ms;
    m->restart_delay_ms = lived > 10000 ? 100 : (m->restart_delay_ms ? m->restart_delay_ms : 100);
    uv_timer_start(&m->restart_timer, on_restart, m->restart_delay_ms, 0);
}

/* After the handshake the API process says only "Q" (--mcp: the client
 * closed stdin); anything else is ignored. */
static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    (void)h;
    static char sink[256];
    (void)size;
    *buf = uv_buf_init(sink, sizeof sink);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    http_mod_t *m = s->data;
    if (n > 0 && memchr(buf->base, 'Q', (size_t)n)) m->mcp_client_gone = true;
    if (n < 0) close_pipe(m); /* it went away; on_api_exit restarts it */
}

/* Wait (blocking, bounded) for "R<how it is confined>\n" (ready) or
 * "E<reason>\n" from the API process: startup errors such as a port in use
 * then stop sipnab with one clear line instead of a restart loop. */
static int handshake(int fd, char *why, size_t whylen)
{
    char msg[512];
    size_t got = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (got < sizeof msg - 1) {
        int r = poll(&p, 1, HANDSHAKE_MS);
        if (r == 0) {
            snprintf(why, whylen, "the API process did not answer within %d ms", HANDSHAKE_MS);
            return -1;
        }
        if (r < 0 && errno == EINTR) continue;
        ssize_t n = read(fd, msg + got, sizeof msg - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
        if (memchr(msg, '\n', got)) break;
    }
    msg[got] = '\0';
    char *nl = strchr(msg, '\n');
    if (nl) *nl = '\0';
    if (got && msg[0] == 'R') { /* ready; the rest says how it is confined */
        snprintf(why, whylen, "%.*s", (int)whylen - 1, msg + 1);
        return 0;
    }
    if (got && msg[0] == 'E')
        snprintf(why, whylen, "%.*s", (int)whylen - 1, msg + 1);
    else
        snprintf(why, whylen, "the API process exited during startup");
    return -1;
}

static int spawn_api(http_mod_t *m, char *why, size_t whylen)
{
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        snprintf(why, whylen, "socketpair: %s", strerror(errno));
        return -1;
    }
    char *args[] = {m->helper, NULL};
    /* stdout is the CLI's output, except with --mcp: then stdin and stdout
     * are the MCP client's, and only the confined process talks to it. */
    uv_stdio_container_t stdio[4] = {
        m->conf->mcp ? (uv_stdio_container_t){.flags = UV_INHERIT_FD, .data.fd = STDIN_FILENO}
                     : (uv_stdio_container_t){.flags = UV_IGNORE},
        {.flags = UV_INHERIT_FD, .data.fd = m->conf->mcp ? m->mcp_out : STDERR_FILENO},
        {.flags = UV_INHERIT_FD, .data.fd = STDERR_FILENO},
        {.flags = UV_INHERIT_FD, .data.fd = sp[1]},
    };
    char *env[] = {"PATH=/usr/bin:/bin", NULL}; /* nothing of ours, $SIPNAB_API_KEY least */
    uv_process_options_t opt = {.exit_cb = on_api_exit,
                                .file = m->helper,
                                .args = args,
                                .env = env,
                                .stdio = stdio,
                                .stdio_count = 4};
    m->proc.data = m;
    int rc = uv_spawn(snb_core_loop(m->core), &m->proc, &opt);
    close(sp[1]);
    if (rc != 0) {
        close(sp[0]);
        if (snprintf(why, whylen, "cannot start %s: %s", m->helper, uv_strerror(rc)) < 0)
            why[0] = 0;
        return -1;
    }
    m->proc_alive = true;
    m->health_misses = 0;
    m->started_ms = uv_now(snb_core_loop(m->core));
    api_buf_t cfg = {0};
    if (put_config(m, &cfg) != 0 || write(sp[0], cfg.data, cfg.len) != (ssize_t)cfg.len) {
        OPENSSL_cleanse(cfg.data, cfg.len);
        api_buf_free(&cfg);
        close(sp[0]);
        uv_process_kill(&m->proc, SIGKILL);
        snprintf(why, whylen, "cannot send the settings to the API process");
        return -1;
    }
    OPENSSL_cleanse(cfg.data, cfg.len);
    api_buf_free(&cfg);
    if (handshake(sp[0], m->confinement, sizeof m->confinement) != 0) {
        snprintf(why, whylen, "%s", m->confinement);
        close(sp[0]);
        uv_process_kill(&m->proc, SIGKILL);
        return -1;
    }
    uv_pipe_init(snb_core_loop(m->core), &m->pipe, 0);
    m->pipe.data = m;
    if (uv_pipe_open(&m->pipe, sp[0]) != 0) {
        close(sp[0]);
        uv_process_kill(&m->proc, SIGKILL);
        snprintf(why, whylen, "cannot watch the API socket");
        return -1;
    }
    m->pipe_open = true;
    api_outq_init(&m->q, WRITE_SLICE, 2 * m->conf->max_backlog);
    m->complete_sent = m->backlog_held = false;
    uv_read_start((uv_stream_t *)&m->pipe, on_alloc, on_read);
    /* A new process knows nothing: the field tables, then everything. */
    feed_fields(m);
    resend_alerts(m);
    if (m->dialogs && m->dcursor) m->dialogs->cursor_reset(m->dialogs->ctx, m->dcursor);
    if (m->media && m->scursor) m->media->cursor_reset(m->media->ctx, m->scursor);
    schedule_refresh(m, 0);
    return 0;
}

/* ---- its health ------------------------------------------------------------------------------ */

static void on_probed(void *ud, bool answered, const char *why)
{
    http_mod_t *m = ud;
    m->probe = NULL;
    if (answered || !m->proc_alive) {
        m->health_misses = 0;
        return;
    }
    m->counters[C_health_failures]++;
    if (++m->health_misses < HEALTH_MISSES) {
        snb_log_warn(m->core, "http",
                     "API process %d did not answer GET /health within %llu ms (%s)", m->proc.pid,
                     (unsigned long long)m->conf->health_check, why);
        return;
    }
    snb_log_error(m->core, "http",
                  "API process %d stopped answering (GET /health: %s, %u times in a row); "
                  "killing it to start a new one",
                  m->proc.pid, why, m->health_misses);
    m->health_misses = 0;
    m->counters[C_health_restarts]++;
    uv_process_kill(&m->proc, SIGKILL); /* on_api_exit starts the next one */
}

static void on_health_tick(uv_timer_t *t)
{
    http_mod_t *m = t->data;
    if (m->stopping || !m->proc_alive || !m->pipe_open || m->probe) return;
    m->probe =
        http_probe_start(snb_core_loop(m->core), (struct sockaddr *)&m->api_addr, m->api_addr_len,
                         m->cert_pem != NULL, m->conf->health_check, on_probed, m);
}

/* The listening address as a client reaches it: "any" is asked on loopback. */
static void health_address(http_mod_t *m)
{
    snb_sockaddr_parse(m->listen, "127.0.0.1", &m->api_addr, &m->api_addr_len);
    if (m->api_addr.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&m->api_addr;
        if (in->sin_addr.s_addr == htonl(INADDR_ANY)) in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (m->api_addr.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&m->api_addr;
        if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) in6->sin6_addr = in6addr_loopback;
    }
}

/* ---- events ---------------------------------------------------------------------------------- */

/* An alert as --alerts-json renders it, kept (a bounded ring) and sent. */
static void on_alert(http_mod_t *m, const snb_security_alert_t *a)
{
    json_t *o = m->security ? m->security->alert_json(m->security->ctx, a) : NULL;
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text) return;
    size_t len = strlen(text);
    api_alerts_add(m->alerts, text, len);
    if (m->pipe_open) {
        put_alert(m, text, len);
        write_next(m);
    }
    free(text);
}

static void on_event(void *ud, const snb_event_t *ev)
{
    http_mod_t *m = ud;
    if ((snb_event_type_t)ev->type == m->ev_alert) {
        on_alert(m, (const snb_security_alert_t *)ev);
        return;
    }
    if (ev->type == SNB_EV_CAPTURE_END) {
        m->ended = true;
        schedule_refresh(m, 0); /* the final figures at once */
    }
}

/* ---- module ---------------------------------------------------------------------------------- */

static void http_free(http_mod_t *m)
{
    json_decref(m->kinds);
    api_alerts_free(m->alerts);
    if (m->key_pem) OPENSSL_cleanse(m->key_pem, strlen(m->key_pem));
    free(m->cert_pem);
    free(m->key_pem);
    json_decref(m->media_dirty);
    if (m->mcp_out >= 0) close(m->mcp_out);
    snb_jsonw_free(&m->msgw);
    snb_jsonw_free(&m->fullw);
    snb_jsonw_free(&m->sumw);
    snb_jsonw_free(&m->listw);
    api_outq_free(&m->q);
    free(m);
}

static void collect_metrics(void *ud, snb_metric_sink_t *sink)
{
    http_mod_t *m = ud;
    snb_metric_put_all(sink, m->counters, C_COUNT);
}

static int http_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    http_mod_t *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    m->mcp_out = -1;
    m->core = core;
    m->conf = inst[0].conf;
    m->api_key =
        m->conf->api_key && *m->conf->api_key ? m->conf->api_key : getenv("SIPNAB_API_KEY");
    if (m->api_key && !*m->api_key) m->api_key = NULL;
    m->media_dirty = json_object();
    char why[512];
    struct sockaddr_storage sa;
    socklen_t salen;
    int rc = 0;
    /* With --mcp, stdout belongs to the MCP client: only the API process
     * gets it; whatever this process prints (-N's lines, a module's
     * output) goes to stderr from now on. */
    if (m->conf->mcp) {
        fflush(stdout);
        m->mcp_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (m->mcp_out < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
            snb_log_error(core, "http", "--mcp: cannot set stdout aside: %s", strerror(errno));
            http_free(m);
            return SNB_E_CONFIG;
        }
    }
    /* --mcp alone serves stdio only: no port is opened unless asked. */
    m->listen = m->conf->listen ? m->conf->listen : m->conf->mcp ? "" : "127.0.0.1:8080";
    bool http = *m->listen || !m->conf->mcp;
    if (http && snb_sockaddr_parse(m->listen, "127.0.0.1", &sa, &salen) != 0) {
        snb_log_error(core, "http", "listen '%s' is not address:port (--api)", m->listen);
        rc = SNB_E_CONFIG;
    } else if (http && !m->api_key && !snb_sockaddr_is_loopback(&sa)) {
        snb_log_error(core, "http",
                      "refusing to serve the API on %s without an API key: set --api-key, "
                      "$SIPNAB_API_KEY or [http] api_key, or listen on 127.0.0.1",
                      m->listen);
        rc = SNB_E_CONFIG;
    } else if (load_tls(m, why, sizeof why) != 0) {
        snb_log_error(core, "http", "TLS: %s", why);
        rc = SNB_E_CONFIG;
    } else if (find_helper(m, why, sizeof why) != 0) {
        snb_log_error(core, "http", "%s", why);
        rc = SNB_E_CONFIG;
    } else if (!m->media_dirty) {
        rc = -ENOMEM;
    }
    if (rc) {
        http_free(m);
        return rc;
    }
    snb_metric_group_t metrics = {
        .prefix = "http", .defs = counter_defs, .n = C_COUNT, .collect = collect_metrics, .ud = m};
    rc = snb_core_metrics(core, &metrics);
    if (rc) {
        http_free(m);
        return rc;
    }
    *state = m;
    return 0;
}

static int http_start(void *state)
{
    http_mod_t *m = state;
    uv_loop_t *loop = snb_core_loop(m->core);
    uv_timer_init(loop, &m->refresh_timer);
    m->refresh_timer.data = m;
    uv_timer_init(loop, &m->restart_timer);
    m->restart_timer.data = m;
    uv_timer_init(loop, &m->health_timer);
    m->health_timer.data = m;
    /* Every module's init has run: the services are there, or will never be. */
    m->dialogs = snb_core_service(m->core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION);
    m->media = snb_core_service(m->core, SNB_MEDIA_SERVICE, SNB_MEDIA_SERVICE_VERSION);
    if (!m->dialogs)
        snb_log_warn(m->core, "http", "the sip module is not loaded: the API will list no dialogs");
    if (m->dialogs) m->dcursor = m->dialogs->cursor_new(m->dialogs->ctx);
    if (m->media) m->scursor = m->media->cursor_new(m->media->ctx);
    if ((m->dialogs && !m->dcursor) || (m->media && !m->scursor)) return -ENOMEM;
    /* Security alerts, when the security module is loaded. */
    m->security = snb_core_service(m->core, SNB_SECURITY_SERVICE, SNB_SECURITY_SERVICE_VERSION);
    m->ev_alert = snb_bus_lookup(snb_core_bus(m->core), SNB_SECURITY_ALERT_EVENT);
    if (m->security && m->ev_alert >= 0 && !(m->alerts = api_alerts_new(API_ALERTS_CAP)))
        return -ENOMEM;
    if (!m->alerts) m->ev_alert = -1;
    const snb_event_type_t types[] = {SNB_EV_CAPTURE_END, m->ev_alert};
    m->sub = snb_bus_subscribe(snb_core_bus(m->core), types, 2, on_event, m);
    if (m->sub < 0) return m->sub;
    char why[512];
    if (spawn_api(m, why, sizeof why) != 0) {
        snb_log_error(m->core, "http", "%s", why);
        return SNB_E_MODULE;
    }
    if (*m->listen)
        snb_log_info(m->core, "http", "serving the API on %s%s%s (process %d: %s)", m->listen,
                     m->cert_pem ? " over TLS" : "", m->conf->mcp ? " and MCP on stdio" : "",
                     m->proc.pid, m->confinement);
    else
        snb_log_info(m->core, "http", "serving MCP on stdio (process %d: %s)", m->proc.pid,
                     m->confinement);
    if (m->conf->health_check && *m->listen) {
        health_address(m);
        uv_timer_start(&m->health_timer, on_health_tick, m->conf->health_check,
                       m->conf->health_check);
    }
    /* Keep running after the capture ends: the API serves until Ctrl-C. */
    snb_core_hold(m->core);
    m->held = true;
    return 0;
}

static void http_stop(void *state)
{
    http_mod_t *m = state;
    m->stopping = true;
    /* The stores outlive this module's stop (they go at their fini). */
    if (m->dialogs && m->dcursor) m->dialogs->cursor_free(m->dialogs->ctx, m->dcursor);
    if (m->media && m->scursor) m->media->cursor_free(m->media->ctx, m->scursor);
    m->dcursor = NULL;
    m->scursor = NULL;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
    uv_close((uv_handle_t *)&m->refresh_timer, NULL);
    uv_close((uv_handle_t *)&m->restart_timer, NULL);
    uv_close((uv_handle_t *)&m->health_timer, NULL);
    http_probe_cancel(m->probe);
    m->probe = NULL;
    close_pipe(m); /* EOF: the API process exits by itself */
    if (m->proc_alive) uv_process_kill(&m->proc, SIGTERM);
    if (m->held) snb_core_unhold(m->core);
    m->held = false;
}

static void http_fini(void *state)
{
    http_free(state);
}

static const char *const http_depends[] = {"sip", NULL};

static const snb_option_t http_options[] = {
    {.name = "listen",
     .type = SNB_OPT_STRING,
     .offset = offsetof(http_conf_t, listen),
     .help = "address:port the API listens on (--api; default 127.0.0.1:8080, none with --mcp "
             "alone); a non-loopback address needs an API key"},
    {.name = "api_key",
     .type = SNB_OPT_STRING,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(http_conf_t, api_key),
     .help = "bearer token every endpoint but /health requires (--api-key, else $SIPNAB_API_KEY)"},
    {.name = "metrics_key",
     .type = SNB_OPT_STRING,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(http_conf_t, metrics_key),
     .help = "bearer token for /metrics (--metrics-auth); the API key works there too"},
    {.name = "tls_cert",
     .type = SNB_OPT_STRING,
     .offset = offsetof(http_conf_t, tls_cert),
     .help = "PEM certificate (chain): serve HTTPS (--api-tls-cert)"},
    {.name = "tls_key",
     .type = SNB_OPT_STRING,
     .offset = offsetof(http_conf_t, tls_key),
     .help = "PEM private key of tls_cert, unencrypted (--api-tls-key)"},
    {.name = "max_conn",
     .type = SNB_OPT_INT,
     .def = "100",
     .min = 1,
     .max = 100000,
     .offset = offsetof(http_conf_t, max_conn),
     .help = "concurrent connections; beyond, requests get 503 (--api-max-conn)"},
    {.name = "rate_limit",
     .type = SNB_OPT_INT,
     .def = "100",
     .min = 0,
     .max = 10000000,
     .offset = offsetof(http_conf_t, rate_limit),
     .help = "requests per second per client address; beyond, 503; 0 = no limit"},
    {.name = "idle_timeout",
     .type = SNB_OPT_DURATION,
     .def = "10s",
     .min = 1000,
     .max = 3600000,
     .offset = offsetof(http_conf_t, idle_timeout),
     .help = "a connection idle (or a request stalled) this long is closed"},
    {.name = "max_request",
     .type = SNB_OPT_SIZE,
     .def = "16k",
     .min = 4096,
     .max = 1048576,
     .offset = offsetof(http_conf_t, max_request),
     .help = "memory per connection for the request line and headers; larger requests are "
             "refused (431/414)"},
    {.name = "user",
     .type = SNB_OPT_STRING,
     .def = "nobody",
     .offset = offsetof(http_conf_t, user),
     .help = "when started as root, the API process runs as this user, chrooted in an empty "
             "directory (--user)"},
    {.name = "refresh",
     .type = SNB_OPT_DURATION,
     .def = "200ms",
     .min = 10,
     .max = 60000,
     .offset = offsetof(http_conf_t, refresh),
     .help = "how often changed dialogs and streams are sent to the API process"},
    {.name = "max_backlog",
     .type = SNB_OPT_SIZE,
     .def = "8m",
     .min = 1048576,
     .max = 4294967296LL,
     .offset = offsetof(http_conf_t, max_backlog),
     .help = "bytes queued for a slow API process before updates are held back"},
    {.name = "helper",
     .type = SNB_OPT_STRING,
     .offset = offsetof(http_conf_t, helper),
     .help = "path of the sipnab-api program (default: ../libexec/sipnab-api beside the "
             "modules)"},
    {.name = "mcp",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(http_conf_t, mcp),
     .help = "serve MCP (JSON-RPC, one message a line) on stdin/stdout (--mcp); without "
             "--api no port is opened"},
    {.name = "mcp_max_rows",
     .type = SNB_OPT_INT,
     .def = "1000",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(http_conf_t, mcp_max_rows),
     .help = "rows (dialogs, streams, messages, problems) per MCP tool answer (--mcp-max-rows)"},
    {.name = "health_check",
     .type = SNB_OPT_DURATION,
     .def = "5s",
     .min = 0,
     .max = 3600000,
     .offset = offsetof(http_conf_t, health_check),
     .help = "ask the API GET /health this often, answer due within as long; after 2 misses in a "
             "row its process is replaced; 0 = off"},
    SNB_OPTIONS_END,
};

static const snb_flag_t http_flags[] = {
    {.name = "api",
     .arg = "ADDR:PORT",
     .key = "listen",
     .flags = SNB_FLAG_LOADS,
     .help = "serve the REST API and /metrics (an isolated process)"},
    {.name = "api-key",
     .arg = "KEY",
     .key = "api_key",
     .needs = "api",
     .help = "bearer token for the API (else $SIPNAB_API_KEY)"},
    {.name = "metrics-auth",
     .arg = "KEY",
     .key = "metrics_key",
     .needs = "api",
     .help = "bearer token for /metrics"},
    {.name = "api-tls-cert",
     .arg = "PEM",
     .key = "tls_cert",
     .needs = "api",
     .help = "serve the API over HTTPS with this certificate (chain)"},
    {.name = "api-tls-key",
     .arg = "PEM",
     .key = "tls_key",
     .needs = "api",
     .help = "the private key of --api-tls-cert"},
    {.name = "api-max-conn",
     .arg = "N",
     .key = "max_conn",
     .needs = "api",
     .help = "concurrent API connections (default 100)"},
    {.name = "mcp",
     .key = "mcp",
     .value = "yes",
     .flags = SNB_FLAG_LOADS,
     .help = "serve MCP on stdin/stdout (an isolated process); /mcp on --api is always on"},
    {.name = "mcp-max-rows",
     .arg = "N",
     .key = "mcp_max_rows",
     .needs = "api|mcp",
     .help = "rows per MCP tool answer (default 1000)"},
    {.name = "user",
     .arg = "NAME",
     .key = "user",
     .needs = "api",
     .help = "user the API process runs as when started as root (default nobody)"},
    {.name = NULL},
};

SNB_MODULE(.description = "REST API and Prometheus metrics, served by an isolated process",
           .options = http_options, .conf_size = sizeof(http_conf_t), .cli_flags = http_flags,
           .depends = http_depends, .init = http_init, .start = http_start, .stop = http_stop,
           .fini = http_fini);
