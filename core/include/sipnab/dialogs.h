/* The "sip.dialogs" service: the SIP module's dialogs for modules that serve
 * them elsewhere (the API). A change feed (each dialog that changed since the
 * last drain, once, and the Call-IDs of evicted ones) plus renderers in the
 * REST shapes, so the consumer never needs the SIP module's structures.
 * Provided with snb_core_provide(core, SNB_DIALOGS_SERVICE,
 * SNB_DIALOGS_SERVICE_VERSION, &table). Loop thread only. */
#ifndef SIPNAB_DIALOGS_H
#define SIPNAB_DIALOGS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SNB_DIALOGS_SERVICE "sip.dialogs"
#define SNB_DIALOGS_SERVICE_VERSION 1

/* What a consumer indexes a dialog by. Valid during the callback only. */
typedef struct snb_dialog_info {
    const void *handle; /* for the renderers below, during the callback only */
    const char *call_id;
    const char *from_user;
    uint8_t state;       /* REST order: 0 Trying, 1 Ringing, 2 InCall, 3 Completed, 4 Failed,
                            5 Cancelled, 6 Registered, 7 Expired, 8 Pending, 9 Active,
                            10 Terminated, 11 Transferring */
    uint64_t created_us; /* first message, capture time */
    int64_t pdd_us;      /* -1 when none */
} snb_dialog_info_t;

typedef struct snb_dialogs_feed {
    void (*changed)(void *ud, const snb_dialog_info_t *d);
    void (*gone)(void *ud, const char *call_id);
} snb_dialogs_feed_t;

typedef struct snb_dialogs_service {
    void *ctx;
    /* Start (or restart) the feed: every dialog held is queued as changed. */
    void (*feed_enable)(void *ctx);
    /* All gone Call-IDs, then up to max changed dialogs. Returns how many
     * changed dialogs were handed over (fewer than max: the queue is empty). */
    size_t (*feed_drain)(void *ctx, size_t max, const snb_dialogs_feed_t *feed, void *ud);
    /* Queue a dialog again (its media changed). Unknown Call-IDs are ignored. */
    void (*feed_mark)(void *ctx, const char *call_id);
    /* Renderers (new references / malloc'd text; NULL when out of memory):
     * one element of GET /v1/dialogs; GET /v1/dialogs/{id} (also the JSON
     * report: the full shape plus the message ladder and diagnosis.summary);
     * the Markdown call report (as `--call-report ID --markdown`). */
    json_t *(*summary_json)(void *ctx, const void *handle);
    json_t *(*report_json)(void *ctx, const void *handle);
    char *(*report_markdown)(void *ctx, const void *handle, size_t *len);
} snb_dialogs_service_t;

#endif
