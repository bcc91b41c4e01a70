/* The store's queries, written once for both drivers (db.h). Every public
 * function takes the store's lock, so the HTTP threads, the push thread and
 * the retention pass can share one connection. Exports read on a second
 * connection of their own (store_packets), so a long export never holds
 * up ingest. */
#include "store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "center_time.h"
#include "db.h"

struct store {
    db_t *db;
    pthread_mutex_t lock;
    int version;
    char *url;                   /* to open the export reader */
    db_t *reader;                /* opened at the first export; NULL after a failure */
    pthread_mutex_t reader_lock; /* one export reads at a time */
};

#define EXEC(s, sql, p, n, cb, ud, ch) (s)->db->ops->exec((s)->db, sql, p, n, cb, ud, ch, e, el)

static int begin(store_t *s, char *e, size_t el)
{
    return s->db->ops->script(s->db, "BEGIN", e, el);
}
static int commit(store_t *s, char *e, size_t el)
{
    return s->db->ops->script(s->db, "COMMIT", e, el);
}
static void rollback(store_t *s)
{
    char e[256];
    s->db->ops->script(s->db, "ROLLBACK", e, sizeof e);
}

static int one_int(void *ud, const db_row_t *r)
{
    if (r->n > 0 && r->v[0].type == DB_INT) *(int64_t *)ud = r->v[0].i;
    return 1;
}

static int migrate(store_t *s, char *e, size_t el)
{
    const db_ops_t *ops = s->db->ops;
    if (ops->script(s->db, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)", e,
                    el) != 0)
        return -1;
    int64_t v = -1;
    if (EXEC(s, "SELECT version FROM schema_version", NULL, 0, one_int, &v, NULL) != 0) return -1;
    if (v < 0) {
        if (EXEC(s, "INSERT INTO schema_version (version) VALUES (0)", NULL, 0, NULL, NULL, NULL) !=
            0)
            return -1;
        v = 0;
    }
    if (v > (int64_t)ops->n_migrations) {
        snprintf(e, el, "database schema version %lld is newer than this program (%zu)",
                 (long long)v, ops->n_migrations);
        return -1;
    }
    for (; v < (int64_t)ops->n_migrations; v++) {
        if (begin(s, e, el) != 0) return -1;
        db_val_t p[] = {DBI(v + 1)};
        if (ops->script(s->db, ops->migrations[v], e, el) != 0 ||
            EXEC(s, "UPDATE schema_version SET version = ?", p, 1, NULL, NULL, NULL) != 0 ||
            commit(s, e, el) != 0) {
            rollback(s);
            return -1;
        }
    }
    s->version = (int)v;
    return 0;
}

store_t *store_open(const char *url, char *err, size_t errlen)
{
    db_t *db = NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        db = db_sqlite_open(url + 7, err, errlen);
    else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        db = db_pg_open(url, err, errlen);
    else
        snprintf(err, errlen, "db: '%.64s' is neither sqlite:PATH nor postgresql://...", url);
    if (!db) return NULL;
    store_t *s = calloc(1, sizeof *s);
    if (!s) {
        db->ops->close(db);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->db = db;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->reader_lock, NULL);
    if (!(s->url = strdup(url))) {
        snprintf(err, errlen, "out of memory");
        store_close(s);
        return NULL;
    }
    if (migrate(s, err, errlen) != 0) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(store_t *s)
{
    if (!s) return;
    s->db->ops->close(s->db);
    if (s->reader) s->reader->ops->close(s->reader);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->reader_lock);
    free(s->url);
    free(s);
}

int store_schema_version(store_t *s)
{
    return s->version;
}
const char *store_backend(const store_t *s)
{
    return s->db->ops->name;
}

/* ---- agents ---- */

static int agent_row(void *ud, const db_row_t *r)
{
    /* id, name, url, enabled, tags, version, last_seen_us, has_token */
    json_t *a = json_object();
    char t[CENTER_TIME_LEN];
    json_object_set_new(a, "id", json_integer(r->v[0].i));
    json_object_set_new(a, "name", json_string(r->v[1].s ? r->v[1].s : ""));
    json_object_set_new(a, "url", json_string(r->v[2].s ? r->v[2].s : ""));
    json_object_set_new(a, "enabled", json_boolean(r->v[3].i != 0));
    json_object_set_new(a, "tags", json_string(r->v[4].s ? r->v[4].s : ""));
    json_object_set_new(a, "version", json_string(r->v[5].s ? r->v[5].s : ""));
    json_object_set_new(a, "last_seen",
                        r->v[6].i ? json_string(center_rfc3339(r->v[6].i, t)) : json_null());
    json_object_set_new(a, "has_token", json_boolean(r->v[7].i != 0));
    if (json_is_array((json_t *)ud))
        json_array_append_new(ud, a);
    else {
        *(json_t **)ud = a;
        return 1;
    }
    return 0;
}

