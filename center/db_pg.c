/* PostgreSQL backend over libpq: the same statements as SQLite with '?'
 * rewritten to $n. Results come back as text; int8/int4/bool columns are
 * parsed, bytea is unescaped. A commit returns once PostgreSQL has flushed
 * its WAL (synchronous_commit is left at its default, on). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define PG_MAX_PARAMS 32
#define PG_MAX_SQL 4096

typedef struct pg {
    db_t base;
    PGconn *c;
} pg_t;

static const char *const pg_migrations[] = {
    "CREATE TABLE agents (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " url TEXT NOT NULL DEFAULT '', command_token TEXT NOT NULL DEFAULT '',"
    " enabled BIGINT NOT NULL DEFAULT 0, tags TEXT NOT NULL DEFAULT '',"
    " version TEXT NOT NULL DEFAULT '', last_seen_us BIGINT NOT NULL DEFAULT 0);"
    "CREATE TABLE sessions (id TEXT PRIMARY KEY, label TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL, created_us BIGINT NOT NULL, expires_us BIGINT NOT NULL,"
    " stopped_us BIGINT NOT NULL DEFAULT 0, criteria TEXT NOT NULL,"
    " capture_rtp BIGINT NOT NULL, capture_pcap BIGINT NOT NULL,"
    " event_count BIGINT NOT NULL DEFAULT 0, packet_count BIGINT NOT NULL DEFAULT 0,"
    " share_hash TEXT, share_expires_us BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX sessions_share ON sessions(share_hash);"
    "CREATE TABLE session_agents (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE "
    "CASCADE, agent_id BIGINT NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (session_id, agent_id));"
    "CREATE TABLE events (id BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL,"
    " agent_id BIGINT NOT NULL, seq BIGINT NOT NULL, ts_us BIGINT NOT NULL,"
    " received_us BIGINT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,"
    " UNIQUE (session_id, agent_id, seq));"
    "CREATE TABLE packets (session_id TEXT NOT NULL, agent_id BIGINT NOT NULL,"
    " seq BIGINT NOT NULL, received_us BIGINT NOT NULL, linktype BIGINT NOT NULL,"
    " ts_us BIGINT NOT NULL, orig_len BIGINT NOT NULL, data BYTEA NOT NULL,"
    " PRIMARY KEY (session_id, agent_id, seq));",
};

/* '?' -> $n outside quotes. */
static int rewrite(const char *sql, char *out, size_t outlen)
{
    size_t o = 0;
    int n = 0;
    char quote = 0;
    for (const char *s = sql; *s; s++) {
        if (o + 8 >= outlen) return -1;
        if (quote) {
            if (*s == quote) quote = 0;
            out[o++] = *s;
        } else if (*s == '\'' || *s == '"') {
            quote = *s;
            out[o++] = *s;
        } else if (*s == '?') {
            o += (size_t)snprintf(out + o, outlen - o, "$%d", ++n);
        } else {
            out[o++] = *s;
        }
    }
    out[o] = 0;
    return n;
}

/* A connection lost (server restart, network) is reopened on the next
 * statement; the transaction it was in is gone, so that call fails and its
 * caller answers 503 (an agent resends the batch). */
static void revive(pg_t *g)
{
    if (PQstatus(g->c) != CONNECTION_OK) PQreset(g->c);
}

/* Sends one statement; its first result, or NULL when it could not be
 * sent (PQerrorMessage says why). */
static PGresult *send_query(pg_t *g, const char *q, int n, const char *const *vals, const int *lens,
                            const int *fmts, bool one_row_at_a_time)
{
    if (!PQsendQueryParams(g->c, q, n, NULL, vals, lens, fmts, 0)) return NULL;
    if (one_row_at_a_time) PQsetSingleRowMode(g->c);
    return PQgetResult(g->c);
}

/* A result's rows to cb; true when cb asked to stop. */
static bool deliver_rows(PGresult *r, db_row_cb cb, void *ud)
{
    int rows = PQntuples(r), cols = PQnfields(r);
    if (cols > 32) cols = 32;
    db_val_t v[32];
    unsigned char *blobs[32];
    for (int i = 0; i < rows; i++) {
        memset(blobs, 0, sizeof blobs);
        for (int c = 0; c < cols; c++) {
            memset(&v[c], 0, sizeof v[c]);
            if (PQgetisnull(r, i, c)) continue;
            const char *s = PQgetvalue(r, i, c);
            Oid t = PQftype(r, c);
            if (t == 20 || t == 21 || t == 23) {
                v[c].type = DB_INT;
                v[c].i = strtoll(s, NULL, 10);
            } else if (t == 16) {
                v[c].type = DB_INT;
                v[c].i = s[0] == 't';
            } else if (t == 17) {
                size_t len = 0;
                blobs[c] = PQunescapeBytea((const unsigned char *)s, &len);
                v[c].type = DB_BLOB;
                v[c].b = blobs[c];
                v[c].len = len;
            } else {
                v[c].type = DB_TEXT;
                v[c].s = s;
                v[c].len = (size_t)PQgetlength(r, i, c);
            }
        }
        db_row_t row = {.n = cols, .v = v};
        int stop = cb(ud, &row);
        for (int c = 0; c < cols; c++)
            if (blobs[c]) PQfreemem(blobs[c]);
        if (stop) return true;
    }
    return false;
}

