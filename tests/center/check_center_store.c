/* The store against a real database: SQLite in a temp dir always, and the
 * same cases against PostgreSQL when SNB_CENTER_PG_URL is set (run.sh
 * starts a temporary cluster and sets it). Every case starts from an empty
 * schema. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char url[1024];
static char tmpdir[256];

static store_t *fresh(void)
{
    char err[256];
    if (strncmp(url, "sqlite:", 7) == 0) {
        unlink(url + 7);
        char side[1100];
        snprintf(side, sizeof side, "%s-wal", url + 7);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", url + 7);
        unlink(side);
    } else {
        /* PostgreSQL: drop what a previous case made. */
        store_t *s = store_open(url, err, sizeof err);
        ck_assert_msg(s != NULL, "%s", err);
        store_close(s);
        char cmd[1400];
        snprintf(cmd, sizeof cmd,
                 "psql -q -X -d '%s' -c 'DROP TABLE IF EXISTS packets, events, session_agents, "
                 "sessions, agents, schema_version CASCADE' >/dev/null 2>&1",
                 url);
        ck_assert_int_eq(system(cmd), 0);
    }
    store_t *s = store_open(url, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_int_eq(store_schema_version(s), 1);
    return s;
}

static int64_t add_agent(store_t *s, const char *name, const char *tags, int enabled)
{
    agent_in_t a = {.name = name,
                    .url = "http://127.0.0.1:9",
                    .command_token = "ct",
                    .tags = tags,
                    .enabled = enabled};
    json_t *o = NULL;
    char err[256];
    ck_assert_int_eq(store_agent_upsert(s, &a, 100, &o, err, sizeof err), 0);
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

static void add_session(store_t *s, const char *id, int64_t now, int64_t ttl_s, bool pcap,
                        const int64_t *agents, size_t n)
{
    session_new_t sn = {.label = "t",
                        .created_us = now,
                        .expires_us = now + ttl_s * 1000000,
                        .criteria_json = "{\"from\":\"1555\"}",
                        .capture_pcap = pcap};
    snprintf(sn.id, sizeof sn.id, "%s", id);
    char err[256];
    ck_assert_int_eq(store_session_create(s, &sn, agents, n, err, sizeof err), 0);
}

#define S1 "aaaaaaaaaaaaaaaaaaa1"
#define S2 "aaaaaaaaaaaaaaaaaaa2"
#define NOW 1781990000000000LL

START_TEST(migrations_and_agents)
{
    store_t *s = fresh();
    char err[256];
    int64_t a = add_agent(s, "edge-1", "edge,fra", 1);
    ck_assert_int_gt(a, 0);
    /* registration keeps the operator's enabled flag and updates the rest */
    agent_in_t r = {.name = "edge-1",
                    .url = "http://10.0.0.1:9071",
                    .command_token = "new",
                    .tags = "edge",
                    .version = "sipnab 0.1",
                    .enabled = -1};
    json_t *o = NULL;
    ck_assert_msg(store_agent_register(s, &r, false, 100, NOW, &o, err, sizeof err) == 0, "%s",
                  err);
    ck_assert(json_is_true(json_object_get(o, "enabled")));
    ck_assert_int_eq(json_integer_value(json_object_get(o, "id")), a);
    json_decref(o);
    /* a new agent registering is disabled unless auto_enable */
    r.name = "edge-2";
    ck_assert_msg(store_agent_register(s, &r, false, 100, NOW, &o, err, sizeof err) == 0, "%s",
                  err);
    ck_assert(json_is_false(json_object_get(o, "enabled")));
    json_decref(o);
    json_t *list = store_agents_list(s);
    ck_assert_uint_eq(json_array_size(list), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "url")),
                     "http://10.0.0.1:9071");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "tags")), "edge");
    ck_assert_ptr_null(json_object_get(json_array_get(list, 0), "command_token"));
    json_decref(list);
    /* the cap */
    agent_in_t x = {.name = "edge-3", .enabled = -1};
    ck_assert_int_eq(store_agent_upsert(s, &x, 2, &o, err, sizeof err), -2);
    /* selection: ids must exist; tags; default = enabled agents */
    int64_t *ids;
    size_t n;
    int64_t bad = 999;
    ck_assert_int_eq(store_agents_select(s, &bad, 1, NULL, 0, &ids, &n, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "999"));
    const char *tags[] = {"edge"};
    ck_assert_int_eq(store_agents_select(s, NULL, 0, tags, 1, &ids, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 2);
    free(ids);
    ck_assert_int_eq(store_agents_select(s, NULL, 0, NULL, 0, &ids, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(ids[0], a);
    free(ids);
    store_close(s);
    /* reopening applies no migration twice */
    s = store_open(url, err, sizeof err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(store_schema_version(s), 1);
    ck_assert_int_eq(store_count(s, "agents"), 2);
    store_close(s);
}
END_TEST

static void ev(ingest_event_t *e, const char *sid, int64_t seq, bool packet)
{
    static const unsigned char data[] = {1, 2, 3, 4};
    memset(e, 0, sizeof *e);
    e->session = sid;
    e->seq = seq;
    e->ts_us = NOW + seq;
    e->type = "sip";
    e->listed = true;
    e->body = "{\"call_id\":\"c@x\"}";
    if (packet) {
        e->has_packet = true;
        e->linktype = 1;
        e->pkt_ts_us = NOW + seq;
        e->orig_len = 4;
        e->data = data;
        e->data_len = 4;
    }
}

static int count_packets(void *ud, int pass, const packet_row_t *p)
{
    ck_assert_int_eq(pass, 0);
    ck_assert_uint_eq(p->len, 4);
    ck_assert_int_eq(p->data[3], 4);
    (*(int *)ud)++;
    return 0;
}

START_TEST(ingest_rules)
{
    store_t *s = fresh();
    char err[256];
    int64_t a = add_agent(s, "edge-1", "", 1);
    int64_t b = add_agent(s, "edge-2", "", 1);
    add_session(s, S1, NOW, 3600, true, &a, 1);
    ingest_event_t e[4];
    ev(&e[0], S1, 1, true);
    ev(&e[1], S1, 2, false);
    ev(&e[2], "bbbbbbbbbbbbbbbbbbbb", 3, false); /* no such session */
    ev(&e[3], S1, 4, true);
    e[3].listed = false; /* an RTP packet for export only */
    e[3].type = "rtp";
    ingest_result_t r;
    ck_assert_int_eq(store_ingest(s, a, e, 4, NOW, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.accepted, 3);
    ck_assert_int_eq(r.rejected, 1);
    ck_assert_int_eq(r.duplicate, 0);
    /* the same batch again: duplicates, nothing added */
    ck_assert_int_eq(store_ingest(s, a, e, 4, NOW, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.accepted, 0);
    ck_assert_int_eq(r.duplicate, 3);
    ck_assert_int_eq(store_count(s, "events"), 2);
    ck_assert_int_eq(store_count(s, "packets"), 2);
    /* an agent the session does not target */
    ck_assert_int_eq(store_ingest(s, b, e, 2, NOW, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.rejected, 2);
    json_t *o = store_session_get(s, S1);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "event_count")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "packet_count")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "agents")), 1);
    json_decref(o);
    /* paging */
    int64_t last;
    json_t *page = store_events_after(s, S1, 0, 1, &last);
    ck_assert_uint_eq(json_array_size(page), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(page, 0), "agent")),
                     "edge-1");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(page, 0), "call_id")), "c@x");
    json_decref(page);
    page = store_events_after(s, S1, last, 10, &last);
    ck_assert_uint_eq(json_array_size(page), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(page, 0), "seq")), 2);
    json_decref(page);
    page = store_events_after(s, S1, last, 10, &last);
    ck_assert_uint_eq(json_array_size(page), 0);
    json_decref(page);
    int np = 0;
    ck_assert_int_eq(store_packets(s, S1, 1, count_packets, &np), 0);
    ck_assert_int_eq(np, 2);
    /* stopped: further events are rejected; the stop is queued for the agent */
    ck_assert_int_eq(store_session_stop(s, S1, "stopped", NOW + 5), 1);
    ck_assert_int_eq(store_session_stop(s, S1, "stopped", NOW + 6), 0);
    ev(&e[0], S1, 9, false);
    ck_assert_int_eq(store_ingest(s, a, e, 1, NOW, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.rejected, 1);
    json_t *pushes = store_pending_pushes(s, 10);
    ck_assert_uint_eq(json_array_size(pushes), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(pushes, 0), "action")),
                     "stop");
    json_decref(pushes);
    store_push_done(s, S1, a, "stop", true, 3);
    pushes = store_pending_pushes(s, 10);
    ck_assert_uint_eq(json_array_size(pushes), 0);
    json_decref(pushes);
    /* purge */
    ck_assert_int_eq(store_session_purge(s, S1), 1);
    ck_assert_int_eq(store_count(s, "events"), 0);
    ck_assert_int_eq(store_count(s, "packets"), 0);
    ck_assert_int_eq(store_session_purge(s, S1), -1);
    store_close(s);
}
END_TEST

