/* File capture: an idle handle reads up to `batch` packets per loop
 * iteration, so a huge file never stalls the loop (signals, the API) for
 * long, and otherwise reads as fast as the disk allows. Packets are handed
 * straight from libpcap's buffer to the core: no copy, no allocation.
 * Several files are open at once and merged by timestamp (as mergecap does).
 *
 * A corrupt or truncated file is reported once, by byte offset and packet
 * count, after every packet before that point has been processed. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_file.h"
#include "pcap_classic.h"
#include "pcap_stream.h"
#include "pcapng_secrets.h"
#include "sipnab/log.h"
#include "sipnab/secrets.h"

/* The largest Decryption Secrets Block handed on (a key log of about
 * 100 000 TLS 1.2 sessions). */
#define MAX_SECRETS_BLOCK (16u << 20)

/* One capture file being read, with the next record it holds (its head). */
typedef struct pcap_input {
    const char *path;
    pcap_t *p;             /* libpcap: pcapng, gzip, pipes */
    pcap_stream_t *stream; /* p's FILE: tells a clean end from damage */
    int linktype;
    bool pcapng;
    uint64_t good_offset; /* byte just after the last complete packet */
    uint64_t packets;     /* packets read from this file */
    /* Classic pcap files are read by our reader instead (pcap_classic.h);
     * a BPF filter then runs through a "dead" pcap_t's compiled program. */
    pcap_classic_t classic;
    pcap_t *dead;
    struct bpf_program prog;
    bool have_prog;
    bool has_head;
    snb_frame_t head; /* data valid until the input advances */
    /* pcapng: Decryption Secrets Blocks, published as they are read */
    struct pcap_file_reader *reader;
    pcapng_secrets_t secrets;
    bool watch_secrets;
} pcap_input_t;

struct pcap_file_reader {
    snb_core_t *core;
    snb_source_t *src;
    const pcap_conf_t *conf;
    pcap_input_t *in; /* one per file, in command-line order */
    size_t n_in;
    uv_idle_t idle;
    bool idle_active, stopped, free_pending;
    bool waiting;                /* stopped reading under back-pressure (snb_core_pressure) */
    unsigned read_ahead;         /* inputs with a read-ahead thread (pcap_classic.h) */
    unsigned read_ahead_max;     /* at most that many: 0 on one CPU */
    snb_event_type_t ev_secrets; /* "capture.secrets", <0 if not registered */
};

bool pcap_linktype_supported(int dlt)
{
    switch (dlt) {
    case 0:   /* NULL */
    case 1:   /* EN10MB */
    case 12:  /* RAW (OpenBSD) */
    case 14:  /* RAW (BSD/OS) */
    case 101: /* RAW */
    case 108: /* LOOP */
    case 113: /* LINUX_SLL */
    case 228: /* IPV4 */
    case 229: /* IPV6 */
    case 276: /* LINUX_SLL2 */
        return true;
    default:
        return false;
    }
}

static void close_input(pcap_input_t *in)
{
    if (in->p) pcap_close(in->p); /* also closes the FILE and its stream */
    in->p = NULL;
    in->stream = NULL;
    if (in->watch_secrets) pcapng_secrets_free(&in->secrets);
    in->watch_secrets = false;
    pcap_classic_close(&in->classic);
    if (in->have_prog) pcap_freecode(&in->prog);
    in->have_prog = false;
    if (in->dead) pcap_close(in->dead);
    in->dead = NULL;
    in->has_head = false;
}

static size_t secrets_event_size(const snb_event_t *ev)
{
    const snb_capture_secrets_event_t *s = (const snb_capture_secrets_event_t *)ev;
    return sizeof *s + s->len + (s->file ? strlen(s->file) + 1 : 0);
}

static void secrets_event_copy(const snb_event_t *ev, void *dst)
{
    const snb_capture_secrets_event_t *s = (const snb_capture_secrets_event_t *)ev;
    snb_capture_secrets_event_t *d = dst;
    *d = *s;
    uint8_t *p = (uint8_t *)(d + 1);
    memcpy(p, s->data, s->len);
    d->data = p;
    if (s->file) {
        d->file = (char *)p + s->len;
        memcpy((char *)p + s->len, s->file, strlen(s->file) + 1);
    }
}

static const snb_event_ops_t secrets_event_ops = {
    .name = SNB_CAPTURE_SECRETS_EVENT, .size = secrets_event_size, .copy = secrets_event_copy};

/* A Decryption Secrets Block read from a pcapng file: published before
 * the packets after it reach the core. */
