/* See stir_pki.h. */
#include "stir_pki.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_PEM_FILE (256 * 1024)

typedef struct chain {
    char *url;
    STACK_OF(X509) * certs; /* leaf first */
} chain_t;

struct stir_pki {
    X509_STORE *store;
    size_t n_anchors;
    chain_t *chains; /* sorted by url */
    size_t n_chains, cap_chains;
    ASN1_OBJECT *tnauth_oid, *shaken_oid;
};

stir_pki_t *stir_pki_new(void)
{
    stir_pki_t *pki = calloc(1, sizeof *pki);
    if (!pki) return NULL;
    pki->store = X509_STORE_new();
    pki->tnauth_oid = OBJ_txt2obj(STIR_TNAUTHLIST_OID, 1);
    pki->shaken_oid = OBJ_txt2obj(STIR_SHAKEN_POLICY_OID, 1);
    if (!pki->store || !pki->tnauth_oid || !pki->shaken_oid) {
        stir_pki_free(pki);
        return NULL;
    }
    return pki;
}

void stir_pki_free(stir_pki_t *pki)
{
    if (!pki) return;
    for (size_t i = 0; i < pki->n_chains; i++) {
        free(pki->chains[i].url);
        sk_X509_pop_free(pki->chains[i].certs, X509_free);
    }
    free(pki->chains);
    X509_STORE_free(pki->store);
    ASN1_OBJECT_free(pki->tnauth_oid);
    ASN1_OBJECT_free(pki->shaken_oid);
    free(pki);
}

size_t stir_pki_anchor_count(const stir_pki_t *pki)
{
    return pki->n_anchors;
}

size_t stir_pki_chain_count(const stir_pki_t *pki)
{
    return pki->n_chains;
}

/* Every certificate in PEM text, at most max. */
static STACK_OF(X509) * read_pem(const char *pem, size_t len, size_t max)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    BIO *bio = len <= MAX_PEM_FILE ? BIO_new_mem_buf(pem, (int)len) : NULL;
    X509 *x;
    while (certs && bio && (size_t)sk_X509_num(certs) < max &&
           (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        if (!sk_X509_push(certs, x)) X509_free(x);
    BIO_free(bio);
    ERR_clear_error(); /* the end of the text is reported as an error */
    return certs;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(MAX_PEM_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_PEM_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n > MAX_PEM_FILE) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int stir_pki_add_trust_pem(stir_pki_t *pki, const char *pem, size_t len)
{
    STACK_OF(X509) *certs = read_pem(pem, len, STIR_PKI_MAX_ANCHORS);
    int added = 0;
    for (int i = 0; certs && i < sk_X509_num(certs); i++)
        if (pki->n_anchors < STIR_PKI_MAX_ANCHORS &&
            X509_STORE_add_cert(pki->store, sk_X509_value(certs, i)) == 1) {
            pki->n_anchors++;
            added++;
        }
    ERR_clear_error(); /* a duplicate anchor is not an error */
    sk_X509_pop_free(certs, X509_free);
    return added;
}

int stir_pki_load_trust(stir_pki_t *pki, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "trust folder %s: %s", dir, strerror(errno));
        return -1;
    }
    int added = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        size_t len;
        char *pem = slurp(path, &len);
        if (pem) added += stir_pki_add_trust_pem(pki, pem, len);
        free(pem);
    }
    closedir(d);
    if (!added) {
        snprintf(err, errlen, "trust folder %s: no PEM certificate in it", dir);
        return -1;
    }
    return added;
}

int stir_pki_add_chain_pem(stir_pki_t *pki, const char *url, const char *pem, size_t len)
{
    if (pki->n_chains >= STIR_PKI_MAX_CHAINS) return -1;
    STACK_OF(X509) *certs = read_pem(pem, len, STIR_PKI_MAX_CHAIN_LEN);
    if (!certs || sk_X509_num(certs) == 0) {
        sk_X509_pop_free(certs, X509_free);
        return -1;
    }
    if (pki->n_chains == pki->cap_chains) {
        size_t cap = pki->cap_chains ? pki->cap_chains * 2 : 16;
        chain_t *v = realloc(pki->chains, cap * sizeof *v);
        if (!v) {
            sk_X509_pop_free(certs, X509_free);
            return -1;
        }
        pki->chains = v;
        pki->cap_chains = cap;
    }
    char *u = strdup(url);
    if (!u) {
        sk_X509_pop_free(certs, X509_free);
        return -1;
    }
    /* keep the table sorted: insert at its place (a URL listed twice:
     * the first one wins, as a cache lookup would find it) */
    size_t lo = 0, hi = pki->n_chains;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(pki->chains[mid].url, u) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < pki->n_chains && !strcmp(pki->chains[lo].url, u)) {
        free(u);
        sk_X509_pop_free(certs, X509_free);
        return 0;
    }
    memmove(&pki->chains[lo + 1], &pki->chains[lo], (pki->n_chains - lo) * sizeof *pki->chains);
    pki->chains[lo] = (chain_t){u, certs};
    pki->n_chains++;
    return 0;
}

static int by_url(const void *a, const void *b)
{
    return strcmp(((const chain_t *)a)->url, ((const chain_t *)b)->url);
}

