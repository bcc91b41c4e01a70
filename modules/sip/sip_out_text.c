/* Text outputs for people: one line per message, the dialog table, and the
 * call report (text or Markdown) with its message ladder. */
#include <inttypes.h>
#include <string.h>

#include "sip_out.h"
#include "sipnab/format.h"

void sip_out_message_line(FILE *out, const sip_msg_meta_t *meta, const sip_msg_t *msg,
                          bool retransmit)
{
    char when[40], src[80], dst[80];
    snb_format_utc(meta->ts_us, false, when, sizeof when);
    snb_format_endpoint(&meta->src, meta->sport, src, sizeof src);
    snb_format_endpoint(&meta->dst, meta->dport, dst, sizeof dst);
    fprintf(out, "%s %s -> %s %s ", when, src, dst, sip_transport_name(meta->transport));
    if (msg->is_request)
        fprintf(out, "%.*s %.*s", (int)msg->method_name.len, msg->method_name.p,
                (int)msg->request_uri.len, msg->request_uri.p);
    else
        fprintf(out, "%u %.*s", msg->status_code, (int)msg->reason.len, msg->reason.p);
    fprintf(out, " (CSeq %" PRIu32 " %.*s) Call-ID: %.*s", msg->cseq,
            (int)msg->cseq_method_name.len, msg->cseq_method_name.p, (int)msg->call_id.len,
            msg->call_id.p);
    if (retransmit) fputs(" [retransmission]", out);
    if (msg->malformed) fprintf(out, " [malformed: %s]", sip_malformed_reason(msg->malformed));
    fputc('\n', out);
}

/* A timing interval in whole milliseconds, "-" when it does not apply. */
static char *ms_text(int64_t us, char *buf, size_t len)
{
    if (us < 0) return snb_format_copy(buf, len, "-", 1);
    char t[24], *end = t + sizeof t, *p = snb_format_uint((uint64_t)sip_timing_ms(us), end);
    return snb_format_copy(buf, len, p, (size_t)(end - p));
}

void sip_out_report_header(FILE *out)
{
    fprintf(out, "%-36s %-16s %-16s %-9s %-12s %4s %5s %7s %8s %8s %5s\n", "CALL-ID", "FROM", "TO",
            "METHOD", "STATE", "CODE", "MSGS", "PDD ms", "SETUP ms", "DUR s", "RETR");
}

void sip_out_report_row(FILE *out, const sip_dialog_t *d, const sip_annotations_t *ann)
{
    char pdd[24], setup[24], code[8];
    ms_text(d->timing.pdd_us, pdd, sizeof pdd);
    ms_text(d->timing.setup_us, setup, sizeof setup);
    if (d->final_code)
        snprintf(code, sizeof code, "%u", d->final_code);
    else
        snprintf(code, sizeof code, "-");
    fprintf(out,
            "%-36.36s %-16.16s %-16.16s %-9s %-12s %4s %5" PRIu32 " %7s %8s %8.1f %5" PRIu32 "\n",
            d->call_id, sip_dialog_from_user(d), sip_dialog_to_user(d), sip_method_name(d->method),
            sip_dialog_state_name(d->state), code, d->msg_count, pdd, setup,
            sip_annotations_duration_sec(ann, d, NULL), d->timing.retransmits);
}

/* Appends to a line being built (line_t): the Markdown rows are written
 * piece by piece, since fprintf's format parsing and %.3f cost more than
 * everything else in a row (the API feed renders a report per change). */
typedef struct line {
    char buf[512];
    size_t len;
} line_t;

static void line_put(line_t *l, const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof l->buf - l->len) n = sizeof l->buf - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void line_uint(line_t *l, uint32_t v)
{
    char t[12];
    t[sizeof t - 1] = '\0';
    line_put(l, snb_format_uint(v, t + sizeof t - 1));
}

static void line_flush(FILE *out, line_t *l)
{
    fwrite(l->buf, 1, l->len, out);
    l->len = 0;
}