static void on_secrets(void *ud, uint32_t type, const uint8_t *data, size_t len)
{
    pcap_input_t *in = ud;
    snb_capture_secrets_event_t ev = {
        .ev = SNB_EVENT_BORROWED(in->reader->ev_secrets, &secrets_event_ops),
        .secrets_type = type,
        .len = (uint32_t)len,
        .data = data,
        .file = in->path,
    };
    snb_bus_publish(snb_core_bus(in->reader->core), &ev.ev);
}

static void watch_bytes(void *ud, const void *data, size_t n)
{
    pcap_input_t *in = ud;
    pcapng_secrets_feed(&in->secrets, data, n);
}

static bool magic_known(const unsigned char m[4], bool *pcapng)
{
    static const unsigned char magics[][4] = {
        {0xd4, 0xc3, 0xb2, 0xa1},
        {0xa1, 0xb2, 0xc3, 0xd4}, /* pcap, us */
        {0x4d, 0x3c, 0xb2, 0xa1},
        {0xa1, 0xb2, 0x3c, 0x4d}, /* pcap, ns */
    };
    *pcapng = m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
    if (*pcapng) return true;
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (!memcmp(m, magics[i], 4)) return true;
    return false;
}

static int check_linktype(pcap_file_reader_t *r, const char *path, int dlt)
{
    if (pcap_linktype_supported(dlt)) return 0;
    const char *name = pcap_datalink_val_to_name(dlt);
    snb_log_error(r->core, "pcap", "%s: unsupported link type %d (%s)", path, dlt,
                  name ? name : "unknown");
    return -1;
}

/* Inputs read ahead by a thread of their own, at most: with two cores, more
 * threads only take turns; with one (or pinned to one), a thread only adds
 * its wake-ups. */
#define READ_AHEAD_INPUTS 2

static unsigned read_ahead_max(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set) >= 2 ? READ_AHEAD_INPUTS : 0;
}

