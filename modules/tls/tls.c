/* The tls module: TLS connections in the capture decrypted with the keys
 * of an NSS key log (--tls-keylog FILE) or of the capture's own pcapng
 * Decryption Secrets Blocks ("capture.secrets" events), and their
 * application data published as packets flagged SNB_PKT_TLS (sipnab/tls.h),
 * which the SIP module frames as SIP over TLS. The logic is in tls_session.c and its
 * neighbours; this file is the glue to the bus, the options and metrics. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sipnab/core.h"
#include "sipnab/error.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/secrets.h"
#include "sipnab/tls.h"
#include "tls_handshake.h"
#include "tls_keylog.h"
#include "tls_record.h"
#include "tls_session.h"
#include "tls_table.h"

typedef struct tls_conf {
    const char *keylog; /* path, or NULL */
    int64_t max_connections;
    int64_t max_keys;
    uint64_t max_buffer;   /* bytes of partial records, all connections */
    uint64_t idle_timeout; /* ms */
} tls_conf_t;

/* How often (capture time) a key log file is looked at again for lines
 * written since, while encrypted records go by without their keys. */
#define KEYLOG_RECHECK_US 1000000u

#define TLS_COUNTERS(X)                                                                            \
    X(plaintext_bytes, "application data bytes decrypted and handed on")                           \
    X(key_updates, "TLS 1.3 KeyUpdate messages followed")                                          \
    X(not_tls, "connection directions given up: bytes that are not TLS records")                   \
    X(no_room, "connection directions given up: max_buffer reached")                               \
    X(gaps, "connection directions given up: bytes lost in the capture")                           \
    X(connections_evicted, "connections forgotten at the max_connections cap")                     \
    X(keylog_lines, "key log secrets read (file and capture)")                                     \
    X(keylog_bad_lines, "key log lines that do not parse")                                         \
    X(keylog_evicted, "client randoms forgotten at the max_keys cap")                              \
    X(secrets_blocks, "TLS key logs found in the capture (pcapng Decryption Secrets Blocks)")
#define TLS_GAUGES(X) X(connections, "connections followed now")

enum {
#define TLS_COUNTER_ENUM(name, help) C_##name,
    TLS_COUNTERS(TLS_COUNTER_ENUM) TLS_GAUGES(TLS_COUNTER_ENUM)
#undef TLS_COUNTER_ENUM
        C_COUNT
};

static const char *const version_label[] = {"version", NULL};
static const char *const result_label[] = {"result", NULL};
static const char *const outcome_label[] = {"outcome", NULL};

enum { M_handshakes = C_COUNT, M_records, M_sessions, M_COUNT };
static const snb_metric_def_t metric_defs[] = {
    TLS_COUNTERS(SNB_METRIC_COUNTER_DEF)
        TLS_GAUGES(SNB_METRIC_GAUGE_DEF){.name = "handshakes",
                                         .help = "TLS handshakes seen (ServerHello), by version",
                                         .type = SNB_METRIC_COUNTER,
                                         .labels = version_label},
    {.name = "records",
     .help = "protected TLS records: decrypted, failed (tag did not verify), no_keys, skipped",
     .type = SNB_METRIC_COUNTER,
     .labels = result_label},
    {.name = "sessions",
     .help = "TLS connections ended, by outcome: decrypted, no_keys, failed, unsupported, "
             "no_hello, handshake",
     .type = SNB_METRIC_COUNTER,
     .labels = outcome_label},
};
_Static_assert(sizeof metric_defs / sizeof metric_defs[0] == M_COUNT, "tls metric table");

static const char *const outcome_names[] = {
    [TLS_OUTCOME_NO_HELLO] = "no_hello",   [TLS_OUTCOME_UNSUPPORTED] = "unsupported",
    [TLS_OUTCOME_NO_KEYS] = "no_keys",     [TLS_OUTCOME_FAILED] = "failed",
    [TLS_OUTCOME_DECRYPTED] = "decrypted", [TLS_OUTCOME_HANDSHAKE] = "handshake",
};
#define N_OUTCOMES (sizeof outcome_names / sizeof outcome_names[0])

