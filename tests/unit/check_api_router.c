/* REST routing on a small store: every endpoint and parameter, pagination,
 * errors (bodies parsed and checked), authentication rules, and the bearer,
 * percent-decoding and SSRC helpers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_router.h"
#include "api_stats.h"
#include "check_run.h"

static void add_dialog(api_store_t *s, const char *call_id, const char *from, unsigned state,
                       uint64_t created, int32_t pdd)
{
    char summary[256], full[256], md[256];
    snprintf(summary, sizeof summary, "{\"call_id\":\"%s\",\"from\":\"%s\"}", call_id, from);
    snprintf(full, sizeof full, "{\"schema_version\":1,\"call_id\":\"%s\",\"full\":true}", call_id);
    snprintf(md, sizeof md, "# Report for %s\n", call_id);
    api_dialog_rec_t d = {0};
    d.call_id = snb_str(call_id, strlen(call_id));
    d.from_user = snb_str(from, strlen(from));
    d.state = (uint8_t)state;
    d.created_us = created;
    d.pdd_ms = pdd;
    d.summary_json = snb_str(summary, strlen(summary));
    d.full_json = snb_str(full, strlen(full));
    d.report_markdown = snb_str(md, strlen(md));
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_dialog(&b, &d), 0);
    ck_assert_int_eq(api_store_apply(s, API_FRAME_DIALOG, b.data + API_FRAME_HEADER,
                                     (uint32_t)(b.len - API_FRAME_HEADER)),
                     0);
    api_buf_free(&b);
}

static void add_stream(api_store_t *s, uint64_t id, uint32_t ssrc, bool orphaned, bool active,
                       double mos)
{
    char list[128], full[128];
    /* stream 1 is a call's real stream; the others are short */
    snprintf(list, sizeof list, "{\"id\":%llu,\"packets\":%d}", (unsigned long long)id,
             id == 1 ? 4820 : 2);
    snprintf(full, sizeof full, "{\"schema_version\":1,\"id\":%llu,\"full\":true}",
             (unsigned long long)id);
    api_stream_rec_t r = {0};
    r.id = id;
    r.ssrc = ssrc;
    r.orphaned = orphaned;
    r.active = active;
    r.mos = mos;
    r.list_json = snb_str(list, strlen(list));
    r.full_json = snb_str(full, strlen(full));
    api_buf_t b = {0};
    ck_assert_int_eq(api_wire_put_stream(&b, &r), 0);
    ck_assert_int_eq(api_store_apply(s, API_FRAME_STREAM, b.data + API_FRAME_HEADER,
                                     (uint32_t)(b.len - API_FRAME_HEADER)),
                     0);
    api_buf_free(&b);
}

/* Listing order (by created_us): d4, a/b@c, @, x y+z, plain. */
static api_store_t *fixture(void)
{
    api_store_t *s = api_store_new();
    add_dialog(s, "a/b@c", "alice", 4, 10, 100);    /* Failed */
    add_dialog(s, "@", "bob", 2, 20, 300);          /* InCall */
    add_dialog(s, "x y+z", "carol", 4, 30, -1);     /* Failed */
    add_dialog(s, "d4", "alice2", 3, 5, 200);       /* Completed */
    add_dialog(s, "plain", "Dave", 0, 40, 1000);    /* Trying */
    add_stream(s, 1, 0x1a2b3c4d, false, true, 4.2); /* established */
    add_stream(s, 2, 0x00000001, true, false, 2.5); /* orphaned */
    add_stream(s, 4, 0xdeadbeef, true, true, 3.0);  /* orphaned */
    add_stream(s, 3, 0x1a2b3c4d, false, false, -1); /* same SSRC as 1, stored last */
    return s;
}

typedef struct call {
    api_response_t resp;
    json_t *json; /* the body parsed, when it is JSON */
} call_t;

static const api_auth_t no_auth = {NULL, NULL};

static call_t route_full(const api_store_t *s, const api_auth_t *auth, const char *method,
                         const char *path, const char *query, const char *authz, const char *accept)
{
    call_t c = {0};
    api_request_t req = {method, path, query, authz, accept};
    api_route(s, auth, &req, &c.resp);
    ck_assert_ptr_nonnull(c.resp.body);
    ck_assert_ptr_nonnull(c.resp.content_type);
    if (strcmp(c.resp.content_type, "application/json") == 0) {
        json_error_t err;
        c.json = json_loadb(c.resp.body, c.resp.body_len, 0, &err);
        ck_assert_msg(c.json != NULL, "invalid JSON (%s): %.*s", err.text, (int)c.resp.body_len,
                      c.resp.body);
    }
    return c;
}

static call_t get(const api_store_t *s, const char *path, const char *query)
{
    return route_full(s, &no_auth, "GET", path, query, NULL, NULL);
}

static void call_free(call_t *c)
{
    json_decref(c->json);
    free(c->resp.body);
}

static void check_error(call_t *c, int status)
{
    ck_assert_int_eq(c->resp.status, status);
    ck_assert_str_eq(c->resp.content_type, "application/json");
    ck_assert_ptr_nonnull(c->json);
    ck_assert_int_eq(json_integer_value(json_object_get(c->json, "schema_version")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(c->json, "status")), status);
    const char *e = json_string_value(json_object_get(c->json, "error"));
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_gt(strlen(e), 0);
    ck_assert_uint_eq(json_object_size(c->json), 3);
    ck_assert_int_eq(c->resp.challenge, status == 401);
    if (status == 405)
        ck_assert_str_eq(c->resp.allow, "GET");
    else
        ck_assert_ptr_null(c->resp.allow);
}

