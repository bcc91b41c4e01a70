/* The configuration model: a git-config style INI dialect.
 *
 *   # comment            ; comment
 *   [core]
 *   load = pcap, sip
 *   [pcap "lan"]         # section with a named instance
 *   interface = eth0
 *   filter = "udp port 5060"   # double quotes keep spaces and '#'
 *   load += rtp          # += appends to a LIST option; = replaces
 *
 * Files are read in order (main file, then every conf.d file named *.conf,
 * in byte order) into one snb_conf_t; a later value for the same
 * section/instance/key wins. Every value keeps its file:line. Command-line flags call
 * snb_conf_set() with origin "command line", so flags and files take one code path.
 *
 * Value syntax: unquoted text is trimmed; a '#' or ';' at the start of the
 * value or after whitespace starts a comment. "double quoted" parts keep
 * spaces, '#' and ';' and resolve \" \\ \n \t. Quoted and unquoted parts
 * may be mixed (a = x "y z" -> `x y z`). See docs/configuration.md.
 *
 * Binding checks a section against a module's option table and writes typed
 * values into the module's config struct. Pure logic: no libuv, no logging;
 * errors come back as one line "file:line: message" in `err`. */
#ifndef SIPNAB_CONF_H
#define SIPNAB_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sipnab/options.h"

typedef struct snb_conf snb_conf_t;

#define SNB_CONF_ERRLEN 512

/* Hard limits, so hostile input costs bounded time and memory. */
#define SNB_CONF_MAX_LINE 4096          /* bytes per line, without the newline */
#define SNB_CONF_MAX_FILE (1024 * 1024) /* bytes per file */
#define SNB_CONF_MAX_ENTRIES 10000      /* distinct keys over all sections */
#define SNB_CONF_MAX_SECTIONS 10000     /* distinct [section "instance"] pairs */

typedef struct snb_conf_entry {
    const char *key;      /* lower-case */
    const char *value;    /* unquoted, escapes resolved; += parts joined with ", " */
    bool append;          /* a += line contributed since the last '=' (file:line is the last one) */
    const char *file;     /* origin: path, or "command line" */
    int line;             /* 1-based; 0 for the command line */
    bool extends_default; /* only += lines, no '=': a LIST binds as default + value */
} snb_conf_entry_t;

typedef struct snb_conf_section {
    const char *name;     /* lower-case section name, e.g. "pcap" */
    const char *instance; /* "lan" for [pcap "lan"], NULL for [pcap] */
    const char *file;     /* where the section header first appeared */
    int line;
    const snb_conf_entry_t *entries; /* effective entries (later values won) */
    size_t n_entries;
} snb_conf_section_t;

snb_conf_t *snb_conf_new(void);
void snb_conf_free(snb_conf_t *conf);

/* Parse a file and merge it in. Returns 0, or -1 with err = "file:line: why"
 * (a missing file is "path: No such file or directory"). On error the lines
 * before the bad one may already be merged: discard `conf`. */
int snb_conf_parse_file(snb_conf_t *conf, const char *path, char *err, size_t errlen);
/* Same for text in memory; `origin` names it in errors. */
int snb_conf_parse_string(snb_conf_t *conf, const char *text, size_t len, const char *origin,
                          char *err, size_t errlen);
/* main_path, then every *.conf in confd_dir in byte (strcmp) order; a missing
 * confd_dir is fine, a missing main_path is an error. */
int snb_conf_load(snb_conf_t *conf, const char *main_path, const char *confd_dir, char *err,
                  size_t errlen);

/* Set one value as if it had been read (later wins / += appends). Section
 * and key are checked like in a file and stored lower-case; instance may be
 * NULL; value NULL means "". origin NULL means "command line". Returns 0, or
 * -1 for a bad name, too many entries/sections or out of memory. */
int snb_conf_set(snb_conf_t *conf, const char *section, const char *instance, const char *key,
                 const char *value, bool append, const char *origin, int line);

/* Sections in first-appearance order. */
size_t snb_conf_section_count(const snb_conf_t *conf);
const snb_conf_section_t *snb_conf_section_at(const snb_conf_t *conf, size_t i);
const snb_conf_section_t *snb_conf_find(const snb_conf_t *conf, const char *name,
                                        const char *instance);

/* "[pcap]" or "[pcap \"lan\"]" (instance escaped as in a file), for messages.
 * Returns the length snprintf would. */
int snb_conf_section_label(const snb_conf_section_t *section, char *buf, size_t len);

/* Fill `out` (a struct matching `opts`' offsets) with defaults, then with the
 * section's values (section may be NULL: defaults only). Unknown keys, bad
 * values, out-of-range numbers and missing SNB_OPT_REQUIRED options are
 * errors naming file:line. Strings and lists point into memory owned by
 * `conf`, valid until snb_conf_free. Returns 0 or -1; on -1 the option
 * fields of `out` are restored to what they held before the call.
 * `section` must come from `conf` (or be NULL). Values of SNB_OPT_SECRET
 * options never appear in `err`. Binding the same section again (into
 * another struct) is fine. Lists are NULL-terminated: v[n] == NULL. */
int snb_conf_bind(snb_conf_t *conf, const snb_conf_section_t *section, const snb_option_t *opts,
                  void *out, char *err, size_t errlen);

/* Parse one value of one option type (used by bind, and by tests/fuzzers).
 * `dst` points at the field itself (bool *, int64_t *, uint64_t *,
 * const char **, snb_strlist_t *), and is written only on success. Range
 * checks apply. On -1, `why` has the reason without a file:line or option
 * prefix, e.g. "'maybe' is not a boolean (yes/no/true/false/on/off/1/0)". */
int snb_conf_parse_value(snb_conf_t *conf, const snb_option_t *opt, const char *text, void *dst,
                         char *why, size_t whylen);

/* Memory owned by `conf`, freed by snb_conf_free (NULL when out of memory). */
void *snb_conf_alloc(snb_conf_t *conf, size_t size);
char *snb_conf_strdup(snb_conf_t *conf, const char *s);

/* Format one bound field (`field` points at it) the way snb_conf_dump_options
 * prints it: yes/no, 64k, 30s, "quoted text", a, b, <redacted>. Returns the
 * length snprintf would (truncates to fit `len`). */
size_t snb_conf_format_value(const snb_option_t *opt, const void *field, char *buf, size_t len);

/* Print a bound struct as config text, one `key = value` line per option in
 * table order: secrets as "<redacted>" when set, lists joined with ", ",
 * unset strings as `key =`. Used by `sipnab -T`. */
void snb_conf_dump_options(FILE *out, const snb_option_t *opts, const void *bound);

#endif
