/* Media diagnosis rules (see rtp_diag.h and docs/modules/rtp-streams.md). */
#include "rtp_diag.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rtp_addr.h"

static const char *const flag_names[RTP_DIAG_COUNT] = {
    "one_way_audio", "nat_mismatch", "no_media", "late_media", "codec_asymmetry", "poor_quality",
};
static const char *const side_names[2] = {"offer side", "answer side"};

static int flag_index(uint32_t flag)
{
    for (int i = 0; i < RTP_DIAG_COUNT; i++)
        if (flag == 1u << i) return i;
    return -1;
}

const char *rtp_diag_flag_name(uint32_t flag)
{
    int i = flag_index(flag);
    return i < 0 ? NULL : flag_names[i];
}

const char *rtp_diag_hint(const rtp_diag_result_t *r, uint32_t flag)
{
    int i = flag_index(flag);
    return i < 0 || !(r->flags & flag) ? "" : r->hint[i];
}

/* Media of one direction (from_side -> the other), summed over its streams. */
typedef struct dir_sum {
    uint64_t audio, cn;
    uint64_t first_media_us; /* audio or comfort noise; 0 none */
    uint64_t first_audio_us, last_audio_us;
    const rtp_diag_stream_t *main; /* the stream with the most audio */
} dir_sum_t;

static void sum_dirs(const rtp_diag_call_t *c, dir_sum_t d[2])
{
    memset(d, 0, 2 * sizeof *d);
    for (size_t i = 0; i < c->n_streams; i++) {
        const rtp_diag_stream_t *s = &c->streams[i];
        if (s->from_side > 1) continue;
        dir_sum_t *x = &d[s->from_side];
        x->audio += s->audio_packets;
        x->cn += s->cn_packets;
        if (s->audio_packets || s->cn_packets) {
            uint64_t f = s->audio_packets ? s->first_audio_us : s->first_us;
            if (s->cn_packets && s->first_us < f) f = s->first_us;
            if (!x->first_media_us || f < x->first_media_us) x->first_media_us = f;
        }
        if (s->audio_packets) {
            if (!x->first_audio_us || s->first_audio_us < x->first_audio_us)
                x->first_audio_us = s->first_audio_us;
            if (s->last_audio_us > x->last_audio_us) x->last_audio_us = s->last_audio_us;
            if (!x->main || s->audio_packets > x->main->audio_packets) x->main = s;
        }
    }
}

static void hint(rtp_diag_result_t *r, uint32_t flag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void hint(rtp_diag_result_t *r, uint32_t flag, const char *fmt, ...)
{
    /* Unsigned and bounded: gcc's -Warray-bounds cannot follow `i < 0` here. */
    unsigned i = (unsigned)flag_index(flag);
    if (i >= RTP_DIAG_COUNT) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->hint[i], sizeof r->hint[i], fmt, ap);
    va_end(ap);
    r->flags |= flag;
}

/* Does the latest SDP let media flow from side x to side y? */
static bool dir_enabled(const rtp_diag_side_t *x, const rtp_diag_side_t *y)
{
    bool x_sends = x->direction == RTP_DIR_SENDRECV || x->direction == RTP_DIR_SENDONLY;
    bool y_recvs = y->direction == RTP_DIR_SENDRECV || y->direction == RTP_DIR_RECVONLY;
    return x->has_sdp && y->has_sdp && x_sends && y_recvs;
}

static void one_way(const rtp_diag_call_t *c, const rtp_diag_cfg_t *cfg, const dir_sum_t d[2],
                    rtp_diag_result_t *r)
{
    if (!c->answered || !c->side[0].has_sdp || !c->side[1].has_sdp) return;
    for (unsigned x = 0; x < 2; x++) {
        unsigned y = 1 - x;
        /* x -> y is silent (comfort noise counts as sound: silence
         * suppression), y -> x carried audio long enough to tell. */
        if (d[x].audio || d[x].cn || !d[y].audio) continue;
        if (d[y].last_audio_us - d[y].first_audio_us < cfg->min_flow_us) continue;
        /* hold or a one-way SDP explains it */
        if (c->side[x].ever_no_send || c->side[y].ever_no_recv) continue;
        char to[64];
        rtp_ep_str(&c->side[y].addr, c->side[y].port, to, sizeof to);
        hint(r, RTP_DIAG_ONE_WAY,
             "no RTP from the %s to the %s (%s) while %" PRIu64
             " packets flow the other way: RTP toward %s is likely blocked (NAT/firewall)"
             " or the %s does not send",
             side_names[x], side_names[y], to, d[y].audio, to, side_names[x]);
        return;
    }
}

