/* Zero-copy string slices ({ptr,len} into a packet, Kamailio's `str`) and
 * the few helpers every text protocol needs. Header-only so pure parsers in
 * modules can use them without linking the core. */
#ifndef SIPNAB_STR_H
#define SIPNAB_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct snb_str {
    const char *p; /* NULL when absent */
    uint32_t len;
} snb_str_t;

#define SNB_STR_NULL ((snb_str_t){NULL, 0})
#define SNB_STR_LIT(s) ((snb_str_t){(s), (uint32_t)(sizeof(s) - 1)})

static inline snb_str_t snb_str(const char *p, size_t len)
{
    return (snb_str_t){p, (uint32_t)len};
}

static inline bool snb_str_present(snb_str_t s)
{
    return s.p != NULL;
}

static inline char snb_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Case-insensitive equality with a NUL-terminated literal. */
static inline bool snb_str_ieq(snb_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n) return false;
    for (size_t i = 0; i < n; i++)
        if (snb_ascii_lower(s.p[i]) != snb_ascii_lower(lit[i])) return false;
    return true;
}

static inline bool snb_str_eq(snb_str_t a, snb_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Copy into buf as a C string, truncating; returns buf. */
static inline char *snb_str_copy(snb_str_t s, char *buf, size_t size)
{
    size_t n = s.len < size - 1 ? s.len : size - 1;
    if (n) memcpy(buf, s.p, n);
    buf[n] = '\0';
    return buf;
}

#endif
