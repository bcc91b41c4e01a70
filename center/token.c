#include "token.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int token_set_add(token_set_t *set, const char *token)
{
    size_t len = token ? strlen(token) : 0;
    if (len == 0 || len > TOKEN_MAX_LEN || set->n >= TOKEN_SET_MAX) return -1;
    SHA256((const unsigned char *)token, len, set->digest[set->n++]);
    return 0;
}

bool token_set_has(const token_set_t *set, const char *token, size_t len)
{
    if (!token || len == 0 || len > TOKEN_MAX_LEN) return false;
    unsigned char d[32];
    SHA256((const unsigned char *)token, len, d);
    int hit = 0;
    for (size_t i = 0; i < set->n; i++)
        hit |= CRYPTO_memcmp(d, set->digest[i], sizeof d) == 0;
    return hit != 0;
}

const char *token_bearer(const char *authorization, size_t *len)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0) return NULL;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    if (!n) return NULL;
    *len = n;
    return t;
}

int token_random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof b || RAND_bytes(b, (int)nbytes) != 1) return -1;
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

void token_digest_hex(const char *token, size_t len, char out[65])
{
    unsigned char d[32];
    SHA256((const unsigned char *)token, len, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}