#define AGENT_COLS                                                                                 \
    "SELECT id, name, url, enabled, tags, version, last_seen_us,"                                  \
    " CASE WHEN command_token = '' THEN 0 ELSE 1 END FROM agents"

static json_t *agent_by_name(store_t *s, const char *name, char *e, size_t el)
{
    json_t *a = NULL;
    db_val_t p[] = {DBT(name)};
    EXEC(s, AGENT_COLS " WHERE name = ?", p, 1, agent_row, &a, NULL);
    return a;
}

static int64_t count_rows(store_t *s, const char *sql, char *e, size_t el)
{
    int64_t n = 0;
    EXEC(s, sql, NULL, 0, one_int, &n, NULL);
    return n;
}

static int agent_write(store_t *s, const agent_in_t *a, int enabled_new, size_t max_agents,
                       int64_t now_us, char *e, size_t el)
{
    int64_t id = 0;
    db_val_t pn[] = {DBT(a->name)};
    if (EXEC(s, "SELECT id FROM agents WHERE name = ?", pn, 1, one_int, &id, NULL) != 0) return -1;
    if (!id) {
        if (count_rows(s, "SELECT COUNT(*) FROM agents", e, el) >= (int64_t)max_agents) {
            snprintf(e, el, "too many agents (max_agents = %zu)", max_agents);
            return -2;
        }
        db_val_t p[] = {DBT(a->name),
                        DBT(a->url ? a->url : ""),
                        DBT(a->command_token ? a->command_token : ""),
                        DBI(a->enabled >= 0 ? a->enabled : enabled_new),
                        DBT(a->tags ? a->tags : ""),
                        DBT(a->version ? a->version : ""),
                        DBI(now_us)};
        return EXEC(s,
                    "INSERT INTO agents (name, url, command_token, enabled, tags, version, "
                    "last_seen_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    p, 7, NULL, NULL, NULL);
    }
    db_val_t p[] = {DBT(a->url),     DBT(a->command_token), DBI(a->enabled),
                    DBI(a->enabled), DBT(a->tags),          DBT(a->version),
                    DBI(now_us),     DBI(now_us),           DBI(id)};
    return EXEC(s,
                "UPDATE agents SET url = COALESCE(?, url), command_token = COALESCE(?, "
                "command_token), enabled = CASE WHEN CAST(? AS BIGINT) >= 0 THEN CAST(? AS "
                "BIGINT) ELSE enabled END, tags = COALESCE(?, tags), version = COALESCE(?, "
                "version), last_seen_us = CASE WHEN CAST(? AS BIGINT) > 0 THEN CAST(? AS BIGINT) "
                "ELSE last_seen_us END WHERE id = ?",
                p, 9, NULL, NULL, NULL);
}

int store_agent_upsert(store_t *s, const agent_in_t *a, size_t max_agents, json_t **out, char *e,
                       size_t el)
{
    pthread_mutex_lock(&s->lock);
    int rc = agent_write(s, a, 0, max_agents, 0, e, el);
    if (rc == 0) *out = agent_by_name(s, a->name, e, el);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static json_t *command_object(const db_row_t *r, int off)
{
    /* id, label, expires_us, criteria, capture_rtp, capture_pcap, two last seqs */
    char t[CENTER_TIME_LEN];
    json_t *c = json_object();
    json_object_set_new(c, "id", json_string(r->v[off].s));
    json_object_set_new(c, "label", json_string(r->v[off + 1].s ? r->v[off + 1].s : ""));
    json_object_set_new(c, "expires_at", json_string(center_rfc3339(r->v[off + 2].i, t)));
    json_t *crit = json_loads(r->v[off + 3].s ? r->v[off + 3].s : "{}", 0, NULL);
    json_object_set_new(c, "criteria", crit ? crit : json_object());
    json_object_set_new(c, "capture_rtp", json_boolean(r->v[off + 4].i));
    json_object_set_new(c, "capture_pcap", json_boolean(r->v[off + 5].i));
    int64_t last = r->v[off + 6].i > r->v[off + 7].i ? r->v[off + 6].i : r->v[off + 7].i;
    json_object_set_new(c, "last_seq", json_integer(last));
    return c;
}

static int command_row(void *ud, const db_row_t *r)
{
    json_array_append_new(ud, command_object(r, 0));
    return 0;
}

/* The last two: the highest seq stored from this agent for the session (events and
 * packets), so an agent that restarted mid-session continues past it instead of
 * reusing seqs the center would take for duplicates. Every query using them joins
 * session_agents as sa. */
#define COMMAND_COLS                                                                               \
    "s.id, s.label, s.expires_us, s.criteria, s.capture_rtp, s.capture_pcap, "                     \
    "(SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = s.id AND agent_id = "            \
    "sa.agent_id), (SELECT COALESCE(MAX(seq), 0) FROM packets WHERE session_id = s.id AND "        \
    "agent_id = sa.agent_id)"

int store_agent_register(store_t *s, const agent_in_t *a, bool auto_enable, size_t max_agents,
                         int64_t now_us, json_t **out, char *e, size_t el)
{
    pthread_mutex_lock(&s->lock);
    agent_in_t in = *a;
    in.enabled = -1; /* an operator's enabled flag is kept */
    int rc = agent_write(s, &in, auto_enable ? 1 : 0, max_agents, now_us, e, el);
    json_t *ag = rc == 0 ? agent_by_name(s, a->name, e, el) : NULL;
    if (ag) {
        json_t *o = json_object();
        json_object_set(o, "id", json_object_get(ag, "id"));
        json_object_set(o, "name", json_object_get(ag, "name"));
        json_object_set(o, "enabled", json_object_get(ag, "enabled"));
        json_t *sess = json_array();
        if (json_is_true(json_object_get(ag, "enabled"))) {
            db_val_t p[] = {DBI(json_integer_value(json_object_get(ag, "id"))), DBI(now_us)};
            EXEC(s,
                 "SELECT " COMMAND_COLS " FROM sessions s JOIN session_agents sa ON sa.session_id "
                 "= s.id WHERE sa.agent_id = ? AND s.status = 'running' AND s.expires_us > ? "
                 "ORDER BY s.created_us",
                 p, 2, command_row, sess, NULL);
            /* They are known to it now. */
            EXEC(s,
                 "UPDATE session_agents SET state = 'started', attempts = 0 WHERE agent_id = ? AND "
                 "state = 'start'",
                 p, 1, NULL, NULL, NULL);
        }
        json_object_set_new(o, "sessions", sess);
        json_decref(ag);
        *out = o;
    } else if (rc == 0) {
        rc = -1;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

json_t *store_agents_list(store_t *s)
{
    char e[256];
    size_t el = sizeof e;
    json_t *arr = json_array();
    pthread_mutex_lock(&s->lock);
    int rc = EXEC(s, AGENT_COLS " ORDER BY name", NULL, 0, agent_row, arr, NULL);
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

int64_t store_agent_id(store_t *s, const char *name)
{
    char e[256];
    size_t el = sizeof e;
    int64_t id = 0;
    db_val_t p[] = {DBT(name)};
    pthread_mutex_lock(&s->lock);
    EXEC(s, "SELECT id FROM agents WHERE name = ?", p, 1, one_int, &id, NULL);
    pthread_mutex_unlock(&s->lock);
    return id;
}

typedef struct idset {
    int64_t *v;
    size_t n, cap;
} idset_t;

static int idset_add(idset_t *set, int64_t id)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i] == id) return 0;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        int64_t *v = realloc(set->v, cap * sizeof *v);
        if (!v) return -1;
        set->v = v;
        set->cap = cap;
    }
    set->v[set->n++] = id;
    return 0;
}

static int tag_row(void *ud, const db_row_t *r)
{
    void **a = ud;
    idset_t *set = a[0];
    const char *tag = a[1];
    const char *p = r->v[1].s ? r->v[1].s : "";
    size_t tl = strlen(tag);
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == tl && strncmp(p, tag, n) == 0) {
            idset_add(set, r->v[0].i);
            break;
        }
        p += n;
        if (*p) p++;
    }
    return 0;
}

