/* Tokens of the filter language. Keywords are case-insensitive; names may
 * contain '.', '-' (so `slow-setup` is one name: there is no arithmetic). */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "filter_internal.h"

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

bool snb_flex_ident_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '.' || c == '-';
}

const char *snb_fcmp_name(snb_fcmp_t cmp)
{
    static const char *const names[] = {"==", "!=", "<", ">", "<=", ">=", "=~", "!~"};
    return (unsigned)cmp < sizeof names / sizeof names[0] ? names[cmp] : "?";
}

static snb_ftok_t tok(snb_ftok_kind_t kind, size_t pos, size_t len)
{
    snb_ftok_t t = {.kind = kind, .pos = pos, .len = len};
    return t;
}

static snb_ftok_t cmp_tok(snb_fcmp_t cmp, size_t pos, size_t len)
{
    snb_ftok_t t = tok(TK_CMP, pos, len);
    t.cmp = cmp;
    return t;
}

static snb_ftok_t err_tok(size_t pos, const char *why)
{
    snb_ftok_t t = tok(TK_ERROR, pos, 1);
    t.err = why;
    return t;
}

static bool word_is(const char *s, size_t len, const char *kw)
{
    return strlen(kw) == len && strncasecmp(s, kw, len) == 0;
}

static snb_ftok_t lex_ident(snb_flex_t *lx, size_t start)
{
    const char *s = lx->src;
    size_t i = start;
    while (i < lx->len && snb_flex_ident_char((unsigned char)s[i]))
        i++;
    lx->pos = i;
    size_t n = i - start;
    snb_ftok_kind_t k = TK_IDENT;
    if (word_is(s + start, n, "and"))
        k = TK_AND;
    else if (word_is(s + start, n, "or"))
        k = TK_OR;
    else if (word_is(s + start, n, "not"))
        k = TK_NOT;
    else if (word_is(s + start, n, "true"))
        k = TK_TRUE;
    else if (word_is(s + start, n, "false"))
        k = TK_FALSE;
    return tok(k, start, n);
}

/* Parsed by hand rather than strtod so the locale's decimal point can't
 * change the language: [-] digits [. digits]. */
static snb_ftok_t lex_number(snb_flex_t *lx, size_t start)
{
    const char *s = lx->src;
    size_t i = start;
    bool neg = false;
    if (s[i] == '-') {
        neg = true;
        i++;
    }
    double v = 0;
    while (i < lx->len && is_digit((unsigned char)s[i]))
        v = v * 10 + (s[i++] - '0');
    if (i < lx->len && s[i] == '.') {
        i++;
        if (i >= lx->len || !is_digit((unsigned char)s[i]))
            return err_tok(i, "expected a digit after the decimal point");
        /* Exact digits over an exact power of ten: one rounding in the
         * common cases (up to 15 significant digits). */
        double frac = 0, scale = 1;
        while (i < lx->len && is_digit((unsigned char)s[i])) {
            if (scale < 1e22) {
                frac = frac * 10 + (s[i] - '0');
                scale *= 10;
            }
            i++;
        }
        v += frac / scale;
    }
    if (i < lx->len && snb_flex_ident_char((unsigned char)s[i]))
        return err_tok(i, "unexpected text after a number (values take no unit: write a plain "
                          "number)");
    if (!isfinite(v)) return err_tok(start, "number out of range");
    lx->pos = i;
    snb_ftok_t t = tok(TK_NUMBER, start, i - start);
    t.num = neg ? -v : v;
    return t;
}

static snb_ftok_t lex_string(snb_flex_t *lx, size_t start)
{
    const char *s = lx->src;
    char q = s[start];
    size_t i = start + 1;
    while (i < lx->len && s[i] != q) {
        if (s[i] == '\\' && i + 1 < lx->len) i++;
        i++;
    }
    if (i >= lx->len) return err_tok(start, "unterminated string");
    lx->pos = i + 1;
    return tok(TK_STRING, start, i + 1 - start);
}

size_t snb_flex_unescape(const char *body, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        /* Only \' \" \\ are escapes; any other backslash is kept, so regex
         * patterns like '\d+' read as written. */
        if (body[i] == '\\' && i + 1 < len &&
            (body[i + 1] == '\'' || body[i + 1] == '"' || body[i + 1] == '\\'))
            i++;
        out[n++] = body[i];
    }
    return n;
}

snb_ftok_t snb_flex_next(snb_flex_t *lx)
{
    const char *s = lx->src;
    size_t i = lx->pos;
    while (i < lx->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    lx->pos = i;
    if (i >= lx->len) return tok(TK_EOF, lx->len, 0);

    unsigned char c = (unsigned char)s[i];
    unsigned char d = i + 1 < lx->len ? (unsigned char)s[i + 1] : 0;
    if (is_alpha(c)) return lex_ident(lx, i);
    if (is_digit(c) || (c == '-' && is_digit(d))) return lex_number(lx, i);
    if (c == '\'' || c == '"') return lex_string(lx, i);

    lx->pos = i + 1;
    switch (c) {
    case '(':
        return tok(TK_LPAREN, i, 1);
    case ')':
        return tok(TK_RPAREN, i, 1);
    case '<':
        if (d == '=') return lx->pos++, cmp_tok(CMP_LE, i, 2);
        return cmp_tok(CMP_LT, i, 1);
    case '>':
        if (d == '=') return lx->pos++, cmp_tok(CMP_GE, i, 2);
        return cmp_tok(CMP_GT, i, 1);
    case '=':
        if (d == '=') return lx->pos++, cmp_tok(CMP_EQ, i, 2);
        if (d == '~') return lx->pos++, cmp_tok(CMP_MATCH, i, 2);
        return err_tok(i, "unexpected '=' (did you mean '=='?)");
    case '!':
        if (d == '=') return lx->pos++, cmp_tok(CMP_NE, i, 2);
        if (d == '~') return lx->pos++, cmp_tok(CMP_NMATCH, i, 2);
        return tok(TK_NOT, i, 1);
    case '&':
        if (d == '&') return lx->pos++, tok(TK_AND, i, 2);
        return err_tok(i, "unexpected '&' (did you mean '&&'?)");
    case '|':
        if (d == '|') return lx->pos++, tok(TK_OR, i, 2);
        return err_tok(i, "unexpected '|' (did you mean '||'?)");
    }
    lx->pos = i;
    return err_tok(i, NULL);
}
