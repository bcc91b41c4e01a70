/* The stream from the capture process to the API process: length-prefixed
 * frames on a socketpair, carrying dialog and stream metadata the API serves
 * (already rendered as JSON and Markdown by the modules that own the data)
 * and the counters behind /metrics. Pure: both sides and the fuzzer use it.
 *
 * Frame:   u32 payload length | u8 type | payload           (little-endian)
 * Payload: fixed-width integers little-endian, doubles as IEEE-754 bits in a
 *          u64, strings as u32 length + bytes (no NUL on the wire). */
#ifndef SNB_API_WIRE_H
#define SNB_API_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/filter.h"
#include "sipnab/str.h"

enum api_frame_type {
    API_FRAME_CONFIG = 1,      /* JSON object text: the server's settings (api_server.c) */
    API_FRAME_DIALOG = 2,      /* api_dialog_rec_t: add or replace by call_id */
    API_FRAME_DIALOG_GONE = 3, /* str call_id: evicted by the capture process */
    API_FRAME_STREAM = 4,      /* api_stream_rec_t: add or replace by id */
    API_FRAME_STREAM_GONE = 5, /* u64 id */
    API_FRAME_COUNTERS = 6,    /* JSON object text: see api_store_set_counters */
    API_FRAME_FIELDS = 7,      /* JSON object text: {"dialogs": table, "streams": table},
                                  the filter field tables (see api_store_fields) */
    API_FRAME_RESET = 8,       /* no payload: drop every dialog, stream and alert (a resync) */
    API_FRAME_ALERT = 9,       /* JSON object text: one security alert (api_alerts.h) */
};

#define API_FRAME_HEADER 5u
#define API_FRAME_MAX (32u << 20) /* a payload above this is a protocol error */

/* One dialog as the API serves it. */
typedef struct api_dialog_rec {
    snb_str_t call_id;
    snb_str_t from_user;       /* what ?from= matches */
    uint8_t state;             /* sip_dialog_state_t order: 0 Trying .. 11 Transferring */
    uint64_t created_us;       /* first message, capture time (list order) */
    uint64_t captured_us;      /* live captures: capture time of its latest message (Unix
                                  us), for the feed lag metric; 0 when read from a file */
    int32_t pdd_ms;            /* -1 when none (stats percentiles, PDD histogram) */
    uint32_t diag_flags;       /* bit i: diagnosis kind i of the FIELDS table is true */
    snb_str_t summary_json;    /* one element of GET /v1/dialogs "dialogs" */
    snb_str_t full_json;       /* GET /v1/dialogs/{id} and its /report as JSON */
    snb_str_t report_markdown; /* /report with Accept: text/markdown */
    snb_str_t values;          /* its filter field values (api_values_*), for ?filter= */
    snb_str_t messages_json;   /* JSON array: its kept messages as --json renders them (MCP) */
} api_dialog_rec_t;

/* One RTP stream as the API serves it. */
typedef struct api_stream_rec {
    uint64_t id; /* unique per stream in the capture process (SSRCs may repeat) */
    uint32_t ssrc;
    bool orphaned; /* no dialog */
    bool active;   /* still receiving (sipnab_rtp_streams_active) */
    double mos;    /* < 0 when unknown */
    double jitter_ms, loss_pct;
    snb_str_t call_id;   /* empty when orphaned */
    snb_str_t list_json; /* one element of GET /v1/streams "streams" */
    snb_str_t full_json; /* GET /v1/streams/{ssrc} */
    snb_str_t values;    /* its stream filter field values */
} api_stream_rec_t;

/* A growable output buffer (the encoder's target). */
typedef struct api_buf {
    char *data;
    size_t len, cap;
} api_buf_t;

void api_buf_free(api_buf_t *b);
/* Drop the first n bytes (after they were written out). */
void api_buf_consume(api_buf_t *b, size_t n);
/* Append bytes / formatted text; the data stays NUL-terminated (not counted
 * in len). 0, or -1 when out of memory (nothing appended then). The router,
 * stats and metrics build their bodies with these. */
int api_buf_append(api_buf_t *b, const void *p, size_t n);
int api_buf_printf(api_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append one whole frame. 0, or -1 when out of memory or the payload would
 * exceed API_FRAME_MAX (nothing appended then). */
int api_wire_put_text(api_buf_t *b, uint8_t type, const char *text, size_t len);
int api_wire_put_dialog(api_buf_t *b, const api_dialog_rec_t *d);
int api_wire_put_dialog_gone(api_buf_t *b, snb_str_t call_id);
int api_wire_put_stream(api_buf_t *b, const api_stream_rec_t *s);
int api_wire_put_stream_gone(api_buf_t *b, uint64_t id);
/* The bytes of the whole frame (header included) that starts at frame, as
 * the put functions wrote it: for walking a buffer of them. */
size_t api_wire_frame_size(const char *frame);

/* Decode a payload. The strings point into `payload`. 0, or -1 when it is
 * truncated, has trailing bytes or a string runs past the end. */
int api_wire_get_dialog(const char *payload, uint32_t len, api_dialog_rec_t *out);
int api_wire_get_dialog_gone(const char *payload, uint32_t len, snb_str_t *call_id);
int api_wire_get_stream(const char *payload, uint32_t len, api_stream_rec_t *out);
int api_wire_get_stream_gone(const char *payload, uint32_t len, uint64_t *id);

/* Filter field values as they travel: one entry per field of the table, in
 * order: u8 tag (0 absent, 1 number + 8 bytes, 2 false, 3 true, 4 string +
 * u16 length + bytes). Encode a JSON array of values (string, number,
 * boolean, null; strings cut at 1024 bytes) into b (no frame header);
 * read entry `index` back. -1 / false on garbage. */
int api_values_encode(api_buf_t *b, const void *json_array);
/* One value appended as api_values_encode writes it, straight from the
 * filter's form (the dialogs service's field_values_each): what the JSON
 * array would have made null (absent, NaN, not UTF-8) is absent. */
int api_values_put(api_buf_t *b, snb_filter_type_t type, const snb_filter_value_t *v);
bool api_values_get(snb_str_t rec, size_t index, snb_filter_value_t *out);
/* Where each value starts: api_values_get walks every value before the one
 * asked for, a filter over 100 000 stored dialogs cannot afford that. Writes
 * up to cap offsets (offs may be NULL to count) and returns how many valid
 * values lead the record; api_values_get_at reads one at its offset. */
size_t api_values_index(snb_str_t rec, uint32_t *offs, size_t cap);
bool api_values_get_at(snb_str_t rec, uint32_t off, snb_filter_value_t *out);

/* Reassembles frames from a byte stream read in arbitrary pieces. */
typedef struct api_framer {
    char *buf;
    size_t len, cap;
} api_framer_t;

typedef int (*api_frame_fn)(void *ud, uint8_t type, const char *payload, uint32_t len);

/* Feed bytes; calls fn for each complete frame (a non-zero return from fn
 * stops and is returned). -1 on a frame longer than API_FRAME_MAX or out of
 * memory; the stream is unusable after an error. */
int api_framer_feed(api_framer_t *f, const char *data, size_t len, api_frame_fn fn, void *ud);
void api_framer_free(api_framer_t *f);

#endif
