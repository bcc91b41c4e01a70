/* See api_json_dump.h: the value written by sipnab/jsonw.h, whose
 * snb_jsonw_json follows jansson 2.14's do_dump() and dump_string() with
 * JSON_COMPACT (check_api_json_dump and fuzz_api_json_dump compare). */
#include "api_json_dump.h"

#include "sipnab/jsonw.h"

char *api_json_dump(const json_t *v, size_t *len)
{
    *len = 0;
    if (!v || (!json_is_object(v) && !json_is_array(v))) return NULL;
    snb_jsonw_t w;
    snb_jsonw_init(&w, false);
    if (!snb_jsonw_json(&w, NULL, v) || !w.p) {
        snb_jsonw_free(&w);
        return NULL;
    }
    *len = w.len;
    return w.p; /* NUL-terminated; the caller frees it */
}