typedef struct tls_mod {
    snb_core_t *core;
    const tls_conf_t *conf;
    snb_event_type_t ev_secrets;
    int sub;              /* the end of the capture, its secrets */
    int sub_packets;      /* packets: only once there are keys */
    tls_keylog_t *keylog; /* made when the first secrets arrive */
    tls_table_t *table;
    tls_budget_t budget;
    tls_stats_t stats;
    tls_env_t env;
    uint64_t counters[C_COUNT];
    uint64_t outcomes[N_OUTCOMES];
    /* the key log file, read again when it grows */
    off_t keylog_read;
    uint64_t keylog_checked_us;
    /* during a packet */
    const snb_packet_t *pkt;
    const char *source;
    tls_conn_t *conn;
} tls_mod_t;

/* ---- keys ---- */

static tls_keylog_t *keylog(tls_mod_t *m)
{
    if (!m->keylog) {
        m->keylog = tls_keylog_new((size_t)m->conf->max_keys, snb_core_hash_key(m->core));
        m->env.keylog = m->keylog;
    }
    return m->keylog;
}

/* The key log file is read in pieces of this size (a line is about 200
 * bytes; a longer one does not parse anyway). */
#define KEYLOG_CHUNK (256 * 1024)

/* Read the key log file from where we stopped, whole lines only (an
 * application may be writing it), from the start again if it shrank (a new
 * run of the application). At start (tail) a last line without its newline
 * is taken too, without moving past it: a file written by hand may end so,
 * and a line still being written is read again whole later. 0, or -1 if it
 * cannot be read. */
static int read_keylog_file(tls_mod_t *m, bool tail)
{
    FILE *f = fopen(m->conf->keylog, "rb");
    if (!f) return -1;
    struct stat st;
    char *buf = malloc(KEYLOG_CHUNK);
    if (!buf || !keylog(m) || fstat(fileno(f), &st) != 0) {
        free(buf);
        fclose(f);
        return 0;
    }
    if (st.st_size < m->keylog_read) m->keylog_read = 0;
    if (fseeko(f, m->keylog_read, SEEK_SET) != 0) st.st_size = m->keylog_read;
    size_t held = 0; /* the start of a line the previous piece cut */
    while (m->keylog_read + (off_t)held < st.st_size) {
        size_t got = fread(buf + held, 1, KEYLOG_CHUNK - held, f);
        if (!got) break;
        size_t len = held + got;
        const char *end = memrchr(buf, '\n', len);
        size_t whole = end ? (size_t)(end + 1 - buf) : 0;
        if (!whole && len == KEYLOG_CHUNK) whole = len; /* a line longer than a piece */
        tls_keylog_add(m->keylog, buf, whole);
        m->keylog_read += (off_t)whole;
        held = len - whole;
        memmove(buf, buf + whole, held);
    }
    if (tail && held) tls_keylog_add(m->keylog, buf, held);
    free(buf);
    fclose(f);
    return 0;
}

static void on_event(void *ud, const snb_event_t *ev);

/* Without keys nothing can be decrypted, so packets are only looked at
 * from the first keys on: loaded with no keys, the module costs nothing
 * per packet. (A pcapng file has its secrets before the packets they are
 * for.) */
static int follow_packets(tls_mod_t *m)
{
    if (m->sub_packets > 0) return 0;
    const snb_event_type_t types[] = {SNB_EV_PACKET};
    m->sub_packets = snb_bus_subscribe(snb_core_bus(m->core), types, 1, on_event, m);
    return m->sub_packets < 0 ? m->sub_packets : 0;
}

