/* RTP text outputs: the streams table (--report) and the media section of a
 * call report (text or Markdown). */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "rtp_out.h"

void rtp_out_table_header(FILE *out)
{
    fprintf(out, "\n%-10s %-22s %-22s %-10s %7s %6s %6s %7s %7s %4s %s\n", "SSRC", "SRC", "DST",
            "CODEC", "PKTS", "LOST", "LOSS%", "JIT ms", "MAXJIT", "MOS", "CALL-ID");
}

void rtp_out_table_row(FILE *out, const rtp_stream_t *s)
{
    char src[80], dst[80];
    const rtp_stream_stats_t *st = &s->stats;
    fprintf(out,
            "0x%08X %-22s %-22s %-10.10s %7" PRIu64 " %6" PRId64 " %6.2f %7.2f %7.2f %4.2f %s\n",
            s->ssrc, rtp_ep_str(&s->src, s->sport, src, sizeof src),
            rtp_ep_str(&s->dst, s->dport, dst, sizeof dst), s->codec[0] ? s->codec : "?",
            st->packets, rtp_stream_lost(st), rtp_stream_loss_pct(st), st->mean_jitter_ms,
            st->max_jitter_ms, rtp_stream_mos(s),
            s->call_id[0] ? s->call_id : (s->orphaned ? "(orphaned)" : "(none yet)"));
}

static void clock_text(uint64_t ts_us, char *buf, size_t len)
{
    time_t secs = (time_t)(ts_us / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char hms[16];
    strftime(hms, sizeof hms, "%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03u", hms, (unsigned)(ts_us % 1000000u / 1000u));
}

void rtp_out_call_media(FILE *out, bool md, const rtp_table_t *t, const char *call_id,
                        const rtp_diag_result_t *diag, const rtp_info_dtmf_t *info, size_t n_info)
{
    bool any = rtp_table_call_next(t, call_id, NULL) != NULL;
    /* No empty table: a call without streams says so in one line. */
    if (md)
        fputs(any ? "\n## Media\n\n| SSRC | from | to | codec | packets | lost | loss % | "
                    "jitter ms | max jitter ms | MOS |\n|---|---|---|---|---|---|---|---|---|---|\n"
                  : "\n## Media\n",
              out);
    else
        fputs("Media:\n", out);
    int streams = 0;
    for (const rtp_stream_t *s = rtp_table_call_next(t, call_id, NULL); s;
         s = rtp_table_call_next(t, call_id, s), streams++) {
        char src[80], dst[80];
        const rtp_stream_stats_t *st = &s->stats;
        rtp_ep_str(&s->src, s->sport, src, sizeof src);
        rtp_ep_str(&s->dst, s->dport, dst, sizeof dst);
        if (md)
            fprintf(out,
                    "| 0x%08X | %s | %s | %s | %" PRIu64 " | %" PRId64 " | %.2f | %.2f | %.2f | "
                    "%.2f |\n",
                    s->ssrc, src, dst, s->codec, st->packets, rtp_stream_lost(st),
                    rtp_stream_loss_pct(st), st->mean_jitter_ms, st->max_jitter_ms,
                    rtp_stream_mos(s));
        else
            fprintf(out,
                    "  0x%08X %s -> %s %s: %" PRIu64 " packets, %" PRId64 " lost (%.2f%%), jitter "
                    "%.2f ms (max %.2f), MOS %.2f\n",
                    s->ssrc, src, dst, s->codec[0] ? s->codec : "?", st->packets,
                    rtp_stream_lost(st), rtp_stream_loss_pct(st), st->mean_jitter_ms,
                    st->max_jitter_ms, rtp_stream_mos(s));
    }
    if (!streams) fprintf(out, md ? "\nNo RTP streams.\n" : "  no RTP streams\n");

    /* DTMF from RTP (RFC 4733) and from SIP INFO, in one list. */
    bool header = false;
    for (const rtp_stream_t *s = rtp_table_call_next(t, call_id, NULL); s;
         s = rtp_table_call_next(t, call_id, s)) {
        for (uint32_t i = 0; s->dtmf && i < rtp_dtmf_count(s->dtmf); i++) {
            const rtp_dtmf_digit_t *d = rtp_dtmf_digit(s->dtmf, i);
            char when[24];
            clock_text(d->start_us, when, sizeof when);
            if (!header) fprintf(out, md ? "\n## DTMF\n\n" : "DTMF:\n");
            header = true;
            fprintf(out,
                    md ? "- %s `%c` %u ms (RFC 4733, SSRC 0x%08X)\n"
                       : "  %s %c %u ms (RFC 4733, SSRC 0x%08X)\n",
                    when, d->digit ? d->digit : '?', d->duration_ms, s->ssrc);
        }
    }
    for (size_t i = 0; i < n_info; i++) {
        if (strcmp(info[i].call_id, call_id) != 0) continue;
        char when[24];
        clock_text(info[i].ts_us, when, sizeof when);
        if (!header) fprintf(out, md ? "\n## DTMF\n\n" : "DTMF:\n");
        header = true;
        fprintf(out, md ? "- %s `%c` %u ms (SIP INFO)\n" : "  %s %c %u ms (SIP INFO)\n", when,
                info[i].digit, info[i].duration_ms);
    }
    if (diag && diag->flags) {
        fprintf(out, md ? "\n## Diagnosis\n\n" : "Diagnosis:\n");
        for (uint32_t bit = 1; bit < (1u << RTP_DIAG_COUNT); bit <<= 1)
            if (diag->flags & bit)
                fprintf(out, md ? "- **%s**: %s\n" : "  %s: %s\n", rtp_diag_flag_name(bit),
                        rtp_diag_hint(diag, bit));
    }
}
