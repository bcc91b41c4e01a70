/* See stir_passport.h. */
#include "stir_passport.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stir_b64url.h"

static json_t *decode_object(snb_str_t b64)
{
    unsigned char buf[STIR_PASSPORT_MAX_JSON];
    if (b64.len > (STIR_PASSPORT_MAX_JSON * 4) / 3 + 4) return NULL;
    long n = stir_b64url_decode(b64.p, b64.len, buf, sizeof buf);
    if (n <= 0) return NULL;
    json_t *o = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* A string member into buf; false (and buf "") when absent or not a
 * string. A value too long for buf, or with an embedded NUL, is present but
 * empty: it can then match nothing (alg, typ, ppt, TNs are short). */
static bool get_string(json_t *o, const char *key, char *buf, size_t size)
{
    json_t *v = json_object_get(o, key);
    buf[0] = '\0';
    if (!json_is_string(v)) return false;
    size_t n = json_string_length(v);
    if (n < size && !memchr(json_string_value(v), '\0', n))
        memcpy(buf, json_string_value(v), n + 1);
    return true;
}

static bool get_url(json_t *o, const char *key, char *buf, size_t size)
{
    json_t *v = json_object_get(o, key);
    buf[0] = '\0';
    if (!json_is_string(v) || json_string_length(v) >= size) return false;
    if (memchr(json_string_value(v), '\0', json_string_length(v))) return false;
    memcpy(buf, json_string_value(v), json_string_length(v) + 1);
    return true;
}

/* A TN claim: "tn" as a string (orig, div) or an array of strings (dest). */
static void get_tns(json_t *claim, stir_passport_t *out)
{
    json_t *tn = json_object_get(claim, "tn");
    if (json_is_string(tn))
        tn = json_pack("[O]", tn);
    else
        json_incref(tn);
    size_t i;
    json_t *v;
    json_array_foreach(tn, i, v)
    {
        if (out->n_dest >= STIR_MAX_DEST) break;
        if (!json_is_string(v)) continue;
        snprintf(out->dest_tn[out->n_dest++], sizeof out->dest_tn[0], "%s", json_string_value(v));
    }
    json_decref(tn);
}

bool stir_passport_decode(const stir_identity_t *id, stir_passport_t *out)
{
    memset(out, 0, sizeof *out);
    unsigned char sig[STIR_SIG_LEN + 4];
    if (id->compact || id->sig_b64.len > 100) return false;
    if (stir_b64url_decode(id->sig_b64.p, id->sig_b64.len, sig, sizeof sig) != STIR_SIG_LEN)
        return false;
    memcpy(out->sig, sig, STIR_SIG_LEN);
    json_t *h = decode_object(id->header_b64);
    json_t *c = h ? decode_object(id->claims_b64) : NULL;
    if (!h || !c) {
        json_decref(h);
        json_decref(c);
        return false;
    }
    out->has_alg = get_string(h, "alg", out->alg, sizeof out->alg);
    out->has_typ = get_string(h, "typ", out->typ, sizeof out->typ);
    out->has_ppt = get_string(h, "ppt", out->ppt, sizeof out->ppt);
    out->has_x5u = get_url(h, "x5u", out->x5u, sizeof out->x5u);

    out->has_attest = get_string(c, "attest", out->attest, sizeof out->attest);
    out->has_origid = get_string(c, "origid", out->origid, sizeof out->origid);
    json_t *iat = json_object_get(c, "iat");
    if (json_is_integer(iat)) {
        out->iat = json_integer_value(iat);
        out->has_iat = true;
    }
    json_t *orig = json_object_get(c, "orig");
    out->has_orig =
        json_is_object(orig) && get_string(orig, "tn", out->orig_tn, sizeof out->orig_tn);
    json_t *div = json_object_get(c, "div");
    out->has_div = json_is_object(div) && get_string(div, "tn", out->div_tn, sizeof out->div_tn);
    json_t *dest = json_object_get(c, "dest");
    if (json_is_object(dest)) get_tns(dest, out);
    json_decref(h);
    json_decref(c);
    return true;
}

/* RFC 8225 §9: keys in lexicographic order, no whitespace, then base64url. */
static long canonical_b64(json_t *o, char *out, size_t size)
{
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!text) return -1;
    long n = stir_b64url_encode((const unsigned char *)text, strlen(text), out, size);
    free(text);
    return n;
}

bool stir_passport_rebuild(const stir_identity_t *id, const char *orig_tn, const char *dest_tn,
                           int64_t date, stir_passport_t *out, char *input, size_t input_size)
{
    memset(out, 0, sizeof *out);
    unsigned char sig[STIR_SIG_LEN + 4];
    if (!id->compact || id->sig_b64.len > 100 || !id->info.p || !orig_tn[0] || !dest_tn[0])
        return false;
    if (stir_b64url_decode(id->sig_b64.p, id->sig_b64.len, sig, sizeof sig) != STIR_SIG_LEN)
        return false;
    memcpy(out->sig, sig, STIR_SIG_LEN);
    if (id->info.len >= sizeof out->x5u || memchr(id->info.p, '\0', id->info.len)) return false;
    snb_str_copy(id->info, out->x5u, sizeof out->x5u);
    snprintf(out->alg, sizeof out->alg, "ES256");
    snprintf(out->typ, sizeof out->typ, "passport");
    out->has_alg = out->has_typ = out->has_x5u = true;
    if (id->ppt.p) {
        if (id->ppt.len >= sizeof out->ppt) return false;
        snb_str_copy(id->ppt, out->ppt, sizeof out->ppt);
        out->has_ppt = true;
    }
    snprintf(out->orig_tn, sizeof out->orig_tn, "%s", orig_tn);
    snprintf(out->dest_tn[0], sizeof out->dest_tn[0], "%s", dest_tn);
    out->n_dest = 1;
    out->iat = date;
    out->has_orig = out->has_iat = true;

    json_t *h = json_pack("{s:s, s:s, s:s}", "alg", out->alg, "typ", out->typ, "x5u", out->x5u);
    if (h && out->has_ppt) json_object_set_new(h, "ppt", json_string(out->ppt));
    json_t *c = json_pack("{s:{s:[s]}, s:I, s:{s:s}}", "dest", "tn", dest_tn, "iat",
                          (json_int_t)date, "orig", "tn", orig_tn);
    if (!h || !c) {
        json_decref(h);
        json_decref(c);
        return false;
    }
    long hn = canonical_b64(h, input, input_size);
    if (hn < 0 || (size_t)hn + 2 >= input_size) {
        json_decref(c);
        return false;
    }
    input[hn] = '.';
    return canonical_b64(c, input + hn + 1, input_size - (size_t)hn - 1) >= 0;
}