int stir_pki_load_map(stir_pki_t *pki, const char *file, char *err, size_t errlen)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, errlen, "cert map %s: %s", file, strerror(errno));
        return -1;
    }
    char base[4096];
    snprintf(base, sizeof base, "%s", file);
    char *slash = strrchr(base, '/');
    if (slash)
        slash[1] = '\0';
    else
        snprintf(base, sizeof base, "./");
    char line[8192];
    int loaded = 0, lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        if (!tab || tab == line || !tab[1]) {
            snprintf(err, errlen, "%s:%d: expected URL<TAB>chain-file", file, lineno);
            rc = -1;
            break;
        }
        *tab = '\0';
        const char *chain_file = tab + 1;
        char path[8192];
        snprintf(path, sizeof path, "%s%s", chain_file[0] == '/' ? "" : base, chain_file);
        size_t len;
        char *pem = slurp(path, &len);
        int added = pem ? stir_pki_add_chain_pem(pki, line, pem, len) : -1;
        free(pem);
        if (added != 0) {
            snprintf(err, errlen, "%s:%d: %s: no certificate chain (unreadable, empty or %s)", file,
                     lineno, path,
                     pki->n_chains >= STIR_PKI_MAX_CHAINS ? "too many chains" : "not PEM");
            rc = -1;
            break;
        }
        loaded++;
    }
    fclose(f);
    return rc ? rc : loaded;
}

static const chain_t *find_chain(const stir_pki_t *pki, const char *url)
{
    chain_t key = {.url = (char *)url};
    return pki->n_chains ? bsearch(&key, pki->chains, pki->n_chains, sizeof key, by_url) : NULL;
}

bool stir_pki_has_chain(const stir_pki_t *pki, const char *url)
{
    return find_chain(pki, url) != NULL;
}

bool stir_pki_not_after(const stir_pki_t *pki, const char *url, int64_t *not_after)
{
    const chain_t *c = find_chain(pki, url);
    struct tm tm;
    if (!c || ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(c->certs, 0)), &tm) != 1)
        return false;
    *not_after = (int64_t)timegm(&tm);
    return true;
}

void stir_pki_remove_chain(stir_pki_t *pki, const char *url)
{
    chain_t *c = (chain_t *)find_chain(pki, url);
    if (!c) return;
    size_t at = (size_t)(c - pki->chains);
    free(c->url);
    sk_X509_pop_free(c->certs, X509_free);
    memmove(&pki->chains[at], &pki->chains[at + 1], (pki->n_chains - at - 1) * sizeof *c);
    pki->n_chains--;
}

static bool has_shaken_policy(const stir_pki_t *pki, X509 *leaf)
{
    CERTIFICATEPOLICIES *pol = X509_get_ext_d2i(leaf, NID_certificate_policies, NULL, NULL);
    bool found = false;
    for (int i = 0; pol && i < sk_POLICYINFO_num(pol) && !found; i++)
        found = !OBJ_cmp(sk_POLICYINFO_value(pol, i)->policyid, pki->shaken_oid);
    CERTIFICATEPOLICIES_free(pol);
    return found;
}

static bool tnauth_spc(const stir_pki_t *pki, X509 *leaf, char spc[STIR_SPC_MAX])
{
    int at = X509_get_ext_by_OBJ(leaf, pki->tnauth_oid, -1);
    if (at < 0) return false;
    ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(X509_get_ext(leaf, at));
    return data &&
           stir_tnauth_spc(ASN1_STRING_get0_data(data), (size_t)ASN1_STRING_length(data), spc);
}

void stir_pki_spc(const stir_pki_t *pki, const char *x5u, char spc[STIR_SPC_MAX])
{
    const chain_t *c = find_chain(pki, x5u);
    spc[0] = '\0';
    if (c) tnauth_spc(pki, sk_X509_value(c->certs, 0), spc);
}

void stir_pki_check(const stir_pki_t *pki, const char *x5u, int64_t at, stir_cert_verdict_t *out)
{
    memset(out, 0, sizeof *out);
    const chain_t *c = find_chain(pki, x5u);
    if (!c) {
        out->reason = STIR_CERT_UNAVAILABLE;
        return;
    }
    X509 *leaf = sk_X509_value(c->certs, 0);
    out->key = X509_get0_pubkey(leaf);
    X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, out->subject,
                              sizeof out->subject);
    tnauth_spc(pki, leaf, out->spc);

    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_dup(c->certs);
    if (untrusted) (void)sk_X509_shift(untrusted); /* the issuers after the leaf */
    int ok = -1, error = X509_V_ERR_UNSPECIFIED;
    if (ctx && untrusted && X509_STORE_CTX_init(ctx, pki->store, leaf, untrusted) == 1) {
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at);
        ok = X509_verify_cert(ctx);
        error = X509_STORE_CTX_get_error(ctx);
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    ERR_clear_error();
    if (ok != 1) {
        out->reason =
            (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID)
                ? STIR_CERT_EXPIRED
                : STIR_UNTRUSTED_CHAIN;
        return;
    }
    if (!has_shaken_policy(pki, leaf))
        out->reason = STIR_NO_SHAKEN_POLICY;
    else if (X509_get_ext_by_OBJ(leaf, pki->tnauth_oid, -1) < 0 || !tnauth_spc(pki, leaf, out->spc))
        out->reason = STIR_NO_TNAUTHLIST;
    else
        out->reason = STIR_OK;
}
