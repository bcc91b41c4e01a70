/* Connections beyond the API's connection cap: accepted (so the listen
 * backlog never fills), answered 503 at once and closed, holding no slot
 * of the HTTP server. Over TLS they are closed without a word (a plain
 * text answer would mean nothing to a TLS client). */
#ifndef SNB_API_SERVER_REFUSE_H
#define SNB_API_SERVER_REFUSE_H

#include <stdbool.h>
#include <uv.h>

typedef struct api_refuser api_refuser_t;

api_refuser_t *api_refuser_new(uv_loop_t *loop, bool tls);
/* Take an accepted socket: answer 503, close it. */
void api_refuser_take(api_refuser_t *r, int fd);
/* Close what is still lingering; the refuser frees itself once its handles
 * are closed (uv_run the loop after this). */
void api_refuser_close(api_refuser_t *r);

#endif