static int id_row(void *ud, const db_row_t *r)
{
    idset_add(ud, r->v[0].i);
    return 0;
}

int store_agents_select(store_t *s, const int64_t *ids, size_t n_ids, const char *const *tags,
                        size_t n_tags, int64_t **out, size_t *n_out, char *e, size_t el)
{
    idset_t set = {0};
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < n_ids; i++) {
        int64_t found = 0;
        db_val_t p[] = {DBI(ids[i])};
        EXEC(s, "SELECT id FROM agents WHERE id = ?", p, 1, one_int, &found, NULL);
        if (!found) {
            snprintf(e, el, "agent_ids: no agent with id %lld", (long long)ids[i]);
            rc = -1;
            goto out;
        }
        idset_add(&set, found);
    }
    for (size_t i = 0; i < n_tags; i++) {
        void *a[] = {&set, (void *)tags[i]};
        EXEC(s, "SELECT id, tags FROM agents", NULL, 0, tag_row, a, NULL);
    }
    if (n_ids == 0 && n_tags == 0)
        EXEC(s, "SELECT id FROM agents WHERE enabled = 1", NULL, 0, id_row, &set, NULL);
out:
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        free(set.v);
        return rc;
    }
    *out = set.v;
    *n_out = set.n;
    return 0;
}

/* ---- sessions ---- */

