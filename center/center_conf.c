#include "center_conf.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define OPT(n, t, d, field, h)                                                                     \
    {                                                                                              \
        .name = n, .type = t, .def = d, .offset = offsetof(center_conf_t, field), .help = h        \
    }

const snb_option_t center_options[] = {
    OPT("listen", SNB_OPT_STRING, "127.0.0.1:9070", listen,
        "ADDR:PORT the API listens on ([v6]:port for IPv6; port 0 picks a free one)"),
    OPT("db", SNB_OPT_STRING, "sqlite:/var/lib/sipnab-center/center.db", db,
        "sqlite:PATH or a postgresql:// connection URI"),
    {.name = "operator_token",
     .type = SNB_OPT_LIST,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(center_conf_t, operator_tokens),
     .help = "bearer tokens for /api/sessions and /api/agents (repeatable)"},
    {.name = "ingest_token",
     .type = SNB_OPT_LIST,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(center_conf_t, ingest_tokens),
     .help = "collector bearer tokens for /api/ingest (repeatable)"},
    OPT("tls_cert", SNB_OPT_STRING, NULL, tls_cert,
        "serve HTTPS with this PEM certificate (chain)"),
    OPT("tls_key", SNB_OPT_STRING, NULL, tls_key, "its unencrypted PEM private key"),
    {.name = "max_duration",
     .type = SNB_OPT_DURATION,
     .def = "24h",
     .min = 1000,
     .max = 31622400000LL,
     .offset = offsetof(center_conf_t, max_duration),
     .help = "longest session duration_seconds"},
    {.name = "default_duration",
     .type = SNB_OPT_DURATION,
     .def = "1h",
     .min = 1000,
     .max = 31622400000LL,
     .offset = offsetof(center_conf_t, default_duration),
     .help = "duration of a session created without duration_seconds"},
    OPT("auto_enable_agents", SNB_OPT_BOOL, "no", auto_enable_agents,
        "agents that register themselves start enabled"),
    {.name = "max_body",
     .type = SNB_OPT_SIZE,
     .def = "8m",
     .min = 1024,
     .max = 64 << 20,
     .offset = offsetof(center_conf_t, max_body),
     .help = "largest request body (413 above)"},
    {.name = "max_connections",
     .type = SNB_OPT_INT,
     .def = "256",
     .min = 4,
     .max = 10000,
     .offset = offsetof(center_conf_t, max_connections),
     .help = "concurrent HTTP connections (each SSE stream holds one)"},
    {.name = "max_sessions",
     .type = SNB_OPT_INT,
     .def = "1000",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(center_conf_t, max_sessions),
     .help = "running sessions at once"},
    {.name = "max_agents",
     .type = SNB_OPT_INT,
     .def = "10000",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(center_conf_t, max_agents),
     .help = "agents known"},
    {.name = "max_batch_events",
     .type = SNB_OPT_INT,
     .def = "10000",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(center_conf_t, max_batch_events),
     .help = "events in one ingest batch"},
    {.name = "page_size",
     .type = SNB_OPT_INT,
     .def = "500",
     .min = 1,
     .max = 10000,
     .offset = offsetof(center_conf_t, page_size),
     .help = "most events in one /events answer"},
    {.name = "max_export",
     .type = SNB_OPT_SIZE,
     .def = "512m",
     .min = 1024,
     .max = 1LL << 34,
     .offset = offsetof(center_conf_t, max_export),
     .help = "largest export.tar built"},
    {.name = "sse_keepalive",
     .type = SNB_OPT_DURATION,
     .def = "15s",
     .min = 100,
     .max = 3600000,
     .offset = offsetof(center_conf_t, sse_keepalive),
     .help = "a comment line on an idle event stream this often"},
    {.name = "push_interval",
     .type = SNB_OPT_DURATION,
     .def = "2s",
     .min = 50,
     .max = 3600000,
     .offset = offsetof(center_conf_t, push_interval),
     .help = "how often unsent session commands are retried and expiries checked"},
    {.name = "push_timeout",
     .type = SNB_OPT_DURATION,
     .def = "3s",
     .min = 100,
     .max = 600000,
     .offset = offsetof(center_conf_t, push_timeout),
     .help = "timeout of one command to an agent"},
    {.name = "max_stop_attempts",
     .type = SNB_OPT_INT,
     .def = "30",
     .min = 1,
     .max = 100000,
     .offset = offsetof(center_conf_t, max_stop_attempts),
     .help = "a stop an agent never acknowledges is given up after this many tries"},
    {.name = "event_retention",
     .type = SNB_OPT_DURATION,
     .def = "720h",
     .offset = offsetof(center_conf_t, event_retention),
     .help = "events are deleted this long after they arrived (0 = keep)"},
    {.name = "packet_retention",
     .type = SNB_OPT_DURATION,
     .def = "168h",
     .offset = offsetof(center_conf_t, packet_retention),
     .help = "packets kept for export.tar are deleted this long after they arrived (0 = keep)"},
    {.name = "session_retention",
     .type = SNB_OPT_DURATION,
     .def = "2160h",
     .offset = offsetof(center_conf_t, session_retention),
     .help = "stopped and expired sessions are purged this long after they stopped (0 = keep)"},
    {.name = "retention_interval",
     .type = SNB_OPT_DURATION,
     .def = "1h",
     .min = 1000,
     .max = 86400000,
     .offset = offsetof(center_conf_t, retention_interval),
     .help = "how often the retention policy runs"},
    {.name = "max_share_lifetime",
     .type = SNB_OPT_DURATION,
     .def = "0",
     .offset = offsetof(center_conf_t, max_share_lifetime),
     .help = "longest share link lifetime; 0 = share links may be unlimited"},
    SNB_OPTIONS_END,
};

