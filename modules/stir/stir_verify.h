/* The verification of one INVITE's Identity headers (RFC 8224 §6.2, RFC
 * 8225, SHAKEN RFC 8588 / ATIS-1000074, div RFC 8946), with what the SIP
 * headers say as input, and a verdict per PASSporT and for the call. Pure:
 * the glue reads SIP through the platform's accessors and fills the input. */
#ifndef STIR_VERIFY_H
#define STIR_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "sipnab/str.h"
#include "stir_passport.h"
#include "stir_pki.h"
#include "stir_reason.h"
#include "stir_tn.h"

#define STIR_MAX_IDENTITIES 8 /* Identity headers verified per INVITE; more are counted */
#define STIR_MAX_DIVERSIONS 8 /* Diversion/History-Info TNs kept */
#define STIR_FUTURE_SKEW_S 5  /* an iat up to 5 s ahead is clock skew */

typedef struct stir_config {
    const stir_pki_t *pki;
    int64_t max_age_s; /* an iat older than this is stale (RFC 8224 §12: 60) */
} stir_config_t;

/* What SIP says about the call (canonical TNs, "" when there is none). */
typedef struct stir_call_input {
    uint64_t ts_us; /* the INVITE's capture time */
    const snb_str_t *identities;
    unsigned n_identities;
    char orig_tn[STIR_TN_MAX]; /* first P-Asserted-Identity with a TN, else From */
    char to_tn[STIR_TN_MAX];
    char ruri_tn[STIR_TN_MAX];
    char diversion_tns[STIR_MAX_DIVERSIONS][STIR_TN_MAX]; /* Diversion, History-Info */
    unsigned n_diversion_tns;
    int64_t date; /* the Date header, epoch seconds */
    bool has_date;
    char verstat[64]; /* first PAI's (else From's) verstat, "" if none */
} stir_call_input_t;

typedef struct stir_identity_result {
    stir_reason_t reason;
    bool parsed;  /* the Identity and its PASSporT could be read */
    bool compact; /* compact form */
    char alg_param[16], ppt_param[16];
    bool has_alg_param, has_ppt_param;
    char info[STIR_URL_MAX];
    stir_passport_t pp; /* header and claims (rebuilt for the compact form) */
    char spc[STIR_SPC_MAX];
    bool cert_found;
    double iat_age_s;
} stir_identity_result_t;

typedef struct stir_call_result {
    stir_result_t result;
    stir_reason_t reason;
    stir_reason_t underlying; /* why, when reason is verstat_contradiction */
    unsigned identity_count;  /* Identity headers in the INVITE */
    unsigned n;               /* verified (at most STIR_MAX_IDENTITIES) */
    int primary;              /* the shaken (else first) PASSporT, -1 if none */
    char verstat[64];
    uint64_t ts_us;
    stir_identity_result_t ids[STIR_MAX_IDENTITIES];
} stir_call_result_t;

void stir_verify_call(const stir_config_t *cfg, const stir_call_input_t *in,
                      stir_call_result_t *out);

/* One PASSporT (the call-level rules for div are in stir_verify_call). */
void stir_verify_identity(const stir_config_t *cfg, const stir_call_input_t *in, snb_str_t value,
                          stir_identity_result_t *out);

#endif
