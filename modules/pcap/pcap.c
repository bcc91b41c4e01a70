/* The pcap module: capture sources from files and live interfaces.
 * Each [pcap "name"] instance is either a list of files or one interface. */
#include <stddef.h>
#include <stdlib.h>

#include "pcap_conf.h"
#include "pcap_file.h"
#include "pcap_live.h"
#include "sipnab/error.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/secrets.h"

typedef struct pcap_instance {
    const char *name;
    const pcap_conf_t *conf;
    pcap_file_reader_t *reader;
    pcap_live_t *live;
} pcap_instance_t;

typedef struct pcap_state {
    snb_core_t *core;
    pcap_instance_t *inst;
    size_t n;
} pcap_state_t;

static int pcap_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    for (size_t i = 0; i < n; i++) {
        const pcap_conf_t *c = inst[i].conf;
        const char *name = inst[i].name ? inst[i].name : "pcap";
        if ((c->file.n > 0) == (c->interface && *c->interface)) {
            snb_log_error(core, "pcap", "[pcap \"%s\"]: set exactly one of 'file' or 'interface'",
                          name);
            return SNB_E_CONFIG;
        }
    }
    pcap_state_t *st = calloc(1, sizeof *st);
    if (!st) return SNB_E_FULL;
    st->core = core;
    st->n = n;
    /* pcapng Decryption Secrets Blocks, for the modules that decrypt */
    snb_bus_register(snb_core_bus(core), SNB_CAPTURE_SECRETS_EVENT);
    st->inst = calloc(n ? n : 1, sizeof *st->inst);
    if (!st->inst) {
        free(st);
        return SNB_E_FULL;
    }
    for (size_t i = 0; i < n; i++) {
        st->inst[i].name = inst[i].name ? inst[i].name : "pcap";
        st->inst[i].conf = inst[i].conf;
    }
    *state = st;
    return 0;
}

static int pcap_start(void *state)
{
    pcap_state_t *st = state;
    /* Open every live interface first so a typo fails before any file is read. */
    for (size_t i = 0; i < st->n; i++) {
        pcap_instance_t *in = &st->inst[i];
        if (in->conf->file.n) continue;
        in->live = pcap_live_open(st->core, in->name, in->conf);
        if (!in->live) return SNB_E_CAPTURE;
    }
    for (size_t i = 0; i < st->n; i++) {
        pcap_instance_t *in = &st->inst[i];
        int rc;
        if (in->live) {
            rc = pcap_live_start(in->live);
        } else {
            in->reader = pcap_file_reader_new(st->core, in->name, in->conf);
            rc = in->reader ? pcap_file_reader_start(in->reader) : SNB_E_FULL;
        }
        if (rc) return rc;
    }
    return 0;
}

static void pcap_stop(void *state)
{
    pcap_state_t *st = state;
    for (size_t i = 0; i < st->n; i++) {
        pcap_live_stop(st->inst[i].live);
        pcap_file_reader_stop(st->inst[i].reader);
    }
}

static void pcap_fini(void *state)
{
    pcap_state_t *st = state;
    if (!st) return;
    for (size_t i = 0; i < st->n; i++) {
        pcap_live_free(st->inst[i].live);
        pcap_file_reader_free(st->inst[i].reader);
    }
    free(st->inst);
    free(st);
}

static const snb_option_t pcap_options[] = {
    {.name = "file",
     .type = SNB_OPT_LIST,
     .offset = offsetof(pcap_conf_t, file),
     .help = "capture files (pcap, pcapng, optionally gzip-compressed), read in order"},
    {.name = "interface",
     .type = SNB_OPT_STRING,
     .offset = offsetof(pcap_conf_t, interface),
     .help = "network interface for live capture (\"any\" for all)"},
    {.name = "filter",
     .type = SNB_OPT_STRING,
     .offset = offsetof(pcap_conf_t, filter),
     .help = "BPF filter; unset on a live interface means all UDP (RTP on any port), SIP TCP "
             "ports, SCTP, fragments and tunnels; \"\" means no filter"},
    {.name = "snaplen",
     .type = SNB_OPT_SIZE,
     .def = "65535",
     .min = 64,
     .max = 262144,
     .offset = offsetof(pcap_conf_t, snaplen),
     .help = "bytes kept per live packet"},
    {.name = "buffer_size",
     .type = SNB_OPT_SIZE,
     .def = "32m",
     .min = 65536,
     .max = 2147483647,
     .offset = offsetof(pcap_conf_t, buffer_size),
     .help = "kernel capture buffer of a live interface"},
    {.name = "promisc",
     .type = SNB_OPT_BOOL,
     .def = "yes",
     .offset = offsetof(pcap_conf_t, promisc),
     .help = "put a live interface in promiscuous mode"},
    {.name = "queue_size",
     .type = SNB_OPT_SIZE,
     .def = "64m",
     .min = 65536,
     .max = 4294967296,
     .offset = offsetof(pcap_conf_t, queue_size),
     .help = "bytes of frames queued between the capture thread and the loop; beyond, frames "
             "are dropped and counted (capture_dropped_queue)"},
    {.name = "batch",
     .type = SNB_OPT_INT,
     .def = "2048",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(pcap_conf_t, batch),
     .help = "packets read from a file per loop iteration"},
    SNB_OPTIONS_END,
};

/* -I files all go to one instance (merged by timestamp); each -d is its own
 * instance; the per-input flags apply to every instance those made. */
static const snb_flag_t pcap_flags[] = {
    {.name = "input",
     .short_name = 'I',
     .arg = "FILE",
     .key = "file",
     .instance = "files",
     .flags = SNB_FLAG_APPEND,
     .help = "read a pcap/pcapng file (also .gz); repeat for several files (merged by time)"},
    {.name = "device",
     .short_name = 'd',
     .arg = "IFACE",
     .key = "interface",
     .instance = SNB_FLAG_INSTANCE_ARG,
     .help = "capture live on IFACE; repeatable"},
    {.name = "snaplen",
     .short_name = 's',
     .arg = "N",
     .key = "snaplen",
     .instance = "*",
     .help = "bytes kept per live packet (default 65535)"},
    {.name = "buffer-size",
     .short_name = 'B',
     .arg = "SIZE",
     .key = "buffer_size",
     .instance = "*",
     .help = "kernel capture buffer, e.g. 32m"},
    {.name = "no-promisc",
     .key = "promisc",
     .value = "no",
     .instance = "*",
     .help = "do not put the interface in promiscuous mode"},
    {.name = "filter-words",
     .arg = "FILTER WORDS",
     .key = "filter",
     .instance = "*",
     .flags = SNB_FLAG_POSITIONAL,
     .needs = "input|device",
     .help = "trailing words form a BPF filter for the -I/-d inputs"},
    {.name = NULL},
};

SNB_MODULE(.description = "capture from pcap/pcapng files and live interfaces (libpcap)",
           .options = pcap_options, .conf_size = sizeof(pcap_conf_t), .cli_flags = pcap_flags,
           .flags = SNB_MOD_MULTI_INSTANCE | SNB_MOD_SOURCE, .init = pcap_init, .start = pcap_start,
           .stop = pcap_stop, .fini = pcap_fini);
