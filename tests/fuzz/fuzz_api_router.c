/* libFuzzer: the REST router on arbitrary requests against a store that
 * arbitrary wire frames have modified.
 *
 * Input: flags byte, then method \n path \n query \n authorization \n
 * accept \n, then raw wire frames (fed to the framer in two pieces and
 * applied to a pre-filled store). Flags: bit 0 api_key "k", bit 1
 * metrics_key "m", bits 2-4 make query / authorization / accept NULL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_router.h"
#include "api_stats.h"
#include "api_metrics.h"

static void put_dialog(api_store_t *s, const char *id, const char *from, uint8_t state,
                       uint64_t created, int32_t pdd)
{
    api_dialog_rec_t d = {0};
    d.call_id = snb_str(id, strlen(id));
    d.from_user = snb_str(from, strlen(from));
    d.state = state;
    d.created_us = created;
    d.pdd_ms = pdd;
    d.diag_flags = state;
    d.summary_json = SNB_STR_LIT("{\"s\":1}");
    d.full_json = SNB_STR_LIT("{\"schema_version\":1}");
    d.report_markdown = SNB_STR_LIT("# r\n");
    api_buf_t b = {0};
    if (api_wire_put_dialog(&b, &d) == 0)
        api_store_apply(s, API_FRAME_DIALOG, b.data + API_FRAME_HEADER,
                        (uint32_t)(b.len - API_FRAME_HEADER));
    api_buf_free(&b);
}

static void put_stream(api_store_t *s, uint64_t id, uint32_t ssrc, bool orphaned, double mos)
{
    api_stream_rec_t r = {0};
    r.id = id;
    r.ssrc = ssrc;
    r.orphaned = orphaned;
    r.active = !orphaned;
    r.mos = mos;
    r.jitter_ms = mos * 7;
    r.loss_pct = mos / 3;
    r.list_json = SNB_STR_LIT("{\"l\":1}");
    r.full_json = SNB_STR_LIT("{\"f\":1}");
    api_buf_t b = {0};
    if (api_wire_put_stream(&b, &r) == 0)
        api_store_apply(s, API_FRAME_STREAM, b.data + API_FRAME_HEADER,
                        (uint32_t)(b.len - API_FRAME_HEADER));
    api_buf_free(&b);
}

static api_store_t *prefilled(void)
{
    api_store_t *s = api_store_new();
    if (!s) abort();
    put_dialog(s, "a/b@c", "alice", 4, 10, 120);
    put_dialog(s, "@", "bob", 2, 5, -1);
    put_dialog(s, "x y+z", "carol", 11, 10, 4000);
    put_stream(s, 1, 0x1a2b3c4d, false, 4.1);
    put_stream(s, 2, 0x1a2b3c4d, true, -1);
    put_stream(s, 3, 7, true, 2.2);
    const char *c = "{\"capture_packets\":5,\"messages\":{\"INVITE\":2},\"responses\":{\"200\":1},"
                    "\"security_alerts\":{\"scan\":1},\"modules\":{\"hep_rx\":3}}";
    api_store_apply(s, API_FRAME_COUNTERS, c, (uint32_t)strlen(c));
    return s;
}

static int apply(void *ud, uint8_t type, const char *payload, uint32_t len)
{
    api_store_apply(ud, type, payload, len);
    return 0;
}

/* The next '\n'-terminated field as a C string (NULs become '?'). */
static char *field(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *out = malloc(n + 1);
    if (!out) abort();
    for (size_t i = 0; i < n; i++)
        out[i] = (*p)[i] ? (char)(*p)[i] : '?';
    out[n] = '\0';
    *p += n + (nl ? 1 : 0);
    return out;
}

static void check_response(const api_response_t *r)
{
    if (!r->body || !r->content_type) abort();
    if (r->body[r->body_len] != '\0') abort();
    switch (r->status) {
    case 200:
    case 400:
    case 401:
    case 404:
    case 405:
    case 500:
        break;
    default:
        abort();
    }
    if ((r->status == 405) != (r->allow != NULL)) abort();
    if ((r->status == 401) != r->challenge) abort();
    if (r->status != 200) {
        /* Error bodies are ours: always valid JSON of the documented shape. */
        json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
        if (!j || json_integer_value(json_object_get(j, "schema_version")) != 1 ||
            json_integer_value(json_object_get(j, "status")) != r->status ||
            !json_is_string(json_object_get(j, "error")))
            abort();
        json_decref(j);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t flags = data[0];
    const uint8_t *p = data + 1, *end = data + size;
    char *method = field(&p, end), *path = field(&p, end), *query = field(&p, end);
    char *authz = field(&p, end), *accept = field(&p, end);

    api_store_t *store = prefilled();
    api_framer_t fr = {0};
    size_t rest = (size_t)(end - p), half = rest / 2;
    if (api_framer_feed(&fr, (const char *)p, half, apply, store) == 0)
        api_framer_feed(&fr, (const char *)p + half, rest - half, apply, store);
    api_framer_free(&fr);

    api_auth_t auth = {(flags & 1) ? "k" : NULL, (flags & 2) ? "m" : NULL};
    api_request_t req = {method, path, (flags & 4) ? NULL : query, (flags & 8) ? NULL : authz,
                         (flags & 16) ? NULL : accept};
    api_response_t resp;
    api_route(store, &auth, &req, &resp);
    check_response(&resp);
    free(resp.body);

    /* The same query on both listings, authenticated. */
    const char *lists[] = {"/v1/dialogs", "/v1/streams"};
    for (int i = 0; i < 2; i++) {
        api_request_t q = {"GET", lists[i], query, "Bearer k", NULL};
        api_route(store, &auth, &q, &resp);
        check_response(&resp);
        free(resp.body);
    }

    /* Stats are built by us alone: always valid JSON. */
    size_t len;
    char *text = api_stats_json(store, &len);
    if (text) {
        json_t *j = json_loadb(text, len, 0, NULL);
        if (!j) abort();
        json_decref(j);
        free(text);
    }
    /* Metrics: escaping keeps every line a comment or a sample. */
    text = api_metrics_render(store, &len);
    if (text) {
        for (const char *line = text; *line;) {
            if (strncmp(line, "# ", 2) != 0 && strncmp(line, "sipnab_", 7) != 0) abort();
            const char *nl = strchr(line, '\n');
            if (!nl) abort();
            line = nl + 1;
        }
        free(text);
    }

    char dec[256];
    api_url_decode(path, strlen(path), dec, sizeof dec, flags & 32);
    unsigned ssrc;
    api_parse_ssrc(query, &ssrc);
    (void)api_bearer_ok(authz, method);

    api_store_free(store);
    free(method);
    free(path);
    free(query);
    free(authz);
    free(accept);
    return 0;
}
