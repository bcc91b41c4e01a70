/* The verdict vocabulary: a result per PASSporT and per call, and the
 * reason codes of the test corpora (shared/stir/README.md), which follow
 * RFC 8224 §6.2.2 and the ATIS-1000074/1000080 checks. */
#ifndef STIR_REASON_H
#define STIR_REASON_H

typedef enum stir_result {
    STIR_RESULT_VALID = 0,
    STIR_RESULT_INVALID,
    STIR_RESULT_NO_IDENTITY,
    STIR_RESULT_COUNT
} stir_result_t;

/* In the order a verifier applies the checks. */
typedef enum stir_reason {
    STIR_OK = 0,
    STIR_COMPACT_OK,
    STIR_DIV_OK,
    STIR_NO_IDENTITY,
    STIR_MALFORMED_IDENTITY,
    STIR_BAD_ALG,
    STIR_BAD_TYP,
    STIR_BAD_PPT,
    STIR_X5U_NOT_HTTPS,
    STIR_X5U_INFO_MISMATCH,
    STIR_STALE_IAT,
    STIR_FUTURE_IAT,
    STIR_CERT_UNAVAILABLE,
    STIR_UNTRUSTED_CHAIN,
    STIR_CERT_EXPIRED,
    STIR_NO_SHAKEN_POLICY,
    STIR_NO_TNAUTHLIST,
    STIR_BAD_SIGNATURE,
    STIR_ORIG_MISMATCH,
    STIR_DEST_MISMATCH,
    STIR_DIV_MISMATCH,
    STIR_VERSTAT_CONTRADICTION,
    STIR_REASON_COUNT
} stir_reason_t;

const char *stir_result_name(stir_result_t r); /* "valid", "invalid", "no_identity" */
const char *stir_reason_name(stir_reason_t r); /* "ok", "stale_iat", ... */
/* The SIP answer a verifying SBC gives (RFC 8224 §6.2.2), e.g. "437
 * Unsupported Credential"; NULL for the valid reasons. */
const char *stir_reason_sip_answer(stir_reason_t r);
/* One line for people ("iat older than the max age (Expired)"). */
const char *stir_reason_words(stir_reason_t r);
static inline int stir_reason_is_valid(stir_reason_t r)
{
    return r == STIR_OK || r == STIR_COMPACT_OK || r == STIR_DIV_OK;
}

#endif
