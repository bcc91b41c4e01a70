/* Live capture: a thread per interface runs pcap_dispatch() and copies each
 * frame into the core's bounded hand-off ring; the loop thread decodes them.
 * A full ring drops the frame and counts it: never silent, never blocking
 * the kernel ring. The kernel's own drops come from pcap_stats(). */
#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_live.h"
#include "sipnab/error.h"
#include "sipnab/log.h"

/* What the capture thread puts in front of each frame in the ring. */
typedef struct frame_record {
    uint64_t ts_us;
    uint32_t caplen, wirelen;
} frame_record_t;

struct pcap_live {
    snb_core_t *core;
    snb_source_t *src;
    const char *iface;
    pcap_t *p;
    int linktype;
    snb_handoff_t *handoff;
    uv_thread_t thread;
    bool thread_running;
    atomic_bool stop;
    atomic_uint_fast64_t dropped_queue;
    atomic_uint_fast64_t ps_drop, ps_ifdrop;
    char thread_error[PCAP_ERRBUF_SIZE];
    atomic_bool thread_failed;
    uv_async_t failed_async; /* the thread tells the loop it died */
    bool stopped;
};

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    pcap_live_t *l = (pcap_live_t *)user;
    frame_record_t rec = {
        .ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec,
        .caplen = h->caplen,
        .wirelen = h->len,
    };
    if (snb_handoff_write(l->handoff, &rec, sizeof rec, bytes, h->caplen) != 0)
        atomic_fetch_add_explicit(&l->dropped_queue, 1, memory_order_relaxed);
}

static void poll_kernel_stats(pcap_live_t *l)
{
    struct pcap_stat ps;
    if (pcap_stats(l->p, &ps) == 0) {
        atomic_store(&l->ps_drop, ps.ps_drop);
        atomic_store(&l->ps_ifdrop, ps.ps_ifdrop);
    }
}

static void capture_thread(void *arg)
{
    pcap_live_t *l = arg;
    unsigned rounds = 0;
    while (!atomic_load(&l->stop)) {
        int n = pcap_dispatch(l->p, 512, on_frame, (u_char *)l);
        if (n == PCAP_ERROR) {
            snprintf(l->thread_error, sizeof l->thread_error, "%s", pcap_geterr(l->p));
            atomic_store(&l->thread_failed, true);
            uv_async_send(&l->failed_async); /* report now, not at shutdown */
            break;
        }
        if (n == PCAP_ERROR_BREAK) break;
        if ((++rounds & 63) == 0) poll_kernel_stats(l);
    }
    poll_kernel_stats(l);
}

/* Loop thread: one frame out of the ring. */
static void on_record(void *ud, const void *hdr, size_t hdr_len, const uint8_t *data,
                      size_t data_len)
{
    pcap_live_t *l = ud;
    const frame_record_t *rec = hdr;
    (void)hdr_len;
    snb_frame_t frame = {
        .ts_us = rec->ts_us,
        .caplen = (uint32_t)data_len,
        .wirelen = rec->wirelen,
        .linktype = l->linktype,
        .data = data,
    };
    snb_source_frame(l->src, &frame);
}

/* Loop thread: the capture thread hit an error (e.g. the interface went away). */
static void on_thread_failed(uv_async_t *async)
{
    pcap_live_stop(async->data);
}

static const char *activate_error(int rc, pcap_t *p)
{
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return "no such interface";
    case PCAP_ERROR_PERM_DENIED:
        return "permission denied (run as root or grant CAP_NET_RAW)";
    case PCAP_ERROR_IFACE_NOT_UP:
        return "interface is down";
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        return "no permission for promiscuous mode (set promisc = no)";
    default:
        return pcap_geterr(p);
    }
}

