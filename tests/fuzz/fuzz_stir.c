/* libFuzzer: the STIR/SHAKEN parsers on arbitrary bytes. The input is an
 * Identity header value; it goes through the Identity parser, the PASSporT
 * decoder (base64url, JSON), the compact-form rebuild, the whole verifier
 * (with an empty PKI: no certificate, so every path up to the lookup runs),
 * the result's JSON, and, as DER, the TNAuthList walker; also as a Date
 * header and a URI. Nothing may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stir_date.h"
#include "stir_identity.h"
#include "stir_json.h"
#include "stir_passport.h"
#include "stir_pki.h"
#include "stir_tn.h"
#include "stir_tnauth.h"
#include "stir_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static stir_pki_t *pki;
    if (!pki) pki = stir_pki_new();
    snb_str_t value = snb_str((const char *)data, size);

    stir_identity_t id;
    if (stir_identity_parse(value, &id)) {
        if (id.signing_input.len > size || id.sig_b64.len > size) abort();
        stir_passport_t pp;
        char input[2 * STIR_PASSPORT_MAX_JSON];
        if (id.compact)
            stir_passport_rebuild(&id, "12025550106", "13015550149", 1795011606, &pp, input,
                                  sizeof input);
        else
            stir_passport_decode(&id, &pp);
    }

    stir_call_input_t in = {.ts_us = 1795011607000000ull, .date = 1795011606, .has_date = true};
    memcpy(in.orig_tn, "12025550106", 12);
    memcpy(in.to_tn, "13015550149", 12);
    snb_str_t ids[2] = {value, value};
    in.identities = ids;
    in.n_identities = 2;
    stir_config_t cfg = {.pki = pki, .max_age_s = 60};
    stir_call_result_t *r = malloc(sizeof *r);
    stir_verify_call(&cfg, &in, r);
    json_t *j = stir_result_json(r);
    if (!j) abort();
    char *text = json_dumps(j, 0);
    free(text);
    json_decref(j);
    free(r);

    char spc[STIR_SPC_MAX], tn[STIR_TN_MAX], verstat[64];
    stir_tnauth_spc(data, size, spc);
    int64_t t;
    stir_date_parse((const char *)data, size, &t);
    stir_tn_of_uri((const char *)data, size, tn);
    stir_tn_verstat((const char *)data, size, verstat, sizeof verstat);
    return 0;
}
