/* Streams as JSON: GET /v1/streams/{ssrc} field names (a contract), plus
 * lost, expected, duplicates, max_jitter_ms, mos and more (added, never
 * renaming the spec's). */
#include "rtp_out.h"
#include "sipnab/format.h"

static json_t *iso_time(uint64_t ts_us)
{
    if (!ts_us) return json_null();
    char buf[48];
    return json_string(snb_format_utc(ts_us, true, buf, sizeof buf));
}

static json_t *endpoint(const snb_addr_t *a, uint16_t port)
{
    char buf[80];
    return json_string(rtp_ep_str(a, port, buf, sizeof buf));
}

/* Round to 3 decimals: the figures are estimates, not 17-digit truths. */
static json_t *real3(double v)
{
    return json_real((double)(long long)(v * 1000.0 + (v < 0 ? -0.5 : 0.5)) / 1000.0);
}

static json_t *intervals_json(const rtp_stream_stats_t *st)
{
    json_t *a = json_array();
    uint32_t n = st->n_intervals < RTP_MAX_INTERVALS ? st->n_intervals : RTP_MAX_INTERVALS;
    for (uint32_t i = st->n_intervals - n; i < st->n_intervals; i++) {
        const rtp_interval_t *iv = &st->intervals[i % RTP_MAX_INTERVALS];
        json_t *o = json_object();
        json_object_set_new(o, "start", iso_time(iv->start_us));
        json_object_set_new(o, "packets", json_integer(iv->packets));
        json_object_set_new(o, "lost", json_integer(iv->lost));
        json_object_set_new(o, "max_jitter_ms", real3(iv->max_jitter_ms));
        json_object_set_new(o, "mean_jitter_ms", real3(iv->mean_jitter_ms));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *dtmf_json(const rtp_stream_t *s)
{
    json_t *a = json_array();
    if (!s->dtmf) return a;
    for (uint32_t i = 0; i < rtp_dtmf_count(s->dtmf); i++) {
        const rtp_dtmf_digit_t *d = rtp_dtmf_digit(s->dtmf, i);
        json_t *o = json_object();
        char digit[2] = {d->digit ? d->digit : '?', 0};
        json_object_set_new(o, "digit", json_string(digit));
        json_object_set_new(o, "event", json_integer(d->event));
        json_object_set_new(o, "timestamp", iso_time(d->start_us));
        json_object_set_new(o, "duration_ms", json_integer(d->duration_ms));
        json_object_set_new(o, "volume", json_integer(d->volume));
        json_object_set_new(o, "source", json_string("rfc4733"));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *rtcp_json(const rtp_stream_t *s)
{
    const rtp_stream_rtcp_t *r = &s->rtcp;
    if (!r->sr_packets && !r->rr_blocks && !r->has_xr) return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "sender_reports", json_integer((json_int_t)r->sr_packets));
    json_object_set_new(o, "report_blocks", json_integer((json_int_t)r->rr_blocks));
    json_object_set_new(o, "fraction_lost_pct", real3(r->fraction_lost * 100.0 / 256.0));
    json_object_set_new(o, "cumulative_lost", json_integer(r->cumulative_lost));
    json_object_set_new(o, "jitter_ms", r->jitter_ms < 0 ? json_null() : real3(r->jitter_ms));
    json_object_set_new(o, "rtt_ms", r->rtt_ms < 0 ? json_null() : real3(r->rtt_ms));
    if (r->has_xr) {
        json_t *xr = json_object();
        json_object_set_new(xr, "loss_rate_pct", real3(r->xr.loss_rate * 100.0 / 256.0));
        json_object_set_new(xr, "discard_rate_pct", real3(r->xr.discard_rate * 100.0 / 256.0));
        json_object_set_new(xr, "round_trip_delay_ms", json_integer(r->xr.round_trip_delay));
        json_object_set_new(xr, "end_system_delay_ms", json_integer(r->xr.end_system_delay));
        json_object_set_new(xr, "r_factor", json_integer(r->xr.r_factor));
        json_object_set_new(xr, "mos_lq", real3(r->xr.mos_lq / 10.0));
        json_object_set_new(xr, "mos_cq", real3(r->xr.mos_cq / 10.0));
        json_object_set_new(o, "xr_voip", xr);
    }
    return o;
}

json_t *rtp_out_stream_json(const rtp_stream_t *s)
{
    const rtp_stream_stats_t *st = &s->stats;
    json_t *o = json_object();
    char ssrc[16];
    snprintf(ssrc, sizeof ssrc, "0x%08X", s->ssrc);
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "ssrc", json_string(ssrc));
    json_object_set_new(o, "codec", json_string(s->codec));
    json_object_set_new(o, "payload_type", json_integer(st->pt));
    json_object_set_new(o, "src", endpoint(&s->src, s->sport));
    json_object_set_new(o, "dst", endpoint(&s->dst, s->dport));
    json_object_set_new(o, "packets", json_integer((json_int_t)st->packets));
    json_object_set_new(o, "octets", json_integer((json_int_t)st->octets));
    json_object_set_new(o, "jitter_ms", real3(st->mean_jitter_ms));
    json_object_set_new(o, "loss_pct", real3(rtp_stream_loss_pct(st)));
    json_object_set_new(o, "orphaned", json_boolean(s->orphaned));
    json_object_set_new(o, "associated_dialog",
                        s->call_id[0] ? json_string(s->call_id) : json_null());
    json_object_set_new(o, "first_seen", iso_time(s->first_us));
    json_object_set_new(o, "last_seen", iso_time(s->last_us));
    json_object_set_new(o, "quality_intervals", intervals_json(st));
    json_object_set_new(o, "mos", real3(rtp_stream_mos(s)));
    /* Added fields. */
    json_object_set_new(o, "lost", json_integer(rtp_stream_lost(st)));
    json_object_set_new(o, "expected", json_integer((json_int_t)rtp_stream_expected(st)));
    json_object_set_new(o, "duplicates", json_integer((json_int_t)st->duplicates));
    json_object_set_new(o, "out_of_order", json_integer((json_int_t)st->out_of_order));
    json_object_set_new(o, "max_jitter_ms", real3(st->max_jitter_ms));
    json_object_set_new(o, "max_delta_ms", real3(st->max_delta_ms));
    json_object_set_new(o, "clock_rate", json_integer(s->clock_rate));
    json_object_set_new(o, "ptime_ms", json_integer(rtp_stream_ptime_ms(s)));
    json_object_set_new(o, "audio_packets", json_integer((json_int_t)s->audio_packets));
    json_object_set_new(o, "comfort_noise_packets", json_integer((json_int_t)s->cn_packets));
    json_object_set_new(o, "found_by", json_string(s->heuristic ? "heuristic" : "sdp"));
    json_object_set_new(o, "rtcp", rtcp_json(s));
    json_object_set_new(o, "dtmf", dtmf_json(s));
    return o;
}

json_t *rtp_out_diagnosis_json(const rtp_diag_result_t *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "one_way_audio", json_boolean(r->flags & RTP_DIAG_ONE_WAY));
    json_object_set_new(o, "nat_mismatch", json_boolean(r->flags & RTP_DIAG_NAT_MISMATCH));
    json_object_set_new(o, "no_media", json_boolean(r->flags & RTP_DIAG_NO_MEDIA));
    json_object_set_new(o, "late_media", json_boolean(r->flags & RTP_DIAG_LATE_MEDIA));
    json_object_set_new(o, "codec_asymmetry", json_boolean(r->flags & RTP_DIAG_CODEC_ASYMMETRY));
    json_t *hints = json_array();
    for (uint32_t bit = 1; bit < (1u << RTP_DIAG_COUNT); bit <<= 1)
        if (r->flags & bit) json_array_append_new(hints, json_string(rtp_diag_hint(r, bit)));
    json_object_set_new(o, "hints", hints);
    return o;
}