int store_session_create(store_t *s, const session_new_t *n, const int64_t *agents, size_t n_agents,
                         char *e, size_t el)
{
    pthread_mutex_lock(&s->lock);
    int rc = begin(s, e, el);
    if (rc == 0) {
        db_val_t p[] = {DBT(n->id),          DBT(n->label),         DBI(n->created_us),
                        DBI(n->expires_us),  DBT(n->criteria_json), DBI(n->capture_rtp),
                        DBI(n->capture_pcap)};
        rc = EXEC(s,
                  "INSERT INTO sessions (id, label, status, created_us, expires_us, criteria, "
                  "capture_rtp, capture_pcap) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)",
                  p, 7, NULL, NULL, NULL);
        for (size_t i = 0; rc == 0 && i < n_agents; i++) {
            db_val_t q[] = {DBT(n->id), DBI(agents[i])};
            rc = EXEC(s,
                      "INSERT INTO session_agents (session_id, agent_id, state) VALUES (?, ?, "
                      "'start')",
                      q, 2, NULL, NULL, NULL);
        }
        if (rc == 0) rc = commit(s, e, el);
        if (rc != 0) rollback(s);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int64_t store_sessions_running(store_t *s)
{
    char e[256];
    size_t el = sizeof e;
    pthread_mutex_lock(&s->lock);
    int64_t n = count_rows(s, "SELECT COUNT(*) FROM sessions WHERE status = 'running'", e, el);
    pthread_mutex_unlock(&s->lock);
    return n;
}

#define SESSION_COLS                                                                               \
    "SELECT id, label, status, created_us, expires_us, stopped_us, criteria, capture_rtp,"         \
    " capture_pcap, event_count, packet_count, share_hash, share_expires_us,"                      \
    " (SELECT COUNT(*) FROM session_agents sa WHERE sa.session_id = sessions.id) FROM sessions"

static int session_row(void *ud, const db_row_t *r)
{
    char t[CENTER_TIME_LEN];
    json_t *o = json_object();
    const char *id = r->v[0].s;
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "label", json_string(r->v[1].s ? r->v[1].s : ""));
    json_object_set_new(o, "status", json_string(r->v[2].s));
    json_object_set_new(o, "created_at", json_string(center_rfc3339(r->v[3].i, t)));
    json_object_set_new(o, "expires_at", json_string(center_rfc3339(r->v[4].i, t)));
    json_object_set_new(o, "stopped_at",
                        r->v[5].i ? json_string(center_rfc3339(r->v[5].i, t)) : json_null());
    json_t *crit = json_loads(r->v[6].s ? r->v[6].s : "{}", 0, NULL);
    json_object_set_new(o, "criteria", crit ? crit : json_object());
    json_object_set_new(o, "capture_rtp", json_boolean(r->v[7].i));
    json_object_set_new(o, "capture_pcap", json_boolean(r->v[8].i));
    json_object_set_new(o, "event_count", json_integer(r->v[9].i));
    json_object_set_new(o, "packet_count", json_integer(r->v[10].i));
    json_object_set_new(o, "agents", json_integer(r->v[13].i));
    bool shared = r->v[11].type == DB_TEXT;
    json_object_set_new(o, "shared", json_boolean(shared));
    json_object_set_new(o, "share_expires_at",
                        shared && r->v[12].i ? json_string(center_rfc3339(r->v[12].i, t))
                                             : json_null());
    char stream[64];
    snprintf(stream, sizeof stream, "/api/sessions/%s/stream", id);
    json_object_set_new(o, "stream", json_string(stream));
    if (json_is_array((json_t *)ud))
        json_array_append_new(ud, o);
    else {
        *(json_t **)ud = o;
        return 1;
    }
    return 0;
}

static int agent_id_row(void *ud, const db_row_t *r)
{
    json_array_append_new(ud, json_integer(r->v[0].i));
    return 0;
}

int store_session_find(store_t *s, const char *id, json_t **out)
{
    char e[256];
    size_t el = sizeof e;
    json_t *o = NULL;
    db_val_t p[] = {DBT(id)};
    pthread_mutex_lock(&s->lock);
    int rc = EXEC(s, SESSION_COLS " WHERE id = ?", p, 1, session_row, &o, NULL);
    if (rc == 0 && o) {
        json_t *ids = json_array();
        rc = EXEC(s, "SELECT agent_id FROM session_agents WHERE session_id = ? ORDER BY agent_id",
                  p, 1, agent_id_row, ids, NULL);
        json_object_set_new(o, "agent_ids", ids);
    }
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        json_decref(o);
        *out = NULL;
        return -1;
    }
    *out = o;
    return o ? 1 : 0;
}

json_t *store_session_get(store_t *s, const char *id)
{
    json_t *o;
    store_session_find(s, id, &o);
    return o;
}