pcap_live_t *pcap_live_open(snb_core_t *core, const char *name, const pcap_conf_t *conf)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    const char *iface = conf->interface;
    pcap_t *p = pcap_create(iface, errbuf);
    if (!p) {
        snb_log_error(core, "pcap", "%s: %s", iface, errbuf);
        return NULL;
    }
    pcap_set_snaplen(p, (int)conf->snaplen);
    pcap_set_promisc(p, conf->promisc);
    pcap_set_timeout(p, 100); /* ms: lets the thread notice a stop request */
    pcap_set_buffer_size(p, (int)conf->buffer_size);
    int rc = pcap_activate(p);
    if (rc < 0) {
        snb_log_error(core, "pcap", "%s: %s", iface, activate_error(rc, p));
        pcap_close(p);
        return NULL;
    }
    if (rc > 0) snb_log_warn(core, "pcap", "%s: %s", iface, pcap_geterr(p));
    int dlt = pcap_datalink(p);
    if (!pcap_linktype_supported(dlt)) {
        const char *dn = pcap_datalink_val_to_name(dlt);
        snb_log_error(core, "pcap", "%s: unsupported link type %d (%s)", iface, dlt,
                      dn ? dn : "unknown");
        pcap_close(p);
        return NULL;
    }
    const char *filter = conf->filter ? conf->filter : PCAP_DEFAULT_LIVE_FILTER;
    if (*filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(p, &prog) != 0) {
            snb_log_error(core, "pcap", "%s: bad filter '%s': %s", iface, filter, pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
        pcap_freecode(&prog);
    }
    pcap_live_t *l = calloc(1, sizeof *l);
    if (l) l->src = snb_source_new(core, name ? name : iface);
    if (l && l->src) l->handoff = snb_handoff_new(core, conf->queue_size, on_record, l);
    if (!l || !l->src || !l->handoff) {
        snb_log_error(core, "pcap", "%s: out of memory", iface);
        if (l) snb_source_free(l->src);
        free(l);
        pcap_close(p);
        return NULL;
    }
    snb_source_set_live(l->src, true);
    l->core = core;
    l->iface = iface;
    l->p = p;
    l->linktype = dlt;
    uv_async_init(snb_core_loop(core), &l->failed_async, on_thread_failed);
    l->failed_async.data = l;
    snb_log_info(core, "pcap", "%s: capturing (filter: %s)", iface, *filter ? filter : "none");
    return l;
}

int pcap_live_start(pcap_live_t *l)
{
    int rc = uv_thread_create(&l->thread, capture_thread, l);
    if (rc) {
        snb_log_error(l->core, "pcap", "%s: cannot start capture thread: %s", l->iface,
                      uv_strerror(rc));
        return SNB_E_CAPTURE;
    }
    l->thread_running = true;
    return 0;
}

void pcap_live_stop(pcap_live_t *l)
{
    if (!l || l->stopped) return;
    l->stopped = true;
    /* The loop must be able to end: both async handles go with the thread. */
    uv_close((uv_handle_t *)&l->failed_async, NULL);
    if (l->thread_running) {
        atomic_store(&l->stop, true);
        pcap_breakloop(l->p);
        uv_thread_join(&l->thread);
        l->thread_running = false;
    }
    snb_handoff_close(l->handoff); /* delivers what is still queued */
    l->handoff = NULL;
    snb_capture_stats_t *st = snb_source_stats(l->src);
    st->capture_dropped_queue += atomic_load(&l->dropped_queue);
    st->capture_dropped_kernel += atomic_load(&l->ps_drop);
    st->capture_dropped_ifdrop += atomic_load(&l->ps_ifdrop);
    if (atomic_load(&l->thread_failed)) {
        snb_log_error(l->core, "pcap", "%s: %s", l->iface, l->thread_error);
        st->capture_errors++;
        snb_source_failed(l->src);
    }
    snb_source_finished(l->src);
}

void pcap_live_free(pcap_live_t *l)
{
    if (!l) return;
    pcap_live_stop(l);
    snb_source_free(l->src);
    pcap_close(l->p);
    /* fini runs after the loop has run the close callback of stop. */
    free(l);
}
