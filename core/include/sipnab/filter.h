/* The filter language: small boolean expressions over named fields, e.g.
 *
 *   state == 'Failed' AND (pdd > 2000 OR from =~ '^alice')
 *   NOT problems
 *
 * Generic and pure: the caller declares its fields (name, type, id) and
 * named aliases (name -> expression text), and supplies the values at
 * evaluation time through a callback. The SIP module, the RTP module and the
 * API all use this one evaluator, so `--filter` means the same everywhere.
 * Regular expressions are PCRE2, compiled once with the filter.
 *
 * A compiled filter is immutable except for the regex match data inside
 * it: evaluate one filter object from one thread at a time (compile one per
 * thread otherwise). Evaluation allocates nothing. The full language is in
 * docs/filter-language.md. */
#ifndef SIPNAB_FILTER_H
#define SIPNAB_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef enum snb_filter_type {
    SNB_FT_STRING,
    SNB_FT_NUMBER, /* double */
    SNB_FT_BOOL,
} snb_filter_type_t;

typedef struct snb_filter_field {
    const char *name; /* e.g. "state", "rtp.mos"; matched case-insensitively */
    snb_filter_type_t type;
    int id; /* passed back to the value callback */
} snb_filter_field_t;

typedef struct snb_filter_alias {
    const char *name;       /* e.g. "failed" */
    const char *expression; /* e.g. "state == 'Failed'"; may use other aliases (no cycles) */
    const char *help;
} snb_filter_alias_t;

typedef struct snb_filter_value {
    bool present; /* false: the field has no value here (e.g. pdd of a call never rung) */
    double num;
    const char *str;
    size_t len;
    bool b;
} snb_filter_value_t;

/* Set a text value for which NULL and "" both mean the field has no value
 * here (e.g. a verdict not reached yet); the stir and siprec fields. */
static inline void snb_filter_value_text(snb_filter_value_t *out, const char *s)
{
    out->present = s && s[0];
    out->str = s;
    out->len = s ? strlen(s) : 0;
}

/* Fill *out for field `id` of the object being tested. */
typedef void (*snb_filter_value_fn)(void *ud, int id, snb_filter_value_t *out);

typedef struct snb_filter snb_filter_t;

/* Compile. On error returns NULL and writes to err a message of the form
 *   "column 12: expected a value after '=='\n  state == AND x\n           ^"
 * (first line the reason, then the expression, then a caret under the
 * position), never longer than errlen. */
snb_filter_t *snb_filter_compile(const char *expr, const snb_filter_field_t *fields,
                                 size_t n_fields, const snb_filter_alias_t *aliases,
                                 size_t n_aliases, char *err, size_t errlen);
bool snb_filter_eval(const snb_filter_t *f, snb_filter_value_fn value, void *ud);
void snb_filter_free(snb_filter_t *f);

/* Limits on an expression (and on each alias text): longer, deeper
 * (parentheses, NOT, alias inside alias) or bigger programs are compile
 * errors, so hostile input is bounded. */
#define SNB_FILTER_MAX_LEN 4096  /* bytes */
#define SNB_FILTER_MAX_DEPTH 64  /* nesting levels */
#define SNB_FILTER_MAX_NODES 256 /* comparisons, constants, NOT, AND, OR */

/* Compile each alias on its own: 0 if all are valid, else -1 with the
 * first error in err (its text, column and caret are the alias's). For
 * callers to check their alias table once at startup. */
int snb_filter_check_aliases(const snb_filter_field_t *fields, size_t n_fields,
                             const snb_filter_alias_t *aliases, size_t n_aliases, char *err,
                             size_t errlen);

/* A short summary of the syntax (several lines, no trailing newline), for
 * --help and error hints. Static storage. */
const char *snb_filter_syntax(void);

#endif
