/* See sip_dialog_names.h. */
#include "sip_dialog_names.h"

#include <stdlib.h>
#include <string.h>

static size_t cap_of(enum sip_dialog_name which)
{
    return which == SIP_DN_UA ? SIP_DN_UA_MAX : SIP_DN_MAX;
}

bool sip_names_set(sip_dialog_names_t *n, uint32_t mask, const snb_str_t vals[SIP_DN_COUNT])
{
    const char *src[SIP_DN_COUNT];
    size_t len[SIP_DN_COUNT], total = 0;
    for (int i = 0; i < SIP_DN_COUNT; i++) {
        if (mask & (1u << i)) {
            src[i] = vals[i].p;
            len[i] = vals[i].p ? vals[i].len : 0;
        } else {
            src[i] = sip_names_get(n, (enum sip_dialog_name)i);
            len[i] = strlen(src[i]);
        }
        if (len[i] > cap_of((enum sip_dialog_name)i)) len[i] = cap_of((enum sip_dialog_name)i);
        total += len[i] + 1;
    }
    if (total == SIP_DN_COUNT) { /* all empty */
        sip_names_free(n);
        return true;
    }
    char *block = malloc(total);
    if (!block) return false;
    uint16_t off[SIP_DN_COUNT];
    size_t at = 0;
    for (int i = 0; i < SIP_DN_COUNT; i++) {
        off[i] = (uint16_t)at;
        if (len[i]) memcpy(block + at, src[i], len[i]);
        block[at + len[i]] = '\0';
        at += len[i] + 1;
    }
    free(n->block);
    n->block = block;
    memcpy(n->off, off, sizeof off);
    return true;
}

bool sip_names_set_one(sip_dialog_names_t *n, enum sip_dialog_name which, snb_str_t val)
{
    snb_str_t vals[SIP_DN_COUNT] = {{0}};
    vals[which] = val;
    return sip_names_set(n, 1u << which, vals);
}

void sip_names_free(sip_dialog_names_t *n)
{
    free(n->block);
    n->block = NULL;
    memset(n->off, 0, sizeof n->off);
}
