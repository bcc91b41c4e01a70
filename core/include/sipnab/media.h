/* The "rtp.media" service: the RTP module's stream store, for modules that
 * serve or follow streams (the API, MCP, agents). What the RTP module adds
 * to dialogs (their streams, media diagnosis, rtp.* filter fields, the
 * media part of call reports) reaches them as a dialog annotation
 * (sipnab/dialogs.h), not through this table.
 *
 * Like the dialog store: find by SSRC, iterate, filter with the stream
 * filter language (`--stream-filter`), and follow changes with a cursor of
 * your own. Provided with snb_core_provide(core, SNB_MEDIA_SERVICE,
 * SNB_MEDIA_SERVICE_VERSION, &table). Loop thread only; a stream handle is
 * valid until control returns to the loop. */
#ifndef SIPNAB_MEDIA_H
#define SIPNAB_MEDIA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sipnab/filter.h"

#define SNB_MEDIA_SERVICE "rtp.media"
#define SNB_MEDIA_SERVICE_VERSION 3

/* A stream as the store hands it over. Valid during the callback. */
typedef struct snb_stream_info {
    const void *handle; /* for the renderers, during the callback only */
    uint64_t id;        /* unique per stream (SSRCs may repeat) */
    uint32_t ssrc;
    bool orphaned; /* no dialog claimed it */
    bool active;   /* a packet lately (capture time) and the capture not ended */
    double mos;    /* < 0 when unknown */
    double jitter_ms, loss_pct;
    uint64_t packets;
    const char *call_id; /* "" when none */
} snb_stream_info_t;

typedef struct snb_streams_feed {
    void (*changed)(void *ud, const snb_stream_info_t *s);
    void (*gone)(void *ud, uint64_t id); /* evicted */
    /* Evictions were forgotten (the cursor fell far behind): drop every
     * copy; all streams held follow as changed. Optional. */
    void (*resync)(void *ud);
} snb_streams_feed_t;

typedef struct snb_stream_cursor snb_stream_cursor_t;
typedef bool (*snb_stream_fn)(void *ud, const snb_stream_info_t *s);

typedef struct snb_media_service {
    void *ctx;
    /* Every stream, in creation order; stop by returning false. */
    void (*foreach)(void *ctx, snb_stream_fn fn, void *ud);
    /* Every stream with this SSRC (several 5-tuples may share one). */
    void (*find_ssrc)(void *ctx, uint32_t ssrc, snb_stream_fn fn, void *ud);
    /* The streams tied to a dialog. */
    void (*dialog_streams)(void *ctx, const char *call_id, snb_stream_fn fn, void *ud);

    /* A new cursor starts before every stream: all count as changed. */
    snb_stream_cursor_t *(*cursor_new)(void *ctx);
    void (*cursor_free)(void *ctx, snb_stream_cursor_t *c);
    void (*cursor_reset)(void *ctx, snb_stream_cursor_t *c);
    /* Every eviction since the last call, then every stream changed since
     * then (an active stream whose only change is more packets: at most
     * once a second). Returns the number of changed streams. */
    size_t (*cursor_next)(void *ctx, snb_stream_cursor_t *c, const snb_streams_feed_t *feed,
                          void *ud);

    /* The stream filter language (rtp.mos, rtp.loss, codec, call_id, ...). */
    snb_filter_t *(*filter_compile)(void *ctx, const char *expr, char *err, size_t errlen);
    bool (*filter_match)(void *ctx, const snb_filter_t *f, const void *handle);
    void (*filter_free)(void *ctx, snb_filter_t *f);
    /* As for dialogs: {"fields": [...], "aliases": []} and one value per
     * field for a stream. New references. */
    json_t *(*field_table_json)(void *ctx);
    json_t *(*field_values_json)(void *ctx, const void *handle);

    /* The REST stream JSON (GET /v1/streams/{ssrc}); new reference. */
    json_t *(*stream_json)(void *ctx, const void *handle);
} snb_media_service_t;

#endif
