/* Capture sources: frames in, decoded packet events out. Each source has its
 * own decoder (its own clock for reassembly timeouts); all share the core's
 * decode counters, which is safe because everything here runs on the loop. */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

struct snb_source {
    snb_core_t *core;
    char *name;
    snb_decoder_t *dec;
    snb_capture_stats_t stats;
    bool finished;
    bool live; /* reads an interface now, not a file */
    struct snb_source *next;
};

/* Decoder callback: publish a borrowed packet event, but only if somebody
 * listens; the decode-only pipeline then costs no event work at all. */
static void on_packet(void *ud, const snb_packet_t *pkt)
{
    snb_source_t *src = ud;
    snb_bus_t *bus = src->core->bus;
    if (!snb_bus_wants(bus, SNB_EV_PACKET)) return;
    snb_packet_event_t pe = {
        .ev = {.type = SNB_EV_PACKET,
               .flags = SNB_EVF_BORROWED,
               .refcount = 1,
               .ops = &snb_packet_event_ops},
        .pkt = *pkt,
        .source = src->name,
    };
    snb_bus_publish(bus, &pe.ev);
}

snb_source_t *snb_source_new(snb_core_t *core, const char *name)
{
    snb_source_t *src = calloc(1, sizeof *src);
    if (!src) return NULL;
    src->core = core;
    src->name = strdup(name ? name : "source");
    snb_decode_limits_t lim = core->cfg.limits;
    lim.hash_key = core->hash_key;
    src->dec = snb_decoder_new(&lim, &core->decode_stats, on_packet, src);
    if (!src->name || !src->dec) {
        snb_decoder_free(src->dec);
        free(src->name);
        free(src);
        return NULL;
    }
    src->next = core->sources;
    core->sources = src;
    core->active_sources++;
    return src;
}

void snb_source_frame(snb_source_t *src, const snb_frame_t *frame)
{
    src->stats.capture_packets++;
    snb_decoder_feed(src->dec, frame);
}

/* HEP and other sources that decode for themselves publish packets as they
 * are; they still count as captured. */
void snb_source_packet(snb_source_t *src, const snb_packet_t *pkt)
{
    src->stats.capture_packets++;
    on_packet(src, pkt);
}

void snb_source_set_live(snb_source_t *src, bool live)
{
    src->live = live;
}

bool snb_core_has_live_source(snb_core_t *core)
{
    for (const snb_source_t *s = core->sources; s; s = s->next)
        if (s->live && !s->finished) return true;
    return false;
}

snb_capture_stats_t *snb_source_stats(snb_source_t *src)
{
    return &src->stats;
}

void snb_source_failed(snb_source_t *src)
{
    src->core->exit_status = 1;
}

void snb_source_finished(snb_source_t *src)
{
    if (src->finished) return;
    src->finished = true;
    snb_decoder_flush(src->dec);
    snb_core_t *core = src->core;
    if (--core->active_sources > 0) return;
    snb_event_t end = {.type = SNB_EV_CAPTURE_END,
                       .flags = SNB_EVF_BORROWED,
                       .refcount = 1,
                       .ops = &snb_plain_event_ops};
    snb_bus_publish(core->bus, &end);
    if (core->holds == 0) snb_core_request_stop(core, NULL);
}

static void fold_stats(snb_capture_stats_t *sum, const snb_capture_stats_t *s)
{
#define SNB_STATS_ADD(name, help) sum->name += s->name;
    SNB_CAPTURE_COUNTERS(SNB_STATS_ADD)
#undef SNB_STATS_ADD
}

void snb_sources_stats(snb_core_t *core, snb_capture_stats_t *sum)
{
    *sum = core->capture_stats;
    for (snb_source_t *s = core->sources; s; s = s->next)
        fold_stats(sum, &s->stats);
}

void snb_source_free(snb_source_t *src)
{
    if (!src) return;
    snb_core_t *core = src->core;
    if (!src->finished) {
        src->finished = true;
        snb_decoder_flush(src->dec);
        core->active_sources--;
    }
    fold_stats(&core->capture_stats, &src->stats);
    for (snb_source_t **pp = &core->sources; *pp; pp = &(*pp)->next) {
        if (*pp == src) {
            *pp = src->next;
            break;
        }
    }
    snb_decoder_free(src->dec);
    free(src->name);
    free(src);
}
