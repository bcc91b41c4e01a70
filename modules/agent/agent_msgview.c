/* A "sip.message" event as the criteria matcher's view (agent_msgview.h). */
#include "agent_msgview.h"

#include <string.h>

static snb_crit_str_t cs(snb_str_t s)
{
    return (snb_crit_str_t){s.p, s.p ? s.len : 0};
}

static snb_crit_ip_t ip(const snb_addr_t *a)
{
    snb_crit_ip_t r;
    r.family = a->family;
    memcpy(r.a, a->a, sizeof r.a);
    return r;
}

/* The method word of a CSeq value ("314159 INVITE"). */
static snb_crit_str_t cseq_method(snb_str_t v)
{
    size_t i = 0;
    while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t'))
        i++;
    while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9')
        i++;
    while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t'))
        i++;
    size_t s = i;
    while (i < v.len && v.p[i] != ' ' && v.p[i] != '\t' && v.p[i] != '\r' && v.p[i] != '\n')
        i++;
    return (snb_crit_str_t){i > s ? v.p + s : NULL, i - s};
}

/* The event's CSeq method number as text (sipnab/sip.h's order). */
static const char *const method_names[] = {NULL,       "INVITE",  "ACK",   "BYE",       "CANCEL",
                                           "REGISTER", "OPTIONS", "PRACK", "SUBSCRIBE", "NOTIFY",
                                           "PUBLISH",  "INFO",    "REFER", "MESSAGE",   "UPDATE"};

void agent_msgview_init(agent_msgview_t *v, const snb_sip_message_event_t *ev)
{
    memset(v, 0, sizeof *v);
    v->ev = ev;
    snb_criteria_msg_t *m = &v->m;
    m->is_request = ev->is_request;
    m->call_id = cs(ev->call_id);
    m->src = ip(&ev->src);
    m->dst = ip(&ev->dst);
    m->text = (snb_crit_str_t){ev->raw, ev->raw_len};
    if (ev->is_request) m->method = cs(ev->method_name);
    m->tenant_values = v->tenant;
}

void agent_msgview_need(agent_msgview_t *v, unsigned needs, const char *const *tenant_headers,
                        size_t n_tenant_headers)
{
    const snb_sip_message_event_t *ev = v->ev;
    unsigned todo = needs & ~v->filled;
    v->filled |= todo;
    snb_criteria_msg_t *m = &v->m;
    if (todo & SNB_CRIT_NEED_CSEQ) {
        uint8_t cm = ev->cseq_method;
        if (cm > 0 && cm < sizeof method_names / sizeof method_names[0])
            m->cseq_method = (snb_crit_str_t){method_names[cm], strlen(method_names[cm])};
        else if (ev->sip && ev->msg) /* an extension method: its name from the header */
            m->cseq_method = cseq_method(ev->sip->header(ev->msg, "CSeq", 0));
    }
    const snb_sip_api_t *sip = ev->sip;
    if (!sip || !ev->msg) return;
    snb_sip_nameaddr_t na;
    if ((todo & SNB_CRIT_NEED_FROM) && sip->nameaddr(sip->header(ev->msg, "From", 0), &na)) {
        m->from_user = cs(na.parts.user);
        m->from_display = cs(na.display);
        m->from_host = cs(na.parts.host);
    }
    if ((todo & SNB_CRIT_NEED_TO) && sip->nameaddr(sip->header(ev->msg, "To", 0), &na)) {
        m->to_user = cs(na.parts.user);
        m->to_display = cs(na.display);
        m->to_host = cs(na.parts.host);
    }
    snb_sip_uri_t uri;
    if ((todo & SNB_CRIT_NEED_RURI) && ev->is_request &&
        sip->uri(sip->request_uri(ev->msg), &uri)) {
        m->ruri_user = cs(uri.user);
        m->ruri_host = cs(uri.host);
    }
    if (todo & SNB_CRIT_NEED_TENANT) {
        size_t n = 0;
        for (size_t i = 0; i < n_tenant_headers && n < AGENT_TENANT_HEADERS_MAX; i++) {
            snb_str_t val = sip->header(ev->msg, tenant_headers[i], 0);
            if (val.p) v->tenant[n++] = cs(val);
        }
        m->n_tenant_values = n;
    }
}

void agent_msgview_fill(agent_msgview_t *v, const snb_sip_message_event_t *ev,
                        const char *const *tenant_headers, size_t n_tenant_headers)
{
    agent_msgview_init(v, ev);
    agent_msgview_need(v,
                       SNB_CRIT_NEED_FROM | SNB_CRIT_NEED_TO | SNB_CRIT_NEED_RURI |
                           SNB_CRIT_NEED_TENANT | SNB_CRIT_NEED_CSEQ,
                       tenant_headers, n_tenant_headers);
}
