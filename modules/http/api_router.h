/* Request routing for the REST API: method, path, query and the two headers
 * that matter in; status, content type and body out. Pure (no sockets, no
 * libmicrohttpd), so every endpoint, parameter and error is unit-tested and
 * fuzzed; api_server.c only moves bytes. Paths, parameters, field names and
 * status codes follow ../shared/spec/rest-api-hep-security.txt (a contract). */
#ifndef SNB_API_ROUTER_H
#define SNB_API_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "api_store.h"

typedef struct api_request {
    const char *method;        /* "GET", ... */
    const char *path;          /* as received: percent-encoded, no query */
    const char *query;         /* raw "a=1&b=x%20y" (no '?'), or NULL */
    const char *authorization; /* header value, or NULL */
    const char *accept;        /* header value, or NULL */
} api_request_t;

typedef struct api_auth {
    const char *api_key;     /* NULL or "": no authentication */
    const char *metrics_key; /* NULL or "": /metrics uses api_key */
} api_auth_t;

typedef struct api_response {
    int status;
    const char *content_type; /* static */
    const char *allow;        /* "GET" on 405, else NULL */
    bool challenge;           /* 401: send WWW-Authenticate: Bearer */
    char *body;               /* malloc'd; the caller frees */
    size_t body_len;
} api_response_t;

/* Route one request. Always fills resp (500 with a JSON body if out of memory
 * while building one). */
void api_route(const api_store_t *store, const api_auth_t *auth, const api_request_t *req,
               api_response_t *resp);

/* "Bearer <token>" against a configured key, in constant time (both sides
 * hashed with SHA-256, digests compared with CRYPTO_memcmp), so neither the
 * content nor the length of the key leaks through timing. */
bool api_bearer_ok(const char *authorization, const char *key);

/* Percent-decoding ('+' as space only when form is true). Writes at most
 * cap-1 bytes plus a NUL; returns the decoded length, or -1 on a malformed
 * escape, an embedded NUL or overflow. */
long api_url_decode(const char *in, size_t len, char *out, size_t cap, bool form);

/* "0x1a2b3c4d" or "1a2b3c4d" (1 to 8 hex digits, either case). 0, or -1. */
int api_parse_ssrc(const char *text, unsigned *out);

#endif