static void on_secrets(tls_mod_t *m, const snb_capture_secrets_event_t *ev)
{
    if (ev->secrets_type != SNB_SECRETS_TLS_KEYLOG || !keylog(m) || follow_packets(m) != 0) return;
    m->counters[C_secrets_blocks]++;
    tls_keylog_add(m->keylog, (const char *)ev->data, ev->len);
    snb_log_debug(m->core, "tls", "%s: %u bytes of TLS key log", ev->file ? ev->file : "capture",
                  ev->len);
}

/* ---- connections ---- */

static void on_conn_gone(void *ud, tls_conn_t *c, bool evicted)
{
    tls_mod_t *m = ud;
    if (evicted) m->counters[C_connections_evicted]++;
    tls_outcome_t o = tls_session_outcome(c->session);
    if (o < N_OUTCOMES) m->outcomes[o]++;
    tls_session_free(c->session, &m->env);
}

/* Decrypted application data of the current packet's connection. */
static void on_plaintext(void *ud, int side, const uint8_t *data, size_t len)
{
    tls_mod_t *m = ud;
    tls_conn_t *c = m->conn;
    snb_packet_event_t pe = {
        .ev = SNB_EVENT_BORROWED(SNB_EV_PACKET, &snb_packet_event_ops),
        .pkt = *m->pkt,
        .source = m->source,
    };
    pe.pkt.flags = SNB_PKT_TCP_STREAM | SNB_PKT_TLS | (m->pkt->flags & SNB_PKT_TUNNELLED);
    pe.pkt.stream_id = c->stream_id[side] | SNB_TLS_STREAM_BIT;
    pe.pkt.stream_offset = c->plain_offset[side];
    pe.pkt.payload = data;
    pe.pkt.payload_len = (uint32_t)len;
    c->plain_offset[side] += len;
    snb_bus_publish(snb_core_bus(m->core), &pe.ev); /* inside a dispatch: copied, queued */
}

/* The connection a TCP segment belongs to; a new one only for a segment
 * that starts with a ClientHello. */
static tls_conn_t *conn_of(tls_mod_t *m, const snb_packet_t *pkt, int *side)
{
    tls_conn_key_t key;
    *side = tls_conn_key_of(pkt, &key);
    bool hello = tls_starts_client_hello(pkt->payload, pkt->payload_len);
    tls_conn_t *c = tls_table_find(m->table, &key);
    /* The same 5-tuple again with a new ClientHello: a new connection. */
    if (c && hello && c->stream_id[*side] && c->stream_id[*side] != pkt->stream_id) {
        tls_table_remove(m->table, c);
        c = NULL;
    }
    if (c || !hello) return c;
    c = tls_table_add(m->table, &key, pkt->ts_us);
    if (!c) return NULL;
    c->session = tls_session_new(*side);
    if (!c->session) {
        tls_table_remove(m->table, c);
        return NULL;
    }
    return c;
}

static void on_packet(tls_mod_t *m, const snb_packet_event_t *pe)
{
    const snb_packet_t *pkt = &pe->pkt;
    if (pkt->transport != SNB_TRANSPORT_TCP || !(pkt->flags & SNB_PKT_TCP_STREAM) ||
        (pkt->flags & (SNB_PKT_MESSAGE | SNB_PKT_TLS)) || !pkt->payload_len)
        return;
    tls_table_expire(m->table, pkt->ts_us);
    int side;
    tls_conn_t *c = conn_of(m, pkt, &side);
    if (!c) return;
    tls_table_touch(m->table, c, pkt->ts_us);
    bool lost = (pkt->flags & SNB_PKT_TCP_GAP) ||
                (c->stream_id[side] && (c->stream_id[side] != pkt->stream_id ||
                                        c->next_offset[side] != pkt->stream_offset));
    if (lost) tls_session_gap(c->session, &m->env, side);
    c->stream_id[side] = pkt->stream_id;
    c->next_offset[side] = pkt->stream_offset + pkt->payload_len;
    uint64_t no_keys = m->stats.records_no_keys;
    m->pkt = pkt;
    m->source = pe->source;
    m->conn = c;
    tls_session_data(c->session, &m->env, side, pkt->payload, pkt->payload_len);
    m->conn = NULL;
    /* Keys missing: an application may have written them since. */
    if (m->stats.records_no_keys != no_keys && m->conf->keylog &&
        pkt->ts_us - m->keylog_checked_us >= KEYLOG_RECHECK_US) {
        m->keylog_checked_us = pkt->ts_us;
        read_keylog_file(m, false);
    }
}

