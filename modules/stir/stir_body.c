/* See stir_body.h. */
#include "stir_body.h"

#include <stdlib.h>
#include <string.h>

bool stir_body_append(stir_body_t *b, const void *p, size_t n, size_t cap)
{
    if (n > cap || b->len > cap - n) {
        b->too_large = true;
        return false;
    }
    if (b->len + n + 1 > b->cap) {
        size_t want = b->cap ? b->cap : 4096;
        while (want < b->len + n + 1)
            want *= 2;
        char *d = realloc(b->data, want);
        if (!d) return false;
        b->data = d;
        b->cap = want;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

void stir_body_free(stir_body_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
