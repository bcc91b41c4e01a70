/* SQLite backend: one file in WAL mode, synchronous=FULL so a committed
 * ingest batch is on disk before the center answers 200. Statements are
 * cached by their SQL text's address (the store passes literals). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define STMT_CACHE 48

typedef struct sq {
    db_t base;
    sqlite3 *h;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[STMT_CACHE];
} sq_t;

static const char *const sqlite_migrations[] = {
    /* 0 -> 1: agents, sessions, their targets, events, packets. */
    "CREATE TABLE agents (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
    " url TEXT NOT NULL DEFAULT '', command_token TEXT NOT NULL DEFAULT '',"
    " enabled INTEGER NOT NULL DEFAULT 0, tags TEXT NOT NULL DEFAULT '',"
    " version TEXT NOT NULL DEFAULT '', last_seen_us INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE sessions (id TEXT PRIMARY KEY, label TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL, created_us INTEGER NOT NULL, expires_us INTEGER NOT NULL,"
    " stopped_us INTEGER NOT NULL DEFAULT 0, criteria TEXT NOT NULL,"
    " capture_rtp INTEGER NOT NULL, capture_pcap INTEGER NOT NULL,"
    " event_count INTEGER NOT NULL DEFAULT 0, packet_count INTEGER NOT NULL DEFAULT 0,"
    " share_hash TEXT, share_expires_us INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX sessions_share ON sessions(share_hash);"
    "CREATE TABLE session_agents (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE "
    "CASCADE, agent_id INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (session_id, agent_id));"
    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL,"
    " agent_id INTEGER NOT NULL, seq INTEGER NOT NULL, ts_us INTEGER NOT NULL,"
    " received_us INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,"
    " UNIQUE (session_id, agent_id, seq));"
    "CREATE TABLE packets (session_id TEXT NOT NULL, agent_id INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, received_us INTEGER NOT NULL, linktype INTEGER NOT NULL,"
    " ts_us INTEGER NOT NULL, orig_len INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY (session_id, agent_id, seq));",
};

static sqlite3_stmt *prepare(sq_t *q, const char *sql, char *err, size_t errlen)
{
    for (int i = 0; i < STMT_CACHE; i++)
        if (q->cache[i].sql == sql) {
            sqlite3_reset(q->cache[i].st);
            sqlite3_clear_bindings(q->cache[i].st);
            return q->cache[i].st;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->h, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite: %s", sqlite3_errmsg(q->h));
        return NULL;
    }
    for (int i = 0; i < STMT_CACHE; i++)
        if (!q->cache[i].sql) {
            q->cache[i].sql = sql;
            q->cache[i].st = st;
            return st;
        }
    return st; /* cache full: finalized by the caller */
}

static bool cached(sq_t *q, sqlite3_stmt *st)
{
    for (int i = 0; i < STMT_CACHE; i++)
        if (q->cache[i].st == st) return true;
    return false;
}

static int sq_exec(db_t *db, const char *sql, const db_val_t *p, int n, db_row_cb cb, void *ud,
                   int64_t *changes, char *err, size_t errlen)
{
    sq_t *q = (sq_t *)db;
    sqlite3_stmt *st = prepare(q, sql, err, errlen);
    if (!st) return -1;
    for (int i = 0; i < n; i++) {
        int rc = SQLITE_OK;
        switch (p[i].type) {
        case DB_NULL:
            rc = sqlite3_bind_null(st, i + 1);
            break;
        case DB_INT:
            rc = sqlite3_bind_int64(st, i + 1, p[i].i);
            break;
        case DB_TEXT:
            rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_STATIC);
            break;
        case DB_BLOB:
            rc = sqlite3_bind_blob(st, i + 1, p[i].b, (int)p[i].len, SQLITE_STATIC);
            break;
        }
        if (rc != SQLITE_OK) {
            snprintf(err, errlen, "sqlite: bind: %s", sqlite3_errmsg(q->h));
            goto fail;
        }
    }
    db_val_t vals[32];
    for (;;) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
            snprintf(err, errlen, "sqlite: %s", sqlite3_errmsg(q->h));
            goto fail;
        }
        if (!cb) continue;
        int cols = sqlite3_column_count(st);
        if (cols > 32) cols = 32;
        for (int c = 0; c < cols; c++) {
            db_val_t *v = &vals[c];
            memset(v, 0, sizeof *v);
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_INTEGER:
            case SQLITE_FLOAT:
                v->type = DB_INT;
                v->i = sqlite3_column_int64(st, c);
                break;
            case SQLITE_TEXT:
                v->type = DB_TEXT;
                v->s = (const char *)sqlite3_column_text(st, c);
                v->len = (size_t)sqlite3_column_bytes(st, c);
                break;
            case SQLITE_BLOB:
                v->type = DB_BLOB;
                v->b = sqlite3_column_blob(st, c);
                v->len = (size_t)sqlite3_column_bytes(st, c);
                break;
            default:
                v->type = DB_NULL;
            }
        }
        db_row_t row = {.n = cols, .v = vals};
        if (cb(ud, &row)) break;
    }
    if (changes) *changes = sqlite3_changes64(q->h);
    if (cached(q, st))
        sqlite3_reset(st);
    else
        sqlite3_finalize(st);
    return 0;
fail:
    if (cached(q, st))
        sqlite3_reset(st);
    else
        sqlite3_finalize(st);
    return -1;
}

static int sq_script(db_t *db, const char *sql, char *err, size_t errlen)
{
    sq_t *q = (sq_t *)db;
    char *msg = NULL;
    if (sqlite3_exec(q->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(q->h));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static void sq_close(db_t *db)
{
    sq_t *q = (sq_t *)db;
    if (!q) return;
    for (int i = 0; i < STMT_CACHE; i++)
        if (q->cache[i].st) sqlite3_finalize(q->cache[i].st);
    sqlite3_close(q->h);
    free(q);
}

static const db_ops_t sqlite_ops = {
    .name = "sqlite",
    .exec = sq_exec,
    .script = sq_script,
    .close = sq_close,
    .migrations = sqlite_migrations,
    .n_migrations = sizeof sqlite_migrations / sizeof sqlite_migrations[0],
};

db_t *db_sqlite_open(const char *path, char *err, size_t errlen)
{
    sq_t *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    q->base.ops = &sqlite_ops;
    if (sqlite3_open_v2(path, &q->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "sqlite: %s: %s", path, q->h ? sqlite3_errmsg(q->h) : "cannot open");
        sqlite3_close(q->h);
        free(q);
        return NULL;
    }
    sqlite3_busy_timeout(q->h, 5000);
    if (sq_script(&q->base,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err,
                  errlen) != 0) {
        sq_close(&q->base);
        return NULL;
    }
    return &q->base;
}
