/* Internals shared by the filter's lexer, compiler, regex wrapper and
 * evaluator. Not part of the API. */
#ifndef SNB_FILTER_INTERNAL_H
#define SNB_FILTER_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "filter.h"

/* ---- lexer (filter_lex.c) ---- */

typedef enum snb_ftok_kind {
    TK_EOF,
    TK_IDENT,
    TK_STRING, /* pos/len cover the quotes */
    TK_NUMBER,
    TK_TRUE,
    TK_FALSE,
    TK_AND,
    TK_OR,
    TK_NOT,
    TK_LPAREN,
    TK_RPAREN,
    TK_CMP,
    TK_ERROR, /* err says why; pos is where */
} snb_ftok_kind_t;

typedef enum snb_fcmp {
    CMP_EQ,
    CMP_NE,
    CMP_LT,
    CMP_GT,
    CMP_LE,
    CMP_GE,
    CMP_MATCH,
    CMP_NMATCH,
} snb_fcmp_t;

typedef struct snb_ftok {
    snb_ftok_kind_t kind;
    snb_fcmp_t cmp; /* TK_CMP */
    size_t pos, len;
    double num;      /* TK_NUMBER */
    const char *err; /* TK_ERROR; NULL: an unexpected byte at pos */
} snb_ftok_t;

typedef struct snb_flex {
    const char *src;
    size_t len;
    size_t pos;
} snb_flex_t;

snb_ftok_t snb_flex_next(snb_flex_t *lx);
/* Unescape the body of a string token (without its quotes) into out, which
 * has room for len bytes; returns the unescaped length. */
size_t snb_flex_unescape(const char *body, size_t len, char *out);
const char *snb_fcmp_name(snb_fcmp_t cmp);
bool snb_flex_ident_char(unsigned char c);

/* ---- error messages (filter_error.c) ---- */

/* "column N: <fmt>\n  <src>\n  <caret>" into err (if err && errlen). */
void snb_ferr_vformat(char *err, size_t errlen, const char *src, size_t srclen, size_t pos,
                      const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
void snb_ferr_format(char *err, size_t errlen, const char *src, size_t srclen, size_t pos,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Optimal string alignment distance, ASCII case-insensitive; returns
 * max + 1 as soon as it is known to exceed max. */
size_t snb_ferr_distance(const char *a, size_t alen, const char *b, size_t blen, size_t max);

/* ---- regex (filter_regex.c) ---- */

typedef struct snb_fregex snb_fregex_t;
/* NULL on error: msg gets PCRE2's reason, *offset the offset in the pattern. */
snb_fregex_t *snb_fregex_compile(const char *pat, size_t len, char *msg, size_t msglen,
                                 size_t *offset);
bool snb_fregex_match(snb_fregex_t *re, const char *s, size_t len);
void snb_fregex_free(snb_fregex_t *re);

/* ---- compiled program (filter_compile.c builds, filter_eval.c runs) ---- */

typedef enum snb_fop {
    OP_TEST,  /* acc = compare field with literal */
    OP_CONST, /* acc = b */
    OP_NOT,   /* acc = !acc */
    OP_JF,    /* if !acc goto jump: short-circuit AND */
    OP_JT,    /* if acc goto jump: short-circuit OR */
} snb_fop_t;

typedef struct snb_finsn {
    unsigned char op;   /* snb_fop_t */
    unsigned char cmp;  /* snb_fcmp_t */
    unsigned char type; /* snb_filter_type_t of the field */
    bool b;             /* OP_CONST, or the literal of a BOOL test */
    int jump;           /* OP_JF/OP_JT target */
    int field;          /* caller's field id */
    double num;
    const char *str; /* literal bytes (owned by the filter) */
    size_t len;
    snb_fregex_t *re; /* CMP_MATCH/CMP_NMATCH; shared among equal patterns */
} snb_finsn_t;

struct snb_filter {
    size_t n_code;
    snb_finsn_t *code;
    size_t n_re;
    snb_fregex_t **re; /* owned, freed with the filter */
    /* code[] and the literal bytes follow in the same allocation */
};

#endif
