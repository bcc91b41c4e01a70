/* See stir_verify.h. The checks run in the order verifiers apply them
 * (shared/stir/README.md): parameters and header, x5u, freshness, the
 * certificate, the signature, then the claims against SIP. The first
 * failure is the reason. */
#include "stir_verify.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "stir_es256.h"
#include "stir_identity.h"

static bool str_is(snb_str_t s, const char *lit)
{
    return s.p && s.len == strlen(lit) && !memcmp(s.p, lit, s.len);
}

static void copy_param(snb_str_t s, char *buf, size_t size, bool *has)
{
    *has = s.p != NULL;
    buf[0] = '\0';
    if (s.p && s.len < size) snb_str_copy(s, buf, size);
}

static bool https_url(const char *u)
{
    return !strncasecmp(u, "https://", 8) && u[8];
}

static bool tn_equal(const char *claim, const char *sip_tn)
{
    char c[STIR_TN_MAX];
    return sip_tn[0] && stir_tn_canon(claim, strlen(claim), c) && !strcmp(c, sip_tn);
}

static bool dest_has(const stir_passport_t *pp, const char *sip_tn)
{
    for (unsigned i = 0; i < pp->n_dest; i++)
        if (tn_equal(pp->dest_tn[i], sip_tn)) return true;
    return false;
}

/* Header and parameter rules (RFC 8224 §4.1, RFC 8225 §8.1). */
static stir_reason_t check_header(const stir_identity_t *id, const stir_passport_t *pp)
{
    if ((id->alg.p && !str_is(id->alg, "ES256")) || strcmp(pp->alg, "ES256")) return STIR_BAD_ALG;
    if (strcmp(pp->typ, "passport")) return STIR_BAD_TYP;
    if (pp->has_ppt) {
        if (!id->ppt.p || id->ppt.len != strlen(pp->ppt) || memcmp(id->ppt.p, pp->ppt, id->ppt.len))
            return STIR_BAD_PPT;
        if (strcmp(pp->ppt, "shaken") && strcmp(pp->ppt, "div")) return STIR_BAD_PPT;
    } else if (id->ppt.p) {
        return STIR_BAD_PPT;
    }
    if (!pp->has_x5u || !https_url(pp->x5u) || !id->info.p) return STIR_X5U_NOT_HTTPS;
    char info[STIR_URL_MAX];
    if (id->info.len >= sizeof info) return STIR_X5U_INFO_MISMATCH;
    snb_str_copy(id->info, info, sizeof info);
    if (!https_url(info)) return STIR_X5U_NOT_HTTPS;
    if (strcmp(info, pp->x5u)) return STIR_X5U_INFO_MISMATCH;
    return STIR_OK;
}

void stir_verify_identity(const stir_config_t *cfg, const stir_call_input_t *in, snb_str_t value,
                          stir_identity_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->reason = STIR_MALFORMED_IDENTITY;
    stir_identity_t id;
    if (!stir_identity_parse(value, &id)) return;
    out->compact = id.compact;
    copy_param(id.alg, out->alg_param, sizeof out->alg_param, &out->has_alg_param);
    copy_param(id.ppt, out->ppt_param, sizeof out->ppt_param, &out->has_ppt_param);
    if (id.info.p && id.info.len < sizeof out->info)
        snb_str_copy(id.info, out->info, sizeof out->info);

    char rebuilt[2 * STIR_PASSPORT_MAX_JSON];
    const char *input;
    size_t input_len;
    if (id.compact) {
        /* Its iat is the Date header; its TNs are SIP's own (RFC 8224 §5.2.1). */
        if (!in->has_date || !stir_passport_rebuild(&id, in->orig_tn, in->to_tn, in->date, &out->pp,
                                                    rebuilt, sizeof rebuilt))
            return;
        input = rebuilt;
        input_len = strlen(rebuilt);
    } else {
        if (!stir_passport_decode(&id, &out->pp) || !out->pp.has_iat) return;
        input = id.signing_input.p;
        input_len = id.signing_input.len;
    }
    out->parsed = true;
    const stir_passport_t *pp = &out->pp;
    out->iat_age_s = ((double)in->ts_us - (double)pp->iat * 1e6) / 1e6;

    /* For people, not for the verdict: the signer's SPC as the offline
     * cache has it, also when a rule below refuses the PASSporT first. */
    if (pp->has_x5u) stir_pki_spc(cfg->pki, pp->x5u, out->spc);
    stir_reason_t r = check_header(&id, pp);
    if (r != STIR_OK) {
        out->reason = r;
        return;
    }
    /* Freshness against the capture time (RFC 8224 §6.2.2 step 4), with
     * the iat bounded first so the microsecond age cannot overflow. */
    int64_t now_s = (int64_t)(in->ts_us / 1000000);
    int64_t age_us = pp->iat > now_s + 1000000000   ? INT64_MIN
                     : pp->iat < now_s - 1000000000 ? INT64_MAX
                                                    : (int64_t)in->ts_us - pp->iat * 1000000;
    if (age_us > cfg->max_age_s * 1000000) {
        out->reason = STIR_STALE_IAT;
        return;
    }
    if (age_us < -(int64_t)STIR_FUTURE_SKEW_S * 1000000) {
        out->reason = STIR_FUTURE_IAT;
        return;
    }
    stir_cert_verdict_t cert;
    stir_pki_check(cfg->pki, pp->x5u, (int64_t)(in->ts_us / 1000000), &cert);
    out->cert_found = cert.reason != STIR_CERT_UNAVAILABLE;
    snprintf(out->spc, sizeof out->spc, "%s", cert.spc);
    if (cert.reason != STIR_OK) {
        out->reason = cert.reason;
        return;
    }
    if (!stir_es256_verify(cert.key, input, input_len, pp->sig)) {
        out->reason = STIR_BAD_SIGNATURE;
        return;
    }
    /* A div PASSporT's TNs are judged against the call's other PASSporT
     * (stir_verify_call); shaken and base ones against SIP. */
    if (!strcmp(pp->ppt, "div")) {
        out->reason = STIR_DIV_OK;
        return;
    }
    if (!pp->has_orig || !tn_equal(pp->orig_tn, in->orig_tn)) {
        out->reason = STIR_ORIG_MISMATCH;
        return;
    }
    if (!dest_has(pp, in->to_tn)) {
        out->reason = STIR_DEST_MISMATCH;
        return;
    }
    out->reason = id.compact ? STIR_COMPACT_OK : STIR_OK;
}

