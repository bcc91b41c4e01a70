/* The HTTPS fetch of x5u chains for live capture: libcurl's multi
 * interface driven by the libuv loop (curl_multi_socket_action with one
 * uv_poll per socket and one uv_timer), so a fetch never blocks the capture
 * loop and needs no thread. HTTPS only, the server verified with the
 * system CAs, no redirects, no proxies, the body capped, the whole transfer
 * timed out, and every address connected to checked by stir_addr_allowed
 * (CURLOPT_OPENSOCKETFUNCTION: the address actually used, so a DNS answer
 * that changes between look-ups cannot reach a private range). */
#ifndef STIR_FETCH_H
#define STIR_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "stir_body.h"

typedef enum stir_fetch_result {
    STIR_FETCH_OK,
    STIR_FETCH_REFUSED_ADDRESS,
    STIR_FETCH_TIMEOUT,
    STIR_FETCH_TOO_LARGE,
    STIR_FETCH_HTTP_ERROR,
    STIR_FETCH_TLS_ERROR,
    STIR_FETCH_NETWORK_ERROR, /* DNS, connection refused, reset */
    STIR_FETCH_BAD_CHAIN,     /* 200 but no PEM certificate in the body (set by the caller) */
    STIR_FETCH_CACHE_HIT,     /* no transfer: the cache had it (counted by the caller) */
    STIR_FETCH_RESULT_COUNT
} stir_fetch_result_t;

#define STIR_FETCH_MAX_ACTIVE 64 /* transfers at once; more wait for none */

typedef struct stir_fetch_conf {
    long timeout_ms;
    size_t max_size;
    bool allow_private;  /* tests only: a loopback server */
    const char *ca_file; /* tests only: trust this CA file instead of the system's */
} stir_fetch_conf_t;

/* On the loop thread when a transfer ends. body is only meaningful with
 * STIR_FETCH_OK; cache_control is the response's header or NULL. */
typedef void (*stir_fetch_done_cb)(void *ud, const char *url, stir_fetch_result_t r,
                                   const stir_body_t *body, const char *cache_control);

typedef struct stir_fetcher stir_fetcher_t;

stir_fetcher_t *stir_fetcher_new(uv_loop_t *loop, const stir_fetch_conf_t *conf,
                                 stir_fetch_done_cb cb, void *ud);
/* Start fetching url unless it is already in flight. 0 when it is (or now
 * is) in flight; -1 when it cannot start (too many at once, no memory). */
int stir_fetcher_start(stir_fetcher_t *f, const char *url);
/* Abandon the transfers (no callbacks) and close the handles; the memory
 * goes when the loop has closed them. */
void stir_fetcher_free(stir_fetcher_t *f);

const char *stir_fetch_result_name(stir_fetch_result_t r);

#endif
