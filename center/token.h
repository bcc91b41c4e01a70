/* Secrets: the operator and collector token sets (compared in constant time
 * against SHA-256 digests, so neither timing nor length leaks), random
 * session ids and share tokens, and the share token's stored digest. */
#ifndef SNB_CENTER_TOKEN_H
#define SNB_CENTER_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_SET_MAX 64
#define TOKEN_MAX_LEN 512

typedef struct token_set {
    unsigned char digest[TOKEN_SET_MAX][32];
    size_t n;
} token_set_t;

/* Adds one token; -1 when empty, too long or the set is full. */
int token_set_add(token_set_t *set, const char *token);
/* Constant-time over every member: a match costs as much as a miss. */
bool token_set_has(const token_set_t *set, const char *token, size_t len);

/* The token of "Authorization: Bearer <token>" (case-insensitive scheme);
 * NULL when absent or another scheme. */
const char *token_bearer(const char *authorization, size_t *len);

/* nbytes random bytes as lowercase hex into out (2*nbytes+1). 0 or -1. */
int token_random_hex(char *out, size_t nbytes);
/* Hex SHA-256 of a token (65 bytes), the form a share token is stored in. */
void token_digest_hex(const char *token, size_t len, char out[65]);

#endif
