/* See stir_b64url.h. */
#include "stir_b64url.h"

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

long stir_b64url_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
    while (len && in[len - 1] == '=')
        len--;
    if (len % 4 == 1) return -1; /* one leftover character carries no byte */
    size_t n = 0;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = sextet(in[i]);
        if (v < 0) return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap) return -1;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)n;
}

long stir_b64url_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = 0;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            if (n + 1 >= cap) return -1;
            out[n++] = alphabet[(acc >> bits) & 63];
        }
        acc &= (1u << bits) - 1;
    }
    if (bits) {
        if (n + 1 >= cap) return -1;
        out[n++] = alphabet[(acc << (6 - bits)) & 63];
    }
    if (n >= cap) return -1;
    out[n] = '\0';
    return (long)n;
}
