/* A parsed SIP message: zero-copy slices into the bytes it was parsed from.
 *
 * Parsing is split in two: sip_msg_parse() reads the start line, indexes
 * every header line (name and raw value slices) and interprets the handful of
 * headers every message needs (Call-ID, From, To, CSeq, top Via, Content-
 * Length, Content-Type). Everything else is looked up on demand with
 * sip_msg_header() / sip_msg_header_value(), which also unfold continuation
 * lines. Malformed messages are kept: sip_msg_parse() fills what it can and
 * sets `malformed` flags; only bytes that cannot be SIP at all are refused.
 *
 * Pure logic: no libuv, no allocation (the index is inside sip_msg_t). */
#ifndef SNB_SIP_MSG_H
#define SNB_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/sip.h"
#include "sipnab/str.h"

typedef enum sip_method {
    SIP_METHOD_UNKNOWN = 0,
    SIP_INVITE,
    SIP_ACK,
    SIP_BYE,
    SIP_CANCEL,
    SIP_REGISTER,
    SIP_OPTIONS,
    SIP_PRACK,
    SIP_SUBSCRIBE,
    SIP_NOTIFY,
    SIP_PUBLISH,
    SIP_INFO,
    SIP_REFER,
    SIP_MESSAGE,
    SIP_UPDATE,
    SIP_METHOD_COUNT
} sip_method_t;

/* Canonical upper-case name ("INVITE"); "UNKNOWN" for SIP_METHOD_UNKNOWN. */
const char *sip_method_name(sip_method_t m);
/* Exact, case-sensitive token match (SIP methods are case-sensitive). */
sip_method_t sip_method_from(snb_str_t token);

/* Why a message is malformed; several may be set. */
enum sip_malformed {
    SIP_MAL_NO_CALL_ID = 1u << 0,
    SIP_MAL_NO_CSEQ = 1u << 1,
    SIP_MAL_NO_FROM = 1u << 2,
    SIP_MAL_NO_TO = 1u << 3,
    SIP_MAL_NO_VIA = 1u << 4,
    SIP_MAL_BAD_CSEQ = 1u << 5, /* not "<number> <method>", or number > 2^31-1 */
    SIP_MAL_CSEQ_METHOD_MISMATCH =
        1u << 6, /* request whose CSeq method differs (not ACK/CANCEL rules) */
    SIP_MAL_BAD_CONTENT_LENGTH = 1u << 7, /* not a number, or several different values */
    SIP_MAL_BODY_TRUNCATED = 1u << 8,     /* Content-Length beyond the bytes present */
    SIP_MAL_CONTROL_BYTES = 1u << 9,      /* NUL or other control bytes in the header part */
    SIP_MAL_BAD_START_LINE = 1u << 10,    /* unparsable request/status line but SIP-looking */
    SIP_MAL_TOO_MANY_HEADERS =
        1u << 11, /* more header lines than SIP_MAX_HEADERS (rest not indexed) */
    SIP_MAL_LINE_TOO_LONG = 1u << 12, /* a header line longer than SIP_MAX_LINE */
    SIP_MAL_NO_HEADER_END = 1u << 13, /* no empty line before the data ended */
    SIP_MAL_BAD_HEADER = 1u << 14,    /* a header line without ':' or with a bad name */
};

/* Human text of the lowest set flag, e.g. "missing Call-ID"; "" for 0. */
const char *sip_malformed_reason(uint32_t flags);

#define SIP_MAX_HEADERS 96 /* indexed; more are flagged, still scanned for the key headers */
#define SIP_MAX_LINE 8192

typedef struct sip_header {
    snb_str_t name;  /* as written, e.g. "v" or "Via" */
    snb_str_t value; /* raw, trimmed; may span folded lines */
    uint8_t id;      /* sip_hdr_id_t of name (SIP_H_OTHER: none we know), so
                      * lookups compare ids instead of names */
} sip_header_t;

