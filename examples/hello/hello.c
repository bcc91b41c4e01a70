/* An out-of-tree sipnab module that shows every piece of the platform (see
 * docs/module-authors.md, which walks through it). Built against an
 * installed sipnab with the Makefile beside it. It:
 *
 *  - declares a command-line flag (--hello-greeting TEXT) and an option;
 *  - reads parsed SIP through the accessors of "sip.message" events (the
 *    User-Agent header and the From URI's host), never the raw text;
 *  - keeps per-dialog data in the SIP module's dialog store and adds a
 *    dialog annotation: a "hello" key in every dialog's JSON, a filter field
 *    (hello.ua_words, for --filter and the API's ?filter=) and a section of
 *    the call report;
 *  - follows dialog state changes ("sip.dialog" events);
 *  - counts distinct From hosts in a table keyed by what senders control:
 *    a cap, the process's hash key, and memory from snb_lazy_table_new
 *    (a helper linked in from libsipnab-util, through pkg-config);
 *  - registers a labelled counter (hello_messages{transport=...}), current
 *    whenever --stats or /metrics reads it;
 *  - logs one line at the end (stderr: stdout belongs to the outputs users
 *    asked for, see sipnab/output.h).
 *
 * Copy this folder to start your own module. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sipnab/core.h>
#include <sipnab/dialogs.h>
#include <sipnab/hash.h>
#include <sipnab/lazytable.h>
#include <sipnab/log.h>
#include <sipnab/module.h>
#include <sipnab/sip.h>

typedef struct hello_conf {
    const char *greeting;
} hello_conf_t;

/* What we keep per dialog (in the dialog store's slot for us). */
typedef struct hello_dialog {
    unsigned ua_words; /* words in the first User-Agent seen */
    char from_host[64];
} hello_dialog_t;

enum { T_UDP, T_TCP, T_SCTP, T_WS, T_COUNT };

/* Slots of the From-host table (a power of two). At most three quarters
 * hold a host; past that, new hosts are not counted and the end line says
 * "N+". A slot holds the host's 64-bit keyed hash, not the host: two hosts
 * would count once only if their hashes collided (about 2^-64 a pair). */
#define HOSTS_CAP 65536u

typedef struct hello {
    snb_core_t *core;
    const hello_conf_t *conf;
    const snb_dialogs_service_t *dialogs;
    int annotation; /* our id in the dialog store */
    snb_event_type_t ev_message, ev_dialog;
    int subscription;
    uint64_t packets, dialog_changes;
    uint64_t by_transport[T_COUNT];
    uint64_t *hosts; /* open addressing: the host's keyed hash, 0 = empty */
    unsigned n_hosts;
    bool hosts_full;
} hello_t;

/* ---- parsed SIP in, per-dialog data out ---- */

static unsigned count_words(snb_str_t s)
{
    unsigned n = 0;
    bool in_word = false;
    for (uint32_t i = 0; s.p && i < s.len; i++) {
        bool space = s.p[i] == ' ' || s.p[i] == '\t';
        if (!space && !in_word) n++;
        in_word = !space;
    }
    return n;
}

/* Count a From host once. Hosts come from packets, so the table is hashed
 * with the process's random key (nobody can aim hosts at one slot) and
 * filled to three quarters at most (a probe always ends). */
static void count_host(hello_t *h, snb_str_t host)
{
    if (!h->hosts || !host.len || h->hosts_full) return;
    uint64_t k = snb_hash_bytes(snb_core_hash_key(h->core), host.p, host.len) | 1;
    for (uint64_t i = k;; i++) {
        uint64_t *slot = &h->hosts[i & (HOSTS_CAP - 1)];
        if (*slot == k) return;
        if (*slot) continue;
        if (h->n_hosts >= HOSTS_CAP / 4 * 3) {
            h->hosts_full = true;
            return;
        }
        *slot = k;
        h->n_hosts++;
        return;
    }
}

