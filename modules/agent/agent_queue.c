/* Bounded event queue, batches and retry policy (agent_queue.h). */
#include "agent_queue.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void agent_queue_init(agent_queue_t *q, size_t max_events, size_t max_bytes)
{
    memset(q, 0, sizeof *q);
    q->max_events = max_events;
    q->max_bytes = max_bytes;
}

void agent_queue_clear(agent_queue_t *q)
{
    agent_queue_item_t *it = q->head;
    while (it) {
        agent_queue_item_t *next = it->next;
        free(it);
        it = next;
    }
    q->head = q->tail = NULL;
    q->n = q->bytes = 0;
}

bool agent_queue_push(agent_queue_t *q, const char *json, size_t len)
{
    if (q->n >= q->max_events || q->bytes + len > q->max_bytes) {
        q->dropped++;
        return false;
    }
    agent_queue_item_t *it = malloc(sizeof *it + len + 1);
    if (!it) {
        q->dropped++;
        return false;
    }
    it->next = NULL;
    it->len = len;
    memcpy(it->json, json, len);
    it->json[len] = '\0';
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->n++;
    q->bytes += len;
    q->queued++;
    return true;
}

bool agent_queue_take_batch(agent_queue_t *q, const char *agent_name, size_t max_events,
                            size_t max_bytes, agent_batch_t *out)
{
    memset(out, 0, sizeof *out);
    if (!q->head || max_events == 0) return false;
    /* Count what goes in first, so the body is allocated once. */
    size_t n = 0, bytes = 0;
    for (agent_queue_item_t *it = q->head; it && n < max_events; it = it->next) {
        if (n > 0 && bytes + it->len > max_bytes) break;
        n++;
        bytes += it->len + 1;
    }
    json_t *name = json_string(agent_name);
    char *qname = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
    json_decref(name);
    if (!qname) return false;
    static const char pre[] = "{\"agent\":", mid[] = ",\"events\":[", post[] = "]}";
    size_t cap = sizeof pre + strlen(qname) + sizeof mid + bytes + sizeof post;
    char *body = malloc(cap);
    if (!body) {
        free(qname);
        return false;
    }
    size_t o = 0;
    memcpy(body + o, pre, sizeof pre - 1);
    o += sizeof pre - 1;
    memcpy(body + o, qname, strlen(qname));
    o += strlen(qname);
    free(qname);
    memcpy(body + o, mid, sizeof mid - 1);
    o += sizeof mid - 1;
    for (size_t i = 0; i < n; i++) {
        agent_queue_item_t *it = q->head;
        if (i) body[o++] = ',';
        memcpy(body + o, it->json, it->len);
        o += it->len;
        q->head = it->next;
        if (!q->head) q->tail = NULL;
        q->n--;
        q->bytes -= it->len;
        free(it);
    }
    memcpy(body + o, post, sizeof post);
    o += sizeof post - 1;
    out->body = body;
    out->len = o;
    out->events = n;
    return true;
}

void agent_batch_free(agent_batch_t *b)
{
    free(b->body);
    memset(b, 0, sizeof *b);
}

agent_post_outcome_t agent_post_outcome(long s)
{
    if (s >= 200 && s < 300) return AGENT_POST_DONE;
    if (s == 0 || s >= 500 || s == 401 || s == 403 || s == 408 || s == 429) return AGENT_POST_RETRY;
    return AGENT_POST_DROP;
}

uint64_t agent_backoff_next_ms(uint64_t prev_ms)
{
    if (prev_ms < 500) return 500;
    uint64_t next = prev_ms * 2;
    return next > 30000 ? 30000 : next;
}
