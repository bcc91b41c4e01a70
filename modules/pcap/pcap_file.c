/* File capture: an idle handle reads up to `batch` packets per loop
 * iteration, so a huge file never stalls the loop (signals, the API) for
 * long, and otherwise reads as fast as the disk allows. Packets are handed
 * straight from libpcap's buffer to the core: no copy, no allocation.
 *
 * A corrupt or truncated file is reported once, by byte offset and packet
 * count, after every packet before that point has been processed. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_file.h"
#include "pcap_gz.h"
#include "pcap_mmap.h"
#include "sipnab/log.h"

struct pcap_file_reader {
    snb_core_t *core;
    snb_source_t *src;
    const pcap_conf_t *conf;
    size_t next_file;
    const char *path; /* the file being read */
    pcap_t *p;
    int linktype;
    bool pcapng;
    uint64_t good_offset; /* byte just after the last complete packet */
    uint64_t packets;     /* packets read from this file */
    uv_idle_t idle;
    bool idle_active, stopped, free_pending;
    /* Classic pcap files are mapped instead (pcap_mmap.h); a BPF filter
     * then runs through a "dead" pcap_t's compiled program. */
    pcap_mmap_t mm;
    pcap_t *dead;
    struct bpf_program prog;
    bool have_prog;
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

static void close_current(pcap_file_reader_t *r)
{
    if (r->p) pcap_close(r->p); /* also closes the FILE */
    r->p = NULL;
    pcap_mmap_close(&r->mm);
    if (r->have_prog) pcap_freecode(&r->prog);
    r->have_prog = false;
    if (r->dead) pcap_close(r->dead);
    r->dead = NULL;
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

/* The mmap path: 0 opened, 1 not a mappable classic pcap, -1 error (logged). */
static int open_mapped(pcap_file_reader_t *r, const char *path)
{
    char why[256];
    int rc = pcap_mmap_open(&r->mm, path, why, sizeof why);
    if (rc < 0) snb_log_error(r->core, "pcap", "%s: %s", path, why);
    if (rc != 0) return rc;
    if (check_linktype(r, path, r->mm.linktype) != 0) {
        close_current(r);
        return -1;
    }
    const char *filter = r->conf->filter;
    if (filter && *filter) {
        r->dead = pcap_open_dead(r->mm.linktype, 262144);
        if (!r->dead || pcap_compile(r->dead, &r->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snb_log_error(r->core, "pcap", "bad filter '%s': %s", filter,
                          r->dead ? pcap_geterr(r->dead) : "out of memory");
            close_current(r);
            return -1;
        }
        r->have_prog = true;
    }
    r->linktype = r->mm.linktype;
    r->pcapng = false;
    return 0;
}

/* Open one file; on failure log one line and return -1. */
static int open_file(pcap_file_reader_t *r, const char *path)
{
    int mapped = open_mapped(r, path);
    if (mapped <= 0) {
        if (mapped < 0) return -1;
        r->path = path;
        r->packets = 0;
        r->good_offset = 24;
        snb_source_stats(r->src)->capture_files++;
        snb_log_debug(r->core, "pcap", "%s: reading (link type %d, mapped)", path, r->linktype);
        return 0;
    }
    unsigned char magic[4];
    bool gz;
    char why[PCAP_ERRBUF_SIZE + 64];
    FILE *fp = pcap_gz_open(path, magic, &gz, why, sizeof why);
    if (!fp) {
        snb_log_error(r->core, "pcap", "%s: %s", path, why);
        return -1;
    }
    if (!magic_known(magic, &r->pcapng)) {
        snb_log_error(r->core, "pcap", "%s: not a capture file (no pcap or pcapng header%s)", path,
                      gz ? " after gunzip" : "");
        fclose(fp);
        return -1;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    r->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!r->p) {
        snb_log_error(r->core, "pcap", "%s: %s", path, errbuf);
        fclose(fp);
        return -1;
    }
    r->linktype = pcap_datalink(r->p);
    if (check_linktype(r, path, r->linktype) != 0) {
        close_current(r);
        return -1;
    }
    const char *filter = r->conf->filter;
    if (filter && *filter) {
        struct bpf_program prog;
        if (pcap_compile(r->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(r->p, &prog) != 0) {
            snb_log_error(r->core, "pcap", "bad filter '%s': %s", filter, pcap_geterr(r->p));
            if (prog.bf_insns) pcap_freecode(&prog);
            close_current(r);
            return -1;
        }
        pcap_freecode(&prog);
    }
    r->path = path;
    r->packets = 0;
    r->good_offset = r->pcapng ? (uint64_t)ftell(fp) : 24;
    snb_source_stats(r->src)->capture_files++;
    snb_log_debug(r->core, "pcap", "%s: reading (link type %d%s%s)", path, r->linktype,
                  r->pcapng ? ", pcapng" : "", gz ? ", gzip" : "");
    return 0;
}

/* Advance to the next file that opens; false when none is left. */
static bool open_next(pcap_file_reader_t *r)
{
    close_current(r);
    while (r->next_file < r->conf->file.n) {
        const char *path = r->conf->file.v[r->next_file++];
        if (open_file(r, path) == 0) return true;
        snb_source_stats(r->src)->capture_errors++;
        snb_source_failed(r->src);
    }
    return false;
}

static void report_read_error(pcap_file_reader_t *r)
{
    const char *msg = pcap_geterr(r->p);
    snb_source_stats(r->src)->capture_errors++;
    snb_source_failed(r->src);
    if (strstr(msg, "truncated"))
        snb_log_error(r->core, "pcap",
                      "%s: truncated at byte %" PRIu64 " after %" PRIu64 " packets", r->path,
                      r->good_offset, r->packets);
    else
        snb_log_error(r->core, "pcap",
                      "%s: corrupt at byte %" PRIu64 " after %" PRIu64 " packets: %s", r->path,
                      r->good_offset, r->packets, msg);
}

static void finish(pcap_file_reader_t *r)
{
    if (r->idle_active) uv_idle_stop(&r->idle);
    r->idle_active = false;
    snb_source_finished(r->src); /* may stop the core, and so this reader */
}

/* One batch from a mapped file: records are pointers into the mapping. */
static void read_mapped(pcap_file_reader_t *r)
{
    /* Every record of the previous batch has been handled (subscribers copy
     * what they keep), so its pages can leave our RSS. */
    pcap_mmap_release(&r->mm);
    int budget = (int)r->conf->batch;
    while (budget-- > 0) {
        pcap_mmap_record_t rec;
        char why[256];
        int rc = pcap_mmap_next(&r->mm, &rec, why, sizeof why);
        if (rc == PCAP_MMAP_RECORD) {
            r->packets++;
            r->good_offset = r->mm.off;
            if (r->have_prog) {
                struct pcap_pkthdr h = {.caplen = rec.caplen, .len = rec.wirelen};
                if (!pcap_offline_filter(&r->prog, &h, rec.data)) continue;
            }
            snb_frame_t frame = {.ts_us = rec.ts_us,
                                 .caplen = rec.caplen,
                                 .wirelen = rec.wirelen,
                                 .linktype = r->linktype,
                                 .data = rec.data};
            snb_source_frame(r->src, &frame);
            continue;
        }
        if (rc != PCAP_MMAP_END) {
            snb_source_stats(r->src)->capture_errors++;
            snb_source_failed(r->src);
            if (rc == PCAP_MMAP_TRUNCATED)
                snb_log_error(r->core, "pcap",
                              "%s: truncated at byte %" PRIu64 " after %" PRIu64 " packets",
                              r->path, r->good_offset, r->packets);
            else
                snb_log_error(r->core, "pcap",
                              "%s: corrupt at byte %" PRIu64 " after %" PRIu64 " packets: %s",
                              r->path, r->good_offset, r->packets, why);
        }
        if (!open_next(r)) {
            finish(r);
            return;
        }
        if (!r->mm.base) return; /* the next file is read by libpcap */
    }
}

static void on_idle(uv_idle_t *idle)
{
    pcap_file_reader_t *r = idle->data;
    if (r->mm.base) {
        read_mapped(r);
        return;
    }
    int budget = (int)r->conf->batch;
    while (budget-- > 0) {
        struct pcap_pkthdr *hdr;
        const u_char *data;
        int rc = pcap_next_ex(r->p, &hdr, &data);
        if (rc == 1) {
            snb_frame_t frame = {
                .ts_us = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec,
                .caplen = hdr->caplen,
                .wirelen = hdr->len,
                .linktype = r->linktype,
                .data = data,
            };
            r->packets++;
            /* Classic pcap: 16-byte record header + data; pcapng blocks vary. */
            r->good_offset =
                r->pcapng ? (uint64_t)ftell(pcap_file(r->p)) : r->good_offset + 16 + hdr->caplen;
            snb_source_frame(r->src, &frame);
            continue;
        }
        if (rc == PCAP_ERROR) report_read_error(r);
        if (!open_next(r)) {
            finish(r);
            return;
        }
        if (r->mm.base) return; /* the next file is mapped: next iteration */
    }
}

pcap_file_reader_t *pcap_file_reader_new(snb_core_t *core, const char *name,
                                         const pcap_conf_t *conf)
{
    pcap_file_reader_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->core = core;
    r->conf = conf;
    r->src = snb_source_new(core, name);
    if (!r->src) {
        free(r);
        return NULL;
    }
    uv_idle_init(snb_core_loop(core), &r->idle);
    r->idle.data = r;
    return r;
}

int pcap_file_reader_start(pcap_file_reader_t *r)
{
    if (!open_next(r)) {
        finish(r);
        return 0; /* the failure is logged and counted; other sources go on */
    }
    r->idle_active = true;
    return uv_idle_start(&r->idle, on_idle);
}

static void on_idle_closed(uv_handle_t *h)
{
    pcap_file_reader_t *r = h->data;
    r->stopped = true;
    if (r->free_pending) free(r);
}

void pcap_file_reader_stop(pcap_file_reader_t *r)
{
    if (!r || uv_is_closing((uv_handle_t *)&r->idle)) return;
    close_current(r);
    uv_close((uv_handle_t *)&r->idle, on_idle_closed);
}

void pcap_file_reader_free(pcap_file_reader_t *r)
{
    if (!r) return;
    close_current(r);
    snb_source_free(r->src);
    r->src = NULL;
    if (!uv_is_closing((uv_handle_t *)&r->idle)) {
        r->free_pending = true;
        uv_close((uv_handle_t *)&r->idle, on_idle_closed);
    } else if (r->stopped) {
        free(r);
    } else {
        r->free_pending = true;
    }
}