static int pg_exec(db_t *db, const char *sql, const db_val_t *p, int n, db_row_cb cb, void *ud,
                   int64_t *changes, char *err, size_t errlen)
{
    pg_t *g = (pg_t *)db;
    revive(g);
    char q[PG_MAX_SQL];
    if (n > PG_MAX_PARAMS || rewrite(sql, q, sizeof q) < 0) {
        snprintf(err, errlen, "postgresql: statement too long");
        return -1;
    }
    const char *vals[PG_MAX_PARAMS];
    int lens[PG_MAX_PARAMS], fmts[PG_MAX_PARAMS];
    char ints[PG_MAX_PARAMS][24];
    for (int i = 0; i < n; i++) {
        fmts[i] = 0;
        lens[i] = 0;
        switch (p[i].type) {
        case DB_NULL:
            vals[i] = NULL;
            break;
        case DB_INT:
            snprintf(ints[i], sizeof ints[i], "%lld", (long long)p[i].i);
            vals[i] = ints[i];
            break;
        case DB_TEXT:
            vals[i] = p[i].s;
            break;
        case DB_BLOB:
            vals[i] = p[i].b;
            lens[i] = (int)p[i].len;
            fmts[i] = 1;
            break;
        }
    }
    /* Rows come one at a time (single-row mode): an export of a long
     * session never holds the whole result in memory. */
    bool idle = PQtransactionStatus(g->c) == PQTRANS_IDLE;
    PGresult *r = send_query(g, q, n, vals, lens, fmts, cb != NULL);
    if ((!r || PQresultStatus(r) == PGRES_FATAL_ERROR) && idle &&
        PQstatus(g->c) == CONNECTION_BAD) {
        /* Outside a transaction a statement that met a dead connection is
         * simply sent again on a new one. */
        for (; r; r = PQgetResult(g->c))
            PQclear(r);
        PQreset(g->c);
        r = send_query(g, q, n, vals, lens, fmts, cb != NULL);
    }
    if (!r) {
        const char *m = PQerrorMessage(g->c);
        snprintf(err, errlen, "postgresql: %.*s", (int)strcspn(m, "\n"), m);
        return -1;
    }
    int rc = 0;
    bool stop = false;
    for (; r; r = PQgetResult(g->c)) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            /* After a stop the rest is read and dropped: the connection
             * must be idle for the next statement. */
            if (cb && !stop) stop = deliver_rows(r, cb, ud);
            if (changes && st != PGRES_SINGLE_TUPLE) {
                const char *t = PQcmdTuples(r);
                *changes = t && *t ? strtoll(t, NULL, 10) : 0;
            }
        } else if (rc == 0) {
            const char *m = PQresultErrorMessage(r);
            snprintf(err, errlen, "postgresql: %.*s", (int)strcspn(m, "\n"), m);
            rc = -1;
        }
        PQclear(r);
    }
    return rc;
}

static int pg_script(db_t *db, const char *sql, char *err, size_t errlen)
{
    pg_t *g = (pg_t *)db;
    revive(g);
    bool idle = PQtransactionStatus(g->c) == PQTRANS_IDLE;
    PGresult *r = PQexec(g->c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_FATAL_ERROR && idle && PQstatus(g->c) == CONNECTION_BAD) {
        /* As in pg_exec: a BEGIN that met a dead connection is sent again. */
        PQclear(r);
        PQreset(g->c);
        r = PQexec(g->c, sql);
        st = PQresultStatus(r);
    }
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char *m = PQresultErrorMessage(r);
        snprintf(err, errlen, "postgresql: %.*s", (int)strcspn(m, "\n"), m);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

static void pg_close(db_t *db)
{
    pg_t *g = (pg_t *)db;
    if (!g) return;
    PQfinish(g->c);
    free(g);
}

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static const db_ops_t pg_ops = {
    .name = "postgresql",
    .exec = pg_exec,
    .script = pg_script,
    .close = pg_close,
    .migrations = pg_migrations,
    .n_migrations = sizeof pg_migrations / sizeof pg_migrations[0],
};

db_t *db_pg_open(const char *uri, char *err, size_t errlen)
{
    pg_t *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->base.ops = &pg_ops;
    g->c = PQconnectdb(uri);
    if (PQstatus(g->c) != CONNECTION_OK) {
        const char *m = PQerrorMessage(g->c);
        snprintf(err, errlen, "postgresql: %.*s", (int)strcspn(m, "\n"), m);
        pg_close(&g->base);
        return NULL;
    }
    /* Quiet NOTICEs (CREATE ... IF NOT EXISTS) instead of printing them. */
    PQsetNoticeProcessor(g->c, quiet_notice, NULL);
    return &g->base;
}
