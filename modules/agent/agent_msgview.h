/* The criteria matcher's neutral view of a SIP message, filled from a
 * "sip.message" event through the platform's parsed SIP accessors (no SIP
 * text is parsed here). Slices point into the event: valid during its
 * dispatch. */
#ifndef AGENT_MSGVIEW_H
#define AGENT_MSGVIEW_H

#include <stddef.h>

#include "criteria.h"
#include "sipnab/sip.h"

#define AGENT_TENANT_HEADERS_MAX 8

typedef struct agent_msgview {
    snb_criteria_msg_t m;
    snb_crit_str_t tenant[AGENT_TENANT_HEADERS_MAX];
    const snb_sip_message_event_t *ev;
    unsigned filled; /* enum snb_criteria_need parts read so far */
} agent_msgview_t;

/* The message's own fields (Call-ID, addresses, request method, text):
 * free, enough for snb_criteria_prefilter. */
void agent_msgview_init(agent_msgview_t *v, const snb_sip_message_event_t *ev);
/* Reads the parts in needs (snb_criteria_needs) not read yet, through the
 * accessors. tenant_headers: header names to read tenant values from (at
 * most AGENT_TENANT_HEADERS_MAX are used). */
void agent_msgview_need(agent_msgview_t *v, unsigned needs, const char *const *tenant_headers,
                        size_t n_tenant_headers);
/* init, then every part. */
void agent_msgview_fill(agent_msgview_t *v, const snb_sip_message_event_t *ev,
                        const char *const *tenant_headers, size_t n_tenant_headers);

#endif