static void on_event(void *ud, const snb_event_t *ev)
{
    tls_mod_t *m = ud;
    if (ev->type == SNB_EV_PACKET)
        on_packet(m, (const snb_packet_event_t *)ev);
    else if ((snb_event_type_t)ev->type == m->ev_secrets)
        on_secrets(m, (const snb_capture_secrets_event_t *)ev);
    else if (ev->type == SNB_EV_CAPTURE_END)
        tls_table_flush(m->table); /* every session's outcome is counted */
}

/* ---- metrics ---- */

static void collect_metrics(void *ud, snb_metric_sink_t *sink)
{
    tls_mod_t *m = ud;
    const tls_stats_t *s = &m->stats;
    m->counters[C_plaintext_bytes] = s->plaintext_bytes;
    m->counters[C_key_updates] = s->key_updates;
    m->counters[C_not_tls] = s->not_tls;
    m->counters[C_no_room] = s->no_room;
    m->counters[C_gaps] = s->gaps;
    m->counters[C_connections] = tls_table_count(m->table);
    if (m->keylog) {
        const tls_keylog_stats_t *k = tls_keylog_stats(m->keylog);
        m->counters[C_keylog_lines] = k->lines;
        m->counters[C_keylog_bad_lines] = k->bad_lines;
        m->counters[C_keylog_evicted] = k->evicted;
    }
    snb_metric_put_all(sink, m->counters, C_COUNT);
    snb_metric_put(sink, M_handshakes, (const char *[]){"1.2"}, (double)s->handshakes_12);
    snb_metric_put(sink, M_handshakes, (const char *[]){"1.3"}, (double)s->handshakes_13);
    const struct {
        const char *name;
        uint64_t n;
    } records[] = {{"decrypted", s->records_decrypted},
                   {"failed", s->records_failed},
                   {"no_keys", s->records_no_keys},
                   {"skipped", s->records_skipped}};
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
        snb_metric_put(sink, M_records, (const char *[]){records[i].name}, (double)records[i].n);
    for (size_t i = 0; i < N_OUTCOMES; i++)
        if (m->outcomes[i])
            snb_metric_put(sink, M_sessions, (const char *[]){outcome_names[i]},
                           (double)m->outcomes[i]);
    /* unsupported handshakes are counted when seen, not only at the end */
}

/* ---- lifetime ---- */

static void tls_fini(void *state);

static int tls_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    tls_mod_t *m = calloc(1, sizeof *m);
    uint8_t *scratch = malloc(TLS_RECORD_MAX);
    if (!m || !scratch) {
        free(m);
        free(scratch);
        return SNB_E_FULL;
    }
    m->core = core;
    m->conf = inst[0].conf;
    m->sub = m->sub_packets = -1;
    m->budget.max = m->conf->max_buffer;
    m->env = (tls_env_t){
        .budget = &m->budget, .stats = &m->stats, .scratch = scratch, .cb = on_plaintext, .ud = m};
    m->table = tls_table_new((uint32_t)m->conf->max_connections, m->conf->idle_timeout * 1000u,
                             snb_core_hash_key(core), on_conn_gone, m);
    if (!m->table) {
        tls_fini(m);
        return SNB_E_FULL;
    }
    if (m->conf->keylog && *m->conf->keylog && read_keylog_file(m, true) != 0) {
        char where[512];
        snb_log_error(
            core, "tls", "%s: cannot read the key log %s: %s",
            snb_core_option_where(core, "tls", NULL, "keylog", "--tls-keylog", where, sizeof where),
            m->conf->keylog, strerror(errno));
        tls_fini(m);
        return SNB_E_CONFIG;
    }
    snb_metric_group_t metrics = {
        .prefix = "tls", .defs = metric_defs, .n = M_COUNT, .collect = collect_metrics, .ud = m};
    int rc = snb_core_metrics(core, &metrics);
    if (rc) {
        tls_fini(m);
        return rc;
    }
    *state = m;
    return 0;
}

