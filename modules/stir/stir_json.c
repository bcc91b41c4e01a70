/* See stir_json.h. */
#include "stir_json.h"

#include <string.h>

/* A JSON string of text that may come straight from a packet: anything
 * that is not valid UTF-8 is shown with '?' for the non-ASCII bytes. */
static json_t *text(const char *s)
{
    json_t *v = json_string(s);
    if (v) return v;
    char buf[STIR_URL_MAX];
    size_t n = 0;
    for (; s[n] && n + 1 < sizeof buf; n++)
        buf[n] = (unsigned char)s[n] < 0x80 ? s[n] : '?';
    buf[n] = '\0';
    return json_string(buf);
}

static json_t *opt_text(bool present, const char *s)
{
    return present ? text(s) : json_null();
}

static json_t *tn_list(const stir_passport_t *pp)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < pp->n_dest; i++)
        json_array_append_new(a, text(pp->dest_tn[i]));
    return a;
}

static json_t *age(double s)
{
    return json_real((double)(long long)(s * 1e6) / 1e6); /* microseconds, as captured */
}

/* The claims and certificate facts shared by the call object and each
 * identity object. */
static void put_claims(json_t *o, const stir_identity_result_t *id)
{
    const stir_passport_t *pp = &id->pp;
    bool p = id->parsed;
    json_object_set_new(o, "form", json_string(id->compact ? "compact" : "full"));
    json_object_set_new(o, "ppt", opt_text(p && pp->has_ppt, pp->ppt));
    json_object_set_new(o, "attest", opt_text(p && pp->has_attest, pp->attest));
    json_object_set_new(o, "orig_tn", opt_text(p && pp->has_orig, pp->orig_tn));
    json_object_set_new(o, "dest_tn", p ? tn_list(pp) : json_null());
    json_object_set_new(o, "iat", p && pp->has_iat ? json_integer(pp->iat) : json_null());
    json_object_set_new(o, "iat_age_s", p && pp->has_iat ? age(id->iat_age_s) : json_null());
    json_object_set_new(o, "origid", opt_text(p && pp->has_origid, pp->origid));
    json_object_set_new(o, "x5u", opt_text(p && pp->has_x5u, pp->x5u));
    json_object_set_new(o, "info", opt_text(id->info[0] != '\0', id->info));
    json_object_set_new(o, "spc", opt_text(id->spc[0] != '\0', id->spc));
}

static json_t *identity_json(const stir_identity_result_t *id, unsigned index)
{
    const stir_passport_t *pp = &id->pp;
    json_t *o = json_object();
    json_object_set_new(o, "index", json_integer(index));
    bool valid = stir_reason_is_valid(id->reason);
    json_object_set_new(o, "result", json_string(valid ? "valid" : "invalid"));
    json_object_set_new(o, "reason", json_string(stir_reason_name(id->reason)));
    put_claims(o, id);
    json_object_set_new(o, "alg_param", opt_text(id->has_alg_param, id->alg_param));
    json_object_set_new(o, "alg", opt_text(id->parsed && pp->has_alg, pp->alg));
    json_object_set_new(o, "typ", opt_text(id->parsed && pp->has_typ, pp->typ));
    if (id->parsed && pp->has_div) json_object_set_new(o, "div_tn", text(pp->div_tn));
    return o;
}

json_t *stir_result_json(const stir_call_result_t *r)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "result", json_string(stir_result_name(r->result)));
    json_object_set_new(o, "reason", json_string(stir_reason_name(r->reason)));
    json_object_set_new(o, "underlying_reason",
                        r->reason == STIR_VERSTAT_CONTRADICTION
                            ? json_string(stir_reason_name(r->underlying))
                            : json_null());
    const char *answer = stir_reason_sip_answer(r->underlying);
    json_object_set_new(o, "expected_answer", answer ? json_string(answer) : json_null());
    json_object_set_new(o, "identity_count", json_integer(r->identity_count));
    if (r->n && r->primary >= 0) {
        put_claims(o, &r->ids[r->primary]);
    } else {
        static const char *const none[] = {"form",    "ppt",  "attest",    "orig_tn",
                                           "dest_tn", "iat",  "iat_age_s", "origid",
                                           "x5u",     "info", "spc"};
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
            json_object_set_new(o, none[i], json_null());
    }
    json_object_set_new(o, "verstat_claimed", opt_text(r->verstat[0] != '\0', r->verstat));
    json_t *ids = json_array();
    for (unsigned i = 0; i < r->n; i++)
        json_array_append_new(ids, identity_json(&r->ids[i], i));
    json_object_set_new(o, "identities", ids);
    if (r->identity_count > r->n)
        json_object_set_new(o, "identities_not_verified", json_integer(r->identity_count - r->n));
    return o;
}