START_TEST(pushes_expiry_share)
{
    store_t *s = fresh();
    char err[256];
    int64_t a = add_agent(s, "edge-1", "", 1);
    add_session(s, S1, NOW, 10, false, &a, 1);
    json_t *p = store_pending_pushes(s, 10);
    ck_assert_uint_eq(json_array_size(p), 1);
    json_t *first = json_array_get(p, 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "action")), "start");
    ck_assert_str_eq(json_string_value(json_object_get(first, "token")), "ct");
    json_t *cmd = json_object_get(first, "command");
    ck_assert_str_eq(json_string_value(json_object_get(cmd, "id")), S1);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(cmd, "criteria"), "from")),
                     "1555");
    json_decref(p);
    /* a failed start stays queued */
    store_push_done(s, S1, a, "start", false, 3);
    p = store_pending_pushes(s, 10);
    ck_assert_uint_eq(json_array_size(p), 1);
    json_decref(p);
    /* registration hands running sessions to the agent */
    agent_in_t r = {.name = "edge-1", .enabled = -1};
    json_t *o;
    ck_assert_int_eq(store_agent_register(s, &r, false, 100, NOW + 1, &o, err, sizeof err), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(o, "sessions")), 1);
    json_decref(o);
    /* expiry */
    ck_assert_int_eq(store_expire_due(s, NOW + 5000000), 0);
    ck_assert_int_eq(store_expire_due(s, NOW + 10000000), 1);
    o = store_session_get(s, S1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "expired");
    json_decref(o);
    p = store_pending_pushes(s, 10);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p, 0), "action")), "stop");
    json_decref(p);
    /* a stop never acknowledged is given up */
    for (int i = 0; i < 3; i++)
        store_push_done(s, S1, a, "stop", false, 3);
    p = store_pending_pushes(s, 10);
    ck_assert_uint_eq(json_array_size(p), 0);
    json_decref(p);
    /* share links */
    ck_assert_int_eq(store_share_set(s, S1, "h1", NOW + 100), 1);
    ck_assert_int_eq(store_share_set(s, "cccccccccccccccccccc", "h2", 0), 0);
    char *id = store_share_lookup(s, "h1", NOW);
    ck_assert_str_eq(id, S1);
    free(id);
    ck_assert_ptr_null(store_share_lookup(s, "h1", NOW + 100)); /* expired */
    ck_assert_ptr_null(store_share_lookup(s, "h2", NOW));
    o = store_session_get(s, S1);
    ck_assert(json_is_true(json_object_get(o, "shared")));
    json_decref(o);
    ck_assert_int_eq(store_share_revoke(s, S1), 1);
    ck_assert_int_eq(store_share_revoke(s, S1), 0);
    ck_assert_ptr_null(store_share_lookup(s, "h1", NOW));
    store_close(s);
}
END_TEST