static void on_sip_message(hello_t *h, const snb_sip_message_event_t *ev)
{
    if (ev->transport < T_COUNT) h->by_transport[ev->transport]++;
    const snb_dialog_t *d = h->dialogs->find(h->dialogs->ctx, ev->call_id.p, ev->call_id.len);
    void **slot = d ? h->dialogs->data(h->dialogs->ctx, d, h->annotation) : NULL;
    if (!slot || *slot) return; /* no dialog (no Call-ID), or we saw it already */
    hello_dialog_t *hd = calloc(1, sizeof *hd);
    if (!hd) return;
    /* The accessors: any header by name (compact forms too), URI parts. */
    snb_str_t ua = ev->sip->header(ev->msg, "User-Agent", 0);
    if (!ua.p) ua = ev->sip->header(ev->msg, "Server", 0);
    hd->ua_words = count_words(ua);
    snb_sip_nameaddr_t from;
    if (ev->sip->nameaddr(ev->sip->header(ev->msg, "From", 0), &from)) {
        snb_str_copy(from.parts.host, hd->from_host, sizeof hd->from_host);
        count_host(h, from.parts.host);
    }
    *slot = hd;
    h->dialogs->touch(h->dialogs->ctx, d); /* our part of it changed */
}

static void on_event(void *ud, const snb_event_t *ev)
{
    hello_t *h = ud;
    snb_event_type_t type = (snb_event_type_t)ev->type;
    if (type == SNB_EV_PACKET)
        h->packets++;
    else if (type == h->ev_message)
        on_sip_message(h, (const snb_sip_message_event_t *)ev);
    else if (type == h->ev_dialog)
        h->dialog_changes++;
}

/* ---- the dialog annotation ---- */

static const hello_dialog_t *of(hello_t *h, const snb_dialog_info_t *d)
{
    void **slot = h->dialogs->data(h->dialogs->ctx, d->dialog, h->annotation);
    return slot ? *slot : NULL;
}

static json_t *render(void *ctx, const snb_dialog_info_t *d)
{
    hello_t *h = ctx;
    const hello_dialog_t *hd = of(h, d);
    if (!hd) return NULL;
    return json_pack("{s:s, s:i, s:s}", "greeting", h->conf->greeting, "ua_words",
                     (int)hd->ua_words, "from_host", hd->from_host);
}

enum { F_UA_WORDS };
static const snb_filter_field_t fields[] = {{"hello.ua_words", SNB_FT_NUMBER, F_UA_WORDS}};

static void field(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                  snb_filter_value_t *out)
{
    (void)scratch;
    const hello_dialog_t *hd = of(ctx, d);
    memset(out, 0, sizeof *out);
    out->present = hd && id == F_UA_WORDS;
    out->num = hd ? hd->ua_words : 0;
}

static void report(void *ctx, const snb_dialog_info_t *d, FILE *out, int format)
{
    hello_t *h = ctx;
    const hello_dialog_t *hd = of(h, d);
    if (!hd) return;
    if (format == SNB_REPORT_MARKDOWN)
        fprintf(out, "\n## Hello\n\n%s: %u words in the user agent, from %s\n", h->conf->greeting,
                hd->ua_words, hd->from_host);
    else
        fprintf(out, "Hello: %s: %u words in the user agent, from %s\n", h->conf->greeting,
                hd->ua_words, hd->from_host);
}

static void free_data(void *ctx, void *data)
{
    (void)ctx;
    free(data);
}

/* ---- the labelled counter ---- */

static const char *const transport_label[] = {"transport", NULL};
static const snb_metric_def_t metrics[] = {
    {.name = "messages",
     .help = "SIP messages seen by hello, by transport",
     .type = SNB_METRIC_COUNTER,
     .labels = transport_label},
};

