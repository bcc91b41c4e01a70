/* The STI-PKI as a verifier sees it (ATIS-1000080): trust anchors from a
 * folder of PEM roots, certificate chains by x5u URL from an offline cache
 * (the cert map: "URL<TAB>chain-file" lines), and the checks of the
 * signing certificate at a given time: chain to an anchor, validity, the
 * SHAKEN certificate policy, a TNAuthList and its SPC. */
#ifndef STIR_PKI_H
#define STIR_PKI_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stir_reason.h"
#include "stir_tnauth.h"

#define STIR_SHAKEN_POLICY_OID "2.16.840.1.114569.1.1.3"
#define STIR_TNAUTHLIST_OID "1.3.6.1.5.5.7.1.26"
#define STIR_PKI_MAX_CHAINS 4096 /* cert map entries */
#define STIR_PKI_MAX_CHAIN_LEN 8 /* certificates per chain file */
#define STIR_PKI_MAX_ANCHORS 1024

typedef struct stir_pki stir_pki_t;

stir_pki_t *stir_pki_new(void);
void stir_pki_free(stir_pki_t *pki);

/* Every certificate of every PEM file in dir becomes a trust anchor.
 * Returns the number added, or -1 with err. */
int stir_pki_load_trust(stir_pki_t *pki, const char *dir, char *err, size_t errlen);
/* Add anchors from PEM text (tests). Returns the number added. */
int stir_pki_add_trust_pem(stir_pki_t *pki, const char *pem, size_t len);

/* The cert map: "x5u-URL<TAB>chain-file" per line ('#' comments, blank
 * lines), chain files relative to the map's folder. Returns the number of
 * chains loaded, or -1 with err (unreadable map, bad line, unreadable or
 * empty chain file: each names file:line). */
int stir_pki_load_map(stir_pki_t *pki, const char *file, char *err, size_t errlen);
/* Add one chain (leaf first, then its issuers) served at url. 0 or -1. */
int stir_pki_add_chain_pem(stir_pki_t *pki, const char *url, const char *pem, size_t len);

/* Fetched chains come and go (stir_cache.h): whether url has a chain, the
 * leaf's notAfter (epoch seconds; false if none or unreadable), and
 * dropping one. */
bool stir_pki_has_chain(const stir_pki_t *pki, const char *url);
bool stir_pki_not_after(const stir_pki_t *pki, const char *url, int64_t *not_after);
void stir_pki_remove_chain(stir_pki_t *pki, const char *url);

size_t stir_pki_anchor_count(const stir_pki_t *pki);
size_t stir_pki_chain_count(const stir_pki_t *pki);

typedef struct stir_cert_verdict {
    stir_reason_t reason;   /* STIR_OK or why the certificate is refused */
    EVP_PKEY *key;          /* the leaf's public key (borrowed from pki); NULL if none */
    char spc[STIR_SPC_MAX]; /* the SPC of its TNAuthList, "" if none */
    char subject[128];      /* the leaf's subject CN, for people */
} stir_cert_verdict_t;

/* The SPC of the certificate cached for x5u, without judging it (shown for
 * PASSporTs refused before their certificate was checked); "" if none. */
void stir_pki_spc(const stir_pki_t *pki, const char *x5u, char spc[STIR_SPC_MAX]);

/* Look x5u up and judge its certificate at `at` (epoch seconds, the
 * call's capture time, never the wall clock). */
void stir_pki_check(const stir_pki_t *pki, const char *x5u, int64_t at, stir_cert_verdict_t *out);

#endif
