/* sngrep/sipnab command-line habits mapped onto configuration settings:
 *   sipnab -N -I capture.pcap            read a file
 *   sipnab -d eth0 port 5060 or udp      live capture with a BPF filter
 *   sipnab -c /etc/sipnab/sipnab.conf -t test a configuration */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The instance the -I files go to. */
#define CLI_FILE_INSTANCE "files"

static int add_set(snb_cli_t *cli, const char *section, const char *instance, const char *key,
                   const char *value, bool append)
{
    snb_cli_set_t *grown = realloc(cli->sets, (cli->n_sets + 1) * sizeof *grown);
    if (!grown) return -1;
    cli->sets = grown;
    snb_cli_set_t *s = &cli->sets[cli->n_sets++];
    s->section = strdup(section);
    s->instance = instance ? strdup(instance) : NULL;
    s->key = strdup(key);
    s->value = strdup(value);
    s->append = append;
    s->soft = false;
    return (!s->section || !s->key || !s->value || (instance && !s->instance)) ? -1 : 0;
}

/* -o section[.instance].key[+]=value: any option from the command line. */
static int parse_override(snb_cli_t *cli, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        snprintf(err, errlen, "-o '%s': expected section.key=value", arg);
        return -1;
    }
    char path[256];
    size_t plen = (size_t)(eq - arg);
    bool append = plen > 0 && arg[plen - 1] == '+';
    if (append) plen--;
    if (plen >= sizeof path) {
        snprintf(err, errlen, "-o: option name too long");
        return -1;
    }
    memcpy(path, arg, plen);
    path[plen] = '\0';
    char *first = strchr(path, '.');
    char *last = strrchr(path, '.');
    if (!first || !last[1] || first == path) {
        snprintf(err, errlen, "-o '%s': expected section.key=value", arg);
        return -1;
    }
    *first = '\0';
    const char *instance = NULL;
    if (last != first) {
        *last = '\0';
        instance = first + 1;
    }
    return add_set(cli, path, instance, last + 1, eq + 1, append);
}

void snb_cli_usage(FILE *out)
{
    fputs("Usage: sipnab [options] [BPF filter words...]\n"
          "\n"
          "Input (each builds a [pcap] instance; several may be given):\n"
          "  -I, --input FILE        read a pcap/pcapng file (also .gz); repeat for several files\n"
          "  -d, --device IFACE      capture live on IFACE\n"
          "  -s, --snaplen N         bytes kept per live packet (default 65535)\n"
          "  -B, --buffer-size SIZE  kernel capture buffer, e.g. 32m\n"
          "      --no-promisc        do not put the interface in promiscuous mode\n"
          "  FILTER WORDS            trailing words form a BPF filter for -I/-d inputs\n"
          "\n"
          "Output:\n"
          "  -N, --no-interface      no interactive UI (accepted for sngrep habit; always true)\n"
          "      --stats             print capture and decode counters at the end\n"
          "      --json              print those counters as one JSON object\n"
          "  -q, --quiet             only warnings and errors on stderr\n"
          "  -v, --verbose           debug logging\n"
          "\n"
          "HEP (Homer):\n"
          "  -L, --hep-listen [udp:|tcp:]ADDR:PORT  receive HEP v1/v2/v3 (address defaults to\n"
          "                          127.0.0.1); repeatable\n"
          "      --hep-allow CIDR    only these sources may send (repeatable, IPv4 and IPv6)\n"
          "      --hep-rate-limit N  packets per second per source\n"
          "  -E, --hep-parse         unwrap HEP found in captured UDP\n"
          "  -H, --hep-send [udp:|tcp:]ADDR:PORT    mirror SIP as HEP v3 to a collector\n"
          "\n"
          "REST API and metrics:\n"
          "      --api ADDR:PORT     serve the REST API and /metrics (an isolated process)\n"
          "      --api-key KEY       bearer token for the API (else $SIPNAB_API_KEY)\n"
          "      --metrics-auth KEY  bearer token for /metrics\n"
          "      --api-tls-cert PEM, --api-tls-key PEM   serve the API over HTTPS\n"
          "      --api-max-conn N    concurrent API connections (default 100)\n"
          "      --user NAME         user the API process runs as when started as root\n"
          "\n"
          "Configuration:\n"
          "  -c, --config FILE       configuration file (default " SNB_SYSCONF_DIR "/sipnab.conf,\n"
          "                          then conf.d/*.conf beside it)\n"
          "  -t, --test-config       check the configuration, load every module, exit\n"
          "  -T, --dump-config       like -t, then print the effective configuration\n"
          "                          (secrets redacted)\n"
          "  -o SECTION[.INSTANCE].KEY=VALUE\n"
          "                          set any option, e.g. -o decode.tcp_timeout=1m\n"
          "      --load MODULE       load a module in addition to [core] load\n"
          "      --module-path DIR   where module .so files are\n"
          "\n"
          "  -h, --help              this text\n"
          "  -V, --version           print the version\n"
          "\n"
          "Exit status: 0 success, 1 a capture or runtime error, 2 a usage or configuration "
          "error.\n",
          out);
}

