/* sipnab-center: the command center agents report to (docs/center.md). */
#include <curl/curl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "center.h"

int main(int argc, char **argv)
{
    char err[SNB_CONF_ERRLEN];
    snb_conf_t *conf = snb_conf_new();
    center_conf_t cf;
    memset(&cf, 0, sizeof cf);
    int rc = conf ? center_conf_load(argc, argv, conf, &cf, err, sizeof err) : -1;
    if (rc == 1) {
        snb_conf_free(conf);
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "sipnab-center: %s\n", conf ? err : "out of memory");
        snb_conf_free(conf);
        return 2;
    }
    center_t c;
    memset(&c, 0, sizeof c);
    c.conf = &cf;
    for (size_t i = 0; i < cf.operator_tokens.n; i++)
        if (token_set_add(&c.operators, cf.operator_tokens.v[i]) != 0) {
            fprintf(stderr, "sipnab-center: operator_token: at most %d tokens of 1-%d bytes\n",
                    TOKEN_SET_MAX, TOKEN_MAX_LEN);
            return 2;
        }
    for (size_t i = 0; i < cf.ingest_tokens.n; i++)
        if (token_set_add(&c.collectors, cf.ingest_tokens.v[i]) != 0) {
            fprintf(stderr, "sipnab-center: ingest_token: at most %d tokens of 1-%d bytes\n",
                    TOKEN_SET_MAX, TOKEN_MAX_LEN);
            return 2;
        }
    if (!c.operators.n || !c.collectors.n) {
        fprintf(stderr, "sipnab-center: needs at least one operator_token and one ingest_token "
                        "(--operator-token, --ingest-token)\n");
        return 2;
    }
    /* One secret must not open both doors. */
    for (size_t i = 0; i < cf.operator_tokens.n; i++) {
        const char *t = cf.operator_tokens.v[i];
        if (token_set_has(&c.collectors, t, strlen(t))) {
            fprintf(stderr, "sipnab-center: a token is both an operator_token and an "
                            "ingest_token; use separate secrets\n");
            return 2;
        }
    }
    if (cf.default_duration > cf.max_duration) {
        fprintf(stderr, "sipnab-center: default_duration is longer than max_duration\n");
        return 2;
    }
    if (cf.check_only) {
        printf("sipnab-center: configuration ok\n");
        snb_conf_free(conf);
        return 0;
    }
    /* A fixed mmap threshold: ingest bodies (up to max_body) come from mmap
     * and go back at once, instead of glibc raising the threshold after the
     * first free and then consolidating its heap on every large batch. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit the mask */

    c.store = store_open(cf.db, err, sizeof err);
    if (!c.store) {
        fprintf(stderr, "sipnab-center: %s\n", err);
        return 1;
    }
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.events_cond, NULL);
    pthread_cond_init(&c.push_cond, NULL);
    if (center_server_start(&c, err, sizeof err) != 0 ||
        center_push_start(&c, err, sizeof err) != 0) {
        fprintf(stderr, "sipnab-center: %s\n", err);
        center_server_stop(&c);
        store_close(c.store);
        return 1;
    }
    printf("sipnab-center: listening on port %u (%s, schema %d)\n", c.port, store_backend(c.store),
           store_schema_version(c.store));
    fflush(stdout);
    int sig = 0;
    sigdelset(&set, SIGPIPE);
    sigwait(&set, &sig);
    fprintf(stderr, "sipnab-center: signal %d, stopping\n", sig);
    center_push_stop(&c); /* also wakes SSE streams so they end */
    center_server_stop(&c);
    store_close(c.store);
    curl_global_cleanup();
    snb_conf_free(conf);
    return 0;
}
