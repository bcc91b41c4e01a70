/* Per-message --json strings kept in a dialog arena (see sip_msg_fields.h). */
#include "sip_msg_fields.h"

#include <stdlib.h>
#include <string.h>

static snb_str_t party(const sip_nameaddr_t *na)
{
    return na->user.p && na->user.len ? na->user : na->uri;
}

void sip_msg_fields_of(const sip_msg_t *msg, sip_msg_fields_t *out)
{
    memset(out, 0, sizeof *out);
    snb_str_t *v = out->v;
    if (msg->is_request) {
        v[SIP_MF_METHOD] = msg->method_name;
        v[SIP_MF_REQUEST_URI] = msg->request_uri;
    } else {
        v[SIP_MF_REASON] = msg->reason;
    }
    v[SIP_MF_CALL_ID] = msg->call_id;
    v[SIP_MF_FROM] = party(&msg->from);
    v[SIP_MF_TO] = party(&msg->to);
    v[SIP_MF_FROM_TAG] = msg->from.tag;
    v[SIP_MF_TO_TAG] = msg->to.tag;
    v[SIP_MF_CSEQ_METHOD] = msg->cseq_method_name;
    v[SIP_MF_UA] = msg->user_agent.p ? msg->user_agent : msg->server;
    v[SIP_MF_CONTENT_TYPE] = msg->content_type;
}

static bool same(const sip_field_arena_t *a, sip_field_ref_t r, snb_str_t s)
{
    return r.off != SIP_FIELD_ABSENT && r.len == s.len &&
           (!s.len || memcmp(a->p + r.off, s.p, s.len) == 0);
}

bool sip_fields_keep(sip_field_arena_t *a, const sip_field_ref_t *prev, const sip_msg_fields_t *f,
                     sip_field_ref_t out[SIP_MF_COUNT])
{
    sip_field_ref_t refs[SIP_MF_COUNT];
    bool shared[SIP_MF_COUNT]; /* equal to the previous message's: compared once */
    size_t need = 0;
    for (int i = 0; i < SIP_MF_COUNT; i++) {
        snb_str_t s = f->v[i];
        if (s.p && s.len > SIP_FIELDS_MAX_DIALOG) return false;
        shared[i] = s.p && prev && same(a, prev[i], s);
        if (s.p && !shared[i]) need += s.len;
    }
    if (need > SIP_FIELDS_MAX_DIALOG - a->len) return false;
    if (a->len + need > a->cap) {
        size_t cap = a->cap ? a->cap : 256;
        while (cap < a->len + need)
            cap *= 2;
        if (cap > SIP_FIELDS_MAX_DIALOG) cap = SIP_FIELDS_MAX_DIALOG;
        char *p = realloc(a->p, cap);
        if (!p) return false;
        a->p = p;
        a->cap = (uint32_t)cap;
    }
    for (int i = 0; i < SIP_MF_COUNT; i++) {
        snb_str_t s = f->v[i];
        if (!s.p) {
            refs[i] = (sip_field_ref_t){SIP_FIELD_ABSENT, 0};
        } else if (shared[i]) {
            refs[i] = prev[i];
        } else {
            if (s.len) memcpy(a->p + a->len, s.p, s.len);
            refs[i] = (sip_field_ref_t){(uint16_t)a->len, (uint16_t)s.len};
            a->len += (uint32_t)s.len;
        }
    }
    memcpy(out, refs, sizeof refs);
    return true;
}

void sip_fields_get(const sip_field_arena_t *a, const sip_field_ref_t refs[SIP_MF_COUNT],
                    sip_msg_fields_t *out)
{
    for (int i = 0; i < SIP_MF_COUNT; i++) {
        sip_field_ref_t r = refs[i];
        /* an empty value is present: a non-NULL pointer of length 0 */
        out->v[i] =
            r.off == SIP_FIELD_ABSENT ? snb_str(NULL, 0) : snb_str(a->p ? a->p + r.off : "", r.len);
    }
}

void sip_field_arena_free(sip_field_arena_t *a)
{
    free(a->p);
    *a = (sip_field_arena_t){0};
}
