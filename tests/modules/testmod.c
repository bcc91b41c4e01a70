/* A test module: counts the events it sees and prints them at fini, so the
 * integration tests can check the real pipeline (pcap -> decoder -> bus).
 * TESTMOD_* defines turn it into each kind of broken module the loader must
 * refuse. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "sipnab/core.h"
#include "sipnab/log.h"
#include "sipnab/module.h"

/* Variants that drop the descriptor or a callback leave functions unused. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

typedef struct counter_conf {
    int64_t retain_every;     /* keep every Nth packet event until fini (tests cloning) */
    const char *secret_token; /* only there to test redaction by -T */
} counter_conf_t;

typedef struct counter {
    snb_core_t *core;
    const counter_conf_t *conf;
    int sub;
    uint64_t packets, udp, tcp, sctp, payload_bytes, ends, retained_ok;
    snb_event_t **kept;
    size_t n_kept, cap_kept;
} counter_t;

#ifdef TESTMOD_UNDEFINED_SYMBOL
void snb_function_that_does_not_exist(void);
#endif

static void on_event(void *ud, const snb_event_t *ev)
{
    counter_t *c = ud;
    if (ev->type == SNB_EV_CAPTURE_END) {
        c->ends++;
        return;
    }
    const snb_packet_event_t *pe = (const snb_packet_event_t *)ev;
    c->packets++;
    c->payload_bytes += pe->pkt.payload_len;
    if (pe->pkt.transport == SNB_TRANSPORT_UDP) c->udp++;
    if (pe->pkt.transport == SNB_TRANSPORT_TCP) c->tcp++;
    if (pe->pkt.transport == SNB_TRANSPORT_SCTP) c->sctp++;
    if (c->conf->retain_every > 0 && c->packets % (uint64_t)c->conf->retain_every == 0) {
        if (c->n_kept == c->cap_kept) {
            size_t cap = c->cap_kept ? c->cap_kept * 2 : 64;
            snb_event_t **k = realloc(c->kept, cap * sizeof *k);
            if (!k) return;
            c->kept = k;
            c->cap_kept = cap;
        }
        snb_event_t *kept = snb_event_retain(ev);
        if (kept) c->kept[c->n_kept++] = kept;
    }
}

static int counter_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
#ifdef TESTMOD_UNDEFINED_SYMBOL
    snb_function_that_does_not_exist();
#endif
    counter_t *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->core = core;
    c->conf = inst[0].conf;
    *state = c;
    return 0;
}

static int counter_start(void *state)
{
    counter_t *c = state;
    static const snb_event_type_t types[] = {SNB_EV_PACKET, SNB_EV_CAPTURE_END};
    c->sub = snb_bus_subscribe(snb_core_bus(c->core), types, 2, on_event, c);
    return c->sub > 0 ? 0 : c->sub;
}

static void counter_stop(void *state)
{
    counter_t *c = state;
    snb_bus_unsubscribe(snb_core_bus(c->core), c->sub);
}

static void counter_fini(void *state)
{
    counter_t *c = state;
    /* Retained events must still hold their data after the source moved on. */
    for (size_t i = 0; i < c->n_kept; i++) {
        const snb_packet_event_t *pe = (const snb_packet_event_t *)c->kept[i];
        if (pe->pkt.frame && pe->pkt.frame->caplen > 0 && pe->pkt.payload && pe->source &&
            pe->source[0])
            c->retained_ok++;
        snb_event_release(c->kept[i]);
    }
    free(c->kept);
    snb_log_info(c->core, SNB_MODULE_NAME,
                 "packets=%llu udp=%llu tcp=%llu sctp=%llu payload_bytes=%llu ends=%llu "
                 "retained_ok=%llu",
                 (unsigned long long)c->packets, (unsigned long long)c->udp,
                 (unsigned long long)c->tcp, (unsigned long long)c->sctp,
                 (unsigned long long)c->payload_bytes, (unsigned long long)c->ends,
                 (unsigned long long)c->retained_ok);
    free(c);
}

static const snb_option_t counter_options[] = {
    {.name = "retain_every",
     .type = SNB_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 1000000,
     .offset = offsetof(counter_conf_t, retain_every),
     .help = "retain every Nth packet event until fini"},
    {.name = "secret_token",
     .type = SNB_OPT_STRING,
     .flags = SNB_OPT_SECRET,
     .offset = offsetof(counter_conf_t, secret_token),
     .help = "a secret, to test redaction"},
    SNB_OPTIONS_END,
};

#ifndef TESTMOD_NO_DESCRIPTOR
/* The broken variants override fields SNB_MODULE() already set. */
#pragma GCC diagnostic ignored "-Woverride-init"
#ifdef TESTMOD_DEPENDS
static const char *const deps[] = {"counter", NULL};
#define TESTMOD_DEPS deps
#else
#define TESTMOD_DEPS NULL
#endif
#ifdef TESTMOD_NO_START
#define TESTMOD_START NULL
#else
#define TESTMOD_START counter_start
#endif

SNB_MODULE(.description = "test module: counts events", .depends = TESTMOD_DEPS,
           .options = counter_options, .conf_size = sizeof(counter_conf_t), .init = counter_init,
           .start = TESTMOD_START, .stop = counter_stop, .fini = counter_fini,
#ifdef TESTMOD_BAD_ABI
           .abi_major = 99,
#endif
#ifdef TESTMOD_NEWER_MINOR
           .abi_minor = 99,
#endif
#ifdef TESTMOD_BAD_SIGNATURE
           .build_signature = "ptr4-weird",
#endif
);
#else
/* Exported, but not the descriptor symbol the loader looks for. */
SNB_MODULE_EXPORT int snb_something_else = 1;
#endif
