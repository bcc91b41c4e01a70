/* sipnab-center's options: the [center] section of its config file (same
 * syntax as sipnab's, core/config) and the command-line flags that set the
 * same keys. */
#ifndef SNB_CENTER_CONF_H
#define SNB_CENTER_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "sipnab/options.h"

typedef struct center_conf {
    const char *listen;
    const char *db;
    snb_strlist_t operator_tokens;
    snb_strlist_t ingest_tokens;
    const char *tls_cert, *tls_key;
    uint64_t max_duration, default_duration; /* ms */
    bool auto_enable_agents;
    uint64_t max_body;
    int64_t max_connections, max_sessions, max_agents, max_batch_events, page_size;
    uint64_t max_export;
    uint64_t sse_keepalive, push_interval, push_timeout;
    int64_t max_stop_attempts;
    uint64_t event_retention, packet_retention, session_retention, retention_interval;
    uint64_t max_share_lifetime;
    bool check_only; /* -t: check the configuration and exit (not an option) */
} center_conf_t;

extern const snb_option_t center_options[];

/* Parse argv (-c FILE and the flags) into conf (the caller's snb_conf_t),
 * then bind [center]. Returns 0, 1 for --help/--version (printed), or -1
 * with err. */
int center_conf_load(int argc, char **argv, snb_conf_t *conf, center_conf_t *out, char *err,
                     size_t errlen);
void center_usage(FILE *f);

#endif
