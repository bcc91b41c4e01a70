#include "route.h"

#include <stdbool.h>
#include <string.h>

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* Take "<hex of len>" then optionally "/rest"; *rest gets "" or the suffix. */
static bool take_param(const char *p, size_t len, route_t *out, const char **rest)
{
    size_t n = strcspn(p, "/");
    if (n != len || !is_hex(p, n)) return false;
    memcpy(out->param, p, n);
    out->param[n] = 0;
    *rest = p + n;
    return true;
}

typedef struct method_map {
    const char *method;
    route_id_t id;
} method_map_t;

static void pick(const char *method, const method_map_t *m, size_t n, const char *allow,
                 route_auth_t auth, route_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(method, m[i].method) == 0) {
            out->id = m[i].id;
            out->auth = auth;
            out->status = 0;
            return;
        }
    /* HEAD is served like GET by the HTTP library. */
    if (strcmp(method, "HEAD") == 0)
        for (size_t i = 0; i < n; i++)
            if (strcmp(m[i].method, "GET") == 0) {
                out->id = m[i].id;
                out->auth = auth;
                out->status = 0;
                return;
            }
    out->status = 405;
    out->allow = allow;
}

#define PICK(arr, allow, auth) pick(method, arr, sizeof arr / sizeof arr[0], allow, auth, out)

void route_match(const char *method, const char *path, route_t *out)
{
    memset(out, 0, sizeof *out);
    out->status = 404;
    if (!method || !path) return;
    const char *rest;
    if (strcmp(path, "/api/sessions") == 0) {
        static const method_map_t m[] = {{"GET", R_SESSIONS_LIST}, {"POST", R_SESSIONS_CREATE}};
        PICK(m, "GET, POST", AUTH_OPERATOR);
    } else if (strncmp(path, "/api/sessions/", 14) == 0 &&
               take_param(path + 14, SESSION_ID_LEN, out, &rest)) {
        if (*rest == 0) {
            static const method_map_t m[] = {{"GET", R_SESSION_GET}, {"DELETE", R_SESSION_DELETE}};
            PICK(m, "GET, DELETE", AUTH_OPERATOR);
        } else if (strcmp(rest, "/events") == 0) {
            static const method_map_t m[] = {{"GET", R_SESSION_EVENTS}};
            PICK(m, "GET", AUTH_OPERATOR);
        } else if (strcmp(rest, "/stream") == 0) {
            static const method_map_t m[] = {{"GET", R_SESSION_STREAM}};
            PICK(m, "GET", AUTH_OPERATOR);
        } else if (strcmp(rest, "/share") == 0) {
            static const method_map_t m[] = {{"POST", R_SESSION_SHARE},
                                             {"DELETE", R_SESSION_UNSHARE}};
            PICK(m, "POST, DELETE", AUTH_OPERATOR);
        } else if (strcmp(rest, "/export.tar") == 0) {
            static const method_map_t m[] = {{"GET", R_SESSION_EXPORT}};
            PICK(m, "GET", AUTH_OPERATOR);
        }
    } else if (strncmp(path, "/api/share/", 11) == 0 &&
               take_param(path + 11, SHARE_TOKEN_LEN, out, &rest)) {
        route_id_t id = R_NONE;
        if (*rest == 0) id = R_SHARE_GET;
        if (strcmp(rest, "/events") == 0) id = R_SHARE_EVENTS;
        if (strcmp(rest, "/stream") == 0) id = R_SHARE_STREAM;
        if (strcmp(rest, "/export.tar") == 0) id = R_SHARE_EXPORT;
        if (id != R_NONE) {
            method_map_t m[] = {{"GET", id}};
            PICK(m, "GET", AUTH_SHARE);
        }
    } else if (strcmp(path, "/api/agents") == 0) {
        static const method_map_t m[] = {{"GET", R_AGENTS_LIST}, {"POST", R_AGENTS_UPSERT}};
        PICK(m, "GET, POST", AUTH_OPERATOR);
    } else if (strcmp(path, "/api/ingest") == 0) {
        static const method_map_t m[] = {{"POST", R_INGEST}};
        PICK(m, "POST", AUTH_COLLECTOR);
    } else if (strcmp(path, "/api/ingest/register") == 0) {
        static const method_map_t m[] = {{"POST", R_INGEST_REGISTER}};
        PICK(m, "POST", AUTH_COLLECTOR);
    }
    if (out->status) out->id = R_NONE;
}
