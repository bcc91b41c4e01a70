#include "sec_fingerprint.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

const char *sec_fingerprint_from_tag(snb_str_t tag)
{
    /* hex("<something>\x01<digits>"): an even number of hex digits, one
     * 0x01 byte with printable bytes before it and decimal digits after. */
    if (!tag.p || tag.len < 8 || tag.len > 256 || tag.len % 2) return NULL;
    unsigned before = 0, after = 0;
    bool separator = false;
    for (uint32_t i = 0; i < tag.len; i += 2) {
        int hi = hex_value(tag.p[i]), lo = hex_value(tag.p[i + 1]);
        if (hi < 0 || lo < 0) return NULL;
        int b = hi << 4 | lo;
        if (b == 1 && !separator) {
            separator = true;
        } else if (!separator) {
            if (b < 0x20 || b > 0x7e) return NULL;
            before++;
        } else {
            if (b < '0' || b > '9') return NULL;
            after++;
        }
    }
    return separator && before && after ? "SIPVicious" : NULL;
}
