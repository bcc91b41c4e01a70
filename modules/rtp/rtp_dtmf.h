/* RFC 4733 telephone-event (DTMF) payloads and a per-stream tracker that
 * folds the packets of one event (same RTP timestamp, growing duration, the
 * end packet usually sent three times) into one digit record. */
#ifndef SNB_RTP_DTMF_H
#define SNB_RTP_DTMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp_packet.h"

/* RFC 4733 2.3: event, E bit, R bit, volume (-dBm0), duration (clock units). */
typedef struct rtp_dtmf_event {
    uint8_t event;
    bool end;
    uint8_t volume; /* 0-63 */
    uint16_t duration;
} rtp_dtmf_event_t;

/* 0 and *ev filled, -1 if the payload is shorter than 4 bytes. */
int rtp_dtmf_parse(const uint8_t *payload, size_t len, rtp_dtmf_event_t *ev);

/* '0'-'9', '*', '#', 'A'-'D' for events 0-15 (RFC 4733 3.2), else 0. */
char rtp_dtmf_event_char(uint8_t event);

typedef struct rtp_dtmf_digit {
    char digit;           /* rtp_dtmf_event_char(event), or 0 for other events */
    uint8_t event;        /* the event number */
    uint8_t volume;       /* of the last packet seen */
    bool ended;           /* an end packet was seen; false: finished by the next event */
    uint64_t start_us;    /* arrival of the first packet seen of the event */
    uint32_t duration_ms; /* largest duration field seen, in ms at the clock rate */
    uint32_t rtp_ts;      /* the event's RTP timestamp (its start) */
    uint32_t packets;     /* packets of the event, repeats included */
} rtp_dtmf_digit_t;

#define RTP_DTMF_MAX_DIGITS 32

typedef struct rtp_dtmf_tracker {
    uint32_t clock_rate; /* Hz; 8000 if 0 was given */
    bool active;         /* cur is an event in progress */
    bool have_last;      /* last_ts is the timestamp of a finished event */
    uint32_t last_ts;
    uint32_t cur_duration; /* raw units */
    rtp_dtmf_digit_t cur;
    rtp_dtmf_digit_t digits[RTP_DTMF_MAX_DIGITS]; /* ring: the last ones kept */
    uint32_t n_digits;                            /* total finished */
} rtp_dtmf_tracker_t;

void rtp_dtmf_init(rtp_dtmf_tracker_t *t, uint32_t clock_rate);
/* One telephone-event packet of the stream. Returns 1 if a digit was
 * finished (by its end packet, or because a new event started), else 0;
 * -1 if the payload is not a telephone event. Repeated end packets and
 * packets older than the current event are ignored. */
int rtp_dtmf_update(rtp_dtmf_tracker_t *t, const rtp_hdr_t *h, uint64_t arrival_us);
/* End of the stream: finish an event whose end packets were lost. 1 if one was. */
int rtp_dtmf_flush(rtp_dtmf_tracker_t *t);
/* Finished digits still kept: i = 0 is the oldest kept; NULL past the end. */
uint32_t rtp_dtmf_count(const rtp_dtmf_tracker_t *t);
const rtp_dtmf_digit_t *rtp_dtmf_digit(const rtp_dtmf_tracker_t *t, uint32_t i);

#endif
