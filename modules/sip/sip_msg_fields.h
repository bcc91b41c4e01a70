/* The per-message strings `--json` prints (method, request URI, From/To
 * with tags, User-Agent, Content-Type, ...), kept with each message summary
 * so a message can be rendered again exactly as `--json` printed it after
 * the message itself is gone (MCP get_dialog, deferred --filter output).
 *
 * The bytes live in one arena per dialog; a value equal to the previous
 * message's shares its bytes, so a dialog whose messages repeat their
 * From/To/User-Agent costs each string once. Pure. */
#ifndef SNB_SIP_MSG_FIELDS_H
#define SNB_SIP_MSG_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include "sip_msg.h"

typedef enum sip_msg_field {
    SIP_MF_METHOD,      /* a request's method as written; absent in a response */
    SIP_MF_REASON,      /* a response's reason phrase; absent in a request */
    SIP_MF_REQUEST_URI, /* absent in a response */
    SIP_MF_CALL_ID,
    SIP_MF_FROM, /* the From user part, else its URI */
    SIP_MF_TO,   /* the To user part, else its URI */
    SIP_MF_FROM_TAG,
    SIP_MF_TO_TAG,
    SIP_MF_CSEQ_METHOD,  /* as written */
    SIP_MF_UA,           /* User-Agent, else Server */
    SIP_MF_CONTENT_TYPE, /* parameters stripped */
    SIP_MF_COUNT
} sip_msg_field_t;

/* The values of one message; p == NULL: absent (printed as null). */
typedef struct sip_msg_fields {
    snb_str_t v[SIP_MF_COUNT];
} sip_msg_fields_t;

/* Where one kept value is in its dialog's arena: 4 bytes, as the arena is
 * at most 64 KiB (44 bytes a message for the eleven). */
typedef struct sip_field_ref {
    uint16_t off; /* SIP_FIELD_ABSENT: no value */
    uint16_t len;
} sip_field_ref_t;

#define SIP_FIELD_ABSENT UINT16_MAX
/* Arena bytes per dialog (every offset below SIP_FIELD_ABSENT); a message
 * whose values would pass it keeps none (rendered from the dialog's values
 * instead, as before they were kept). */
#define SIP_FIELDS_MAX_DIALOG (UINT16_MAX - 1u)

typedef struct sip_field_arena {
    char *p;
    uint32_t len, cap;
} sip_field_arena_t;

/* The values `--json` prints for a parsed message. */
void sip_msg_fields_of(const sip_msg_t *msg, sip_msg_fields_t *out);

/* Keep f's values in the arena, sharing the bytes of prev (the previous
 * message's refs, or NULL) where equal. False, out untouched and the arena
 * unchanged in length, when a value is too long, the dialog's arena would
 * pass SIP_FIELDS_MAX_DIALOG or memory runs out. */
bool sip_fields_keep(sip_field_arena_t *a, const sip_field_ref_t *prev, const sip_msg_fields_t *f,
                     sip_field_ref_t out[SIP_MF_COUNT]);

/* The values back from their refs. */
void sip_fields_get(const sip_field_arena_t *a, const sip_field_ref_t refs[SIP_MF_COUNT],
                    sip_msg_fields_t *out);

void sip_field_arena_free(sip_field_arena_t *a);

#endif
