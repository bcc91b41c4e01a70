/* The agent's worker thread: registers with the center at start and every
 * register_interval, and posts queued events to /api/ingest in batches,
 * resending a batch whose answer it did not get after a backoff (0.5 s
 * doubling to 30 s). libcurl easy handles, blocking, on this thread only;
 * the loop never waits for the center. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_out.h"
#include "sipnab/log.h"

#define MAX_BATCH_BYTES (4u << 20) /* well under the center's 8 MiB request limit */
#define MAX_ANSWER (1u << 20)

uint64_t agent_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

typedef struct answer {
    char *p;
    size_t len;
    bool too_big;
} answer_t;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    answer_t *a = ud;
    size_t n = size * nmemb;
    if (a->len + n > MAX_ANSWER) {
        a->too_big = true;
        return 0;
    }
    char *p = realloc(a->p, a->len + n + 1);
    if (!p) return 0;
    memcpy(p + a->len, ptr, n);
    a->len += n;
    p[a->len] = '\0';
    a->p = p;
    return n;
}

/* POST body to center + path; returns the HTTP status (0: no answer) and
 * the answer body in *ans (caller frees ans->p). */
static long post(agent_t *a, CURL *c, const char *path, const char *body, size_t len,
                 long timeout_ms, answer_t *ans, char *err, size_t errlen)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", a->conf->center, path);
    char auth[1024];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", a->conf->collector_token);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Expect:");
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, ans);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (a->conf->center_ca) curl_easy_setopt(c, CURLOPT_CAINFO, a->conf->center_ca);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(err, errlen, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(h);
    return status;
}

static bool do_register(agent_t *a, CURL *c)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", a->conf->name, "url", a->url,
                             "tags", a->conf->tags ? a->conf->tags : "", "command_token",
                             a->conf->command_token, "version", "sipnab " AGENT_VERSION);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) return false;
    answer_t ans = {0};
    char err[256] = "";
    uint64_t asked_ms = agent_mono_ms();
    long status =
        post(a, c, "/api/ingest/register", text, strlen(text), 30000L, &ans, err, sizeof err);
    free(text);
    bool ok = false;
    if (status == 200) {
        json_t *j = ans.p ? json_loads(ans.p, 0, NULL) : NULL;
        json_t *sessions = json_object_get(j, "sessions");
        if (json_is_array(sessions)) {
            char *s = json_dumps(sessions, JSON_COMPACT);
            agent_op_t op = {.op = AGENT_OP_SYNC, .asked_ms = asked_ms};
            /* A full ring: the next registration brings the list again. */
            if (s) snb_handoff_write(a->from_worker, &op, sizeof op, (const uint8_t *)s, strlen(s));
            free(s);
            ok = true;
        } else {
            snprintf(err, sizeof err, "the answer has no \"sessions\" array");
        }
        json_decref(j);
    } else if (status) {
        snprintf(err, sizeof err, "HTTP %ld", status);
    }
    free(ans.p);
    agent_count(a, ok ? C_REGISTER_OK : C_REGISTER_FAILED, 1);
    if (!ok) {
        agent_op_t op = {.op = AGENT_OP_REGISTER_FAILED};
        snb_handoff_write(a->from_worker, &op, sizeof op, NULL, 0);
    }
    if (!ok)
        fprintf(stderr, "sipnab: agent: registration with %s failed: %s\n", a->conf->center, err);
    return ok;
}

/* Posts one batch. Returns the outcome; counts what the center said. */
static agent_post_outcome_t post_batch(agent_t *a, CURL *c, const agent_batch_t *b, long timeout_ms)
{
    answer_t ans = {0};
    char err[256] = "";
    long status = post(a, c, "/api/ingest", b->body, b->len, timeout_ms, &ans, err, sizeof err);
    agent_post_outcome_t out = agent_post_outcome(status);
    if (out == AGENT_POST_DONE) {
        json_t *j = ans.p ? json_loads(ans.p, 0, NULL) : NULL;
        json_int_t rejected = json_integer_value(json_object_get(j, "rejected"));
        json_decref(j);
        agent_count(a, C_EVENTS_SENT, b->events);
        agent_count(a, C_BATCHES_SENT, 1);
        if (rejected > 0) agent_count(a, C_EVENTS_REJECTED, (uint64_t)rejected);
    } else if (out == AGENT_POST_DROP) {
        agent_count(a, C_EVENTS_DROPPED_REFUSED, b->events);
        fprintf(stderr,
                "sipnab: agent: the center refused a batch of %zu events (HTTP %ld): %.200s\n",
                b->events, status, ans.p ? ans.p : "");
    }
    free(ans.p);
    return out;
}