/* A request expected to fail with `status`; its error text is returned in
 * `msg` (for the tests that check it). */
static void expect_error(const api_store_t *s, const char *path, const char *query, int status,
                         const char *msg_part)
{
    call_t c = get(s, path, query);
    check_error(&c, status);
    if (msg_part) {
        const char *e = json_string_value(json_object_get(c.json, "error"));
        ck_assert_msg(strstr(e, msg_part) != NULL, "'%s' lacks '%s'", e, msg_part);
    }
    call_free(&c);
}

/* The "call_id" (dialogs) or "id" (streams) of each listed element, joined
 * by ','; also checks the envelope. */
static void expect_list(const api_store_t *s, const char *path, const char *query, size_t total,
                        size_t offset, size_t limit, const char *ids)
{
    call_t c = get(s, path, query);
    ck_assert_int_eq(c.resp.status, 200);
    ck_assert_str_eq(c.resp.content_type, "application/json");
    json_t *j = c.json;
    ck_assert_uint_eq(json_object_size(j), 5);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "schema_version")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), (json_int_t)total);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "offset")), (json_int_t)offset);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "limit")), (json_int_t)limit);
    bool dialogs = strstr(path, "dialogs") != NULL;
    json_t *arr = json_object_get(j, dialogs ? "dialogs" : "streams");
    ck_assert(json_is_array(arr));
    char got[512] = "";
    size_t i;
    json_t *el;
    json_array_foreach(arr, i, el)
    {
        if (i) strcat(got, ",");
        if (dialogs) {
            strcat(got, json_string_value(json_object_get(el, "call_id")));
        } else {
            char num[32];
            snprintf(num, sizeof num, "%lld",
                     (long long)json_integer_value(json_object_get(el, "id")));
            strcat(got, num);
        }
    }
    ck_assert_msg(strcmp(got, ids) == 0, "%s?%s: got [%s], want [%s]", path, query ? query : "",
                  got, ids);
    call_free(&c);
}

START_TEST(health)
{
    api_store_t *s = fixture();
    api_auth_t auth = {"secret", "m"};
    const char *methods[] = {"GET", "HEAD"};
    for (int i = 0; i < 2; i++) {
        call_t c = route_full(s, &auth, methods[i], "/health", NULL, NULL, NULL);
        ck_assert_int_eq(c.resp.status, 200);
        ck_assert_str_eq(c.resp.content_type, "text/plain");
        ck_assert_uint_eq(c.resp.body_len, 2);
        ck_assert(memcmp(c.resp.body, "ok", 2) == 0);
        ck_assert(!c.resp.challenge);
        call_free(&c);
    }
    /* A wrong method on /health is 405 even without credentials. */
    call_t c = route_full(s, &auth, "POST", "/health", NULL, NULL, NULL);
    check_error(&c, 405);
    call_free(&c);
    /* Only the exact path is open. */
    c = route_full(s, &auth, "GET", "/health/", NULL, NULL, NULL);
    check_error(&c, 401);
    call_free(&c);
    api_store_free(s);
}
END_TEST

START_TEST(auth_rules)
{
    api_store_t *s = fixture();
    api_auth_t auth = {"secret", NULL};
    const char *paths[] = {"/v1/dialogs",
                           "/v1/dialogs/d4",
                           "/v1/dialogs/d4/report",
                           "/v1/streams",
                           "/v1/streams/1",
                           "/v1/stats",
                           "/metrics",
                           "/nope",
                           "/v1/dialogs/",
                           "",
                           "relative"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        /* No, wrong and malformed credentials: 401 before any 404/405. */
        const char *bad[] = {NULL, "Bearer wrong", "Basic secret", "secret", "Bearer "};
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            call_t c = route_full(s, &auth, "GET", paths[i], NULL, bad[k], NULL);
            check_error(&c, 401);
            call_free(&c);
            c = route_full(s, &auth, "DELETE", paths[i], NULL, bad[k], NULL);
            check_error(&c, 401);
            call_free(&c);
        }
    }
    call_t c = route_full(s, &auth, "GET", "/v1/stats", NULL, "Bearer secret", NULL);
    ck_assert_int_eq(c.resp.status, 200);
    call_free(&c);
    c = route_full(s, &auth, "GET", "/nope", NULL, "Bearer secret", NULL);
    check_error(&c, 404);
    call_free(&c);
    c = route_full(s, &auth, "POST", "/v1/stats", NULL, "Bearer secret", NULL);
    check_error(&c, 405);
    call_free(&c);
    /* An empty key means no authentication, as does no auth at all. */
    api_auth_t open = {"", ""};
    c = route_full(s, &open, "GET", "/v1/stats", NULL, NULL, NULL);
    ck_assert_int_eq(c.resp.status, 200);
    call_free(&c);
    c = route_full(s, NULL, "GET", "/metrics", NULL, NULL, NULL);
    ck_assert_int_eq(c.resp.status, 200);
    call_free(&c);
    api_store_free(s);
}
END_TEST