START_TEST(retention)
{
    store_t *s = fresh();
    char err[256];
    int64_t a = add_agent(s, "edge-1", "", 1);
    add_session(s, S1, NOW, 3600, true, &a, 1);
    add_session(s, S2, NOW, 3600, true, &a, 1);
    ingest_event_t e[2];
    ev(&e[0], S1, 1, true);
    ev(&e[1], S2, 1, true);
    ingest_result_t r;
    ck_assert_int_eq(store_ingest(s, a, e, 1, NOW, &r, err, sizeof err), 0);           /* old */
    ck_assert_int_eq(store_ingest(s, a, e + 1, 1, NOW + 100, &r, err, sizeof err), 0); /* new */
    ck_assert_int_eq(store_session_stop(s, S1, "stopped", NOW + 10), 1);
    retention_counts_t c;
    /* packets older than NOW+50 go, events are kept, sessions stopped before NOW+5 go (none) */
    ck_assert_int_eq(store_retention(s, 0, NOW + 50, NOW + 5, &c), 0);
    ck_assert_int_eq(c.packets, 1);
    ck_assert_int_eq(c.events, 0);
    ck_assert_int_eq(c.sessions, 0);
    ck_assert_int_eq(store_count(s, "events"), 2);
    ck_assert_int_eq(store_count(s, "packets"), 1);
    ck_assert_int_eq(store_retention(s, NOW + 50, 0, NOW + 20, &c), 0);
    ck_assert_int_eq(c.events, 1);
    ck_assert_int_eq(c.sessions, 1);
    ck_assert_int_eq(store_count(s, "sessions"), 1); /* S2 runs on */
    ck_assert_ptr_null(store_session_get(s, S1));
    store_close(s);
}
END_TEST

/* An export reads on its own connection from one snapshot: a batch ingested
 * while it runs (here from inside its first pass, which deadlocked when the
 * export held the store's lock) is stored at once, and neither pass of that
 * export sees it; the next export does. */
typedef struct export_probe {
    store_t *s;
    int64_t agent;
    int rows[2];
    int ingested;
} export_probe_t;

static int ingest_during_export(void *ud, int pass, const packet_row_t *p)
{
    export_probe_t *x = ud;
    (void)p;
    x->rows[pass]++;
    if (pass == 0 && !x->ingested++) {
        ingest_event_t e;
        ev(&e, S1, 7, true);
        ingest_result_t r;
        char err[256];
        ck_assert_int_eq(store_ingest(x->s, x->agent, &e, 1, NOW, &r, err, sizeof err), 0);
        ck_assert_int_eq(r.accepted, 1);
    }
    return 0;
}

