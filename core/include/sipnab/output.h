/* One owner of stdout. Every module that prints records (per-message
 * lines, NDJSON, reports, tables, fail2ban lines, a TUI) claims stdout for
 * each output it may write, during its init, and writes only through the
 * stream its claim hands out. The core decides, once every init has run,
 * which claims are active:
 *
 *  - an SNB_OUT_AUTO claim (the SIP module's per-message lines when nobody
 *    asked for them) steps back as soon as another module claims stdout
 *    for an output somebody did ask for, so `--streams-json | jq` sees only
 *    stream objects;
 *  - an SNB_OUT_EXCLUSIVE claim (a terminal UI) silences every other;
 *  - an SNB_OUT_SUMMARY claim (`--stats`) never pushes others back;
 *  - text and JSON claims active together are allowed but warned about,
 *    since the result is not NDJSON.
 *
 * The core checks write errors (a full disk, /dev/full) and makes the run
 * exit 1 with one line instead of losing output silently. Loop thread. */
#ifndef SIPNAB_OUTPUT_H
#define SIPNAB_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "sipnab/export.h"

typedef struct snb_core snb_core_t;
typedef struct snb_output snb_output_t;

enum snb_output_format { SNB_OUT_TEXT = 0, SNB_OUT_JSON = 1 };

enum snb_output_flags {
    SNB_OUT_AUTO = 1u << 0,      /* default output: steps back for any asked-for one */
    SNB_OUT_EXCLUSIVE = 1u << 1, /* owns the terminal: every other claim is silenced */
    SNB_OUT_SUMMARY = 1u << 2,   /* an end-of-run summary that never pushes others back */
};

/* Claim stdout for one output, e.g. ("rtp", "streams-json", SNB_OUT_JSON, 0).
 * Call during init; the claim lives until the core ends. NULL when out of
 * memory (the module then prints nothing). */
SNB_API snb_output_t *snb_output_claim(snb_core_t *core, const char *module, const char *what,
                                       int format, unsigned flags);
/* After every init (from start on): is this claim the one writing? */
SNB_API bool snb_output_active(const snb_output_t *o);
/* The stream to write this output's records to, or NULL when the claim is
 * not active (or o is NULL). Write whole records (a line, a report). */
SNB_API FILE *snb_output_stream(const snb_output_t *o);
/* One JSON value as one line (NDJSON), when active. */
SNB_API void snb_output_json(const snb_output_t *o, const json_t *v);
/* One line already rendered (len bytes, no newline; e.g. by sipnab/jsonw.h
 * with ascii, the bytes snb_output_json would print), when active. */
SNB_API void snb_output_line(const snb_output_t *o, const char *text, size_t len);

#endif