/* name-addr / addr-spec: `"Alice" <sip:alice@example.com>;tag=123` */
typedef struct sip_nameaddr {
    snb_str_t display; /* without quotes; empty if none */
    snb_str_t uri;     /* sip:alice@example.com */
    snb_str_t user;    /* alice (empty if the URI has no user part) */
    snb_str_t host;    /* example.com (host[:port] without the port) */
    snb_str_t tag;     /* the ;tag= parameter */
} sip_nameaddr_t;

typedef struct sip_msg {
    const char *buf; /* the message: start line through the end of the body */
    uint32_t len;

    bool is_request;
    sip_method_t method;   /* requests */
    snb_str_t method_name; /* requests, as written (also for unknown methods) */
    snb_str_t request_uri;
    uint16_t status_code; /* responses */
    snb_str_t reason;

    snb_str_t call_id;
    sip_nameaddr_t from, to;
    uint32_t cseq;
    sip_method_t cseq_method;
    snb_str_t cseq_method_name;
    snb_str_t via_branch;    /* branch= of the top Via */
    snb_str_t via_sent_by;   /* host[:port] of the top Via */
    snb_str_t via_transport; /* "UDP", "TCP", "WS", ... of the top Via */
    uint16_t via_count;      /* Via header values (comma-separated ones counted) */
    snb_str_t content_type;  /* media type, parameters stripped, e.g. "application/sdp" */
    int64_t content_length;  /* -1 when absent */
    snb_str_t body;          /* what follows the empty line, up to Content-Length */
    /* The first indexed User-Agent and Server values (what
     * sip_msg_header(msg, "User-Agent", 0) returns), kept by the parse:
     * every message's --json "ua" reads them. */
    snb_str_t user_agent, server;

    uint32_t malformed; /* enum sip_malformed */

    /* The index last: a copy (sip_msg_copy) keeps only the n_headers used. */
    uint16_t n_headers;
    sip_header_t headers[SIP_MAX_HEADERS];
} sip_msg_t;

/* Bytes a compact copy of msg's parsed form takes (its message text not
 * included), and the copy itself: dst gets the index up to n_headers, with
 * every slice moved from msg->buf to text (a copy of msg->buf). The copy is
 * read only through the functions here, which never look past n_headers. */
size_t sip_msg_copy_size(const sip_msg_t *msg);
void sip_msg_copy(const sip_msg_t *msg, sip_msg_t *dst, const char *text);

typedef enum sip_parse_result {
    SIP_PARSE_OK = 0,     /* a message (possibly flagged malformed) */
    SIP_PARSE_NOT_SIP,    /* the bytes do not start with a SIP request or status line */
    SIP_PARSE_INCOMPLETE, /* only for stream input: headers or body not complete yet */
} sip_parse_result_t;

enum sip_parse_flags {
    /* Stream transport (TCP, WebSocket reassembly): a missing header end or a
     * body shorter than Content-Length means INCOMPLETE, not malformed;
     * without Content-Length the body is empty (RFC 3261 18.3). */
    SIP_PARSE_STREAM = 1u << 0,
};

/* Parse one message at the start of data. *consumed is set to the bytes the
 * message occupies (for stream framing; on datagrams it is <= len, and bytes
 * after it are reported through the return of a second call).
 * On SIP_PARSE_INCOMPLETE *consumed is the total size the message needs when
 * the headers are complete (header block + Content-Length; the header fields
 * of msg are then filled), else 0. */
sip_parse_result_t sip_msg_parse(const char *data, size_t len, unsigned flags, sip_msg_t *msg,
                                 size_t *consumed);

/* Quick test used to find SIP on any port: does data start with a request
 * line ("METHOD sip:... SIP/2.0") or a status line ("SIP/2.0 NNN")? */
bool sip_looks_like_sip(const char *data, size_t len);