/* Our reader: 0 opened, 1 not a regular classic pcap, -1 error (logged). */
static int open_classic(pcap_file_reader_t *r, pcap_input_t *in, const char *path)
{
    char why[256];
    bool read_ahead = r->read_ahead < r->read_ahead_max;
    int rc = pcap_classic_open(&in->classic, path, read_ahead, why, sizeof why);
    if (rc == 0 && in->classic.read_ahead) r->read_ahead++;
    if (rc < 0) snb_log_error(r->core, "pcap", "%s: %s", path, why);
    if (rc != 0) return rc;
    if (check_linktype(r, path, in->classic.linktype) != 0) {
        close_input(in);
        return -1;
    }
    const char *filter = r->conf->filter;
    if (filter && *filter) {
        in->dead = pcap_open_dead(in->classic.linktype, 262144);
        if (!in->dead || pcap_compile(in->dead, &in->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snb_log_error(r->core, "pcap", "bad filter '%s': %s", filter,
                          in->dead ? pcap_geterr(in->dead) : "out of memory");
            close_input(in);
            return -1;
        }
        in->have_prog = true;
    }
    in->linktype = in->classic.linktype;
    in->pcapng = false;
    return 0;
}

/* Open one file; on failure log one line and return -1. */
static int open_file(pcap_file_reader_t *r, pcap_input_t *in, const char *path)
{
    int classic = open_classic(r, in, path);
    if (classic <= 0) {
        if (classic < 0) return -1;
        in->path = path;
        in->packets = 0;
        in->good_offset = 24;
        snb_source_stats(r->src)->capture_files++;
        snb_log_debug(r->core, "pcap", "%s: reading (link type %d, our reader%s)", path,
                      in->linktype, in->classic.read_ahead ? ", read ahead by a thread" : "");
        return 0;
    }
    unsigned char magic[4];
    bool gz;
    char why[PCAP_ERRBUF_SIZE + 64];
    FILE *fp = pcap_stream_open(path, magic, &gz, &in->stream, why, sizeof why);
    if (!fp) {
        snb_log_error(r->core, "pcap", "%s: %s", path, why);
        return -1;
    }
    if (!magic_known(magic, &in->pcapng)) {
        snb_log_error(r->core, "pcap", "%s: not a capture file (no pcap or pcapng header%s)", path,
                      gz ? " after gunzip" : "");
        fclose(fp);
        return -1;
    }
    in->path = path;
    if (in->pcapng && snb_bus_wants(snb_core_bus(r->core), r->ev_secrets)) {
        in->reader = r;
        pcapng_secrets_init(&in->secrets, MAX_SECRETS_BLOCK, on_secrets, in);
        in->watch_secrets = true;
        pcap_stream_observe(in->stream, watch_bytes, in);
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    in->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!in->p) {
        snb_log_error(r->core, "pcap", "%s: %s", path, errbuf);
        fclose(fp);
        close_input(in);
        return -1;
    }
    in->linktype = pcap_datalink(in->p);
    if (check_linktype(r, path, in->linktype) != 0) {
        close_input(in);
        return -1;
    }
    const char *filter = r->conf->filter;
    if (filter && *filter) {
        struct bpf_program prog;
        if (pcap_compile(in->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(in->p, &prog) != 0) {
            snb_log_error(r->core, "pcap", "bad filter '%s': %s", filter, pcap_geterr(in->p));
            if (prog.bf_insns) pcap_freecode(&prog);
            close_input(in);
            return -1;
        }
        pcap_freecode(&prog);
    }
    in->path = path;
    in->packets = 0;
    in->good_offset = in->pcapng ? (uint64_t)ftell(fp) : 24;
    snb_source_stats(r->src)->capture_files++;
    snb_log_debug(r->core, "pcap", "%s: reading (link type %d%s%s)", path, in->linktype,
                  in->pcapng ? ", pcapng" : "", gz ? ", gzip" : "");
    return 0;
}

static void report_damage(pcap_file_reader_t *r, pcap_input_t *in, bool truncated, const char *why)
{
    snb_source_stats(r->src)->capture_errors++;
    snb_source_failed(r->src);
    if (truncated && pcap_stream_damage(in->stream)) /* say it was the gzip data */
        snb_log_error(r->core, "pcap",
                      "%s: truncated at byte %" PRIu64 " after %" PRIu64 " packets (%s)", in->path,
                      in->good_offset, in->packets, why);
    else if (truncated)
        snb_log_error(r->core, "pcap",
                      "%s: truncated at byte %" PRIu64 " after %" PRIu64 " packets", in->path,
                      in->good_offset, in->packets);
    else
        snb_log_error(r->core, "pcap",
                      "%s: corrupt at byte %" PRIu64 " after %" PRIu64 " packets: %s", in->path,
                      in->good_offset, in->packets, why);
}

/* Load the input's next record (that passes the filter) into its head; at
 * the end or at damage (reported) the input is closed. */
static void advance(pcap_file_reader_t *r, pcap_input_t *in)
{
    in->has_head = false;
    if (pcap_classic_is_open(&in->classic)) {
        for (;;) {
            pcap_classic_record_t rec;
            char why[256];
            int rc = pcap_classic_next(&in->classic, &rec, why, sizeof why);
            if (rc != PCAP_CLASSIC_RECORD) {
                if (rc != PCAP_CLASSIC_END) report_damage(r, in, rc == PCAP_CLASSIC_TRUNCATED, why);
                close_input(in);
                return;
            }
            in->packets++;
            in->good_offset = in->classic.off;
            if (in->have_prog) {
                struct pcap_pkthdr h = {.caplen = rec.caplen, .len = rec.wirelen};
                if (!pcap_offline_filter(&in->prog, &h, rec.data)) continue;
            }
            in->head = (snb_frame_t){.ts_us = rec.ts_us,
                                     .caplen = rec.caplen,
                                     .wirelen = rec.wirelen,
                                     .linktype = in->linktype,
                                     .data = rec.data};
            in->has_head = true;
            return;
        }
    }
    if (!in->p) return;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc = pcap_next_ex(in->p, &hdr, &data);
    if (rc != 1) {
        /* The stream knows best: gzip cut short or failing its check. */
        const char *damage = pcap_stream_damage(in->stream);
        if (damage)
            report_damage(r, in, strstr(damage, "cut short") != NULL, damage);
        else if (rc == PCAP_ERROR) {
            const char *msg = pcap_geterr(in->p);
            report_damage(r, in, strstr(msg, "truncated") != NULL, msg);
        }
        close_input(in);
        return;
    }
    in->packets++;
    /* Classic pcap: 16-byte record header + data; pcapng blocks vary. */
    in->good_offset =
        in->pcapng ? (uint64_t)ftell(pcap_file(in->p)) : in->good_offset + 16 + hdr->caplen;
    in->head = (snb_frame_t){
        .ts_us = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec,
        .caplen = hdr->caplen,
        .wirelen = hdr->len,
        .linktype = in->linktype,
        .data = data,
    };
    in->has_head = true;
}

static void finish(pcap_file_reader_t *r)
{
    if (r->idle_active) uv_idle_stop(&r->idle);
    r->idle_active = false;
    snb_source_finished(r->src); /* may stop the core, and so this reader */
}

/* The input whose next record is oldest (the first given on a tie), so
 * several files are read as one capture in time order, as mergecap would
 * merge them: two capture points of the same calls line up, and no module
 * sees time go backwards. NULL when every file is done. */
static pcap_input_t *oldest(pcap_file_reader_t *r)
{
    pcap_input_t *best = NULL;
    for (size_t i = 0; i < r->n_in; i++)
        if (r->in[i].has_head && (!best || r->in[i].head.ts_us < best->head.ts_us))
            best = &r->in[i];
    return best;
}

static void on_idle(uv_idle_t *idle);

/* An output (HEP pacing) let go: read on. */
static void resume_reading(void *ud)
{
    pcap_file_reader_t *r = ud;
    r->waiting = false;
    if (r->idle_active) uv_idle_start(&r->idle, on_idle);
}

static void on_idle(uv_idle_t *idle)
{
    pcap_file_reader_t *r = idle->data;
    if (snb_core_pressured(r->core) && snb_core_when_released(r->core, resume_reading, r) == 0) {
        /* A file can wait for an output that cannot keep up; a live
         * interface cannot, and does not ask. */
        uv_idle_stop(&r->idle);
        r->waiting = true;
        return;
    }
    int budget = (int)r->conf->batch;
    while (budget-- > 0) {
        pcap_input_t *in = oldest(r);
        if (!in) {
            finish(r);
            return;
        }
        snb_source_frame(r->src, &in->head);
        advance(r, in);
    }
}

pcap_file_reader_t *pcap_file_reader_new(snb_core_t *core, const char *name,
                                         const pcap_conf_t *conf)
{
    pcap_file_reader_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->core = core;
    r->conf = conf;
    r->read_ahead_max = read_ahead_max();
    r->src = snb_source_new(core, name);
    r->n_in = conf->file.n;
    r->in = calloc(r->n_in ? r->n_in : 1, sizeof *r->in);
    if (!r->src || !r->in) {
        snb_source_free(r->src);
        free(r->in);
        free(r);
        return NULL;
    }
    uv_idle_init(snb_core_loop(core), &r->idle);
    r->idle.data = r;
    r->ev_secrets = snb_bus_lookup(snb_core_bus(core), SNB_CAPTURE_SECRETS_EVENT);
    return r;
}

/* Open every file and read its first record. A file that does not open is
 * logged and counted; the others are read. */
int pcap_file_reader_start(pcap_file_reader_t *r)
{
    for (size_t i = 0; i < r->n_in; i++) {
        pcap_input_t *in = &r->in[i];
        const char *path = r->conf->file.v[i];
        if (open_file(r, in, path) != 0) {
            snb_source_stats(r->src)->capture_errors++;
            snb_source_failed(r->src);
            continue;
        }
        advance(r, in);
    }
    if (!oldest(r)) {
        finish(r);
        return 0; /* failures are logged and counted; other sources go on */
    }
    r->idle_active = true;
    return uv_idle_start(&r->idle, on_idle);
}

static void close_all(pcap_file_reader_t *r)
{
    for (size_t i = 0; i < r->n_in; i++)
        close_input(&r->in[i]);
}

static void on_idle_closed(uv_handle_t *h)
{
    pcap_file_reader_t *r = h->data;
    r->stopped = true;
    if (r->free_pending) {
        free(r->in);
        free(r);
    }
}

void pcap_file_reader_stop(pcap_file_reader_t *r)
{
    if (!r || uv_is_closing((uv_handle_t *)&r->idle)) return;
    if (r->waiting) snb_core_cancel_released(r->core, resume_reading, r);
    r->waiting = false;
    if (r->idle_active) {
        /* Stopped (SIGINT, SIGTERM) before the end: what was read is still
         * analysed and reported, and the run says it is incomplete. */
        snb_log_warn(r->core, "pcap",
                     "interrupted after %" PRIu64 " packets: the outputs cover what was read",
                     snb_source_stats(r->src)->capture_packets);
        snb_source_failed(r->src);
        finish(r);
    }
    close_all(r);
    uv_close((uv_handle_t *)&r->idle, on_idle_closed);
}

void pcap_file_reader_free(pcap_file_reader_t *r)
{
    if (!r) return;
    close_all(r);
    snb_source_free(r->src);
    r->src = NULL;
    if (!uv_is_closing((uv_handle_t *)&r->idle)) {
        r->free_pending = true;
        uv_close((uv_handle_t *)&r->idle, on_idle_closed);
    } else if (r->stopped) {
        free(r->in);
        free(r);
    } else {
        r->free_pending = true;
    }
}
