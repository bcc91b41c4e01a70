/* The background thread: sends session commands to agents (PUT to start,
 * DELETE to stop, with the agent's command token), retrying every
 * push_interval until acknowledged; marks due sessions expired (queuing
 * their stop); runs the retention policy every retention_interval. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "center.h"
#include "center_time.h"
#include "retention.h"

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    return size * n;
}

static bool send_command(center_t *c, CURL *h, json_t *p)
{
    const char *url = json_string_value(json_object_get(p, "url"));
    const char *token = json_string_value(json_object_get(p, "token"));
    const char *action = json_string_value(json_object_get(p, "action"));
    const char *sid = json_string_value(json_object_get(p, "session"));
    bool start = strcmp(action, "start") == 0;
    char full[1024], auth[600];
    size_t ul = strlen(url);
    while (ul && url[ul - 1] == '/')
        ul--;
    snprintf(full, sizeof full, "%.*s/agent/v1/sessions/%s", (int)ul, url, sid);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    char *body = start ? json_dumps(json_object_get(p, "command"), JSON_COMPACT) : NULL;
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, full);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, start ? "PUT" : "DELETE");
    if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->conf->push_timeout);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    free(body);
    return rc == CURLE_OK && status >= 200 && status < 300;
}

static void *push_main(void *arg)
{
    center_t *c = arg;
    CURL *h = curl_easy_init();
    retention_policy_t pol = {.events_ms = c->conf->event_retention,
                              .packets_ms = c->conf->packet_retention,
                              .sessions_ms = c->conf->session_retention};
    int64_t next_retention = 0;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        bool stop = c->stopping;
        c->push_wake = false;
        pthread_mutex_unlock(&c->lock);
        if (stop) break;
        int64_t now = center_now_us();
        if (store_expire_due(c->store, now) > 0) center_events_notify(c);
        if (now >= next_retention) {
            retention_cutoffs_t cut = retention_cutoffs(&pol, now);
            retention_counts_t n;
            if (store_retention(c->store, cut.events_before, cut.packets_before,
                                cut.sessions_before, &n) == 0 &&
                (n.events || n.packets || n.sessions))
                fprintf(stderr,
                        "sipnab-center: retention deleted %lld events, %lld packets, %lld "
                        "sessions\n",
                        (long long)n.events, (long long)n.packets, (long long)n.sessions);
            next_retention = now + (int64_t)c->conf->retention_interval * 1000;
        }
        json_t *todo = h ? store_pending_pushes(c->store, 64) : json_array();
        size_t i;
        json_t *p;
        json_array_foreach(todo, i, p)
        {
            pthread_mutex_lock(&c->lock);
            stop = c->stopping;
            pthread_mutex_unlock(&c->lock);
            if (stop) break;
            bool ok = send_command(c, h, p);
            store_push_done(c->store, json_string_value(json_object_get(p, "session")),
                            json_integer_value(json_object_get(p, "agent_id")),
                            json_string_value(json_object_get(p, "action")), ok,
                            c->conf->max_stop_attempts);
        }
        json_decref(todo);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (int64_t)(c->conf->push_interval % 1000) * 1000000;
        ts.tv_sec += (time_t)(c->conf->push_interval / 1000) + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_mutex_lock(&c->lock);
        while (!c->push_wake && !c->stopping)
            if (pthread_cond_timedwait(&c->push_cond, &c->lock, &ts) != 0) break;
        pthread_mutex_unlock(&c->lock);
    }
    if (h) curl_easy_cleanup(h);
    return NULL;
}

int center_push_start(center_t *c, char *err, size_t errlen)
{
    if (pthread_create(&c->push_thread, NULL, push_main, c) != 0) {
        snprintf(err, errlen, "cannot start the push thread");
        return -1;
    }
    c->push_started = true;
    return 0;
}

void center_push_stop(center_t *c)
{
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_broadcast(&c->push_cond);
    pthread_cond_broadcast(&c->events_cond);
    pthread_mutex_unlock(&c->lock);
    if (c->push_started) pthread_join(c->push_thread, NULL);
    c->push_started = false;
}

void center_push_kick(center_t *c)
{
    pthread_mutex_lock(&c->lock);
    c->push_wake = true;
    pthread_cond_signal(&c->push_cond);
    pthread_mutex_unlock(&c->lock);
}

void center_events_notify(center_t *c)
{
    pthread_mutex_lock(&c->lock);
    c->gen++;
    pthread_cond_broadcast(&c->events_cond);
    pthread_mutex_unlock(&c->lock);
}
