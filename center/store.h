/* The center's storage: agents, sessions (and the agents they target),
 * events, packets, share links. One interface over SQLite (embedded
 * default) and PostgreSQL; the SQL is in store.c, the drivers in db_*.c.
 * A store is used by several threads: every call takes the store's lock.
 * Reads come back as jansson objects shaped as the API serves them. */
#ifndef SNB_CENTER_STORE_H
#define SNB_CENTER_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store_t;

/* url: "sqlite:PATH" or "postgresql://..." / "postgres://...". Applies
 * pending schema migrations. */
store_t *store_open(const char *url, char *err, size_t errlen);
void store_close(store_t *s);
int store_schema_version(store_t *s);
const char *store_backend(const store_t *s);

typedef struct agent_in {
    const char *name;
    const char *url;
    const char *command_token; /* NULL: keep */
    const char *tags;          /* comma separated, normalized */
    const char *version;
    int enabled; /* -1: keep (or default) */
} agent_in_t;

/* Operator add/update by name. *out: the agent as listed. 0 or -1 (err);
 * -2 when max_agents would be exceeded. */
int store_agent_upsert(store_t *s, const agent_in_t *a, size_t max_agents, json_t **out, char *err,
                       size_t errlen);
/* Agent self-registration: creates (enabled = auto_enable) or updates url,
 * tags, command token, version and last_seen. *out: {id, name, enabled,
 * sessions: [command objects of running sessions targeting it]}. */
int store_agent_register(store_t *s, const agent_in_t *a, bool auto_enable, size_t max_agents,
                         int64_t now_us, json_t **out, char *err, size_t errlen);
/* The list readers return NULL when the database failed (the caller answers 503). */
json_t *store_agents_list(store_t *s);
/* Agent id by name, or 0. */
int64_t store_agent_id(store_t *s, const char *name);

/* Which agents a new session targets: the given ids (each must exist, else
 * -1 with err naming it), plus every agent carrying one of the tags; none
 * of both: every enabled agent. */
int store_agents_select(store_t *s, const int64_t *ids, size_t n_ids, const char *const *tags,
                        size_t n_tags, int64_t **out, size_t *n_out, char *err, size_t errlen);

typedef struct session_new {
    char id[21];
    const char *label;
    int64_t created_us, expires_us;
    const char *criteria_json;
    bool capture_rtp, capture_pcap;
} session_new_t;

int store_session_create(store_t *s, const session_new_t *n, const int64_t *agents, size_t n_agents,
                         char *err, size_t errlen);
int64_t store_sessions_running(store_t *s);
/* 1 found (*out is the session), 0 unknown, -1 the database failed: the
 * API answers 404 only for the second and 503 for the third. */
int store_session_find(store_t *s, const char *id, json_t **out);
/* NULL when unknown or when the database failed. */
json_t *store_session_get(store_t *s, const char *id);
json_t *store_sessions_list(store_t *s, size_t limit);
/* 1 stopped now, 0 was not running, -1 unknown. Marks its agents for a stop. */
int store_session_stop(store_t *s, const char *id, const char *status, int64_t now_us);
/* 1 purged, 0 still running, -1 unknown. */
int store_session_purge(store_t *s, const char *id);

int store_share_set(store_t *s, const char *id, const char *token_hash, int64_t expires_us);
int store_share_revoke(store_t *s, const char *id); /* 1 revoked, 0 none, -1 unknown */
/* The session id a live share token hash opens (caller frees), or NULL. */
char *store_share_lookup(store_t *s, const char *token_hash, int64_t now_us);

typedef struct ingest_event {
    const char *session;
    int64_t seq, ts_us;
    const char *type;
    bool listed;      /* false: an RTP packet kept for export only */
    const char *body; /* the event's fields as compact JSON */
    bool has_packet;
    int64_t linktype, pkt_ts_us, orig_len;
    const unsigned char *data;
    size_t data_len;
} ingest_event_t;

typedef struct ingest_result {
    int64_t accepted, duplicate, rejected;
} ingest_result_t;

/* One transaction, committed (durable) before it returns 0. */
int store_ingest(store_t *s, int64_t agent_id, const ingest_event_t *ev, size_t n, int64_t now_us,
                 ingest_result_t *res, char *err, size_t errlen);
/* Events with id > after, at most limit, oldest first; *last gets the id of
 * the last one (after when none). */
json_t *store_events_after(store_t *s, const char *session, int64_t after, size_t limit,
                           int64_t *last);

typedef struct packet_row {
    const char *agent;
    int64_t linktype, ts_us, orig_len;
    const unsigned char *data;
    size_t len;
} packet_row_t;
/* A session's packets, ordered by agent name, link type, capture time,
 * seq, read `passes` times (pass 0, 1, ...) from one snapshot: every pass
 * sees the same rows. Runs on the export's own connection, so ingest goes
 * on meanwhile. A pass stops early when cb returns nonzero (still 0).
 * Returns -1 when the database failed. */
int store_packets(store_t *s, const char *session, int passes,
                  int (*cb)(void *ud, int pass, const packet_row_t *p), void *ud);

/* Session commands still to send: [{session, agent_id, url, token, action:
 * "start"|"stop", command: {...}}]. */
json_t *store_pending_pushes(store_t *s, size_t limit);
/* After a push: ok moves start->started and stop->stopped; a failure counts
 * an attempt (a stop is given up after max_stop_attempts). */
void store_push_done(store_t *s, const char *session, int64_t agent_id, const char *action, bool ok,
                     int64_t max_stop_attempts);
/* Running sessions past expires_at become "expired" (their stop is queued).
 * Returns how many. */
int store_expire_due(store_t *s, int64_t now_us);

/* Retention: delete events received before events_before, packets before
 * packets_before, stopped/expired sessions stopped before sessions_before
 * (0 = keep). Counts of rows deleted in *out (may be NULL). */
typedef struct retention_counts {
    int64_t events, packets, sessions;
} retention_counts_t;
int store_retention(store_t *s, int64_t events_before, int64_t packets_before,
                    int64_t sessions_before, retention_counts_t *out);

/* Row counts for tests: "events", "packets", "sessions", "agents". */
int64_t store_count(store_t *s, const char *table);

#endif
