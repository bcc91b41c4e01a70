/* The "sip.dialogs" service: the SIP module's dialog store, for every other
 * module. Three parts:
 *
 *  1. The query layer: find a dialog by Call-ID, iterate, filter with the
 *     same evaluator as `--filter`, read its per-message summaries, and
 *     follow changes with a cursor of your own (any number of consumers:
 *     the REST feed, an MCP server, an agent each have theirs).
 *  2. Renderers in the REST shapes (list item, full dialog, JSON and
 *     Markdown report) and the filter field values as data, so a consumer
 *     in another process (the API) can serve and filter dialogs without the
 *     SIP module's structures.
 *  3. Annotations: a module registers a key and callbacks, and every
 *     dialog's JSON, diagnosis, filter fields and call report carry its
 *     part (RTP streams and media diagnosis, STIR/SHAKEN, SIPREC, security
 *     findings). The SIP module knows none of them.
 *
 * Provided with snb_core_provide(core, SNB_DIALOGS_SERVICE,
 * SNB_DIALOGS_SERVICE_VERSION, &table). Loop thread only. A snb_dialog_t
 * handle is valid until control returns to the loop (a dialog may be
 * evicted by the next message): keep its Call-ID, not the handle. */
#ifndef SIPNAB_DIALOGS_H
#define SIPNAB_DIALOGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipnab/filter.h"
#include "sipnab/jsonw.h"
#include "sipnab/packet.h"

#define SNB_DIALOGS_SERVICE "sip.dialogs"
#define SNB_DIALOGS_SERVICE_VERSION 6

typedef struct snb_dialog snb_dialog_t; /* opaque */

/* Dialog states, in the REST spelling (snb_dialog_state_name). */
enum snb_dialog_state {
    SNB_DIALOG_TRYING = 0,
    SNB_DIALOG_RINGING,
    SNB_DIALOG_INCALL,
    SNB_DIALOG_COMPLETED,
    SNB_DIALOG_FAILED,
    SNB_DIALOG_CANCELLED,
    SNB_DIALOG_REGISTERED,
    SNB_DIALOG_EXPIRED,
    SNB_DIALOG_PENDING,
    SNB_DIALOG_ACTIVE,
    SNB_DIALOG_TERMINATED,
    SNB_DIALOG_TRANSFERRING,
    SNB_DIALOG_STATE_COUNT
};

/* What a consumer indexes a dialog by. Valid during the callback only. */
typedef struct snb_dialog_info {
    const snb_dialog_t *dialog;
    const char *call_id;
    const char *from_user, *to_user;
    uint8_t state;       /* enum snb_dialog_state */
    uint8_t method;      /* enum snb_sip_method of the request that made it */
    uint16_t final_code; /* 0 while there is none */
    uint64_t created_us; /* first message, capture time */
    uint64_t updated_us; /* last message */
    int64_t pdd_us;      /* -1 when none */
    uint32_t msg_count;
    uint64_t seq; /* its place in the change sequence (grows with every change) */
} snb_dialog_info_t;

/* One message of a dialog as the store keeps it (its first max_messages). */
typedef struct snb_dialog_message {
    uint32_t index; /* 0-based position in the dialog */
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint8_t transport; /* 0 UDP, 1 TCP, 2 SCTP, 3 WS, 4 TLS (decrypted by the tls module) */
    bool is_request, retransmit, has_sdp;
    uint8_t method, cseq_method; /* enum snb_sip_method */
    uint16_t status;
    uint32_t cseq;
    uint32_t size;      /* bytes of the message on the wire */
    uint32_t malformed; /* reason flags; 0 = well-formed */
    const char *label;  /* "INVITE", "180 Ringing", an unknown method's name */
    /* The message text when kept (within the per-dialog and global text
     * caps; see docs/modules/sip.md), else NULL. */
    const char *text;
    uint32_t text_len;
} snb_dialog_message_t;

/* ---- annotations ---- */

enum snb_report_format { SNB_REPORT_TEXT = 0, SNB_REPORT_MARKDOWN = 1 };

/* A boolean the annotation may set in a dialog's "diagnosis" object. */
typedef struct snb_diagnosis_kind {
    const char *key;   /* "one_way_audio": the JSON key, and {kind} of sipnab_diagnosis_total */
    const char *words; /* "one-way audio": in diagnosis.summary */
} snb_diagnosis_kind_t;

