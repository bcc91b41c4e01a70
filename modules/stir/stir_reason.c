/* See stir_reason.h. */
#include "stir_reason.h"

#include <stddef.h>

static const struct {
    const char *name, *answer, *words;
} reasons[STIR_REASON_COUNT] = {
    [STIR_OK] = {"ok", NULL, "verified"},
    [STIR_COMPACT_OK] = {"compact_ok", NULL, "compact form rebuilt from SIP and verified"},
    [STIR_DIV_OK] = {"div_ok", NULL, "shaken and div PASSporTs verified"},
    [STIR_NO_IDENTITY] = {"no_identity", "428 Use Identity Header", "no Identity header"},
    [STIR_MALFORMED_IDENTITY] = {"malformed_identity", "438 Invalid Identity Header",
                                 "Identity or PASSporT unparsable"},
    [STIR_BAD_ALG] = {"bad_alg", "437 Unsupported Credential", "alg is not ES256"},
    [STIR_BAD_TYP] = {"bad_typ", "437 Unsupported Credential", "typ is not passport"},
    [STIR_BAD_PPT] = {"bad_ppt", "438 Invalid Identity Header",
                      "ppt parameter missing or different from the PASSporT's"},
    [STIR_X5U_NOT_HTTPS] = {"x5u_not_https", "436 Bad Identity Info", "x5u/info is not https"},
    [STIR_X5U_INFO_MISMATCH] = {"x5u_info_mismatch", "436 Bad Identity Info",
                                "x5u differs from the info URI"},
    [STIR_STALE_IAT] = {"stale_iat", "403 Stale Date", "Expired: iat older than the max age"},
    [STIR_FUTURE_IAT] = {"future_iat", "403 Stale Date", "iat in the future"},
    [STIR_CERT_UNAVAILABLE] = {"cert_unavailable", "436 Bad Identity Info",
                               "certificate not available for x5u"},
    [STIR_UNTRUSTED_CHAIN] = {"untrusted_chain", "437 Unsupported Credential",
                              "certificate does not chain to a trust anchor"},
    [STIR_CERT_EXPIRED] = {"cert_expired", "437 Unsupported Credential",
                           "certificate outside its validity at the call's time"},
    [STIR_NO_SHAKEN_POLICY] = {"no_shaken_policy", "437 Unsupported Credential",
                               "certificate lacks the SHAKEN policy"},
    [STIR_NO_TNAUTHLIST] = {"no_tnauthlist", "437 Unsupported Credential",
                            "certificate lacks a TNAuthList"},
    [STIR_BAD_SIGNATURE] = {"bad_signature", "438 Invalid Identity Header",
                            "signature does not verify"},
    [STIR_ORIG_MISMATCH] = {"orig_mismatch", "438 Invalid Identity Header",
                            "orig.tn differs from the caller's TN"},
    [STIR_DEST_MISMATCH] = {"dest_mismatch", "438 Invalid Identity Header",
                            "the called TN is not in dest.tn"},
    [STIR_DIV_MISMATCH] = {"div_mismatch", "438 Invalid Identity Header",
                           "div PASSporT inconsistent with the call"},
    [STIR_VERSTAT_CONTRADICTION] = {"verstat_contradiction", NULL,
                                    "verstat contradicts our verification"},
};

const char *stir_result_name(stir_result_t r)
{
    static const char *const names[STIR_RESULT_COUNT] = {"valid", "invalid", "no_identity"};
    return (unsigned)r < STIR_RESULT_COUNT ? names[r] : "invalid";
}

const char *stir_reason_name(stir_reason_t r)
{
    return (unsigned)r < STIR_REASON_COUNT ? reasons[r].name : "malformed_identity";
}

const char *stir_reason_sip_answer(stir_reason_t r)
{
    return (unsigned)r < STIR_REASON_COUNT ? reasons[r].answer : NULL;
}

const char *stir_reason_words(stir_reason_t r)
{
    return (unsigned)r < STIR_REASON_COUNT ? reasons[r].words : "?";
}
