/* The "rtp.media" service: what the RTP module knows about a dialog's media,
 * for the modules that print or serve dialogs (SIP outputs, the API). The
 * RTP module provides it with snb_core_provide(core, SNB_MEDIA_SERVICE,
 * SNB_MEDIA_SERVICE_VERSION, &table); callers look it up when they need it
 * and do without it when the RTP module is not loaded. Loop thread only. */
#ifndef SIPNAB_MEDIA_H
#define SIPNAB_MEDIA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SNB_MEDIA_SERVICE "rtp.media"
#define SNB_MEDIA_SERVICE_VERSION 2

/* Per-dialog media figures, for the filter language and tables. */
typedef struct snb_media_summary {
    uint32_t streams;     /* RTP streams tied to the dialog */
    double min_mos;       /* worst stream; 0 when no stream */
    double max_loss_pct;  /* worst stream */
    double max_jitter_ms; /* worst stream */
    bool one_way_audio, nat_mismatch, no_media, late_media, codec_asymmetry;
} snb_media_summary_t;

enum snb_media_format { SNB_MEDIA_TEXT = 0, SNB_MEDIA_MARKDOWN = 1 };

/* A stream as the stream feed hands it over. Valid during the callback. */
typedef struct snb_stream_info {
    const void *handle; /* for stream_json, during the callback only */
    uint64_t id;        /* unique per stream (SSRCs may repeat) */
    uint32_t ssrc;
    bool orphaned; /* no dialog claimed it */
    bool active;   /* a packet lately (capture time) and the capture not ended */
    double mos;    /* < 0 when unknown */
    double jitter_ms, loss_pct;
    const char *call_id; /* "" when none */
} snb_stream_info_t;

typedef struct snb_streams_feed {
    void (*changed)(void *ud, const snb_stream_info_t *s);
    void (*gone)(void *ud, uint64_t id); /* evicted */
} snb_streams_feed_t;

typedef struct snb_media_service {
    void *ctx;
    /* The dialog's streams as a JSON array in the REST stream shape (new
     * reference; an empty array when there are none). */
    json_t *(*dialog_streams)(void *ctx, const char *call_id);
    /* The REST "diagnosis" object: one_way_audio, nat_mismatch, no_media,
     * hints[] (plus added fields). New reference. */
    json_t *(*dialog_diagnosis)(void *ctx, const char *call_id);
    /* false when the RTP module knows nothing of this dialog. */
    bool (*dialog_summary)(void *ctx, const char *call_id, snb_media_summary_t *out);
    /* The media part of a call report (streams table, DTMF, diagnosis). */
    void (*dialog_report)(void *ctx, const char *call_id, FILE *out, int format);
    /* ---- version 2: the stream change feed (one consumer, the API) ---- */
    /* Start (or restart) the feed: every stream counts as changed. */
    void (*streams_feed_enable)(void *ctx);
    /* Every evicted stream, then every stream changed since it was last
     * handed over. Returns the number of changed streams. */
    size_t (*streams_feed_drain)(void *ctx, const snb_streams_feed_t *feed, void *ud);
    /* The REST stream JSON (GET /v1/streams/{ssrc}); new reference. */
    json_t *(*stream_json)(void *ctx, const void *handle);
} snb_media_service_t;

#endif
