/* The smallest useful sipnab module, built out of tree against an installed
 * sipnab (see Makefile): counts decoded packets and says how many at the end.
 * Copy this folder to start your own module. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sipnab/core.h>
#include <sipnab/log.h>
#include <sipnab/module.h>

typedef struct hello_conf {
    const char *greeting;
} hello_conf_t;

typedef struct hello {
    snb_core_t *core;
    const hello_conf_t *conf;
    int subscription;
    uint64_t packets;
} hello_t;

static void on_packet(void *ud, const snb_event_t *ev)
{
    hello_t *h = ud;
    (void)ev; /* a borrowed snb_packet_event_t: call snb_event_retain() to keep it */
    h->packets++;
}

static int hello_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    hello_t *h = calloc(1, sizeof *h);
    if (!h) return -12; /* -ENOMEM */
    h->core = core;
    h->conf = inst[0].conf; /* single-instance module: always exactly one */
    *state = h;
    return 0;
}

static int hello_start(void *state)
{
    hello_t *h = state;
    static const snb_event_type_t types[] = {SNB_EV_PACKET};
    h->subscription = snb_bus_subscribe(snb_core_bus(h->core), types, 1, on_packet, h);
    return h->subscription > 0 ? 0 : h->subscription;
}

static void hello_stop(void *state)
{
    hello_t *h = state;
    snb_bus_unsubscribe(snb_core_bus(h->core), h->subscription);
}

static void hello_fini(void *state)
{
    hello_t *h = state;
    snb_log_info(h->core, "hello", "%llu packets, %s", (unsigned long long)h->packets,
                 h->conf->greeting);
    free(h);
}

static const snb_option_t hello_options[] = {
    {.name = "greeting",
     .type = SNB_OPT_STRING,
     .def = "goodbye",
     .offset = offsetof(hello_conf_t, greeting),
     .help = "what to say at the end"},
    SNB_OPTIONS_END,
};

SNB_MODULE(.description = "example: counts packets", .options = hello_options,
           .conf_size = sizeof(hello_conf_t), .init = hello_init, .start = hello_start,
           .stop = hello_stop, .fini = hello_fini);
