/* Declarative module options (nginx's ngx_command_t idea): each module lists
 * its options once - name, type, default, range, help, secret - and the core
 * parses, validates and writes them into the module's config struct at
 * `offset`. Errors name file:line before any module starts. */
#ifndef SIPNAB_OPTIONS_H
#define SIPNAB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum snb_opt_type {
    SNB_OPT_BOOL,     /* bool: yes/no/true/false/on/off/1/0 */
    SNB_OPT_INT,      /* int64_t within [min, max] */
    SNB_OPT_SIZE,     /* uint64_t bytes; suffixes k, m, g (powers of 1024) */
    SNB_OPT_DURATION, /* uint64_t milliseconds; suffixes ms, s, m, h (bare = seconds) */
    SNB_OPT_STRING,   /* const char * (owned by the core's config) */
    SNB_OPT_ENUM,     /* const char *, one of the '|'-separated `choices` */
    SNB_OPT_LIST,     /* snb_strlist_t: words split on spaces/commas; repeated keys append */
    SNB_OPT_NUMBER,   /* double, finite, within [min, max] (integers) when either is set */
} snb_opt_type_t;

enum snb_opt_flags {
    SNB_OPT_SECRET = 1u << 0,   /* redacted by `sipnab -T` and never logged */
    SNB_OPT_REQUIRED = 1u << 1, /* must be set in every instance */
};

typedef struct snb_strlist {
    const char **v;
    size_t n;
} snb_strlist_t;

typedef struct snb_option {
    const char *name;
    snb_opt_type_t type;
    const char *def;     /* default as text, parsed like a config value; NULL = unset */
    int64_t min, max;    /* INT/SIZE/DURATION range (both 0 = unbounded) */
    const char *choices; /* ENUM: "a|b|c" */
    unsigned flags;
    size_t offset; /* where the value goes in the module's config struct */
    const char *help;
} snb_option_t;

#define SNB_OPTIONS_END                                                                            \
    {                                                                                              \
        .name = NULL                                                                               \
    }

#endif