static int metrics_status(const api_store_t *s, const char *api_key, const char *metrics_key,
                          const char *path, const char *authz)
{
    api_auth_t auth = {api_key, metrics_key};
    call_t c = route_full(s, &auth, "GET", path, NULL, authz, NULL);
    int status = c.resp.status;
    if (status == 401) ck_assert(c.resp.challenge);
    call_free(&c);
    return status;
}

START_TEST(metrics_auth)
{
    api_store_t *s = fixture();
    /* Both keys: /metrics takes either; the rest only the API key. */
    ck_assert_int_eq(metrics_status(s, "k", "m", "/metrics", "Bearer m"), 200);
    ck_assert_int_eq(metrics_status(s, "k", "m", "/metrics", "Bearer k"), 200);
    ck_assert_int_eq(metrics_status(s, "k", "m", "/metrics", NULL), 401);
    ck_assert_int_eq(metrics_status(s, "k", "m", "/metrics", "Bearer x"), 401);
    ck_assert_int_eq(metrics_status(s, "k", "m", "/v1/stats", "Bearer m"), 401);
    ck_assert_int_eq(metrics_status(s, "k", "m", "/v1/stats", "Bearer k"), 200);
    /* Metrics key only: /metrics needs it, the rest is open. */
    ck_assert_int_eq(metrics_status(s, NULL, "m", "/metrics", NULL), 401);
    ck_assert_int_eq(metrics_status(s, NULL, "m", "/metrics", "Bearer m"), 200);
    ck_assert_int_eq(metrics_status(s, "", "m", "/metrics", "Bearer "), 401);
    ck_assert_int_eq(metrics_status(s, NULL, "m", "/v1/stats", NULL), 200);
    /* API key only: /metrics uses it. */
    ck_assert_int_eq(metrics_status(s, "k", NULL, "/metrics", NULL), 401);
    ck_assert_int_eq(metrics_status(s, "k", "", "/metrics", "Bearer k"), 200);
    ck_assert_int_eq(metrics_status(s, "k", NULL, "/metrics", "Bearer m"), 401);
    /* Neither: open. */
    ck_assert_int_eq(metrics_status(s, NULL, NULL, "/metrics", NULL), 200);

    call_t c = get(s, "/metrics", NULL);
    ck_assert_str_eq(c.resp.content_type, "text/plain; version=0.0.4; charset=utf-8");
    ck_assert(strncmp(c.resp.body, "# HELP sipnab_dialogs_total ", 28) == 0);
    ck_assert_ptr_nonnull(strstr(c.resp.body, "sipnab_dialogs_total{state=\"failed\"} 2\n"));
    call_free(&c);
    api_store_free(s);
}
END_TEST

START_TEST(methods_and_paths)
{
    api_store_t *s = fixture();
    const char *known[] = {
        "/metrics",    "/v1/dialogs",    "/v1/dialogs/nope", "/v1/dialogs/d4/report",
        "/v1/streams", "/v1/streams/zz", "/v1/stats"};
    const char *other[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get", "", NULL};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        for (size_t k = 0; k < sizeof other / sizeof other[0]; k++) {
            call_t c = route_full(s, &no_auth, other[k], known[i], NULL, NULL, NULL);
            check_error(&c, 405);
            call_free(&c);
        }
    }
    const char *unknown[] = {"",
                             "v1/dialogs",
                             "/",
                             "/v1",
                             "/v1/",
                             "/V1/dialogs",
                             "/v1/dialogs/",
                             "/v1/dialogs//report",
                             "/v1/dialogs//",
                             "/v1/dialogs/d4/",
                             "/v1/dialogs/d4/report/",
                             "/v1/dialogs/d4/x",
                             "/v1/streams/",
                             "/v1/streams/1/",
                             "/v1/streams/1/x",
                             "/v1/stats/",
                             "/metrics/",
                             "/health/",
                             "/v1/dialogs?x",
                             "//v1/dialogs"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        call_t c = get(s, unknown[i], NULL);
        check_error(&c, 404);
        ck_assert_str_eq(json_string_value(json_object_get(c.json, "error")), "not found");
        call_free(&c);
        c = route_full(s, &no_auth, "POST", unknown[i], NULL, NULL, NULL);
        check_error(&c, 404); /* unknown beats wrong method */
        call_free(&c);
    }
    call_t c = route_full(s, &no_auth, "GET", NULL, NULL, NULL, NULL);
    check_error(&c, 404);
    call_free(&c);
    /* HEAD is answered like GET (the server drops the body). */
    call_t g = get(s, "/v1/stats", NULL);
    c = route_full(s, &no_auth, "HEAD", "/v1/stats", NULL, NULL, NULL);
    ck_assert_int_eq(c.resp.status, 200);
    ck_assert_uint_eq(c.resp.body_len, g.resp.body_len);
    call_free(&c);
    call_free(&g);
    api_store_free(s);
}
END_TEST

