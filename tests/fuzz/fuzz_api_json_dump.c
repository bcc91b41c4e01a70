/* libFuzzer: api_json_dump must give json_dumps(JSON_COMPACT |
 * JSON_PRESERVE_ORDER)'s bytes (or fail where it fails) for any document
 * jansson parses, and for any bytes as a string value (no UTF-8 check). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_json_dump.h"

static void compare(json_t *v)
{
    size_t len;
    char *ours = api_json_dump(v, &len);
    char *theirs = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!ours != !theirs) abort();
    if (ours && (strcmp(ours, theirs) != 0 || len != strlen(theirs))) abort();
    free(ours);
    free(theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (v) {
        json_t *wrap = json_array();
        json_array_append(wrap, v);
        compare(v);
        compare(wrap);
        json_decref(wrap);
        json_decref(v);
    }
    json_t *raw = json_array();
    json_array_append_new(raw, json_stringn_nocheck((const char *)data, size));
    compare(raw);
    json_decref(raw);
    return 0;
}
