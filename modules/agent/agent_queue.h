/* The outgoing event queue: serialized events waiting for /api/ingest,
 * bounded by count (buffer_events) and bytes, oldest first. A full queue
 * refuses the new event and counts it: memory never grows without bound.
 * Batches are cut from the front. Pure and single-threaded: the glue holds
 * a mutex around it. Also the retry policy (backoff 0.5 s doubling to
 * 30 s, docs/center-protocol.md). */
#ifndef AGENT_QUEUE_H
#define AGENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct agent_queue_item {
    struct agent_queue_item *next;
    size_t len;
    char json[]; /* one event object, serialized, NUL-terminated */
} agent_queue_item_t;

typedef struct agent_queue {
    agent_queue_item_t *head, *tail;
    size_t n, bytes;
    size_t max_events, max_bytes;
    uint64_t queued, dropped;
} agent_queue_t;

void agent_queue_init(agent_queue_t *q, size_t max_events, size_t max_bytes);
void agent_queue_clear(agent_queue_t *q);
/* Copies json; false (and dropped++) when it does not fit or memory ran out. */
bool agent_queue_push(agent_queue_t *q, const char *json, size_t len);

/* A batch: the request body {"agent": name, "events": [...]}, built from up
 * to max_events queued events and about max_bytes of them (at least one). */
typedef struct agent_batch {
    char *body;
    size_t len;
    size_t events;
} agent_batch_t;

/* Takes events off the front into a batch. false when the queue is empty
 * or out of memory (the events then stay queued). */
bool agent_queue_take_batch(agent_queue_t *q, const char *agent_name, size_t max_events,
                            size_t max_bytes, agent_batch_t *out);
void agent_batch_free(agent_batch_t *b);

/* What to do with a batch after a POST: HTTP status (0 when no answer). */
typedef enum agent_post_outcome {
    AGENT_POST_DONE,  /* acknowledged */
    AGENT_POST_RETRY, /* no answer, 5xx, 401/403/429: keep it and resend after a backoff */
    AGENT_POST_DROP,  /* 400/413 and other 4xx: resending cannot help; count as dropped */
} agent_post_outcome_t;
agent_post_outcome_t agent_post_outcome(long http_status);

/* The next delay after a failure: 500 ms, then doubling, at most 30 s. */
uint64_t agent_backoff_next_ms(uint64_t prev_ms);

#endif
