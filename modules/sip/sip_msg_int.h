/* Helpers shared by the SIP parser files (sip_msg.c, sip_hdr.c,
 * sip_multipart.c). Not part of the module's API. */
#ifndef SNB_SIP_MSG_INT_H
#define SNB_SIP_MSG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip_msg.h"

/* RFC 3261 token characters: alphanum and -.!%*_+`'~ */
extern const uint8_t sip_token_tab[256];

static inline bool sip_is_token(char c)
{
    return sip_token_tab[(unsigned char)c] != 0;
}
static inline bool sip_is_ws(char c)
{
    return c == ' ' || c == '\t';
}
/* Linear whitespace including the CR/LF of folded lines. */
static inline bool sip_is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline snb_str_t sip_trim(const char *p, const char *e)
{
    while (p < e && sip_is_lws(*p))
        p++;
    while (e > p && sip_is_lws(e[-1]))
        e--;
    return snb_str(p, (size_t)(e - p));
}

/* Headers the parser or the lookup functions know by name. */
typedef enum sip_hdr_id {
    SIP_H_OTHER = 0,
    SIP_H_CALL_ID,
    SIP_H_FROM,
    SIP_H_TO,
    SIP_H_VIA,
    SIP_H_CSEQ,
    SIP_H_CONTENT_LENGTH,
    SIP_H_CONTENT_TYPE,
    SIP_H_CONTACT,
    SIP_H_SUPPORTED,
    SIP_H_SUBJECT,
    SIP_H_CONTENT_ENCODING,
    SIP_H_EVENT,
    SIP_H_REFER_TO,
    SIP_H_ALLOW_EVENTS,
    SIP_H_REFERRED_BY,
    SIP_H_SESSION_EXPIRES,
    SIP_H_IDENTITY,
    SIP_H_ACCEPT_CONTACT,
    SIP_H_REJECT_CONTACT,
    SIP_H_REQUEST_DISPOSITION,
    SIP_H_USER_AGENT, /* looked up for every message (sip_msg_fields_of), */
    SIP_H_SERVER,     /* so they match by id too */
    SIP_H_COUNT_KNOWN
} sip_hdr_id_t;

/* Identify a header name (full or compact form), case-insensitively. */
sip_hdr_id_t sip_hdr_classify(const char *name, size_t len);
/* A known header's lower-case name and compact form (0: none); NULL and 0
 * for SIP_H_OTHER. */
const char *sip_hdr_name(sip_hdr_id_t id);
/* The header whose compact form is this lower-case letter, or SIP_H_OTHER. */
sip_hdr_id_t sip_hdr_compact_id(char lower);
char sip_hdr_compact(sip_hdr_id_t id);
/* Whether a header's grammar is a comma-separated list: by id, or by name
 * (any case) for headers without one. */
bool sip_hdr_is_list(sip_hdr_id_t id);
bool sip_hdr_name_is_list(const char *name, size_t len);

/* Split a header value on commas outside quotes and <...>. Returns the
 * number of non-empty elements; *first gets the first one (trimmed). */
unsigned sip_list_count(snb_str_t value, snb_str_t *first);

/* Content-Type parameter lookup that also strips quotes (boundary="x"). */
snb_str_t sip_param_unquoted(snb_str_t value, const char *name);

/* sip_param with the name's length given (no strlen per call). */
snb_str_t sip_param_n(snb_str_t value, const char *name, size_t nlen);

#endif