static void *worker_main(void *ud)
{
    agent_t *a = ud;
    CURL *c = curl_easy_init();
    if (!c) return NULL;
    agent_batch_t pending = {0}; /* a batch waiting to be resent */
    uint64_t retry_at = 0, backoff = 0;
    uint64_t next_register = 0, register_backoff = 0;
    uint64_t flush_deadline = 0;
    for (;;) {
        uint64_t now = agent_mono_ms();
        pthread_mutex_lock(&a->mu);
        bool stopping = a->stopping;
        if (stopping && !flush_deadline) flush_deadline = now + a->conf->flush_timeout;
        if (stopping && (now >= flush_deadline || (!pending.body && a->queue.n == 0))) {
            agent_count(a, C_EVENTS_DROPPED_STOP, a->queue.n + pending.events);
            agent_queue_clear(&a->queue);
            pthread_mutex_unlock(&a->mu);
            break;
        }
        if (!pending.body && a->queue.n)
            agent_queue_take_batch(&a->queue, a->conf->name, (size_t)a->conf->batch_size,
                                   MAX_BATCH_BYTES, &pending);
        bool send_now = pending.body && now >= retry_at;
        bool register_now = !stopping && now >= next_register;
        if (!send_now && !register_now) {
            /* Sleep until the next thing to do, or an enqueue wakes us. */
            uint64_t wake = next_register;
            if (pending.body && retry_at < wake) wake = retry_at;
            if (stopping && flush_deadline < wake) wake = flush_deadline;
            if (wake > now + 1000) wake = now + 1000;
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t add = wake > now ? wake - now : 1;
            ts.tv_sec += (time_t)(add / 1000);
            ts.tv_nsec += (long)(add % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (!a->stopping && (pending.body || a->queue.n == 0))
                pthread_cond_timedwait(&a->cv, &a->mu, &ts);
            pthread_mutex_unlock(&a->mu);
            continue;
        }
        pthread_mutex_unlock(&a->mu);
        if (register_now) {
            bool ok = do_register(a, c);
            register_backoff = ok ? 0 : agent_backoff_next_ms(register_backoff);
            uint64_t wait = ok ? a->conf->register_interval : register_backoff;
            if (wait > a->conf->register_interval) wait = a->conf->register_interval;
            next_register = agent_mono_ms() + wait;
        }
        if (send_now) {
            /* At shutdown a request may not outlive flush_timeout. */
            long timeout = 30000L;
            if (flush_deadline) {
                uint64_t now2 = agent_mono_ms();
                uint64_t left = flush_deadline > now2 ? flush_deadline - now2 : 0;
                timeout = left < 100 ? 100 : (left < 30000 ? (long)left : 30000L);
            }
            agent_post_outcome_t out = post_batch(a, c, &pending, timeout);
            if (out == AGENT_POST_RETRY) {
                agent_count(a, C_BATCHES_RETRIED, 1);
                backoff = agent_backoff_next_ms(backoff);
                retry_at = agent_mono_ms() + backoff;
            } else {
                agent_batch_free(&pending);
                backoff = 0;
                retry_at = 0;
            }
        }
    }
    agent_batch_free(&pending);
    curl_easy_cleanup(c);
    return NULL;
}

int agent_worker_start(agent_t *a)
{
    if (pthread_create(&a->worker, NULL, worker_main, a) != 0) return -errno;
    a->worker_running = true;
    return 0;
}

void agent_worker_wake(agent_t *a)
{
    pthread_cond_signal(&a->cv);
}

void agent_worker_stop(agent_t *a)
{
    if (!a->worker_running) return;
    pthread_mutex_lock(&a->mu);
    a->stopping = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->worker, NULL);
    a->worker_running = false;
}
