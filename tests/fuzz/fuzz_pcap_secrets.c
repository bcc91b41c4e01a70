/* libFuzzer: the pcapng Decryption Secrets Block walker on arbitrary
 * bytes, fed whole and in chunks of the size the first byte gives; both
 * must find the same secrets, each within its block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng_secrets.h"

typedef struct found {
    int n;
    size_t bytes;
} found_t;

static void on_secrets(void *ud, uint32_t type, const uint8_t *data, size_t len)
{
    (void)type;
    found_t *f = ud;
    if (len && !data) abort();
    f->n++;
    f->bytes += len;
}

static found_t walk(const uint8_t *data, size_t size, size_t chunk)
{
    pcapng_secrets_t w;
    found_t f = {0};
    pcapng_secrets_init(&w, 4096, on_secrets, &f);
    for (size_t off = 0; off < size; off += chunk)
        pcapng_secrets_feed(&w, data + off, size - off < chunk ? size - off : chunk);
    pcapng_secrets_free(&w);
    if (f.bytes > size) abort();
    return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    size_t chunk = (size_t)data[0] % 64 + 1;
    found_t whole = walk(data + 1, size - 1, size), chunked = walk(data + 1, size - 1, chunk);
    if (whole.n != chunked.n || whole.bytes != chunked.bytes) abort();
    return 0;
}
