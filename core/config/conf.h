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
 * Files are read in order (main file, then conf.d/*.conf in byte order) into
 * one snb_conf_t; a later value for the same section/instance/key wins. Every
 * value keeps its file:line. Command-line flags call snb_conf_set() with
 * origin "command line", so flags and files take one code path.
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

typedef struct snb_conf_entry {
    const char *key;
    const char *value; /* unquoted, escapes resolved */
    bool append;       /* written with += */
    const char *file;  /* origin: path, or "command line" */
    int line;          /* 1-based; 0 for the command line */
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
 * (a missing file is "path: No such file or directory"). */
int snb_conf_parse_file(snb_conf_t *conf, const char *path, char *err, size_t errlen);
/* Same for text in memory; `origin` names it in errors. */
int snb_conf_parse_string(snb_conf_t *conf, const char *text, size_t len, const char *origin,
                          char *err, size_t errlen);
/* main_path, then every *.conf in confd_dir in byte (strcmp) order; a missing
 * confd_dir is fine, a missing main_path is an error. */
int snb_conf_load(snb_conf_t *conf, const char *main_path, const char *confd_dir, char *err,
                  size_t errlen);

/* Set one value as if it had been read (later wins / += appends). */
int snb_conf_set(snb_conf_t *conf, const char *section, const char *instance, const char *key,
                 const char *value, bool append, const char *origin, int line);

/* Sections in first-appearance order. */
size_t snb_conf_section_count(const snb_conf_t *conf);
const snb_conf_section_t *snb_conf_section_at(const snb_conf_t *conf, size_t i);
const snb_conf_section_t *snb_conf_find(const snb_conf_t *conf, const char *name,
                                        const char *instance);

/* Fill `out` (a struct matching `opts`' offsets) with defaults, then with the
 * section's values (section may be NULL: defaults only). Unknown keys, bad
 * values, out-of-range numbers and missing SNB_OPT_REQUIRED options are
 * errors naming file:line. Strings and lists point into memory owned by
 * `conf`, valid until snb_conf_free. Returns 0 or -1. */
int snb_conf_bind(snb_conf_t *conf, const snb_conf_section_t *section, const snb_option_t *opts,
                  void *out, char *err, size_t errlen);

/* Parse one value of one option type (used by bind, and by tests/fuzzers). */
int snb_conf_parse_value(snb_conf_t *conf, const snb_option_t *opt, const char *text, void *dst,
                         char *why, size_t whylen);

/* Print a bound struct as config text: `key = value`, secrets as "<redacted>",
 * lists joined with ", ". Used by `sipnab -T`. */
void snb_conf_dump_options(FILE *out, const snb_option_t *opts, const void *bound);

#endif
