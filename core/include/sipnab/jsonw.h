/* JSON text written straight into a buffer, without a jansson tree.
 *
 * The bytes are those of jansson's json_dumps(tree, JSON_COMPACT |
 * JSON_PRESERVE_ORDER [| JSON_ENSURE_ASCII]) for the tree the same calls
 * would have built with json_object_set_new, json_stringn and friends,
 * including its one surprise: a string that is not valid UTF-8 makes
 * json_stringn return NULL and the member is left out; so it is here.
 * (check_jsonw compares the two on random documents.)
 *
 * Why: a SIP message rendered as a tree of 26 members, dumped, then freed
 * cost about 30 000 instructions; written, about a tenth of that. Every
 * `--json` line and every message the API process holds for MCP is one. */
#ifndef SIPNAB_JSONW_H
#define SIPNAB_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SNB_JSONW_MAX_DEPTH 32

typedef struct snb_jsonw {
    char *p; /* NUL-terminated text, len bytes */
    size_t len, cap;
    bool failed; /* out of memory or too deep: the text is incomplete */
    bool ascii;  /* non-ASCII as \uXXXX (JSON_ENSURE_ASCII) */
    unsigned depth;
    uint32_t members; /* bit d: the container at depth d has a member (a comma before the next) */
} snb_jsonw_t;

/* An empty writer (no allocation until the first byte). */
void snb_jsonw_init(snb_jsonw_t *w, bool ascii);
/* Empty again, keeping the buffer. */
void snb_jsonw_reset(snb_jsonw_t *w);
void snb_jsonw_free(snb_jsonw_t *w);

/* Every value below takes key: the member's name inside an object, NULL
 * for an array element or the top-level value. A key is a plain name (the
 * literals of a schema: no '"', '\\' or control byte) and is written as is.
 * Each is an inline wrapper around its _k form, which takes the key's
 * length: for a literal key the compiler folds it, so no strlen runs per
 * member (the API feed writes about 275 members a dialog). */
#define SNB_JSONW_KLEN(key) ((key) ? strlen(key) : 0)

void snb_jsonw_object_begin_k(snb_jsonw_t *w, const char *key, size_t klen);
void snb_jsonw_object_end(snb_jsonw_t *w);
void snb_jsonw_array_begin_k(snb_jsonw_t *w, const char *key, size_t klen);
void snb_jsonw_array_end(snb_jsonw_t *w);
void snb_jsonw_string_k(snb_jsonw_t *w, const char *key, size_t klen, const char *s, size_t n);
void snb_jsonw_cstring_k(snb_jsonw_t *w, const char *key, size_t klen, const char *s);
void snb_jsonw_int_k(snb_jsonw_t *w, const char *key, size_t klen, long long v);
void snb_jsonw_bool_k(snb_jsonw_t *w, const char *key, size_t klen, bool v);
void snb_jsonw_null_k(snb_jsonw_t *w, const char *key, size_t klen);
void snb_jsonw_real_k(snb_jsonw_t *w, const char *key, size_t klen, double v);
bool snb_jsonw_json_k(snb_jsonw_t *w, const char *key, size_t klen, const json_t *v);

static inline void snb_jsonw_object_begin(snb_jsonw_t *w, const char *key)
{
    snb_jsonw_object_begin_k(w, key, SNB_JSONW_KLEN(key));
}
static inline void snb_jsonw_array_begin(snb_jsonw_t *w, const char *key)
{
    snb_jsonw_array_begin_k(w, key, SNB_JSONW_KLEN(key));
}
/* s of n bytes; NULL writes null. Not valid UTF-8: nothing is written. */
static inline void snb_jsonw_string(snb_jsonw_t *w, const char *key, const char *s, size_t n)
{
    snb_jsonw_string_k(w, key, SNB_JSONW_KLEN(key), s, n);
}
/* A C string; NULL writes nothing (json_string(NULL) is NULL too). */
static inline void snb_jsonw_cstring(snb_jsonw_t *w, const char *key, const char *s)
{
    snb_jsonw_cstring_k(w, key, SNB_JSONW_KLEN(key), s);
}
static inline void snb_jsonw_int(snb_jsonw_t *w, const char *key, long long v)
{
    snb_jsonw_int_k(w, key, SNB_JSONW_KLEN(key), v);
}
static inline void snb_jsonw_bool(snb_jsonw_t *w, const char *key, bool v)
{
    snb_jsonw_bool_k(w, key, SNB_JSONW_KLEN(key), v);
}
static inline void snb_jsonw_null(snb_jsonw_t *w, const char *key)
{
    snb_jsonw_null_k(w, key, SNB_JSONW_KLEN(key));
}
/* A double as jansson writes a real ("%.17g", ".0" when it reads as an
 * integer, the exponent without '+' or leading zeros); NaN and infinities
 * write nothing (json_real refuses them). */
static inline void snb_jsonw_real(snb_jsonw_t *w, const char *key, double v)
{
    snb_jsonw_real_k(w, key, SNB_JSONW_KLEN(key), v);
}
/* Would json_stringn(s, n) take these bytes (valid UTF-8 as jansson checks
 * it: no continuation byte first, no overlong form, no surrogate, nothing
 * above U+10FFFF)? */
bool snb_jsonw_utf8_valid(const char *s, size_t n);
/* A jansson value as json_dumps writes it (its object keys escaped); false,
 * and the writer failed, where json_dumps fails: a string that is not
 * UTF-8 (made with a _nocheck call), or a type it does not dump. */
static inline bool snb_jsonw_json(snb_jsonw_t *w, const char *key, const json_t *v)
{
    return snb_jsonw_json_k(w, key, SNB_JSONW_KLEN(key), v);
}
/* Every member of the jansson object as members of the object being
 * written (keys escaped), in its order: a tree built elsewhere (a dialog's
 * annotations) joined to members written here. False as snb_jsonw_json. */
bool snb_jsonw_members(snb_jsonw_t *w, const json_t *object);
/* The same, leaving out the members named in skip (NULL-terminated; NULL
 * leaves out none): a lighter view of a tree without copying it. */
bool snb_jsonw_members_except(snb_jsonw_t *w, const json_t *object, const char *const *skip);

#endif
