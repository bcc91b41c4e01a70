/* A fetched response body, capped: the fetch is abandoned as soon as the
 * body would pass the cap, so a hostile server cannot make us buffer more. */
#ifndef STIR_BODY_H
#define STIR_BODY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct stir_body {
    char *data; /* NUL-terminated */
    size_t len, cap;
    bool too_large;
} stir_body_t;

/* Append n bytes; false (and too_large set) when len would pass cap, or
 * out of memory. */
bool stir_body_append(stir_body_t *b, const void *p, size_t n, size_t cap);
void stir_body_free(stir_body_t *b);

#endif