json_t *store_sessions_list(store_t *s, size_t limit)
{
    char e[256];
    size_t el = sizeof e;
    json_t *arr = json_array();
    db_val_t p[] = {DBI(limit)};
    pthread_mutex_lock(&s->lock);
    int rc =
        EXEC(s, SESSION_COLS " ORDER BY created_us DESC, id LIMIT ?", p, 1, session_row, arr, NULL);
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static int text_row(void *ud, const db_row_t *r)
{
    if (r->n > 0 && r->v[0].type == DB_TEXT) *(char **)ud = strdup(r->v[0].s);
    return 1;
}

int store_session_stop(store_t *s, const char *id, const char *status, int64_t now_us)
{
    char e[256];
    size_t el = sizeof e;
    char *cur = NULL;
    int rc;
    db_val_t p[] = {DBT(id)};
    pthread_mutex_lock(&s->lock);
    EXEC(s, "SELECT status FROM sessions WHERE id = ?", p, 1, text_row, &cur, NULL);
    if (!cur) {
        rc = -1;
    } else if (strcmp(cur, "running") != 0) {
        rc = 0;
    } else {
        rc = begin(s, e, el);
        db_val_t q[] = {DBT(status), DBI(now_us), DBT(id)};
        if (rc == 0)
            rc = EXEC(s, "UPDATE sessions SET status = ?, stopped_us = ? WHERE id = ?", q, 3, NULL,
                      NULL, NULL);
        if (rc == 0)
            rc = EXEC(s,
                      "UPDATE session_agents SET state = 'stop', attempts = 0 WHERE session_id = ? "
                      "AND state IN ('start', 'started')",
                      p, 1, NULL, NULL, NULL);
        if (rc == 0) rc = commit(s, e, el);
        if (rc != 0) {
            rollback(s);
            rc = -1;
        } else {
            rc = 1;
        }
    }
    free(cur);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int purge_locked(store_t *s, const char *id, char *e, size_t el)
{
    db_val_t p[] = {DBT(id)};
    if (begin(s, e, el) != 0) return -1;
    if (EXEC(s, "DELETE FROM events WHERE session_id = ?", p, 1, NULL, NULL, NULL) != 0 ||
        EXEC(s, "DELETE FROM packets WHERE session_id = ?", p, 1, NULL, NULL, NULL) != 0 ||
        EXEC(s, "DELETE FROM session_agents WHERE session_id = ?", p, 1, NULL, NULL, NULL) != 0 ||
        EXEC(s, "DELETE FROM sessions WHERE id = ?", p, 1, NULL, NULL, NULL) != 0 ||
        commit(s, e, el) != 0) {
        rollback(s);
        return -1;
    }
    return 0;
}

int store_session_purge(store_t *s, const char *id)
{
    char e[256];
    size_t el = sizeof e;
    char *cur = NULL;
    int rc;
    db_val_t p[] = {DBT(id)};
    pthread_mutex_lock(&s->lock);
    EXEC(s, "SELECT status FROM sessions WHERE id = ?", p, 1, text_row, &cur, NULL);
    if (!cur)
        rc = -1;
    else if (strcmp(cur, "running") == 0)
        rc = 0;
    else
        rc = purge_locked(s, id, e, el) == 0 ? 1 : -1;
    free(cur);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_share_set(store_t *s, const char *id, const char *token_hash, int64_t expires_us)
{
    char e[256];
    size_t el = sizeof e;
    int64_t ch = 0;
    db_val_t p[] = {DBT(token_hash), DBI(expires_us), DBT(id)};
    pthread_mutex_lock(&s->lock);
    int rc = EXEC(s, "UPDATE sessions SET share_hash = ?, share_expires_us = ? WHERE id = ?", p, 3,
                  NULL, NULL, &ch);
    pthread_mutex_unlock(&s->lock);
    return rc != 0 ? -1 : ch ? 1 : 0;
}

int store_share_revoke(store_t *s, const char *id)
{
    char e[256];
    size_t el = sizeof e;
    int64_t ch = 0, had = -1;
    db_val_t p[] = {DBT(id)};
    pthread_mutex_lock(&s->lock);
    EXEC(s, "SELECT CASE WHEN share_hash IS NULL THEN 0 ELSE 1 END FROM sessions WHERE id = ?", p,
         1, one_int, &had, NULL);
    if (had == 1)
        EXEC(s, "UPDATE sessions SET share_hash = NULL, share_expires_us = 0 WHERE id = ?", p, 1,
             NULL, NULL, &ch);
    pthread_mutex_unlock(&s->lock);
    return had < 0 ? -1 : (int)had;
}

char *store_share_lookup(store_t *s, const char *token_hash, int64_t now_us)
{
    char e[256];
    size_t el = sizeof e;
    char *id = NULL;
    db_val_t p[] = {DBT(token_hash), DBI(now_us)};
    pthread_mutex_lock(&s->lock);
    EXEC(s,
         "SELECT id FROM sessions WHERE share_hash = ? AND (share_expires_us = 0 OR "
         "share_expires_us > ?)",
         p, 2, text_row, &id, NULL);
    pthread_mutex_unlock(&s->lock);
    return id;
}

/* ---- ingest ---- */

typedef struct target {
    char id[24];
    bool ok, pcap;
    int64_t events, packets;
} target_t;

static int target_row(void *ud, const db_row_t *r)
{
    /* status, expires_us, capture_pcap, targeted */
    target_t *t = ((void **)ud)[0];
    int64_t now = *(int64_t *)((void **)ud)[1];
    t->ok = r->v[0].s && strcmp(r->v[0].s, "running") == 0 && r->v[1].i > now && r->v[3].i > 0;
    t->pcap = r->v[2].i != 0;
    return 1;
}

static int flush_counts(store_t *s, target_t *t, char *e, size_t el)
{
    if (!t->events && !t->packets) return 0;
    db_val_t p[] = {DBI(t->events), DBI(t->packets), DBT(t->id)};
    int rc = EXEC(s,
                  "UPDATE sessions SET event_count = event_count + ?, packet_count = packet_count "
                  "+ ? WHERE id = ?",
                  p, 3, NULL, NULL, NULL);
    t->events = t->packets = 0;
    return rc;
}

int store_ingest(store_t *s, int64_t agent_id, const ingest_event_t *ev, size_t n, int64_t now_us,
                 ingest_result_t *res, char *e, size_t el)
{
    memset(res, 0, sizeof *res);
    target_t t = {0};
    bool have = false;
    pthread_mutex_lock(&s->lock);
    int rc = begin(s, e, el);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const ingest_event_t *x = &ev[i];
        if (!have || strcmp(t.id, x->session) != 0) {
            if (have && (rc = flush_counts(s, &t, e, el)) != 0) break;
            memset(&t, 0, sizeof t);
            snprintf(t.id, sizeof t.id, "%s", x->session);
            db_val_t p[] = {DBT(x->session), DBI(agent_id), DBT(x->session)};
            void *ud[] = {&t, &now_us};
            rc = EXEC(s,
                      "SELECT status, expires_us, capture_pcap, (SELECT COUNT(*) FROM "
                      "session_agents WHERE session_id = ? AND agent_id = ?) FROM sessions WHERE "
                      "id = ?",
                      p, 3, target_row, ud, NULL);
            have = true;
            if (rc != 0) break;
        }
        if (!t.ok || (!x->listed && !(x->has_packet && t.pcap))) {
            res->rejected++;
            continue;
        }
        int64_t ch = 0;
        if (x->listed) {
            db_val_t p[] = {DBT(x->session), DBI(agent_id), DBI(x->seq), DBI(x->ts_us),
                            DBI(now_us),     DBT(x->type),  DBT(x->body)};
            rc = EXEC(s,
                      "INSERT INTO events (session_id, agent_id, seq, ts_us, received_us, type, "
                      "body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      p, 7, NULL, NULL, &ch);
            if (rc != 0) break;
            if (ch == 0) {
                res->duplicate++;
                continue;
            }
            t.events++;
        }
        if (x->has_packet && t.pcap) {
            int64_t pch = 0;
            db_val_t p[] = {
                DBT(x->session),  DBI(agent_id),     DBI(x->seq),      DBI(now_us),
                DBI(x->linktype), DBI(x->pkt_ts_us), DBI(x->orig_len), DBB(x->data, x->data_len)};
            rc = EXEC(s,
                      "INSERT INTO packets (session_id, agent_id, seq, received_us, linktype, "
                      "ts_us, orig_len, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO "
                      "NOTHING",
                      p, 8, NULL, NULL, &pch);
            if (rc != 0) break;
            if (pch) t.packets++;
            if (!x->listed) {
                if (pch == 0) {
                    res->duplicate++;
                    continue;
                }
            }
        }
        res->accepted++;
    }
    if (rc == 0 && have) rc = flush_counts(s, &t, e, el);
    if (rc == 0) rc = commit(s, e, el);
    if (rc != 0) {
        rollback(s);
        memset(res, 0, sizeof *res);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int event_row(void *ud, const db_row_t *r)
{
    /* id, seq, ts_us, type, body, agent name, agent id */
    void **a = ud;
    json_t *arr = a[0];
    int64_t *last = a[1];
    char t[CENTER_TIME_LEN];
    json_t *o = json_loads(r->v[4].s ? r->v[4].s : "{}", 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    json_object_set_new(o, "id", json_integer(r->v[0].i));
    json_object_set_new(o, "agent", json_string(r->v[5].s ? r->v[5].s : ""));
    json_object_set_new(o, "agent_id", json_integer(r->v[6].i));
    json_object_set_new(o, "seq", json_integer(r->v[1].i));
    json_object_set_new(o, "ts_us", json_integer(r->v[2].i));
    json_object_set_new(o, "time", json_string(center_rfc3339(r->v[2].i, t)));
    json_object_set_new(o, "type", json_string(r->v[3].s ? r->v[3].s : ""));
    json_array_append_new(arr, o);
    *last = r->v[0].i;
    return 0;
}

json_t *store_events_after(store_t *s, const char *session, int64_t after, size_t limit,
                           int64_t *last)
{
    char e[256];
    size_t el = sizeof e;
    json_t *arr = json_array();
    *last = after;
    void *ud[] = {arr, last};
    db_val_t p[] = {DBT(session), DBI(after), DBI(limit)};
    pthread_mutex_lock(&s->lock);
    int rc = EXEC(
        s,
        "SELECT e.id, e.seq, e.ts_us, e.type, e.body, a.name, e.agent_id FROM events e LEFT JOIN "
        "agents a ON a.id = e.agent_id WHERE e.session_id = ? AND e.id > ? ORDER BY e.id LIMIT ?",
        p, 3, event_row, ud, NULL);
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

typedef struct pkt_ctx {
    int (*cb)(void *, int, const packet_row_t *);
    void *ud;
    int pass;
} pkt_ctx_t;

static int packet_row_cb(void *ud, const db_row_t *r)
{
    pkt_ctx_t *c = ud;
    packet_row_t p = {.agent = r->v[0].s ? r->v[0].s : "agent",
                      .linktype = r->v[1].i,
                      .ts_us = r->v[2].i,
                      .orig_len = r->v[3].i,
                      .data = r->v[4].b,
                      .len = r->v[4].len};
    return c->cb(c->ud, c->pass, &p);
}

static db_t *open_db(const char *url, char *err, size_t errlen)
{
    if (strncmp(url, "sqlite:", 7) == 0) return db_sqlite_open(url + 7, err, errlen);
    return db_pg_open(url, err, errlen);
}

int store_packets(store_t *s, const char *session, int passes,
                  int (*cb)(void *ud, int pass, const packet_row_t *p), void *ud)
{
    char e[256];
    size_t el = sizeof e;
    pkt_ctx_t c = {cb, ud, 0};
    db_val_t p[] = {DBT(session)};
    pthread_mutex_lock(&s->reader_lock);
    if (!s->reader) s->reader = open_db(s->url, e, el);
    db_t *r = s->reader;
    /* One read transaction: every pass sees the same rows (a WAL reader's
     * snapshot in SQLite; REPEATABLE READ in PostgreSQL) while ingest
     * commits on the main connection. */
    bool pg = r && strcmp(r->ops->name, "sqlite") != 0;
    int rc = r ? r->ops->script(r, pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN",
                                e, el)
               : -1;
    for (c.pass = 0; rc == 0 && c.pass < passes; c.pass++)
        rc =
            r->ops->exec(r,
                         "SELECT COALESCE(a.name, 'agent-' || p.agent_id), p.linktype, p.ts_us, "
                         "p.orig_len, p.data FROM packets p LEFT JOIN agents a ON a.id = "
                         "p.agent_id WHERE p.session_id = ? ORDER BY 1, p.linktype, p.ts_us, p.seq",
                         p, 1, packet_row_cb, &c, NULL, e, el);
    if (r && r->ops->script(r, rc == 0 ? "COMMIT" : "ROLLBACK", e, el) != 0) rc = -1;
    if (rc != 0 && r) {
        /* Reopened at the next export (a restarted server, a lost socket). */
        r->ops->close(r);
        s->reader = NULL;
    }
    pthread_mutex_unlock(&s->reader_lock);
    return rc;
}

/* ---- pushes, expiry, retention ---- */

static int push_row(void *ud, const db_row_t *r)
{
    /* agent_id, url, token, state, then the command columns */
    json_t *o = json_object();
    json_object_set_new(o, "session", json_string(r->v[4].s));
    json_object_set_new(o, "agent_id", json_integer(r->v[0].i));
    json_object_set_new(o, "url", json_string(r->v[1].s ? r->v[1].s : ""));
    json_object_set_new(o, "token", json_string(r->v[2].s ? r->v[2].s : ""));
    bool start = r->v[3].s && strcmp(r->v[3].s, "start") == 0;
    json_object_set_new(o, "action", json_string(start ? "start" : "stop"));
    json_object_set_new(o, "command", command_object(r, 4));
    json_array_append_new(ud, o);
    return 0;
}

json_t *store_pending_pushes(store_t *s, size_t limit)
{
    char e[256];
    size_t el = sizeof e;
    json_t *arr = json_array();
    db_val_t p[] = {DBI(limit)};
    pthread_mutex_lock(&s->lock);
    EXEC(s,
         "SELECT a.id, a.url, a.command_token, sa.state, " COMMAND_COLS
         " FROM session_agents sa JOIN agents a ON a.id = sa.agent_id JOIN sessions s ON s.id = "
         "sa.session_id WHERE sa.state IN ('start', 'stop') AND a.enabled = 1 AND a.url <> '' "
         "ORDER BY sa.attempts, s.created_us LIMIT ?",
         p, 1, push_row, arr, NULL);
    pthread_mutex_unlock(&s->lock);
    return arr;
}

void store_push_done(store_t *s, const char *session, int64_t agent_id, const char *action, bool ok,
                     int64_t max_stop_attempts)
{
    char e[256];
    size_t el = sizeof e;
    bool start = strcmp(action, "start") == 0;
    db_val_t p[] = {DBT(session), DBI(agent_id)};
    pthread_mutex_lock(&s->lock);
    if (ok)
        EXEC(s,
             start ? "UPDATE session_agents SET state = 'started', attempts = 0 WHERE session_id "
                     "= ? AND agent_id = ? AND state = 'start'"
                   : "UPDATE session_agents SET state = 'stopped', attempts = 0 WHERE session_id "
                     "= ? AND agent_id = ? AND state = 'stop'",
             p, 2, NULL, NULL, NULL);
    else {
        EXEC(s,
             "UPDATE session_agents SET attempts = attempts + 1 WHERE session_id = ? AND agent_id "
             "= ?",
             p, 2, NULL, NULL, NULL);
        if (!start) {
            db_val_t q[] = {DBT(session), DBI(agent_id), DBI(max_stop_attempts)};
            EXEC(s,
                 "UPDATE session_agents SET state = 'stopped' WHERE session_id = ? AND agent_id = "
                 "? AND state = 'stop' AND attempts >= ?",
                 q, 3, NULL, NULL, NULL);
        }
    }
    pthread_mutex_unlock(&s->lock);
}

int store_expire_due(store_t *s, int64_t now_us)
{
    char e[256];
    size_t el = sizeof e;
    int64_t ch = 0;
    db_val_t p[] = {DBI(now_us)};
    pthread_mutex_lock(&s->lock);
    if (begin(s, e, el) == 0) {
        int rc = EXEC(s,
                      "UPDATE session_agents SET state = 'stop', attempts = 0 WHERE state IN "
                      "('start', 'started') AND session_id IN (SELECT id FROM sessions WHERE "
                      "status = 'running' AND expires_us <= ?)",
                      p, 1, NULL, NULL, NULL);
        db_val_t q[] = {DBI(now_us), DBI(now_us)};
        if (rc == 0)
            rc = EXEC(s,
                      "UPDATE sessions SET status = 'expired', stopped_us = ? WHERE status = "
                      "'running' AND expires_us <= ?",
                      q, 2, NULL, NULL, &ch);
        if (rc == 0) rc = commit(s, e, el);
        if (rc != 0) {
            rollback(s);
            ch = 0;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return (int)ch;
}

static int collect_text(void *ud, const db_row_t *r)
{
    json_array_append_new(ud, json_string(r->v[0].s));
    return 0;
}

int store_retention(store_t *s, int64_t events_before, int64_t packets_before,
                    int64_t sessions_before, retention_counts_t *out)
{
    char e[256];
    size_t el = sizeof e;
    retention_counts_t c = {0};
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    if (events_before > 0) {
        db_val_t p[] = {DBI(events_before)};
        rc |= EXEC(s, "DELETE FROM events WHERE received_us < ?", p, 1, NULL, NULL, &c.events);
    }
    if (packets_before > 0) {
        db_val_t p[] = {DBI(packets_before)};
        rc |= EXEC(s, "DELETE FROM packets WHERE received_us < ?", p, 1, NULL, NULL, &c.packets);
    }
    if (sessions_before > 0) {
        json_t *ids = json_array();
        db_val_t p[] = {DBI(sessions_before)};
        rc |= EXEC(s,
                   "SELECT id FROM sessions WHERE status <> 'running' AND stopped_us > 0 AND "
                   "stopped_us < ?",
                   p, 1, collect_text, ids, NULL);
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
        {
            if (purge_locked(s, json_string_value(v), e, el) == 0) c.sessions++;
        }
        json_decref(ids);
    }
    pthread_mutex_unlock(&s->lock);
    if (out) *out = c;
    return rc ? -1 : 0;
}

int64_t store_count(store_t *s, const char *table)
{
    char e[256];
    size_t el = sizeof e;
    const char *sql = NULL;
    if (strcmp(table, "events") == 0) sql = "SELECT COUNT(*) FROM events";
    if (strcmp(table, "packets") == 0) sql = "SELECT COUNT(*) FROM packets";
    if (strcmp(table, "sessions") == 0) sql = "SELECT COUNT(*) FROM sessions";
    if (strcmp(table, "agents") == 0) sql = "SELECT COUNT(*) FROM agents";
    if (!sql) return -1;
    pthread_mutex_lock(&s->lock);
    int64_t n = count_rows(s, sql, e, el);
    pthread_mutex_unlock(&s->lock);
    return n;
}
