/* Method + path -> which endpoint, with its {id} or {token}, and which
 * secret it needs. Pure: unit-tested and fuzzed. */
#ifndef SNB_CENTER_ROUTE_H
#define SNB_CENTER_ROUTE_H

#include <stddef.h>

typedef enum route_id {
    R_NONE = 0,
    R_SESSIONS_LIST,
    R_SESSIONS_CREATE,
    R_SESSION_GET,
    R_SESSION_DELETE,
    R_SESSION_EVENTS,
    R_SESSION_STREAM,
    R_SESSION_SHARE,
    R_SESSION_UNSHARE,
    R_SESSION_EXPORT,
    R_SHARE_GET,
    R_SHARE_EVENTS,
    R_SHARE_STREAM,
    R_SHARE_EXPORT,
    R_AGENTS_LIST,
    R_AGENTS_UPSERT,
    R_INGEST,
    R_INGEST_REGISTER,
} route_id_t;

typedef enum route_auth { AUTH_OPERATOR, AUTH_COLLECTOR, AUTH_SHARE } route_auth_t;

typedef struct route {
    route_id_t id;
    route_auth_t auth;
    int status;        /* 0 when matched, else 404 or 405 */
    const char *allow; /* with 405: the Allow header */
    char param[72];    /* {id} (20 hex) or {token} (64 hex) */
} route_t;

#define SESSION_ID_LEN 20
#define SHARE_TOKEN_LEN 64

void route_match(const char *method, const char *path, route_t *out);

#endif