static void sdp_line(FILE *out, const sip_dialog_t *d, const sip_sdp_entry_t *e, bool md)
{
    char codecs[128] = "";
    for (unsigned i = 0; i < e->n_codecs; i++) {
        strncat(codecs, i ? " " : "", sizeof codecs - strlen(codecs) - 1);
        strncat(codecs, e->codecs[i], sizeof codecs - strlen(codecs) - 1);
    }
    const char *hold = e->changes & SIP_SDP_HOLD ? " hold" : "";
    const char *resume = e->changes & SIP_SDP_RESUME ? " resume" : "";
    const char *codec = e->changes & SIP_SDP_CODEC_CHANGE ? " codec-change" : "";
    const char *t38 = e->changes & SIP_SDP_T38 ? " t38" : "";
    const char *addr = e->changes & SIP_SDP_ADDR_CHANGE ? " address-change" : "";
    if (md) { /* "| +%.3f s | %s | %s:%u | %s | %s |%s%s%s%s%s |\n" */
        char t[32];
        line_t l = {.len = 0};
        line_put(&l, "| +");
        line_put(&l, snb_format_secs3(e->ts_us - d->first_us, t, sizeof t));
        line_put(&l, " s | ");
        line_put(&l, e->offer ? "offer" : "answer");
        line_put(&l, " | ");
        line_put(&l, e->media_addr);
        line_put(&l, ":");
        line_uint(&l, e->media_port);
        line_put(&l, " | ");
        line_put(&l, sdp_direction_name(e->mode));
        line_put(&l, " | ");
        line_put(&l, codecs);
        line_put(&l, " |");
        line_put(&l, hold);
        line_put(&l, resume);
        line_put(&l, codec);
        line_put(&l, t38);
        line_put(&l, addr);
        line_put(&l, " |\n");
        line_flush(out, &l);
    } else {
        double t = (double)(e->ts_us - d->first_us) / 1e6;
        fprintf(out, "  %+10.3f s  %-6s %s:%u %s  %s%s%s%s%s%s\n", t, e->offer ? "offer" : "answer",
                e->media_addr, e->media_port, sdp_direction_name(e->mode), codecs, hold, resume,
                codec, t38, addr);
    }
}

static void ladder_line(FILE *out, const sip_dialog_t *d, const sip_msg_summary_t *m, bool md)
{
    char src[80], dst[80];
    snb_format_endpoint(&m->src, m->sport, src, sizeof src);
    snb_format_endpoint(&m->dst, m->dport, dst, sizeof dst);
    const char *note = m->retransmit ? "retransmission" : m->malformed ? "malformed" : "";
    if (md) { /* "| +%.3f s | %s | %s | <label>%s | %u %s | %s |\n" */
        char t[32];
        line_t l = {.len = 0};
        line_put(&l, "| +");
        line_put(&l, snb_format_secs3(m->ts_us - d->first_us, t, sizeof t));
        line_put(&l, " s | ");
        line_put(&l, src);
        line_put(&l, " | ");
        line_put(&l, dst);
        line_put(&l, " | ");
        line_flush(out, &l);
        snb_format_md(out, m->label);
        line_put(&l, m->has_sdp ? " (SDP)" : "");
        line_put(&l, " | ");
        line_uint(&l, m->cseq);
        line_put(&l, " ");
        line_put(&l, sip_method_name(m->cseq_method));
        line_put(&l, " | ");
        line_put(&l, note);
        line_put(&l, " |\n");
        line_flush(out, &l);
    } else {
        double t = (double)(m->ts_us - d->first_us) / 1e6;
        fprintf(out, "  %+10.3f s  %-24s -> %-24s %s%s  CSeq %" PRIu32 " %s%s%s%s\n", t, src, dst,
                m->label, m->has_sdp ? " (SDP)" : "", m->cseq, sip_method_name(m->cseq_method),
                note[0] ? " (" : "", note, note[0] ? ")" : "");
    }
}

/* Text from the capture: as it is in the text report, escaped in Markdown. */
static void put_text(FILE *out, bool md, const char *text)
{
    if (md)
        snb_format_md(out, text);
    else
        fputs(text, out);
}

/* "Display <user>", or "user". */
static void party(FILE *out, bool md, const char *display, const char *user)
{
    if (!display[0]) {
        put_text(out, md, user);
        return;
    }
    put_text(out, md, display);
    fputs(md ? " \\<" : " <", out);
    put_text(out, md, user);
    fputs(md ? "\\>" : ">", out);
}

static void field(FILE *out, bool md, const char *bullet, const char *name, const char *text)
{
    fprintf(out, "%s%s: ", bullet, name);
    put_text(out, md, text);
    fputc('\n', out);
}

static void line_ms(line_t *l, int64_t us)
{
    char t[24];
    line_put(l, ms_text(us, t, sizeof t));
}

