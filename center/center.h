/* The running center: configuration, store, token sets, the HTTP daemon
 * (server.c), the agent command pusher and expiry/retention thread
 * (push.c), and the "new events" signal SSE streams wait on. */
#ifndef SNB_CENTER_CENTER_H
#define SNB_CENTER_CENTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "center_conf.h"
#include "store.h"
#include "token.h"

typedef struct center {
    const center_conf_t *conf;
    store_t *store;
    token_set_t operators, collectors;
    struct MHD_Daemon *mhd;
    unsigned port;

    pthread_mutex_t lock; /* guards gen, stopping, push_wake */
    pthread_cond_t events_cond;
    pthread_cond_t push_cond;
    uint64_t gen; /* bumped after every committed ingest */
    bool push_wake;
    bool stopping;
    pthread_t push_thread;
    bool push_started;
} center_t;

int center_server_start(center_t *c, char *err, size_t errlen);
void center_server_stop(center_t *c);

int center_push_start(center_t *c, char *err, size_t errlen);
void center_push_stop(center_t *c);
/* Wakes the pusher now (a session was created or stopped). */
void center_push_kick(center_t *c);
/* Wakes every SSE stream (events were committed). */
void center_events_notify(center_t *c);

#endif