/* Offset of the first start line in data, which may begin with junk (any
 * bytes; a request's method must not be glued to token characters, except
 * that a known method name is split off such junk); len if there is none.
 * Used by the framer to skip garbage and to resynchronise streams. */
size_t sip_find_start_line(const char *data, size_t len);

/* What sip_find_start_line judged at the offset it returned: the start
 * line's fields and its line end. sip_msg_parse_judged takes them instead
 * of parsing the same line again (the same function on the same bytes). */
typedef struct sip_start_line {
    const char *at; /* NULL: nothing judged */
    const char *lf; /* the line's LF */
    bool is_request;
    sip_method_t method;
    snb_str_t method_name, request_uri, reason;
    uint16_t status_code;
} sip_start_line_t;

size_t sip_find_start_line_judged(const char *data, size_t len, sip_start_line_t *sl);
/* sip_msg_parse; when sl judged the line at data over the same len, the
 * start line is taken from it. */
sip_parse_result_t sip_msg_parse_judged(const char *data, size_t len, unsigned flags,
                                        sip_msg_t *msg, size_t *consumed,
                                        const sip_start_line_t *sl);

/* Header lookup by full name, case-insensitive, compact forms understood
 * (i f t v m l c k s e o r u b x y ...): nth (0-based) occurrence, counting
 * comma-separated values as separate occurrences only for headers whose
 * grammar allows it (Via, Route, Record-Route, Contact, ...). Returns an empty
 * snb_str_t (p == NULL) if absent. */
snb_str_t sip_msg_header(const sip_msg_t *msg, const char *name, unsigned nth);
/* Count of occurrences, by the same rules. */
unsigned sip_msg_header_count(const sip_msg_t *msg, const char *name);
/* Copy a header value with folding (CRLF + whitespace) replaced by one
 * space; returns the length written (truncated to size-1). */
size_t sip_msg_header_unfold(snb_str_t value, char *out, size_t size);

/* Parse a name-addr or addr-spec value (From, To, Contact, Refer-To ...). */
void sip_parse_nameaddr(snb_str_t value, sip_nameaddr_t *out);
/* A header parameter, e.g. sip_param(via, "branch"); empty if absent. */
snb_str_t sip_param(snb_str_t value, const char *name);

/* multipart/mixed bodies (RFC 2046): call fn for each part with its own
 * Content-Type (parameters stripped) and body. Returns the number of parts,
 * or -1 if the body is not well-formed multipart for this boundary. */
typedef void (*sip_part_fn)(void *ud, snb_str_t content_type, snb_str_t body);
int sip_multipart_each(const sip_msg_t *msg, sip_part_fn fn, void *ud);

/* Same walk over any body given its full Content-Type header value (with
 * the boundary parameter); used for nested multipart parts. */
int sip_multipart_parse(snb_str_t body, snb_str_t content_type_value, sip_part_fn fn, void *ud);

/* The SDP of a message, from the body or a multipart part; empty if none. */
snb_str_t sip_msg_sdp(const sip_msg_t *msg);

/* Every part of a multipart body, nested ones included, depth-first, with
 * its headers (sipnab/sip.h). The number of parts, or -1 if not multipart. */
int sip_multipart_parts(snb_str_t body, snb_str_t content_type_value, snb_sip_part_fn fn, void *ud);
snb_str_t sip_part_header(const snb_sip_part_t *part, const char *name);

/* URIs (sip_uri.c): split, parameters, percent-decoded headers. */
bool sip_uri_parse(snb_str_t text, snb_sip_uri_t *out);
snb_str_t sip_uri_param(const snb_sip_uri_t *uri, const char *name);
long sip_uri_header(const snb_sip_uri_t *uri, const char *name, char *out, size_t size);
/* A name-addr with its URI split and its header parameters. */
bool sip_nameaddr_full(snb_str_t value, snb_sip_nameaddr_t *out);

/* The accessor table of sipnab/sip.h over sip_msg_t (sip_access.c). */
extern const snb_sip_api_t sip_api;

#endif