static void collect(void *ud, snb_metric_sink_t *sink)
{
    hello_t *h = ud;
    static const char *const names[T_COUNT] = {"udp", "tcp", "sctp", "ws"};
    for (int t = 0; t < T_COUNT; t++) {
        if (!h->by_transport[t]) continue;
        const char *v[] = {names[t]};
        snb_metric_put(sink, 0, v, (double)h->by_transport[t]);
    }
}

/* ---- lifetime ---- */

static int hello_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    hello_t *h = calloc(1, sizeof *h);
    if (!h) return -ENOMEM;
    h->core = core;
    h->conf = inst[0].conf; /* single-instance module: always exactly one */
    /* Zeroed pages that cost memory only once written (not calloc). */
    h->hosts = snb_lazy_table_new(HOSTS_CAP, sizeof *h->hosts);
    /* sip is a dependency: its init has run and its store is there. */
    h->dialogs = snb_core_service(core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION);
    if (!h->dialogs) {
        snb_log_error(core, "hello", "needs the sip module's dialog store");
        snb_lazy_table_free(h->hosts, HOSTS_CAP, sizeof *h->hosts);
        free(h);
        return -ENOENT;
    }
    snb_dialog_annotation_t a = {.name = "hello",
                                 .key = "hello",
                                 .ctx = h,
                                 .render = render,
                                 .fields = fields,
                                 .n_fields = 1,
                                 .field = field,
                                 .report = report,
                                 .free_data = free_data};
    h->annotation = h->dialogs->annotate(h->dialogs->ctx, &a);
    snb_metric_group_t g = {
        .prefix = "hello", .defs = metrics, .n = 1, .collect = collect, .ud = h};
    int rc = h->annotation < 0 ? h->annotation : snb_core_metrics(core, &g);
    if (rc) {
        snb_lazy_table_free(h->hosts, HOSTS_CAP, sizeof *h->hosts);
        free(h);
        return rc;
    }
    *state = h;
    return 0;
}

static int hello_start(void *state)
{
    hello_t *h = state;
    snb_bus_t *bus = snb_core_bus(h->core);
    h->ev_message = snb_bus_lookup(bus, SNB_SIP_MESSAGE_EVENT);
    h->ev_dialog = snb_bus_lookup(bus, SNB_SIP_DIALOG_EVENT);
    const snb_event_type_t types[] = {SNB_EV_PACKET, h->ev_message, h->ev_dialog};
    h->subscription = snb_bus_subscribe(bus, types, 3, on_event, h);
    return h->subscription > 0 ? 0 : h->subscription;
}

static void hello_stop(void *state)
{
    hello_t *h = state;
    snb_bus_unsubscribe(snb_core_bus(h->core), h->subscription);
    snb_log_info(h->core, "hello", "%llu packets, %llu dialog changes, %u%s From hosts, %s",
                 (unsigned long long)h->packets, (unsigned long long)h->dialog_changes, h->n_hosts,
                 h->hosts_full ? "+" : "", h->conf->greeting);
}

static void hello_fini(void *state)
{
    hello_t *h = state;
    snb_lazy_table_free(h->hosts, HOSTS_CAP, sizeof *h->hosts);
    free(h); /* the dialog store frees our per-dialog data with free_data */
}

static const snb_option_t hello_options[] = {
    {.name = "greeting",
     .type = SNB_OPT_STRING,
     .def = "goodbye",
     .offset = offsetof(hello_conf_t, greeting),
     .help = "what to say at the end"},
    SNB_OPTIONS_END,
};

static const snb_flag_t hello_flags[] = {
    {.name = "hello-greeting",
     .arg = "TEXT",
     .key = "greeting",
     .flags = SNB_FLAG_LOADS,
     .help = "what the hello module says at the end"},
    {.name = NULL},
};

static const char *const hello_depends[] = {"sip", NULL};

SNB_MODULE(.description = "example: the module platform in one file", .depends = hello_depends,
           .options = hello_options, .conf_size = sizeof(hello_conf_t), .init = hello_init,
           .start = hello_start, .stop = hello_stop, .fini = hello_fini, .cli_flags = hello_flags);