START_TEST(dialog_listing)
{
    api_store_t *s = fixture();
    expect_list(s, "/v1/dialogs", NULL, 5, 0, 50, "d4,a/b@c,@,x y+z,plain");
    expect_list(s, "/v1/dialogs", "", 5, 0, 50, "d4,a/b@c,@,x y+z,plain");
    /* The summaries are spliced verbatim. */
    call_t c = get(s, "/v1/dialogs", "limit=1");
    ck_assert_str_eq(c.resp.body, "{\"schema_version\":1,\"total\":5,\"offset\":0,\"limit\":1,"
                                  "\"dialogs\":[{\"call_id\":\"d4\",\"from\":\"alice2\"}]}");
    ck_assert_uint_eq(c.resp.body_len, strlen(c.resp.body));
    call_free(&c);
    /* state: case-insensitive. */
    expect_list(s, "/v1/dialogs", "state=Failed", 2, 0, 50, "a/b@c,x y+z");
    expect_list(s, "/v1/dialogs", "state=fAiLeD", 2, 0, 50, "a/b@c,x y+z");
    expect_list(s, "/v1/dialogs", "state=incall", 1, 0, 50, "@");
    expect_list(s, "/v1/dialogs", "state=Transferring", 0, 0, 50, "");
    expect_list(s, "/v1/dialogs", "state=%49nCall", 1, 0, 50, "@");
    expect_error(s, "/v1/dialogs", "state=Bogus", 400, "state");
    expect_error(s, "/v1/dialogs", "state=", 400, "state");
    expect_error(s, "/v1/dialogs", "state=Failed+", 400, NULL); /* '+' is a space */
    /* from: a regex on the From user. */
    expect_list(s, "/v1/dialogs", "from=alice", 2, 0, 50, "d4,a/b@c");
    expect_list(s, "/v1/dialogs", "from=%5Ealice%24", 1, 0, 50, "a/b@c");
    expect_list(s, "/v1/dialogs", "from=^(bob|carol)$", 2, 0, 50, "@,x y+z");
    expect_list(s, "/v1/dialogs", "from=dave", 0, 0, 50, "");
    expect_list(s, "/v1/dialogs", "from=(?i)dave", 1, 0, 50, "plain");
    expect_list(s, "/v1/dialogs", "from=", 5, 0, 50, "d4,a/b@c,@,x y+z,plain");
    expect_error(s, "/v1/dialogs", "from=(", 400, "missing closing parenthesis");
    expect_error(s, "/v1/dialogs", "from=a%5B", 400, "missing terminating ]");
    /* Both filters together. */
    expect_list(s, "/v1/dialogs", "state=failed&from=^c", 1, 0, 50, "x y+z");
    /* Unknown parameters are ignored; the last of a repeated one wins. */
    expect_list(s, "/v1/dialogs", "foo=bar&&x&state=InCall", 1, 0, 50, "@");
    expect_list(s, "/v1/dialogs", "state=Bogus&state=Completed", 1, 0, 50, "d4");
    expect_list(s, "/v1/dialogs", "limit=1&limit=3", 5, 0, 3, "d4,a/b@c,@");
    /* Malformed escapes anywhere. */
    expect_error(s, "/v1/dialogs", "state=%zz", 400, "percent");
    expect_error(s, "/v1/dialogs", "from=%4", 400, "percent");
    expect_error(s, "/v1/dialogs", "foo=%", 400, "percent");
    expect_error(s, "/v1/dialogs", "st%00ate=Failed", 400, "percent");
    api_store_free(s);
}
END_TEST

START_TEST(dialog_pagination)
{
    api_store_t *s = fixture();
    expect_list(s, "/v1/dialogs", "limit=2", 5, 0, 2, "d4,a/b@c");
    expect_list(s, "/v1/dialogs", "limit=2&offset=2", 5, 2, 2, "@,x y+z");
    expect_list(s, "/v1/dialogs", "offset=4&limit=2", 5, 4, 2, "plain");
    expect_list(s, "/v1/dialogs", "offset=5", 5, 5, 50, "");
    expect_list(s, "/v1/dialogs", "offset=1000", 5, 1000, 50, "");
    expect_list(s, "/v1/dialogs", "limit=0", 5, 0, 0, "");
    expect_list(s, "/v1/dialogs", "limit=5000", 5, 0, 1000, "d4,a/b@c,@,x y+z,plain");
    expect_list(s, "/v1/dialogs", "limit=000002", 5, 0, 2, "d4,a/b@c");
    /* The page applies after filtering; total counts every match. */
    expect_list(s, "/v1/dialogs", "state=failed&offset=1", 2, 1, 50, "x y+z");
    /* An absurd offset saturates instead of overflowing. */
    call_t c = get(s, "/v1/dialogs", "offset=999999999999999999999999999999");
    ck_assert_int_eq(c.resp.status, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(c.json, "dialogs")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(c.json, "offset")), 9007199254740991LL);
    call_free(&c);
    const char *bad[] = {"limit=abc", "limit=-1",  "limit=",  "limit=1.5",   "limit=+1",
                         "limit=1x",  "offset=-1", "offset=", "offset=0x10", "offset=%201"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        call_t e = get(s, "/v1/dialogs", bad[i]);
        check_error(&e, 400);
        call_free(&e);
        e = get(s, "/v1/streams", bad[i]);
        check_error(&e, 400);
        call_free(&e);
    }
    api_store_free(s);
}
END_TEST

