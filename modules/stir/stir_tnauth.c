/* See stir_tnauth.h. A minimal DER walker: definite lengths only (DER has
 * no other), every length checked against what is left. */
#include "stir_tnauth.h"

#include <stdint.h>
#include <string.h>

/* One TLV at *p: its tag and content; advances *p past it. */
static bool tlv(const unsigned char **p, const unsigned char *end, unsigned *tag,
                const unsigned char **content, size_t *clen)
{
    if (end - *p < 2) return false;
    *tag = (*p)[0];
    size_t len = (*p)[1];
    const unsigned char *q = *p + 2;
    if (len & 0x80) {
        unsigned n = len & 0x7f;
        if (n == 0 || n > 3 || (size_t)(end - q) < n) return false;
        len = 0;
        for (unsigned i = 0; i < n; i++)
            len = (len << 8) | q[i];
        q += n;
    }
    if ((size_t)(end - q) < len) return false;
    *content = q;
    *clen = len;
    *p = q + len;
    return true;
}

bool stir_tnauth_spc(const unsigned char *der, size_t len, char spc[STIR_SPC_MAX])
{
    spc[0] = '\0';
    const unsigned char *p = der, *end = der + len, *list;
    unsigned tag;
    size_t list_len;
    if (!tlv(&p, end, &tag, &list, &list_len) || tag != 0x30 || p != end) return false;
    const unsigned char *q = list, *list_end = list + list_len;
    bool any = false;
    while (q < list_end) {
        const unsigned char *entry;
        size_t entry_len;
        if (!tlv(&q, list_end, &tag, &entry, &entry_len)) return false;
        any = true;
        if (tag != 0xA0 || spc[0]) continue; /* [1] range, [2] one: TNs, not an SPC */
        const unsigned char *e = entry, *s;
        size_t slen;
        if (!tlv(&e, entry + entry_len, &tag, &s, &slen) || tag != 0x16) return false;
        if (slen == 0 || slen >= STIR_SPC_MAX) return false;
        for (size_t i = 0; i < slen; i++)
            if (s[i] < 0x20 || s[i] > 0x7e) return false;
        memcpy(spc, s, slen);
        spc[slen] = '\0';
    }
    return any;
}
