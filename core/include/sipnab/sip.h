/* What the SIP module publishes, for other modules (RTP, HTTP, HEP,
 * security, STIR/SHAKEN, SIPREC, ...).
 *
 * "sip.message" events carry the message's key fields as plain data, plus
 * the parsed message itself (`msg`) and the accessor table (`sip`) that
 * reads any header by name, parameters, URIs and the parts of a multipart
 * body from it. No other module parses SIP text: ask the accessors. The
 * same table is also offered as the "sip.parser" service, for modules that
 * need the URI and parameter helpers outside an event. Every slice
 * (snb_str_t) points into the event's copy of the message and is valid as
 * long as the event is (the dispatch, or until released if retained). */
#ifndef SIPNAB_SIP_H
#define SIPNAB_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipnab/event.h"
#include "sipnab/packet.h"
#include "sipnab/str.h"

#define SNB_SIP_MESSAGE_EVENT "sip.message" /* snb_sip_message_event_t */
#define SNB_SIP_DIALOG_EVENT "sip.dialog"   /* snb_sip_dialog_event_t */
#define SNB_SIP_PARSER_SERVICE "sip.parser" /* snb_sip_api_t */
#define SNB_SIP_PARSER_VERSION 1

/* SIP methods as numbered in snb_sip_message_event_t (the SIP module's
 * sip_method_t has the same order; it checks that at compile time). */
enum snb_sip_method {
    SNB_SIP_UNKNOWN = 0,
    SNB_SIP_INVITE,
    SNB_SIP_ACK,
    SNB_SIP_BYE,
    SNB_SIP_CANCEL,
    SNB_SIP_REGISTER,
    SNB_SIP_OPTIONS,
    SNB_SIP_PRACK,
    SNB_SIP_SUBSCRIBE,
    SNB_SIP_NOTIFY,
    SNB_SIP_PUBLISH,
    SNB_SIP_INFO,
    SNB_SIP_REFER,
    SNB_SIP_MESSAGE,
    SNB_SIP_UPDATE,
};

/* ---- the parsed message and its accessors ---- */

typedef struct snb_sip_msg snb_sip_msg_t; /* opaque: the SIP module's parsed message */

/* sip:user:password@host:port;params?headers, sips:, tel:number;params */
typedef struct snb_sip_uri {
    snb_str_t scheme;   /* "sip", "sips", "tel", ... as written */
    snb_str_t user;     /* tel: the number; empty when there is no user part */
    snb_str_t password; /* rarely present (RFC 3261 deprecates it) */
    snb_str_t host;     /* without the brackets of an IPv6 reference */
    uint16_t port;      /* 0 when absent */
    snb_str_t params;   /* ";transport=tcp;user=phone" with its leading ';', or empty */
    snb_str_t headers;  /* after '?', still percent-encoded ("Replaces=abc%40host"), or empty */
} snb_sip_uri_t;

/* name-addr or addr-spec: "Alice" <sip:alice@example.com;user=phone>;tag=1 */
typedef struct snb_sip_nameaddr {
    snb_str_t display;   /* without quotes; empty if none */
    snb_str_t uri;       /* the URI text, without the angle brackets */
    snb_sip_uri_t parts; /* uri, split */
    snb_str_t tag;       /* the ;tag= header parameter */
    snb_str_t params;    /* the header parameters after the URI, with their leading ';' */
} snb_sip_nameaddr_t;

/* One part of a multipart body (RFC 2046), nested ones included. */
typedef struct snb_sip_part {
    snb_str_t content_type;       /* media type, parameters stripped ("application/sdp") */
    snb_str_t content_type_value; /* the whole Content-Type value, with parameters */
    snb_str_t disposition;        /* Content-Disposition value ("recording-session"), or empty */
    snb_str_t content_id;         /* Content-ID value, or empty */
    snb_str_t headers;            /* the part's header block */
    snb_str_t body;
    unsigned depth; /* 0 for parts of the message body, 1 inside a nested multipart, ... */
    unsigned index; /* position among its siblings, from 0 */
    bool multipart; /* a nested multipart: its parts follow, with depth + 1 */
} snb_sip_part_t;

/* Return false to stop the walk. */
typedef bool (*snb_sip_part_fn)(void *ud, const snb_sip_part_t *part);