typedef struct snb_dialog_annotation {
    const char *name; /* who registers it, for messages ("rtp") */
    /* The key it fills in a dialog's JSON ("streams", "siprec_metadata",
     * "stir_shaken"), or NULL when it only adds to diagnosis, filters and
     * reports. The REST spec's keys (siprec_metadata, streams) are always
     * present: null / [] until an annotation fills them. */
    const char *key;
    void *ctx;
    /* The value under key: a new reference, or NULL for "nothing here". */
    json_t *(*render)(void *ctx, const snb_dialog_info_t *d);
    /* Set kinds to true and append hints (strings) in diagnosis, an object
     * holding every registered kind (false) and "hints": []. Optional. */
    void (*diagnose)(void *ctx, const snb_dialog_info_t *d, json_t *diagnosis);
    const snb_diagnosis_kind_t *kinds;
    size_t n_kinds;
    /* Filter fields ("rtp.mos"); ids are the annotation's own. field() is
     * called once per field an expression reads; scratch (scratch_size
     * bytes, zeroed at the start of each evaluation) lets it compute what
     * several fields share once. */
    const snb_filter_field_t *fields;
    size_t n_fields;
    void (*field)(void *ctx, const snb_dialog_info_t *d, void *scratch, int id,
                  snb_filter_value_t *out);
    size_t scratch_size; /* at most 1024 */
    const snb_filter_alias_t *aliases;
    size_t n_aliases;
    /* An expression OR-ed into the "problems" alias ("media-problems"). */
    const char *problems;
    /* A section of the call report, after the messages. Optional. */
    void (*report)(void *ctx, const snb_dialog_info_t *d, FILE *out, int format);
    /* Frees the annotation's per-dialog data (see data()) when the dialog
     * goes. Optional. */
    void (*free_data)(void *ctx, void *data);
} snb_dialog_annotation_t;

/* When an annotation last saw a packet of the dialog (its media), capture
 * time in microseconds; 0 when none. */
typedef uint64_t (*snb_dialog_activity_fn)(void *ctx, const snb_dialog_info_t *d);

/* ---- cursors ---- */

typedef struct snb_dialog_cursor snb_dialog_cursor_t;

typedef struct snb_dialogs_feed {
    void (*changed)(void *ud, const snb_dialog_info_t *d);
    void (*gone)(void *ud, const char *call_id); /* evicted */
    /* The cursor fell so far behind that evictions were forgotten: drop
     * every copy; all dialogs held follow as changed. Optional. */
    void (*resync)(void *ud);
} snb_dialogs_feed_t;

typedef bool (*snb_dialog_fn)(void *ud, const snb_dialog_info_t *d);
typedef bool (*snb_dialog_message_fn)(void *ud, const snb_dialog_message_t *m);

/* One filter field's value (field_values_each): i its place in
 * field_table_json's "fields", type its snb_filter_type_t. */
typedef void (*snb_field_value_fn)(void *ud, size_t i, snb_filter_type_t type,
                                   const snb_filter_value_t *v);

