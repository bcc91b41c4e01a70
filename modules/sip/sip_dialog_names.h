/* A dialog's short strings (parties, tags, user agent) in one block sized
 * to what they hold: most are a few bytes, and fixed arrays of their
 * maximum cost 480 bytes a dialog, a sixth of a SIP-only dialog's memory. */
#ifndef SIP_DIALOG_NAMES_H
#define SIP_DIALOG_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/str.h"

enum sip_dialog_name {
    SIP_DN_FROM_USER,
    SIP_DN_TO_USER,
    SIP_DN_FROM_DISPLAY,
    SIP_DN_TO_DISPLAY,
    SIP_DN_FROM_TAG,
    SIP_DN_TO_TAG,
    SIP_DN_UA, /* User-Agent of the first request (or Server of a response) */
    SIP_DN_COUNT
};

/* The longest each keeps, in bytes: longer values are cut, as the fixed
 * arrays of 64 (96 for the user agent) did. */
#define SIP_DN_MAX 63u
#define SIP_DN_UA_MAX 95u

typedef struct sip_dialog_names {
    char *block;                /* NUL-terminated strings back to back; NULL: all empty */
    uint16_t off[SIP_DN_COUNT]; /* where each starts in block */
} sip_dialog_names_t;

/* Never NULL: "" when unset. */
static inline const char *sip_names_get(const sip_dialog_names_t *n, enum sip_dialog_name which)
{
    return n->block ? n->block + n->off[which] : "";
}

/* Replace the names whose bit (1u << name) is in `mask` by vals[name] (NULL
 * p: empty), cut to their maximum, in one allocation. False without memory
 * (the names are then unchanged). */
bool sip_names_set(sip_dialog_names_t *n, uint32_t mask, const snb_str_t vals[SIP_DN_COUNT]);

/* Replace one name. */
bool sip_names_set_one(sip_dialog_names_t *n, enum sip_dialog_name which, snb_str_t val);

void sip_names_free(sip_dialog_names_t *n);

#endif