static int stop_at_first(void *ud, int pass, const packet_row_t *p)
{
    (void)pass, (void)p;
    (*(int *)ud)++;
    return 1;
}

START_TEST(export_reads_a_snapshot)
{
    store_t *s = fresh();
    char err[256];
    int64_t a = add_agent(s, "edge-1", "", 1);
    add_session(s, S1, NOW, 3600, true, &a, 1);
    ingest_event_t e[2];
    ev(&e[0], S1, 1, true);
    ev(&e[1], S1, 2, true);
    ingest_result_t r;
    ck_assert_int_eq(store_ingest(s, a, e, 2, NOW, &r, err, sizeof err), 0);
    export_probe_t x = {.s = s, .agent = a};
    ck_assert_int_eq(store_packets(s, S1, 2, ingest_during_export, &x), 0);
    ck_assert_int_eq(x.ingested, 2);
    ck_assert_int_eq(x.rows[0], 2);
    ck_assert_int_eq(x.rows[1], 2);
    ck_assert_int_eq(store_count(s, "packets"), 3);
    int np = 0;
    ck_assert_int_eq(store_packets(s, S1, 1, count_packets, &np), 0);
    ck_assert_int_eq(np, 3);
    /* A pass stopped at its first row (an export over max_export): the
     * rest is drained, and the next export on that connection works. */
    int first = 0;
    ck_assert_int_eq(store_packets(s, S1, 2, stop_at_first, &first), 0);
    ck_assert_int_eq(first, 2);
    np = 0;
    ck_assert_int_eq(store_packets(s, S1, 1, count_packets, &np), 0);
    ck_assert_int_eq(np, 3);
    store_close(s);
}
END_TEST

/* A failing database is not an unknown session: find says -1 (the API's
 * 503), not 0 (its 404). The table a session's agents live in is dropped
 * behind the store's back, by the database's own client. */
START_TEST(db_failure_is_not_unknown)
{
    store_t *s = fresh();
    int64_t a = add_agent(s, "edge-1", "", 1);
    add_session(s, S1, NOW, 3600, true, &a, 1);
    json_t *o = NULL;
    ck_assert_int_eq(store_session_find(s, "no-such-session-id", &o), 0);
    ck_assert_ptr_null(o);
    ck_assert_int_eq(store_session_find(s, S1, &o), 1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "id")), S1);
    ck_assert_uint_eq(json_array_size(json_object_get(o, "agent_ids")), 1);
    json_decref(o);
    char cmd[1400];
    if (strncmp(url, "sqlite:", 7) == 0)
        snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'DROP TABLE session_agents' >/dev/null 2>&1",
                 url + 7);
    else
        snprintf(cmd, sizeof cmd,
                 "psql -q -X -d '%s' -c 'DROP TABLE session_agents' >/dev/null 2>&1", url);
    ck_assert_int_eq(system(cmd), 0);
    o = json_object(); /* must come back NULL */
    json_t *before = o;
    ck_assert_int_eq(store_session_find(s, S1, &o), -1);
    ck_assert_ptr_null(o);
    json_decref(before);
    ck_assert_ptr_null(store_session_get(s, S1));
    store_close(s);
}
END_TEST

int main(void)
{
    const char *pg = getenv("SNB_CENTER_PG_URL");
    int failed = 0;
    for (int pass = 0; pass < (pg && *pg ? 2 : 1); pass++) {
        if (pass == 0) {
            snprintf(tmpdir, sizeof tmpdir, "/tmp/check_center_store.XXXXXX");
            if (!mkdtemp(tmpdir)) return 1;
            snprintf(url, sizeof url, "sqlite:%s/store.db", tmpdir);
        } else {
            snprintf(url, sizeof url, "%s", pg);
        }
        Suite *s = suite_create(pass ? "center_store_postgresql" : "center_store_sqlite");
        TCase *tc = tcase_create("store");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, migrations_and_agents);
        tcase_add_test(tc, ingest_rules);
        tcase_add_test(tc, pushes_expiry_share);
        tcase_add_test(tc, retention);
        tcase_add_test(tc, db_failure_is_not_unknown);
        tcase_add_test(tc, export_reads_a_snapshot);
        suite_add_tcase(s, tc);
        SRunner *sr = srunner_create(s);
        srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, CK_NORMAL);
        failed += srunner_ntests_failed(sr);
        srunner_free(sr);
        if (pass == 0) {
            char cmd[400];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
            if (system(cmd) != 0) failed++;
        }
    }
    return failed ? 1 : 0;
}