START_TEST(dialog_regex_limits)
{
    api_store_t *s = api_store_new();
    /* Catastrophic backtracking: the match limit ends it as "no match". */
    add_dialog(s, "evil", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", 0, 1, -1);
    add_dialog(s, "ok", "aaa", 0, 2, -1);
    expect_list(s, "/v1/dialogs", "from=^(a%2B)%2B$", 1, 0, 50, "ok");
    /* ... but a pattern that keeps hitting it is refused, not run for minutes. */
    api_store_t *many = api_store_new();
    char id[16];
    for (int i = 0; i < 64; i++) {
        snprintf(id, sizeof id, "e%d", i);
        add_dialog(many, id, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", 0, (uint64_t)i, -1);
    }
    expect_list(many, "/v1/dialogs", "from=^(a%2B)%2B$&limit=1", 0, 0, 1, "");
    add_dialog(many, "e64", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", 0, 64, -1);
    expect_error(many, "/v1/dialogs", "from=^(a%2B)%2B$", 400, "too expensive");
    expect_list(many, "/v1/dialogs", "from=^a&limit=1", 65, 0, 1, "e0");
    api_store_free(many);
    /* A UTF pattern against a non-UTF-8 subject errors: no match, no crash. */
    add_dialog(s, "bin", "\xff\xfe", 0, 3, -1);
    expect_list(s, "/v1/dialogs", "from=(*UTF).", 2, 0, 50, "evil,ok");
    /* An empty summary becomes null so the array stays valid. */
    api_dialog_rec_t d = {.call_id = SNB_STR_LIT("empty"), .created_us = 9};
    api_buf_t b = {0};
    api_wire_put_dialog(&b, &d);
    api_store_apply(s, API_FRAME_DIALOG, b.data + API_FRAME_HEADER,
                    (uint32_t)(b.len - API_FRAME_HEADER));
    api_buf_free(&b);
    call_t c = get(s, "/v1/dialogs", "offset=3");
    ck_assert(json_is_null(json_array_get(json_object_get(c.json, "dialogs"), 0)));
    call_free(&c);
    api_store_free(s);
}
END_TEST

static void expect_body(const api_store_t *s, const char *path, const char *accept,
                        const char *ctype, const char *body)
{
    call_t c = route_full(s, &no_auth, "GET", path, NULL, NULL, accept);
    ck_assert_int_eq(c.resp.status, 200);
    ck_assert_str_eq(c.resp.content_type, ctype);
    ck_assert_uint_eq(c.resp.body_len, strlen(body));
    ck_assert_str_eq(c.resp.body, body);
    call_free(&c);
}

START_TEST(single_dialog)
{
    api_store_t *s = fixture();
    const char *json = "application/json";
    expect_body(s, "/v1/dialogs/a%2Fb%40c", NULL, json,
                "{\"schema_version\":1,\"call_id\":\"a/b@c\",\"full\":true}");
    expect_body(s, "/v1/dialogs/a%2fb@c", NULL, json,
                "{\"schema_version\":1,\"call_id\":\"a/b@c\",\"full\":true}");
    expect_body(s, "/v1/dialogs/%40", NULL, json,
                "{\"schema_version\":1,\"call_id\":\"@\",\"full\":true}");
    expect_body(s, "/v1/dialogs/@", NULL, json,
                "{\"schema_version\":1,\"call_id\":\"@\",\"full\":true}");
    /* In a path '+' is a plus, not a space. */
    expect_body(s, "/v1/dialogs/x%20y+z", NULL, json,
                "{\"schema_version\":1,\"call_id\":\"x y+z\",\"full\":true}");
    expect_body(s, "/v1/dialogs/d4", "text/markdown", json, /* Accept only matters for /report */
                "{\"schema_version\":1,\"call_id\":\"d4\",\"full\":true}");
    expect_error(s, "/v1/dialogs/x+y+z", NULL, 404, "dialog not found");
    expect_error(s, "/v1/dialogs/nope", NULL, 404, "dialog not found");
    expect_error(s, "/v1/dialogs/D4", NULL, 404, "dialog not found");
    /* An unescaped '/' splits the path: no such route. */
    expect_error(s, "/v1/dialogs/a/b@c", NULL, 404, "not found");
    expect_error(s, "/v1/dialogs/%zz", NULL, 400, "percent");
    expect_error(s, "/v1/dialogs/%4", NULL, 400, "percent");
    expect_error(s, "/v1/dialogs/a%00b", NULL, 400, "percent");
    api_store_free(s);
}
END_TEST

START_TEST(report)
{
    api_store_t *s = fixture();
    const char *md = "text/markdown; charset=utf-8";
    expect_body(s, "/v1/dialogs/a%2Fb%40c/report", NULL, "application/json",
                "{\"schema_version\":1,\"call_id\":\"a/b@c\",\"full\":true}");
    expect_body(s, "/v1/dialogs/a%2Fb%40c/report", "application/json", "application/json",
                "{\"schema_version\":1,\"call_id\":\"a/b@c\",\"full\":true}");
    expect_body(s, "/v1/dialogs/a%2Fb%40c/report", "text/markdown", md, "# Report for a/b@c\n");
    expect_body(s, "/v1/dialogs/%40/report", "text/html, TEXT/Markdown;q=0.9, */*;q=0.1", md,
                "# Report for @\n");
    /* q-values are honoured (issue 11.12) */
    const char *json = "application/json";
    const char *full = "{\"schema_version\":1,\"call_id\":\"@\",\"full\":true}";
    expect_body(s, "/v1/dialogs/%40/report", "application/json, text/markdown;q=0.1", json, full);
    expect_body(s, "/v1/dialogs/%40/report", "text/markdown;q=0.5, application/json;q=0.8", json,
                full);
    expect_body(s, "/v1/dialogs/%40/report", "text/markdown;q=0.8, application/json;q=0.5", md,
                "# Report for @\n");
    expect_body(s, "/v1/dialogs/%40/report", "text/markdown;q=0, */*", json, full);
    expect_body(s, "/v1/dialogs/%40/report", "text/markdown, */*", md, "# Report for @\n");
    expect_body(s, "/v1/dialogs/%40/report", "text/*", md, "# Report for @\n");
    expect_error(s, "/v1/dialogs/nope/report", NULL, 404, "dialog not found");
    expect_error(s, "/v1/dialogs/%zz/report", NULL, 400, NULL);
    api_store_free(s);
}
END_TEST

START_TEST(stream_listing)
{
    api_store_t *s = fixture();
    expect_list(s, "/v1/streams", NULL, 4, 0, 50, "1,2,3,4");
    call_t c = get(s, "/v1/streams", "limit=1&offset=1");
    ck_assert_str_eq(c.resp.body, "{\"schema_version\":1,\"total\":4,\"offset\":1,\"limit\":1,"
                                  "\"streams\":[{\"id\":2,\"packets\":2}]}");
    call_free(&c);
    expect_list(s, "/v1/streams", "orphaned=true", 2, 0, 50, "2,4");
    expect_list(s, "/v1/streams", "orphaned=1", 2, 0, 50, "2,4");
    expect_list(s, "/v1/streams", "orphaned=false", 2, 0, 50, "1,3");
    expect_list(s, "/v1/streams", "orphaned=0", 2, 0, 50, "1,3");
    /* what Python's requests sends for a bool (issue 11.9) */
    expect_list(s, "/v1/streams", "orphaned=True", 2, 0, 50, "2,4");
    expect_list(s, "/v1/streams", "orphaned=False", 2, 0, 50, "1,3");
    expect_error(s, "/v1/streams", "orphaned=yes", 400, "orphaned");
    expect_error(s, "/v1/streams", "orphaned=", 400, "orphaned");
    expect_error(s, "/v1/streams", "orphaned=TRUEX", 400, "orphaned");
    /* mos_below: strictly below; unknown MOS (-1) never matches. */
    expect_list(s, "/v1/streams", "mos_below=3", 1, 0, 50, "2");
    expect_list(s, "/v1/streams", "mos_below=3.0001", 2, 0, 50, "2,4");
    expect_list(s, "/v1/streams", "mos_below=4.5", 3, 0, 50, "1,2,4");
    expect_list(s, "/v1/streams", "mos_below=0", 0, 0, 50, "");
    expect_list(s, "/v1/streams", "mos_below=1e3", 3, 0, 50, "1,2,4");
    expect_list(s, "/v1/streams", "mos_below=-5", 0, 0, 50, "");
    expect_list(s, "/v1/streams", "orphaned=true&mos_below=3", 1, 0, 50, "2");
    expect_list(s, "/v1/streams", "mos_below=5&limit=2&offset=1", 3, 1, 2, "2,4");
    expect_list(s, "/v1/streams", "offset=9", 4, 9, 50, "");
    const char *bad[] = {"mos_below=abc", "mos_below=",      "mos_below=3x", "mos_below=inf",
                         "mos_below=nan", "mos_below=1e999", "mos_below=%zz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(s, "/v1/streams", bad[i], 400, NULL);
    api_store_free(s);
}
END_TEST

START_TEST(single_stream)
{
    api_store_t *s = fixture();
    const char *json = "application/json";
    /* Two streams share 0x1a2b3c4d: the one with the most packets (id 1,
     * 4820) answers, not the 2-packet one stored last (issue 11.14), and
     * lists the other. */
    const char *shared = "{\"schema_version\":1,\"id\":1,\"full\":true,\"same_ssrc\":[{\"id\":3,"
                         "\"packets\":2}]}";
    expect_body(s, "/v1/streams/0x1a2b3c4d", NULL, json, shared);
    expect_body(s, "/v1/streams/1A2B3C4D", NULL, json, shared);
    expect_body(s, "/v1/streams/0X1a2B3c4D", NULL, json, shared);
    expect_body(s, "/v1/streams/1", NULL, json, "{\"schema_version\":1,\"id\":2,\"full\":true}");
    expect_body(s, "/v1/streams/00000001", NULL, json,
                "{\"schema_version\":1,\"id\":2,\"full\":true}");
    expect_body(s, "/v1/streams/0xdeadbeef", NULL, json,
                "{\"schema_version\":1,\"id\":4,\"full\":true}");
    expect_body(s, "/v1/streams/%64eadbeef", NULL, json, /* escapes are decoded first */
                "{\"schema_version\":1,\"id\":4,\"full\":true}");
    expect_error(s, "/v1/streams/abcdef", NULL, 404, "stream not found");
    expect_error(s, "/v1/streams/0", NULL, 404, "stream not found");
    const char *bad[] = {"/v1/streams/zz",   "/v1/streams/123456789", "/v1/streams/0x",
                         "/v1/streams/-1",   "/v1/streams/0x-1",      "/v1/streams/%zz",
                         "/v1/streams/1%20", "/v1/streams/0x0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(s, bad[i], NULL, 400, NULL);
    api_store_free(s);
}
END_TEST

static json_int_t jget(json_t *j, const char *a, const char *b)
{
    json_t *v = json_object_get(json_object_get(j, a), b);
    ck_assert_msg(json_is_integer(v), "%s.%s", a, b);
    return json_integer_value(v);
}

START_TEST(stats)
{
    api_store_t *s = fixture();
    call_t c = get(s, "/v1/stats", NULL);
    ck_assert_int_eq(c.resp.status, 200);
    json_t *j = c.json;
    ck_assert_int_eq(json_integer_value(json_object_get(j, "schema_version")), 1);
    ck_assert_int_eq(jget(j, "dialogs", "total"), 5);
    ck_assert_int_eq(jget(j, "dialogs", "active"), 2); /* Trying + InCall */
    ck_assert_int_eq(jget(j, "dialogs", "completed"), 1);
    ck_assert_int_eq(jget(j, "dialogs", "failed"), 2);
    ck_assert_int_eq(jget(j, "dialogs", "cancelled"), 0);
    json_t *by = json_object_get(json_object_get(j, "dialogs"), "by_state");
    ck_assert_uint_eq(json_object_size(by), 12);
    ck_assert_int_eq(json_integer_value(json_object_get(by, "Failed")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(by, "Transferring")), 0);
    ck_assert_int_eq(jget(j, "streams", "total"), 4);
    ck_assert_int_eq(jget(j, "streams", "orphaned"), 2);
    ck_assert_int_eq(jget(j, "streams", "active"), 2);
    /* PDDs 100, 200, 300, 1000 (one dialog has none). */
    ck_assert_int_eq(jget(j, "timing", "pdd_p50_ms"), 200);
    ck_assert_int_eq(jget(j, "timing", "pdd_p95_ms"), 1000);
    ck_assert_int_eq(jget(j, "timing", "pdd_p99_ms"), 1000);
    call_free(&c);
    api_store_free(s);

    /* Empty: zeros and null percentiles. */
    s = api_store_new();
    c = get(s, "/v1/stats", NULL);
    ck_assert_str_eq(c.resp.body,
                     "{\"schema_version\":1,\"dialogs\":{\"total\":0,\"active\":0,\"completed\":0,"
                     "\"failed\":0,\"cancelled\":0,\"by_state\":{\"Trying\":0,\"Ringing\":0,"
                     "\"InCall\":0,\"Completed\":0,\"Failed\":0,\"Cancelled\":0,\"Registered\":0,"
                     "\"Expired\":0,\"Pending\":0,\"Active\":0,\"Terminated\":0,"
                     "\"Transferring\":0}},\"streams\":{\"total\":0,\"orphaned\":0,\"active\":0},"
                     "\"timing\":{\"pdd_p50_ms\":null,\"pdd_p95_ms\":null,\"pdd_p99_ms\":null}}");
    call_free(&c);

    /* Nearest rank over 1..100 (inserted shuffled), plus Transferring. */
    char id[16];
    for (int i = 0; i < 100; i++) {
        int v = (i * 37) % 100 + 1;
        snprintf(id, sizeof id, "c%d", i);
        add_dialog(s, id, "u", 11, (uint64_t)i, v);
    }
    add_dialog(s, "nopdd", "u", 5, 1000, -1);
    size_t len;
    char *text = api_stats_json(s, &len);
    ck_assert_uint_eq(len, strlen(text));
    j = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(jget(j, "timing", "pdd_p50_ms"), 50);
    ck_assert_int_eq(jget(j, "timing", "pdd_p95_ms"), 95);
    ck_assert_int_eq(jget(j, "timing", "pdd_p99_ms"), 99);
    ck_assert_int_eq(jget(j, "dialogs", "active"), 100);
    ck_assert_int_eq(jget(j, "dialogs", "cancelled"), 1);
    json_decref(j);
    free(text);
    api_store_free(s);
}
END_TEST

START_TEST(bearer)
{
    ck_assert(api_bearer_ok("Bearer secret", "secret"));
    ck_assert(api_bearer_ok("bearer secret", "secret"));
    ck_assert(api_bearer_ok("BEARER    secret", "secret"));
    ck_assert(!api_bearer_ok("Bearer secre", "secret"));   /* prefix of the key */
    ck_assert(!api_bearer_ok("Bearer secrets", "secret")); /* longer */
    ck_assert(!api_bearer_ok("Bearer SECRET", "secret"));  /* the token is case-sensitive */
    ck_assert(!api_bearer_ok("Bearer Secret", "secret"));
    /* HTTP's optional whitespace (issue 11.10): around the value, and
     * spaces or tabs after the scheme */
    ck_assert(api_bearer_ok("Bearer secret ", "secret"));
    ck_assert(api_bearer_ok("  Bearer secret\t", "secret"));
    ck_assert(api_bearer_ok("Bearer\tsecret", "secret"));
    ck_assert(!api_bearer_ok("Bearer secret x", "secret"));
    ck_assert(!api_bearer_ok("Bearer ", "secret"));
    ck_assert(!api_bearer_ok("Bearer", "secret"));
    ck_assert(!api_bearer_ok("Bearersecret", "secret"));
    ck_assert(!api_bearer_ok("Basic secret", "secret"));
    ck_assert(!api_bearer_ok("secret", "secret"));
    ck_assert(!api_bearer_ok("", "secret"));
    ck_assert(!api_bearer_ok(NULL, "secret"));
    /* No key configured never authenticates anything. */
    ck_assert(!api_bearer_ok("Bearer ", ""));
    ck_assert(!api_bearer_ok("Bearer x", NULL));
    ck_assert(!api_bearer_ok("Bearer ", NULL));
    /* Keys with spaces and high bytes compare byte for byte. */
    ck_assert(api_bearer_ok("Bearer a b\xff", "a b\xff"));
    ck_assert(!api_bearer_ok("Bearer a b\xfe", "a b\xff"));
}
END_TEST

START_TEST(url_decode)
{
    char out[64];
    ck_assert_int_eq(api_url_decode("a%2Fb%40c", 9, out, sizeof out, false), 5);
    ck_assert_str_eq(out, "a/b@c");
    ck_assert_int_eq(api_url_decode("a+b%2B", 6, out, sizeof out, true), 4);
    ck_assert_str_eq(out, "a b+");
    ck_assert_int_eq(api_url_decode("a+b%2B", 6, out, sizeof out, false), 4);
    ck_assert_str_eq(out, "a+b+");
    ck_assert_int_eq(api_url_decode("%4a%4A%ff", 9, out, sizeof out, false), 3);
    ck_assert_str_eq(out, "JJ\xff");
    ck_assert_int_eq(api_url_decode("", 0, out, sizeof out, true), 0);
    ck_assert_str_eq(out, "");
    /* Only `len` bytes are read. */
    ck_assert_int_eq(api_url_decode("abc%zz", 3, out, sizeof out, false), 3);
    ck_assert_str_eq(out, "abc");
    const char *bad[] = {"%", "%4", "a%", "%zz", "%g0", "%0g", "%00", "a%00b", "%%41"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(api_url_decode(bad[i], strlen(bad[i]), out, sizeof out, true) == -1, "%s",
                      bad[i]);
    /* "%4" at the end of the range is cut, even if more follows in memory. */
    ck_assert_int_eq(api_url_decode("%41", 2, out, sizeof out, false), -1);
    ck_assert_int_eq(api_url_decode("a\0b", 3, out, sizeof out, false), -1);
    /* Capacity: cap-1 bytes plus the NUL. */
    ck_assert_int_eq(api_url_decode("abcd", 4, out, 5, false), 4);
    ck_assert_int_eq(api_url_decode("abcd", 4, out, 4, false), -1);
    ck_assert_int_eq(api_url_decode("%41%42", 6, out, 3, false), 2);
    ck_assert_str_eq(out, "AB");
    ck_assert_int_eq(api_url_decode("", 0, out, 0, false), -1);
    ck_assert_int_eq(api_url_decode("", 0, out, 1, false), 0);
}
END_TEST

START_TEST(parse_ssrc)
{
    unsigned v = 7;
    ck_assert_int_eq(api_parse_ssrc("0x1a2b3c4d", &v), 0);
    ck_assert_uint_eq(v, 0x1a2b3c4d);
    ck_assert_int_eq(api_parse_ssrc("1A2B3C4D", &v), 0);
    ck_assert_uint_eq(v, 0x1a2b3c4d);
    ck_assert_int_eq(api_parse_ssrc("0XfFfFfFfF", &v), 0);
    ck_assert_uint_eq(v, 0xffffffffu);
    ck_assert_int_eq(api_parse_ssrc("0", &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(api_parse_ssrc("0x00000001", &v), 0);
    ck_assert_uint_eq(v, 1);
    v = 7;
    const char *bad[] = {"",   "0x", "x1",   "123456789", "0x123456789", "xyz",   "-1",
                         " 1", "1 ", "0x-1", "0x 1",      "1g",          "0x0x1", "+1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(api_parse_ssrc(bad[i], &v) == -1, "%s", bad[i]);
    ck_assert_uint_eq(v, 7); /* untouched on failure */
    ck_assert_int_eq(api_parse_ssrc(NULL, &v), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_router");
    TCase *tc = tcase_create("api_router");
    tcase_add_test(tc, health);
    tcase_add_test(tc, auth_rules);
    tcase_add_test(tc, metrics_auth);
    tcase_add_test(tc, methods_and_paths);
    tcase_add_test(tc, dialog_listing);
    tcase_add_test(tc, dialog_pagination);
    tcase_add_test(tc, dialog_regex_limits);
    tcase_add_test(tc, single_dialog);
    tcase_add_test(tc, report);
    tcase_add_test(tc, stream_listing);
    tcase_add_test(tc, single_stream);
    tcase_add_test(tc, stats);
    tcase_add_test(tc, bearer);
    tcase_add_test(tc, url_decode);
    tcase_add_test(tc, parse_ssrc);
    suite_add_tcase(s, tc);
    return snb_check_run(s);
}