static bool announced(const rtp_diag_side_t *s, const snb_addr_t *a, uint16_t port)
{
    for (unsigned i = 0; i < s->n_eps && i < RTP_CALL_MAX_EPS; i++)
        if (s->eps[i].port == port && rtp_addr_eq(&s->eps[i].addr, a)) return true;
    return false;
}

static void nat_mismatch(const rtp_diag_call_t *c, rtp_diag_result_t *r)
{
    for (size_t i = 0; i < c->n_streams; i++) {
        const rtp_diag_stream_t *s = &c->streams[i];
        if (s->from_side > 1) continue;
        const rtp_diag_side_t *x = &c->side[s->from_side];
        if (!x->has_sdp || announced(x, &s->src, s->sport)) continue;
        char seen[64], sdp[64];
        rtp_ep_str(&s->src, s->sport, seen, sizeof seen);
        rtp_ep_str(&x->addr, x->port, sdp, sizeof sdp);
        bool same_ip = rtp_addr_eq(&s->src, &x->addr);
        hint(r, RTP_DIAG_NAT_MISMATCH,
             "media from the %s arrives from %s but its SDP announced %s: %s",
             side_names[s->from_side], seen, sdp,
             same_ip ? "a NAT or firewall rewrote the port"
                     : "NAT (the SDP carries the private address; fix with a SBC/ALG or ICE)");
        return;
    }
}

static void no_media(const rtp_diag_call_t *c, const rtp_diag_cfg_t *cfg, const dir_sum_t d[2],
                     rtp_diag_result_t *r)
{
    if (!c->answered || !c->side[0].has_sdp || !c->side[1].has_sdp) return;
    if (d[0].audio || d[0].cn || d[1].audio || d[1].cn) return;
    for (size_t i = 0; i < c->n_streams; i++) /* unknown-direction streams count too */
        if (c->streams[i].audio_packets || c->streams[i].cn_packets) return;
    if (!dir_enabled(&c->side[0], &c->side[1]) && !dir_enabled(&c->side[1], &c->side[0])) return;
    uint64_t end = c->ended_us ? c->ended_us : c->now_us;
    if (end < c->answered_us || end - c->answered_us < cfg->min_call_us) return;
    char a[64], b[64];
    rtp_ep_str(&c->side[0].addr, c->side[0].port, a, sizeof a);
    rtp_ep_str(&c->side[1].addr, c->side[1].port, b, sizeof b);
    hint(r, RTP_DIAG_NO_MEDIA,
         "answered call (%.1f s) with SDP on both sides (%s, %s) but no RTP either way: media "
         "blocked both ways or not on the captured path",
         (double)(end - c->answered_us) / 1e6, a, b);
}

static void late_media(const rtp_diag_call_t *c, const rtp_diag_cfg_t *cfg, const dir_sum_t d[2],
                       rtp_diag_result_t *r)
{
    if (!c->answered) return;
    int worst = -1;
    uint64_t worst_delay = 0;
    for (int x = 0; x < 2; x++) {
        uint64_t f = d[x].first_media_us;
        if (!f || f <= c->answered_us) continue;
        uint64_t delay = f - c->answered_us;
        if (delay > cfg->late_media_us && delay > worst_delay) {
            worst = x;
            worst_delay = delay;
        }
    }
    if (worst < 0) return;
    hint(r, RTP_DIAG_LATE_MEDIA,
         "first RTP from the %s %.2f s after the 200 OK (threshold %.2f s): slow media path setup "
         "(NAT latching, ICE, or a late re-INVITE)",
         side_names[worst], (double)worst_delay / 1e6, (double)cfg->late_media_us / 1e6);
}

static void codec_name(const rtp_diag_stream_t *s, char *buf, size_t size)
{
    if (s->codec[0])
        snprintf(buf, size, "%s", s->codec);
    else
        snprintf(buf, size, "PT %u", s->pt);
}