typedef struct snb_sip_api {
    uint32_t size; /* sizeof the provider's table: fields are only ever appended */
    /* Header value by name, case-insensitive, compact forms understood
     * ("i", "f", "t", "v", "m", "y", ...): the nth occurrence, where the
     * comma-separated elements of list headers (Via, Contact, Route,
     * P-Asserted-Identity, Diversion, History-Info, ...) count one each.
     * Empty (p == NULL) when absent. */
    snb_str_t (*header)(const snb_sip_msg_t *msg, const char *name, unsigned nth);
    unsigned (*header_count)(const snb_sip_msg_t *msg, const char *name);
    /* Every header line in order: name as written, raw value (folding kept). */
    unsigned (*header_lines)(const snb_sip_msg_t *msg);
    bool (*header_line)(const snb_sip_msg_t *msg, unsigned i, snb_str_t *name, snb_str_t *value);
    snb_str_t (*request_uri)(const snb_sip_msg_t *msg); /* requests; empty for responses */
    snb_str_t (*reason)(const snb_sip_msg_t *msg);      /* responses' reason phrase */
    snb_str_t (*body)(const snb_sip_msg_t *msg);
    /* The SDP, from the body or a multipart part; empty if none. */
    snb_str_t (*sdp)(const snb_sip_msg_t *msg);
    /* Walk the parts of a multipart body depth-first. Returns the number of
     * parts seen, or -1 when the body is not multipart (or not well-formed
     * for its boundary). */
    int (*parts)(const snb_sip_msg_t *msg, snb_sip_part_fn fn, void *ud);
    /* A header of one part (the same name rules as header, first occurrence). */
    snb_str_t (*part_header)(const snb_sip_part_t *part, const char *name);
    /* A ;name=value parameter of a header value's first element (outside
     * <...> and quotes); present without a value gives an empty, non-NULL
     * slice. param_unquoted also strips surrounding quotes. */
    snb_str_t (*param)(snb_str_t value, const char *name);
    snb_str_t (*param_unquoted)(snb_str_t value, const char *name);
    /* Parse a From/To/Contact/Refer-To/P-Asserted-Identity style value;
     * false when there is no URI in it. */
    bool (*nameaddr)(snb_str_t value, snb_sip_nameaddr_t *out);
    /* Parse a bare URI; false when it has no scheme. */
    bool (*uri)(snb_str_t text, snb_sip_uri_t *out);
    /* A URI parameter (";transport=tcp" -> "tcp"), as for param. */
    snb_str_t (*uri_param)(const snb_sip_uri_t *uri, const char *name);
    /* A URI header ("?Replaces=a%40b" -> "a@b"), percent-decoded into out
     * (NUL-terminated, truncated to size-1). Returns the decoded length, or
     * -1 when absent. */
    long (*uri_header)(const snb_sip_uri_t *uri, const char *name, char *out, size_t size);
    /* Copy a value with folding (CRLF + whitespace) as one space; returns the
     * length written (truncated to size-1). */
    size_t (*unfold)(snb_str_t value, char *out, size_t size);
} snb_sip_api_t;

/* ---- events ---- */

#define SNB_SIP_MAX_MEDIA 4
#define SNB_SIP_MAX_FORMATS 8

/* One m= line of an SDP offer or answer. */
typedef struct snb_sip_media {
    char type[12];              /* "audio", "video", "image" */
    snb_addr_t addr;            /* connection address (family 0 if none or unparsable) */
    uint16_t port;              /* 0 = stream disabled */
    uint8_t direction;          /* 1 sendrecv, 2 sendonly, 3 recvonly, 4 inactive */
    int16_t telephone_event_pt; /* -1 if none */
    uint32_t ptime;             /* ms, 0 if absent */
    uint8_t n_formats;
    struct {
        uint8_t pt;
        char encoding[16]; /* "PCMU"; static names filled for PT 0-34 */
        uint32_t clock_rate;
    } formats[SNB_SIP_MAX_FORMATS];
} snb_sip_media_t;

enum snb_sip_sdp_role { SNB_SDP_NONE = 0, SNB_SDP_OFFER = 1, SNB_SDP_ANSWER = 2 };

/* "sip.message": one SIP message, after it updated its dialog. */
typedef struct snb_sip_message_event {
    snb_event_t ev;
    uint64_t ts_us;
    snb_addr_t src, dst;
    uint16_t sport, dport;
    uint8_t transport; /* 0 UDP, 1 TCP, 2 SCTP, 3 WS, 4 TLS */
    bool is_request;
    bool retransmit;
    uint8_t method; /* enum snb_sip_method */
    uint8_t cseq_method;
    uint16_t status;
    uint32_t cseq;
    uint32_t malformed; /* reason flags; 0 = well-formed */
    snb_str_t call_id;  /* slices into raw */
    snb_str_t method_name;
    snb_str_t content_type; /* media type, parameters stripped */
    snb_str_t body;
    snb_str_t from_tag, to_tag;
    const char *raw; /* the whole message */
    uint32_t raw_len;
    const snb_sip_msg_t *msg; /* the parsed message, for the accessors */
    const snb_sip_api_t *sip; /* the accessors */
    uint8_t sdp_role;         /* enum snb_sip_sdp_role */
    uint8_t n_media;
    snb_sip_media_t media[SNB_SIP_MAX_MEDIA];
} snb_sip_message_event_t;

/* "sip.dialog": a dialog changed state (published on every transition, and
 * when a dialog is created). Plain data; find the dialog itself through the
 * "sip.dialogs" service by Call-ID. */
typedef struct snb_sip_dialog_event {
    snb_event_t ev;
    uint64_t ts_us;    /* capture time of the message that changed it */
    char call_id[256]; /* truncated beyond 255 bytes */
    uint8_t state,
        prev_state;      /* sip.dialogs state order (REST spelling in snb_dialog_state_name) */
    uint16_t final_code; /* 0 while there is none */
    uint8_t method;      /* enum snb_sip_method of the request that created the dialog */
    bool created;        /* the first event of this dialog */
} snb_sip_dialog_event_t;

#endif