typedef struct snb_dialogs_service {
    void *ctx;

    /* -- annotations: register during init, before any module starts -- */
    /* Returns the annotation's id (>= 0), or a negative error (-EINVAL for
     * a bad table, -EEXIST for a key or field name already taken). */
    int (*annotate)(void *ctx, const snb_dialog_annotation_t *a);
    /* The annotation's per-dialog slot (NULL until it stores something
     * there), freed with its free_data when the dialog goes. */
    void **(*data)(void *ctx, const snb_dialog_t *d, int annotation);
    /* The annotation's data changed: the dialog counts as changed for
     * every cursor. */
    void (*touch)(void *ctx, const snb_dialog_t *d);

    /* -- lookup and iteration -- */
    const snb_dialog_t *(*find)(void *ctx, const char *call_id, size_t len);
    void (*info)(void *ctx, const snb_dialog_t *d, snb_dialog_info_t *out);
    size_t (*count)(void *ctx);
    /* In creation order; stop by returning false. */
    void (*foreach)(void *ctx, snb_dialog_fn fn, void *ud);
    /* Its kept messages from `from` on, at most max; returns how many were
     * handed over. The total is msg_count (some may not be kept). */
    size_t (*messages)(void *ctx, const snb_dialog_t *d, size_t from, size_t max,
                       snb_dialog_message_fn fn, void *ud);
    /* Keep message texts from now on (a consumer that serves them, such as
     * an MCP server). Without any caller, no text is kept. */
    void (*want_text)(void *ctx);

    /* -- changes: one cursor per consumer -- */
    /* A new cursor starts before every dialog held: all count as changed. */
    snb_dialog_cursor_t *(*cursor_new)(void *ctx);
    void (*cursor_free)(void *ctx, snb_dialog_cursor_t *c);
    /* Start over (the consumer lost its copies). */
    void (*cursor_reset)(void *ctx, snb_dialog_cursor_t *c);
    /* Every eviction, then up to max dialogs changed since the cursor last
     * saw them, in change order (a dialog changed many times comes once).
     * Returns the number of changed dialogs handed over. */
    size_t (*cursor_next)(void *ctx, snb_dialog_cursor_t *c, size_t max,
                          const snb_dialogs_feed_t *feed, void *ud);

    /* -- the filter language over every field (SIP's and annotations') -- */
    snb_filter_t *(*filter_compile)(void *ctx, const char *expr, char *err, size_t errlen);
    bool (*filter_match)(void *ctx, const snb_filter_t *f, const snb_dialog_t *d);
    void (*filter_free)(void *ctx, snb_filter_t *f);
    /* For evaluating elsewhere: {"fields": [{"name", "type"}], "aliases":
     * [{"name", "expression", "help"}], "kinds": [diagnosis kind keys]} and,
     * per dialog, an array with one value per field in that order (string,
     * number, boolean or null when absent). New references. */
    json_t *(*field_table_json)(void *ctx);
    json_t *(*field_values_json)(void *ctx, const snb_dialog_t *d);

    /* -- renderers (new references / malloc'd text; NULL when out of memory) -- */
    /* One element of GET /v1/dialogs. */
    json_t *(*summary_json)(void *ctx, const snb_dialog_t *d);
    /* GET /v1/dialogs/{id}: the full shape with every annotation. */
    json_t *(*dialog_json)(void *ctx, const snb_dialog_t *d);
    /* The JSON report: dialog_json plus the message ladder and
     * diagnosis.summary. */
    json_t *(*report_json)(void *ctx, const snb_dialog_t *d);
    /* The call report as text or Markdown (`--call-report ID [--markdown]`). */
    char *(*report_text)(void *ctx, const snb_dialog_t *d, int format, size_t *len);
    /* One per-message record in the `--json` shape. */
    json_t *(*message_json)(void *ctx, const snb_dialog_t *d, const snb_dialog_message_t *m);

    /* -- version 3 -- */
    /* An annotation (by id, during init) tells when it last saw packets of
     * a dialog, called with the annotation's ctx. An answered dialog that
     * has not ended is "ongoing": its duration runs from the 2xx to the
     * latest of its own messages and every annotation's activity (a call
     * still up when the capture ends lasts as long as its RTP). Returns 0,
     * or a negative error (-EINVAL, -ENOSPC beyond 8). */
    int (*annotate_activity)(void *ctx, int annotation, snb_dialog_activity_fn last_packet_us);

    /* -- version 4 -- */
    /* message_json's record written into w as one value (an array element
     * when w is inside an array), without building a tree; false when the
     * message is not there. */
    bool (*message_write)(void *ctx, const snb_dialog_t *d, const snb_dialog_message_t *m,
                          snb_jsonw_t *w);
    /* report_json written into w; *diagnosis (when not NULL) gets a new
     * reference to the report's diagnosis object, to read its flags. */
    void (*report_write)(void *ctx, const snb_dialog_t *d, snb_jsonw_t *w, json_t **diagnosis);

    /* -- version 5 -- */
    /* summary_json written into w as one value, without building a tree. */
    void (*summary_write)(void *ctx, const snb_dialog_t *d, snb_jsonw_t *w);

    /* -- version 6 -- */
    /* field_values_json's values without the tree: fn once per field, in
     * the table's order (a string is valid during the call only). */
    void (*field_values_each)(void *ctx, const snb_dialog_t *d, snb_field_value_fn fn, void *ud);
} snb_dialogs_service_t;

/* "Trying", "Ringing", "InCall", ...; NULL out of range. Header-only, so the
 * API process and modules share the one spelling. */
static inline const char *snb_dialog_state_name(unsigned state)
{
    static const char *const names[SNB_DIALOG_STATE_COUNT] = {
        "Trying",     "Ringing", "InCall",  "Completed", "Failed",     "Cancelled",
        "Registered", "Expired", "Pending", "Active",    "Terminated", "Transferring"};
    return state < SNB_DIALOG_STATE_COUNT ? names[state] : NULL;
}

#endif