enum {
    OPT_STATS = 256,
    OPT_JSON,
    OPT_NO_PROMISC,
    OPT_LOAD,
    OPT_MODULE_PATH,
    OPT_DIALOGS_JSON,
    OPT_REPORT,
    OPT_CALL_REPORT,
    OPT_MARKDOWN,
    OPT_FILTER,
    OPT_STREAMS_JSON,
    OPT_STREAM_FILTER,
    OPT_HEP_ALLOW,
    OPT_HEP_RATE_LIMIT,
    OPT_API,
    OPT_API_KEY,
    OPT_METRICS_AUTH,
    OPT_API_TLS_CERT,
    OPT_API_TLS_KEY,
    OPT_API_MAX_CONN,
    OPT_USER,
};

static const struct option long_options[] = {
    {"input", required_argument, NULL, 'I'},
    {"device", required_argument, NULL, 'd'},
    {"snaplen", required_argument, NULL, 's'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"no-promisc", no_argument, NULL, OPT_NO_PROMISC},
    {"no-interface", no_argument, NULL, 'N'},
    {"stats", no_argument, NULL, OPT_STATS},
    {"json", no_argument, NULL, OPT_JSON},
    {"dialogs-json", no_argument, NULL, OPT_DIALOGS_JSON},
    {"report", no_argument, NULL, OPT_REPORT},
    {"call-report", required_argument, NULL, OPT_CALL_REPORT},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"filter", required_argument, NULL, OPT_FILTER},
    {"streams-json", no_argument, NULL, OPT_STREAMS_JSON},
    {"stream-filter", required_argument, NULL, OPT_STREAM_FILTER},
    {"hep-listen", required_argument, NULL, 'L'},
    {"hep-parse", no_argument, NULL, 'E'},
    {"hep-send", required_argument, NULL, 'H'},
    {"hep-allow", required_argument, NULL, OPT_HEP_ALLOW},
    {"hep-rate-limit", required_argument, NULL, OPT_HEP_RATE_LIMIT},
    {"api", required_argument, NULL, OPT_API},
    {"api-key", required_argument, NULL, OPT_API_KEY},
    {"metrics-auth", required_argument, NULL, OPT_METRICS_AUTH},
    {"api-tls-cert", required_argument, NULL, OPT_API_TLS_CERT},
    {"api-tls-key", required_argument, NULL, OPT_API_TLS_KEY},
    {"api-max-conn", required_argument, NULL, OPT_API_MAX_CONN},
    {"user", required_argument, NULL, OPT_USER},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"config", required_argument, NULL, 'c'},
    {"test-config", no_argument, NULL, 't'},
    {"dump-config", no_argument, NULL, 'T'},
    {"load", required_argument, NULL, OPT_LOAD},
    {"module-path", required_argument, NULL, OPT_MODULE_PATH},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int snb_cli_parse(snb_cli_t *cli, int argc, char **argv, char *err, size_t errlen)
{
    memset(cli, 0, sizeof *cli);
    /* Per-input options apply to every -I/-d instance, whatever their order. */
    const char *snaplen = NULL, *bufsize = NULL;
    bool no_promisc = false, have_files = false;
    const char **devices = calloc((size_t)argc + 1, sizeof *devices);
    size_t n_devices = 0;
    const char **hep_listen = calloc((size_t)argc + 1, sizeof *hep_listen);
    const char **hep_allow = calloc((size_t)argc + 1, sizeof *hep_allow);
    size_t n_hep_listen = 0, n_hep_allow = 0;
    const char *hep_rate = NULL;
    bool hep_used = false;
    bool api_used = false;
    const char *api_opt = NULL; /* an --api-* option, which needs --api */
    if (!devices || !hep_listen || !hep_allow) {
        free(devices);
        free(hep_listen);
        free(hep_allow);
        return -1;
    }
    int rc = 0;

    err[0] = '\0';
    opterr = 0;
    optind = 1;
    /* '+' stops at the first non-option word: the rest is the BPF filter;
     * ':' makes a missing value distinguishable from an unknown option. */
    static const char shortopts[] = "+:I:d:s:B:Nqvc:tThVo:L:EH:";
    int c;
    while (rc == 0 && (c = getopt_long(argc, argv, shortopts, long_options, NULL)) != -1) {
        switch (c) {
        case 'I':
            rc = add_set(cli, "pcap", CLI_FILE_INSTANCE, "file", optarg, true);
            have_files = true;
            break;
        case 'd':
            devices[n_devices++] = optarg;
            break;
        case 's':
            snaplen = optarg;
            break;
        case 'B':
            bufsize = optarg;
            break;
        case OPT_NO_PROMISC:
            no_promisc = true;
            break;
        case 'N':
            break;
        case OPT_STATS:
            rc = add_set(cli, "core", NULL, "stats", "yes", false);
            break;
        case OPT_JSON:
            rc = add_set(cli, "core", NULL, "stats_format", "json", false);
            if (rc == 0) rc = add_set(cli, "sip", NULL, "json", "yes", false);
            if (rc == 0) cli->sets[cli->n_sets - 1].soft = true;
            break;
        case OPT_DIALOGS_JSON:
            rc = add_set(cli, "sip", NULL, "dialogs_json", "yes", false);
            break;
        case OPT_REPORT:
            rc = add_set(cli, "sip", NULL, "report", "yes", false);
            if (rc == 0) rc = add_set(cli, "rtp", NULL, "report", "yes", false);
            if (rc == 0) cli->sets[cli->n_sets - 1].soft = true;
            break;
        case 'L':
            hep_listen[n_hep_listen++] = optarg;
            hep_used = true;
            break;
        case 'E':
            rc = add_set(cli, "hep", "captures", "parse", "yes", false);
            hep_used = true;
            break;
        case 'H':
            rc = add_set(cli, "hep", "mirror", "send", optarg, false);
            hep_used = true;
            break;
        case OPT_HEP_ALLOW:
            hep_allow[n_hep_allow++] = optarg;
            break;
        case OPT_HEP_RATE_LIMIT:
            hep_rate = optarg;
            break;
        case OPT_API:
            rc = add_set(cli, "http", NULL, "listen", optarg, false);
            api_used = true;
            break;
        case OPT_API_KEY:
            rc = add_set(cli, "http", NULL, "api_key", optarg, false);
            api_opt = "--api-key";
            break;
        case OPT_METRICS_AUTH:
            rc = add_set(cli, "http", NULL, "metrics_key", optarg, false);
            api_opt = "--metrics-auth";
            break;
        case OPT_API_TLS_CERT:
            rc = add_set(cli, "http", NULL, "tls_cert", optarg, false);
            api_opt = "--api-tls-cert";
            break;
        case OPT_API_TLS_KEY:
            rc = add_set(cli, "http", NULL, "tls_key", optarg, false);
            api_opt = "--api-tls-key";
            break;
        case OPT_API_MAX_CONN:
            rc = add_set(cli, "http", NULL, "max_conn", optarg, false);
            api_opt = "--api-max-conn";
            break;
        case OPT_USER:
            rc = add_set(cli, "http", NULL, "user", optarg, false);
            api_opt = "--user";
            break;
        case OPT_STREAMS_JSON:
            rc = add_set(cli, "rtp", NULL, "streams_json", "yes", false);
            break;
        case OPT_STREAM_FILTER:
            rc = add_set(cli, "rtp", NULL, "filter", optarg, false);
            break;
        case OPT_CALL_REPORT:
            rc = add_set(cli, "sip", NULL, "call_report", optarg, false);
            break;
        case OPT_MARKDOWN:
            rc = add_set(cli, "sip", NULL, "report_format", "markdown", false);
            break;
        case OPT_FILTER:
            rc = add_set(cli, "sip", NULL, "filter", optarg, false);
            break;
        case 'q':
            rc = add_set(cli, "core", NULL, "log_level", "warn", false);
            break;
        case 'v':
            rc = add_set(cli, "core", NULL, "log_level", "debug", false);
            break;
        case 'c':
            cli->config_path = optarg;
            break;
        case 't':
            cli->test_config = true;
            break;
        case 'T':
            cli->dump_config = true;
            break;
        case 'o':
            rc = parse_override(cli, optarg, err, errlen);
            break;
        case OPT_LOAD:
            rc = add_set(cli, "core", NULL, "load", optarg, true);
            break;
        case OPT_MODULE_PATH:
            rc = add_set(cli, "core", NULL, "module_path", optarg, false);
            break;
        case 'h':
            cli->help = true;
            break;
        case 'V':
            cli->version = true;
            break;
        case ':':
            snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
            rc = -1;
            break;
        default:
            snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
            rc = -1;
            break;
        }
    }
    /* Trailing words: a BPF filter, as with tcpdump and sngrep. */
    char *filter = NULL;
    size_t flen = 0;
    for (int i = optind; rc == 0 && i < argc; i++) {
        size_t add = strlen(argv[i]) + 1;
        char *grown = realloc(filter, flen + add + 1);
        if (!grown) {
            rc = -1;
            break;
        }
        filter = grown;
        if (flen) filter[flen - 1] = ' ';
        memcpy(filter + flen, argv[i], add);
        flen += add;
    }
    if (rc == 0 && filter && !have_files && n_devices == 0) {
        snprintf(err, errlen, "'%s' is not an option; filter words need -I FILE or -d IFACE",
                 argv[optind]);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n_devices; i++)
        rc = add_set(cli, "pcap", devices[i], "interface", devices[i], false);
    if (rc == 0 && (n_hep_allow || hep_rate) && !n_hep_listen) {
        snprintf(err, errlen, "--hep-allow and --hep-rate-limit need -L ADDRESS:PORT");
        rc = -1;
    }
    /* Each -L is a listener instance; --hep-allow/--hep-rate-limit apply to all. */
    for (size_t i = 0; rc == 0 && i < n_hep_listen; i++) {
        char inst[32];
        snprintf(inst, sizeof inst, "listen%zu", i + 1);
        rc = add_set(cli, "hep", inst, "listen", hep_listen[i], false);
        for (size_t a = 0; rc == 0 && a < n_hep_allow; a++)
            rc = add_set(cli, "hep", inst, "allow", hep_allow[a], true);
        if (rc == 0 && hep_rate) rc = add_set(cli, "hep", inst, "rate_limit", hep_rate, false);
    }
    if (rc == 0 && hep_used) rc = add_set(cli, "core", NULL, "load", "hep", true);
    if (rc == 0 && api_opt && !api_used) {
        snprintf(err, errlen, "%s needs --api ADDRESS:PORT", api_opt);
        rc = -1;
    }
    if (rc == 0 && api_used) rc = add_set(cli, "core", NULL, "load", "http", true);
    /* Apply the per-input options to every instance the flags created. */
    for (size_t i = 0; rc == 0 && i < n_devices + (have_files ? 1 : 0); i++) {
        const char *inst = i < n_devices ? devices[i] : CLI_FILE_INSTANCE;
        if (snaplen) rc |= add_set(cli, "pcap", inst, "snaplen", snaplen, false);
        if (bufsize) rc |= add_set(cli, "pcap", inst, "buffer_size", bufsize, false);
        if (no_promisc) rc |= add_set(cli, "pcap", inst, "promisc", "no", false);
        if (filter) rc |= add_set(cli, "pcap", inst, "filter", filter, false);
    }
    free(filter);
    free(devices);
    free(hep_listen);
    free(hep_allow);
    if (rc && !err[0]) snprintf(err, errlen, "out of memory");
    return rc ? -1 : 0;
}

int snb_cli_apply(const snb_cli_t *cli, snb_conf_t *conf)
{
    for (size_t i = 0; i < cli->n_sets; i++) {
        const snb_cli_set_t *s = &cli->sets[i];
        const char *origin = s->soft ? SNB_CLI_SOFT_ORIGIN : "command line";
        if (snb_conf_set(conf, s->section, s->instance, s->key, s->value, s->append, origin, 0) !=
            0)
            return -1;
    }
    return 0;
}

void snb_cli_free(snb_cli_t *cli)
{
    for (size_t i = 0; i < cli->n_sets; i++) {
        free(cli->sets[i].section);
        free(cli->sets[i].instance);
        free(cli->sets[i].key);
        free(cli->sets[i].value);
    }
    free(cli->sets);
    cli->sets = NULL;
    cli->n_sets = 0;
}
