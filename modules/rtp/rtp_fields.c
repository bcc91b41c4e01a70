/* See rtp_fields.h. */
#include "rtp_fields.h"

#include <stdio.h>
#include <string.h>

/* ---- streams ---- */

enum { SF_MOS, SF_LOSS, SF_JITTER, SF_ORPHANED, SF_CODEC, SF_CALL_ID, SF_PACKETS, SF_SSRC };

static const snb_filter_field_t stream_fields[] = {
    {"rtp.mos", SNB_FT_NUMBER, SF_MOS},       {"rtp.loss", SNB_FT_NUMBER, SF_LOSS},
    {"rtp.jitter", SNB_FT_NUMBER, SF_JITTER}, {"rtp.orphaned", SNB_FT_BOOL, SF_ORPHANED},
    {"codec", SNB_FT_STRING, SF_CODEC},       {"call_id", SNB_FT_STRING, SF_CALL_ID},
    {"packets", SNB_FT_NUMBER, SF_PACKETS},   {"ssrc", SNB_FT_STRING, SF_SSRC},
};

const snb_filter_field_t *rtp_stream_fields(size_t *n)
{
    *n = sizeof stream_fields / sizeof stream_fields[0];
    return stream_fields;
}

void rtp_stream_field_value(const rtp_stream_t *s, int id, rtp_stream_scratch_t *c,
                            snb_filter_value_t *v)
{
    memset(v, 0, sizeof *v);
    v->present = true;
    switch (id) {
    case SF_MOS:
        v->num = rtp_stream_mos(s);
        break;
    case SF_LOSS:
        v->num = rtp_stream_loss_pct(&s->stats);
        break;
    case SF_JITTER:
        v->num = s->stats.max_jitter_ms;
        break;
    case SF_ORPHANED:
        v->b = s->orphaned;
        break;
    case SF_CODEC:
        v->str = s->codec, v->len = strlen(s->codec);
        break;
    case SF_CALL_ID:
        v->str = s->call_id, v->len = strlen(s->call_id);
        break;
    case SF_PACKETS:
        v->num = (double)s->stats.packets;
        break;
    case SF_SSRC:
        snprintf(c->ssrc, sizeof c->ssrc, "0x%08X", s->ssrc);
        v->str = c->ssrc, v->len = strlen(c->ssrc);
        break;
    default:
        v->present = false;
    }
}

typedef struct stream_ctx {
    const rtp_stream_t *s;
    rtp_stream_scratch_t scratch;
} stream_ctx_t;

static void stream_value(void *ud, int id, snb_filter_value_t *v)
{
    stream_ctx_t *c = ud;
    rtp_stream_field_value(c->s, id, &c->scratch, v);
}

bool rtp_stream_matches(const snb_filter_t *f, const rtp_stream_t *s)
{
    if (!f) return true;
    stream_ctx_t c = {.s = s};
    return snb_filter_eval(f, stream_value, &c);
}

/* ---- dialogs ---- */

void rtp_media_summarize(const rtp_table_t *t, const char *call_id, const rtp_diag_result_t *diag,
                         rtp_media_summary_t *out)
{
    memset(out, 0, sizeof *out);
    out->computed = true;
    out->known = diag != NULL;
    out->flags = diag ? diag->flags : 0;
    for (const rtp_stream_t *s = rtp_table_call_next(t, call_id, NULL); s;
         s = rtp_table_call_next(t, call_id, s)) {
        double mos = rtp_stream_mos(s), loss = rtp_stream_loss_pct(&s->stats);
        if (!out->streams || mos < out->min_mos) out->min_mos = mos;
        if (loss > out->max_loss_pct) out->max_loss_pct = loss;
        if (s->stats.max_jitter_ms > out->max_jitter_ms)
            out->max_jitter_ms = s->stats.max_jitter_ms;
        out->streams++;
    }
    out->known |= out->streams > 0;
}

enum {
    DF_STREAMS,
    DF_MOS,
    DF_LOSS,
    DF_JITTER,
    DF_ONE_WAY,
    DF_NAT,
    DF_NO_MEDIA,
    DF_LATE,
    DF_CODEC_ASYM,
    DF_POOR_QUALITY
};

static const snb_filter_field_t dialog_fields[] = {
    {"rtp.streams", SNB_FT_NUMBER, DF_STREAMS},
    {"rtp.mos", SNB_FT_NUMBER, DF_MOS},
    {"rtp.loss", SNB_FT_NUMBER, DF_LOSS},
    {"rtp.jitter", SNB_FT_NUMBER, DF_JITTER},
    {"one_way", SNB_FT_BOOL, DF_ONE_WAY},
    {"nat_mismatch", SNB_FT_BOOL, DF_NAT},
    {"no_media", SNB_FT_BOOL, DF_NO_MEDIA},
    {"late_media", SNB_FT_BOOL, DF_LATE},
    {"codec_asymmetry", SNB_FT_BOOL, DF_CODEC_ASYM},
    {"poor_quality", SNB_FT_BOOL, DF_POOR_QUALITY},
};

static const snb_filter_alias_t dialog_aliases[] = {
    {"bad-audio", "rtp.mos < 3.5 OR rtp.loss > 2 OR rtp.jitter > 30",
     "a stream with MOS below 3.5, over 2% loss or over 30 ms jitter"},
    {"media-problems", "one_way OR nat_mismatch OR no_media OR bad-audio",
     "one-way audio, NAT mismatch, no media, or bad audio"},
};

const snb_filter_field_t *rtp_dialog_fields(size_t *n)
{
    *n = sizeof dialog_fields / sizeof dialog_fields[0];
    return dialog_fields;
}

const snb_filter_alias_t *rtp_dialog_aliases(size_t *n)
{
    *n = sizeof dialog_aliases / sizeof dialog_aliases[0];
    return dialog_aliases;
}

void rtp_dialog_field_value(const rtp_media_summary_t *m, int id, snb_filter_value_t *out)
{
    memset(out, 0, sizeof *out);
    bool streams = m->known && m->streams;
    switch (id) {
    case DF_STREAMS:
        out->present = m->known;
        out->num = m->streams;
        break;
    case DF_MOS:
        out->present = streams;
        out->num = m->min_mos;
        break;
    case DF_LOSS:
        out->present = streams;
        out->num = m->max_loss_pct;
        break;
    case DF_JITTER:
        out->present = streams;
        out->num = m->max_jitter_ms;
        break;
    default: /* the flags: false when there is nothing to say */
        out->present = true;
        out->b =
            id >= DF_ONE_WAY && id <= DF_POOR_QUALITY && (m->flags & (1u << (id - DF_ONE_WAY)));
        break;
    }
}

/* By bit index of enum rtp_diag_flag. */
static const snb_diagnosis_kind_t kinds[RTP_DIAG_COUNT] = {
    {"one_way_audio", "one-way audio"},
    {"nat_mismatch", "NAT mismatch"},
    {"no_media", "no media"},
    {"late_media", "late media"},
    {"codec_asymmetry", "codec asymmetry"},
    {"poor_quality", "poor audio quality"},
};

const snb_diagnosis_kind_t *rtp_diagnosis_kinds(size_t *n)
{
    *n = RTP_DIAG_COUNT;
    return kinds;
}