void center_usage(FILE *f)
{
    fprintf(
        f,
        "usage: sipnab-center [-c FILE] [--listen ADDR:PORT] [--db sqlite:PATH|postgresql://...]\n"
        "                     [--operator-token T]... [--ingest-token T]...\n"
        "                     [--tls-cert PEM --tls-key PEM] [-t] [-h]\n"
        "Options of the [center] section of FILE:\n");
    for (const snb_option_t *o = center_options; o->name; o++)
        fprintf(f, "  %-20s %s%s%s\n", o->name, o->help, o->def ? "; default " : "",
                o->def ? o->def : "");
}

int center_conf_load(int argc, char **argv, snb_conf_t *conf, center_conf_t *out, char *err,
                     size_t errlen)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"db", required_argument, NULL, 'd'},
        {"operator-token", required_argument, NULL, 'o'},
        {"ingest-token", required_argument, NULL, 'i'},
        {"tls-cert", required_argument, NULL, 'C'},
        {"tls-key", required_argument, NULL, 'K'},
        {"test", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL;
    struct {
        const char *key, *value;
        bool append;
    } flags[64];
    size_t nf = 0;
    bool test = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:th", longopts, NULL)) != -1) {
        const char *key = NULL;
        bool append = false;
        switch (c) {
        case 'c':
            file = optarg;
            continue;
        case 'l':
            key = "listen";
            break;
        case 'd':
            key = "db";
            break;
        case 'o':
            key = "operator_token", append = true;
            break;
        case 'i':
            key = "ingest_token", append = true;
            break;
        case 'C':
            key = "tls_cert";
            break;
        case 'K':
            key = "tls_key";
            break;
        case 't':
            test = true;
            continue;
        case 'h':
            center_usage(stdout);
            return 1;
        default:
            snprintf(err, errlen, "unknown or incomplete flag '%s' (see --help)", argv[optind - 1]);
            return -1;
        }
        if (nf == sizeof flags / sizeof flags[0]) {
            snprintf(err, errlen, "too many flags");
            return -1;
        }
        flags[nf].key = key, flags[nf].value = optarg, flags[nf].append = append;
        nf++;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (file && snb_conf_parse_file(conf, file, err, errlen) != 0) return -1;
    for (size_t i = 0; i < nf; i++)
        if (snb_conf_set(conf, "center", NULL, flags[i].key, flags[i].value, flags[i].append, NULL,
                         0) != 0) {
            snprintf(err, errlen, "--%s: cannot set", flags[i].key);
            return -1;
        }
    for (size_t i = 0; i < snb_conf_section_count(conf); i++) {
        const snb_conf_section_t *s = snb_conf_section_at(conf, i);
        if (strcmp(s->name, "center") != 0 || s->instance) {
            snprintf(err, errlen, "%s:%d: unknown section (sipnab-center reads only [center])",
                     s->file, s->line);
            return -1;
        }
    }
    if (snb_conf_bind(conf, snb_conf_find(conf, "center", NULL), center_options, out, err,
                      errlen) != 0)
        return -1;
    out->check_only = test;
    return 0;
}
