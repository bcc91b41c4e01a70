/* RFC 4733 telephone-event tracker (see rtp_dtmf.h). */
#include <string.h>

#include "rtp_dtmf.h"

int rtp_dtmf_parse(const uint8_t *payload, size_t len, rtp_dtmf_event_t *ev)
{
    if (!payload || len < 4) return -1;
    ev->event = payload[0];
    ev->end = payload[1] & 0x80;
    ev->volume = payload[1] & 0x3f;
    ev->duration = (uint16_t)(payload[2] << 8 | payload[3]);
    return 0;
}

char rtp_dtmf_event_char(uint8_t event)
{
    static const char map[16] = "0123456789*#ABCD";
    return event < 16 ? map[event] : 0;
}

void rtp_dtmf_init(rtp_dtmf_tracker_t *t, uint32_t clock_rate)
{
    memset(t, 0, sizeof *t);
    t->clock_rate = clock_rate ? clock_rate : 8000;
}

static void finish(rtp_dtmf_tracker_t *t)
{
    t->cur.duration_ms = (uint32_t)((uint64_t)t->cur_duration * 1000 / t->clock_rate);
    t->digits[t->n_digits % RTP_DTMF_MAX_DIGITS] = t->cur;
    t->n_digits++;
    t->active = false;
    t->have_last = true;
    t->last_ts = t->cur.rtp_ts;
}

int rtp_dtmf_update(rtp_dtmf_tracker_t *t, const rtp_hdr_t *h, uint64_t arrival_us)
{
    rtp_dtmf_event_t ev;
    if (rtp_dtmf_parse(h->payload, h->payload_len, &ev) < 0) return -1;
    if (t->active && h->ts == t->cur.rtp_ts && ev.event == t->cur.event) {
        t->cur.packets++;
        t->cur.volume = ev.volume;
        if (ev.duration > t->cur_duration) t->cur_duration = ev.duration;
        if (ev.end) {
            t->cur.ended = true;
            finish(t);
            return 1;
        }
        return 0;
    }
    /* A repeat of a finished event's end, or a late packet: nothing new.
     * Timestamps compare in serial arithmetic (they wrap). */
    uint32_t ref = t->active ? t->cur.rtp_ts : t->last_ts;
    if ((t->active || t->have_last) && (int32_t)(h->ts - ref) < 0) return 0;
    if (!t->active && t->have_last && h->ts == t->last_ts) {
        rtp_dtmf_digit_t *d = &t->digits[(t->n_digits - 1) % RTP_DTMF_MAX_DIGITS];
        if (d->event == ev.event) {
            d->packets++;
            return 0;
        }
    }
    int done = 0;
    if (t->active) { /* its end packets were lost */
        finish(t);
        done = 1;
    }
    memset(&t->cur, 0, sizeof t->cur);
    t->active = true;
    t->cur.event = ev.event;
    t->cur.digit = rtp_dtmf_event_char(ev.event);
    t->cur.volume = ev.volume;
    t->cur.start_us = arrival_us;
    t->cur.rtp_ts = h->ts;
    t->cur.packets = 1;
    t->cur_duration = ev.duration;
    if (ev.end) { /* only the end survived */
        t->cur.ended = true;
        finish(t);
        done = 1;
    }
    return done;
}

int rtp_dtmf_flush(rtp_dtmf_tracker_t *t)
{
    if (!t->active) return 0;
    finish(t);
    return 1;
}

uint32_t rtp_dtmf_count(const rtp_dtmf_tracker_t *t)
{
    return t->n_digits < RTP_DTMF_MAX_DIGITS ? t->n_digits : RTP_DTMF_MAX_DIGITS;
}

const rtp_dtmf_digit_t *rtp_dtmf_digit(const rtp_dtmf_tracker_t *t, uint32_t i)
{
    uint32_t n = rtp_dtmf_count(t);
    if (i >= n) return NULL;
    return &t->digits[(t->n_digits - n + i) % RTP_DTMF_MAX_DIGITS];
}