/* RFC 8946 §5: the div PASSporT keeps the caller's orig, its div is the
 * TN the call was first for (To, the shaken dest), its dest where it goes
 * now (the Request-URI); with Diversion/History-Info present, div must be
 * one of them. */
static stir_reason_t check_div(const stir_call_input_t *in, const stir_identity_result_t *shaken,
                               const stir_identity_result_t *div)
{
    const stir_passport_t *d = &div->pp;
    char orig[STIR_TN_MAX] = "";
    if (shaken)
        stir_tn_canon(shaken->pp.orig_tn, strlen(shaken->pp.orig_tn), orig);
    else
        snprintf(orig, sizeof orig, "%s", in->orig_tn);
    if (!d->has_orig || !tn_equal(d->orig_tn, orig)) return STIR_DIV_MISMATCH;
    if (!d->has_div || !tn_equal(d->div_tn, in->to_tn)) return STIR_DIV_MISMATCH;
    if (shaken && !dest_has(&shaken->pp, in->to_tn)) return STIR_DIV_MISMATCH;
    if (!dest_has(d, in->ruri_tn)) return STIR_DIV_MISMATCH;
    if (in->n_diversion_tns) {
        bool listed = false;
        for (unsigned i = 0; i < in->n_diversion_tns; i++)
            listed |= tn_equal(d->div_tn, in->diversion_tns[i]);
        if (!listed) return STIR_DIV_MISMATCH;
    }
    return STIR_DIV_OK;
}

static bool is_div(const stir_identity_result_t *r)
{
    return r->parsed && !strcmp(r->pp.ppt, "div");
}

void stir_verify_call(const stir_config_t *cfg, const stir_call_input_t *in,
                      stir_call_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->ts_us = in->ts_us;
    out->primary = -1;
    out->identity_count = in->n_identities;
    snprintf(out->verstat, sizeof out->verstat, "%s", in->verstat);
    if (!in->n_identities) {
        out->result = STIR_RESULT_NO_IDENTITY;
        out->reason = out->underlying = STIR_NO_IDENTITY;
        return;
    }
    out->n = in->n_identities < STIR_MAX_IDENTITIES ? in->n_identities : STIR_MAX_IDENTITIES;
    for (unsigned i = 0; i < out->n; i++)
        stir_verify_identity(cfg, in, in->identities[i], &out->ids[i]);
    for (unsigned i = 0; i < out->n && out->primary < 0; i++)
        if (!is_div(&out->ids[i])) out->primary = (int)i;
    const stir_identity_result_t *shaken = out->primary >= 0 ? &out->ids[out->primary] : NULL;
    bool any_div = false;
    for (unsigned i = 0; i < out->n; i++) {
        stir_identity_result_t *r = &out->ids[i];
        if (!is_div(r)) continue;
        any_div = true;
        if (r->reason == STIR_DIV_OK) r->reason = check_div(in, shaken, r);
    }
    if (out->primary < 0) out->primary = 0;

    stir_reason_t reason = STIR_OK;
    for (unsigned i = 0; i < out->n && stir_reason_is_valid(reason); i++)
        if (!stir_reason_is_valid(out->ids[i].reason)) reason = out->ids[i].reason;
    if (stir_reason_is_valid(reason))
        reason = any_div ? STIR_DIV_OK : (shaken && shaken->compact ? STIR_COMPACT_OK : STIR_OK);
    bool valid = stir_reason_is_valid(reason);
    out->underlying = reason;
    out->reason = reason;
    out->result = valid ? STIR_RESULT_VALID : STIR_RESULT_INVALID;
    /* An upstream verifier's verstat (3GPP TS 24.229, ATIS-1000074) that
     * our own verdict contradicts. No-TN-Validation never does. */
    if ((!valid && !strcasecmp(in->verstat, "TN-Validation-Passed")) ||
        (valid && !strcasecmp(in->verstat, "TN-Validation-Failed"))) {
        out->reason = STIR_VERSTAT_CONTRADICTION;
        out->result = STIR_RESULT_INVALID;
    }
}