static int tls_start(void *state)
{
    tls_mod_t *m = state;
    snb_bus_t *bus = snb_core_bus(m->core);
    m->ev_secrets = snb_bus_lookup(bus, SNB_CAPTURE_SECRETS_EVENT); /* <0 without pcap */
    const snb_event_type_t types[] = {SNB_EV_CAPTURE_END, m->ev_secrets};
    m->sub = snb_bus_subscribe(bus, types, 2, on_event, m);
    if (m->sub < 0) return m->sub;
    /* A key log file may be empty yet and written while we capture. */
    return m->conf->keylog && *m->conf->keylog ? follow_packets(m) : 0;
}

static void tls_stop(void *state)
{
    tls_mod_t *m = state;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub_packets);
    m->sub = m->sub_packets = -1;
}

static void tls_fini(void *state)
{
    tls_mod_t *m = state;
    tls_table_free(m->table);
    tls_keylog_free(m->keylog);
    free(m->env.scratch);
    free(m);
}

static const snb_option_t tls_options[] = {
    {.name = "keylog",
     .type = SNB_OPT_STRING,
     .offset = offsetof(tls_conf_t, keylog),
     .help = "NSS key log file (SSLKEYLOGFILE) with the secrets of the TLS connections to decrypt; "
             "read at start and again when records arrive without their keys"},
    {.name = "max_connections",
     .type = SNB_OPT_INT,
     .def = "10000",
     .min = 1,
     .max = 10000000,
     .offset = offsetof(tls_conf_t, max_connections),
     .help = "TLS connections followed at once; beyond, the least recently active is forgotten"},
    {.name = "max_keys",
     .type = SNB_OPT_INT,
     .def = "100000",
     .min = 1,
     .max = 100000000,
     .offset = offsetof(tls_conf_t, max_keys),
     .help = "client randoms held from key logs; beyond, the oldest is forgotten"},
    {.name = "max_buffer",
     .type = SNB_OPT_SIZE,
     .def = "64m",
     .min = 64 * 1024,
     .max = 16ull * 1024 * 1024 * 1024,
     .offset = offsetof(tls_conf_t, max_buffer),
     .help = "bytes of partial TLS records buffered, all connections together"},
    {.name = "idle_timeout",
     .type = SNB_OPT_DURATION,
     .def = "10m",
     .min = 1000,
     .max = 86400000,
     .offset = offsetof(tls_conf_t, idle_timeout),
     .help = "capture time a TLS connection may stay silent before it is forgotten"},
    SNB_OPTIONS_END,
};

static const snb_flag_t tls_flags[] = {
    {.name = "tls-keylog",
     .arg = "FILE",
     .key = "keylog",
     .flags = SNB_FLAG_LOADS,
     .help = "decrypt TLS (SIP over TLS) with this NSS key log (SSLKEYLOGFILE)"},
    {.name = NULL},
};

SNB_MODULE(.description = "TLS decryption with key logs and pcapng secrets: SIP over TLS",
           .options = tls_options, .conf_size = sizeof(tls_conf_t), .cli_flags = tls_flags,
           .init = tls_init, .start = tls_start, .stop = tls_stop, .fini = tls_fini);