static void codec_asymmetry(const rtp_diag_call_t *c, const rtp_diag_cfg_t *cfg,
                            const dir_sum_t d[2], rtp_diag_result_t *r)
{
    const rtp_diag_stream_t *a = d[0].main, *b = d[1].main;
    if (!a || !b) return;
    bool same_codec = a->codec[0] && b->codec[0]
                          ? strcasecmp(a->codec, b->codec) == 0 && a->clock_rate == b->clock_rate
                          : a->pt == b->pt;
    char ca[24], cb[24];
    codec_name(a, ca, sizeof ca);
    codec_name(b, cb, sizeof cb);
    if (!same_codec) {
        hint(r, RTP_DIAG_CODEC_ASYMMETRY,
             "the offer side sends %s (PT %u) but the answer side sends %s (PT %u): each end must "
             "decode both; check the SDP answer and transcoders",
             ca, a->pt, cb, b->pt);
        return;
    }
    if (!a->ptime_ms || !b->ptime_ms) return;
    uint32_t diff =
        a->ptime_ms > b->ptime_ms ? a->ptime_ms - b->ptime_ms : b->ptime_ms - a->ptime_ms;
    if (diff <= cfg->ptime_tolerance_ms) return;
    hint(r, RTP_DIAG_CODEC_ASYMMETRY,
         "%s with %u ms packets from the offer side but %u ms from the answer side: ptime "
         "mismatch (a=ptime ignored)",
         ca, a->ptime_ms, b->ptime_ms);
    (void)c;
}

/* What makes one stream poor: its figures past the configured limits. */
static bool poor_stream(const rtp_diag_stream_t *s, const rtp_diag_cfg_t *cfg, char *why,
                        size_t size)
{
    if (s->packets < cfg->poor_min_packets) return false; /* a fragment says little */
    size_t n = 0;
    why[0] = '\0';
    if (cfg->poor_loss_pct > 0 && s->loss_pct >= cfg->poor_loss_pct)
        n += (size_t)snprintf(why + n, size - n, "%.1f %% loss (limit %g %%), ", s->loss_pct,
                              cfg->poor_loss_pct);
    if (n < size && cfg->poor_jitter_ms > 0 && s->mean_jitter_ms >= cfg->poor_jitter_ms)
        n += (size_t)snprintf(why + n, size - n, "mean jitter %.1f ms (limit %g ms), ",
                              s->mean_jitter_ms, cfg->poor_jitter_ms);
    if (n < size && cfg->poor_mos > 0 && s->mos >= 0 && s->mos < cfg->poor_mos)
        n += (size_t)snprintf(why + n, size - n, "MOS %.2f (limit %g), ", s->mos, cfg->poor_mos);
    if (n == 0) return false;
    if (n >= 2 && n < size) why[n - 2] = '\0'; /* the last ", " */
    return true;
}

/* Per direction (offer side, answer side, a stream of unknown side), the
 * poor stream with the lowest MOS; one hint names each such direction. */
static void poor_quality(const rtp_diag_call_t *c, const rtp_diag_cfg_t *cfg, rtp_diag_result_t *r)
{
    static const char *const from[3] = {"from the offer side", "from the answer side", ""};
    const rtp_diag_stream_t *worst[3] = {NULL, NULL, NULL};
    char why[3][160];
    for (size_t i = 0; i < c->n_streams; i++) {
        const rtp_diag_stream_t *s = &c->streams[i];
        unsigned d = s->from_side > 1 ? 2 : s->from_side;
        char w[160];
        if (!poor_stream(s, cfg, w, sizeof w)) continue;
        if (worst[d] && worst[d]->mos <= s->mos) continue;
        worst[d] = s;
        memcpy(why[d], w, sizeof w);
    }
    char text[RTP_DIAG_HINT_MAX];
    size_t n = 0;
    for (unsigned d = 0; d < 3 && n < sizeof text; d++) {
        const rtp_diag_stream_t *s = worst[d];
        if (!s) continue;
        char src[64], dst[64];
        rtp_ep_str(&s->src, s->sport, src, sizeof src);
        rtp_ep_str(&s->dst, s->dport, dst, sizeof dst);
        n += (size_t)snprintf(text + n, sizeof text - n, "%spoor audio %s%s(%s -> %s): %s",
                              n ? "; " : "", from[d], *from[d] ? " " : "", src, dst, why[d]);
    }
    if (n) hint(r, RTP_DIAG_POOR_QUALITY, "%s", text);
}

uint32_t rtp_diag_run(const rtp_diag_call_t *c, const rtp_diag_cfg_t *cfg, rtp_diag_result_t *out)
{
    static const rtp_diag_cfg_t def = RTP_DIAG_CFG_DEFAULT;
    if (!cfg) cfg = &def;
    memset(out, 0, sizeof *out);
    dir_sum_t d[2];
    sum_dirs(c, d);
    one_way(c, cfg, d, out);
    nat_mismatch(c, out);
    no_media(c, cfg, d, out);
    late_media(c, cfg, d, out);
    codec_asymmetry(c, cfg, d, out);
    poor_quality(c, cfg, out);
    return out->flags;
}