static void summary_lines(FILE *out, const sip_dialog_t *d, const sip_annotations_t *ann,
                          const char *bullet)
{
    char start[40], src[80], dst[80], dur[48];
    snb_format_utc(d->first_us, false, start, sizeof start);
    snb_format_endpoint(&d->src, d->sport, src, sizeof src);
    snb_format_endpoint(&d->dst, d->dport, dst, sizeof dst);
    bool md = bullet[0] == '-'; /* the Markdown report's list */
    line_t l = {.len = 0};
    fputs(bullet, out);
    fputs("From: ", out);
    party(out, md, sip_dialog_from_display(d), sip_dialog_from_user(d));
    fputs("  To: ", out);
    party(out, md, sip_dialog_to_display(d), sip_dialog_to_user(d));
    fputc('\n', out);
    line_put(&l, bullet);
    line_put(&l, "State: ");
    line_put(&l, sip_dialog_state_name(d->state));
    if (d->final_code) {
        line_put(&l, " (final response ");
        line_uint(&l, d->final_code);
        line_put(&l, ")");
    }
    if (sip_dialog_timeout_name(d)) {
        line_put(&l, " (");
        line_put(&l, sip_dialog_timeout_name(d));
        line_put(&l, ")");
    }
    line_put(&l, ", ");
    line_put(&l, sip_method_name(d->method));
    line_put(&l, " over ");
    line_put(&l, sip_transport_name(d->transport));
    line_put(&l, ", ");
    line_put(&l, src);
    line_put(&l, " -> ");
    line_put(&l, dst);
    line_put(&l, "\n");
    bool ongoing;
    double duration = sip_annotations_duration_sec(ann, d, &ongoing);
    snprintf(dur, sizeof dur, "%.3f", duration);
    line_put(&l, bullet);
    line_put(&l, "Started: ");
    line_put(&l, start);
    line_put(&l, " UTC, duration ");
    line_put(&l, dur);
    line_put(&l, " s");
    line_put(&l, ongoing ? " (ongoing: no end seen)" : "");
    line_put(&l, ", ");
    line_uint(&l, d->msg_count);
    line_put(&l, " messages\n");
    line_flush(out, &l);
    line_put(&l, bullet);
    line_put(&l, "Timing (ms): PDD ");
    line_ms(&l, d->timing.pdd_us);
    line_put(&l, ", setup ");
    line_ms(&l, d->timing.setup_us);
    line_put(&l, ", ring ");
    line_ms(&l, d->timing.ring_us);
    line_put(&l, ", trying ");
    line_ms(&l, d->timing.trying_delay_us);
    line_put(&l, ", teardown ");
    line_ms(&l, d->timing.teardown_us);
    line_put(&l, "; retransmissions ");
    line_uint(&l, d->timing.retransmits);
    line_put(&l, "\n");
    line_flush(out, &l);
    if (sip_dialog_ua(d)[0]) field(out, md, bullet, "User agent", sip_dialog_ua(d));
    if (d->refer_to) field(out, md, bullet, "Transferred to", d->refer_to);
    if (d->refer_replaces) field(out, md, bullet, "Replacing", d->refer_replaces);
    if (d->malformed_count)
        fprintf(out, "%sMalformed messages: %" PRIu32 "\n", bullet, d->malformed_count);
}

void sip_out_call_report_text(FILE *out, const sip_dialog_t *d, const sip_annotations_t *ann)
{
    fprintf(out, "Call %s\n", d->call_id);
    summary_lines(out, d, ann, "  ");
    if (d->n_sdp) {
        fprintf(out, "SDP timeline:\n");
        for (uint32_t i = 0; i < d->n_sdp; i++)
            sdp_line(out, d, &d->sdp[i], false);
    }
    fprintf(out, "Messages:\n");
    for (uint32_t i = 0; i < d->n_msgs; i++)
        ladder_line(out, d, &d->msgs[i], false);
    if (d->msg_count > d->n_msgs)
        fprintf(out, "  (%" PRIu32 " more messages not kept)\n", d->msg_count - d->n_msgs);
    sip_annotations_report(ann, d, out, SNB_REPORT_TEXT);
}

void sip_out_call_report_markdown(FILE *out, const sip_dialog_t *d, const sip_annotations_t *ann)
{
    fprintf(out, "# Call `%s`\n\n", d->call_id);
    summary_lines(out, d, ann, "- ");
    if (d->n_sdp) {
        fprintf(out, "\n## SDP timeline\n\n| time | role | media | mode | codecs | events |\n"
                     "|---|---|---|---|---|---|\n");
        for (uint32_t i = 0; i < d->n_sdp; i++)
            sdp_line(out, d, &d->sdp[i], true);
    }
    fprintf(out, "\n## Messages\n\n| time | from | to | message | CSeq | note |\n"
                 "|---|---|---|---|---|---|\n");
    for (uint32_t i = 0; i < d->n_msgs; i++)
        ladder_line(out, d, &d->msgs[i], true);
    if (d->msg_count > d->n_msgs)
        fprintf(out, "\n%" PRIu32 " more messages were not kept.\n", d->msg_count - d->n_msgs);
    sip_annotations_report(ann, d, out, SNB_REPORT_MARKDOWN);
}
