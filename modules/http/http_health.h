/* The capture process's check that the API still answers: a real
 * GET /health on its listening address (over TLS when it serves TLS), with
 * a deadline. A live process that no longer answers (a wedged accept
 * queue, a stuck loop, a stopped process) fails it, where watching the
 * process alone saw nothing. */
#ifndef SNB_HTTP_HEALTH_H
#define SNB_HTTP_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

typedef struct http_probe http_probe_t;
/* answered: an HTTP status line came back in time (any status: a 503
 * under load still proves the server works); otherwise why says what. */
typedef void (*http_probe_done_cb)(void *ud, bool answered, const char *why);

/* Start one probe of the API at addr; done is called once, within
 * timeout_ms. NULL if it could not start (done is not called). */
http_probe_t *http_probe_start(uv_loop_t *loop, const struct sockaddr *addr, socklen_t len,
                               bool tls, uint64_t timeout_ms, http_probe_done_cb done, void *ud);
/* Stop it; done is not called. */
void http_probe_cancel(http_probe_t *p);

#endif
