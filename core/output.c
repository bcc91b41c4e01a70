/* The owner of stdout (see sipnab/output.h): claims, the one decision of
 * which are active, and the check that what was written reached the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"
#include "sipnab/output.h"

struct snb_output {
    snb_core_t *core;
    char *module, *what;
    int format;
    unsigned flags;
    bool active;
    struct snb_output *next;
};

snb_output_t *snb_output_claim(snb_core_t *core, const char *module, const char *what, int format,
                               unsigned flags)
{
    snb_output_t *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->module = strdup(module ? module : "?");
    o->what = strdup(what ? what : "output");
    if (!o->module || !o->what) {
        free(o->module);
        free(o->what);
        free(o);
        return NULL;
    }
    o->core = core;
    o->format = format;
    o->flags = flags;
    /* Active until decided otherwise: a claim made after the decision (a
     * late module) writes. */
    o->active = true;
    o->next = NULL;
    snb_output_t **pp = &core->outputs;
    while (*pp)
        pp = &(*pp)->next;
    *pp = o;
    if (core->outputs_resolved) snb_outputs_resolve(core);
    return o;
}

static void flush_stdout(uv_timer_t *t)
{
    (void)t;
    fflush(stdout);
}

void snb_outputs_resolve(snb_core_t *core)
{
    const snb_output_t *exclusive = NULL;
    bool asked = false;
    for (const snb_output_t *o = core->outputs; o; o = o->next) {
        if ((o->flags & SNB_OUT_EXCLUSIVE) && !exclusive) exclusive = o;
        if (!(o->flags & (SNB_OUT_AUTO | SNB_OUT_SUMMARY))) asked = true;
    }
    const snb_output_t *text = NULL, *json = NULL;
    for (snb_output_t *o = core->outputs; o; o = o->next) {
        if (exclusive)
            o->active = o == exclusive;
        else
            o->active = !((o->flags & SNB_OUT_AUTO) && asked);
        if (!o->active) continue;
        if (o->format == SNB_OUT_JSON && !json) json = o;
        if (o->format == SNB_OUT_TEXT && !text) text = o;
    }
    if (text && json && !core->outputs_resolved)
        snb_log_warn(core, "sipnab",
                     "stdout mixes text (%s %s) and JSON (%s %s): it is not NDJSON for jq",
                     text->module, text->what, json->module, json->what);
    core->outputs_resolved = true;
    /* stdout to a file or a pipe is block-buffered (fast); a live capture
     * must still show its lines promptly (tail -f, a fail2ban log). */
    if (!core->stdout_flush_open && uv_timer_init(&core->loop, &core->stdout_flush) == 0) {
        core->stdout_flush_open = true;
        uv_timer_start(&core->stdout_flush, flush_stdout, 250, 250);
        uv_unref((uv_handle_t *)&core->stdout_flush); /* never keeps sipnab running */
    }
}

bool snb_output_active(const snb_output_t *o)
{
    return o && o->active;
}

FILE *snb_output_stream(const snb_output_t *o)
{
    return snb_output_active(o) ? stdout : NULL;
}

void snb_output_json(const snb_output_t *o, const json_t *v)
{
    FILE *out = snb_output_stream(o);
    if (!out || !v) return;
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (!text) return;
    size_t len = strlen(text);
    /* One write per record: a line is never split between two writers. */
    fwrite(text, 1, len, out);
    fputc('\n', out);
    free(text);
}

void snb_output_line(const snb_output_t *o, const char *text, size_t len)
{
    FILE *out = snb_output_stream(o);
    if (!out || !text) return;
    fwrite(text, 1, len, out);
    fputc('\n', out);
}

int snb_outputs_finish(snb_core_t *core)
{
    if (core->stdout_flush_open) {
        core->stdout_flush_open = false;
        uv_close((uv_handle_t *)&core->stdout_flush, NULL);
    }
    errno = 0;
    int rc = fflush(stdout);
    int err = errno;
    if ((rc != 0 || ferror(stdout)) && err == EPIPE) {
        /* The reader left (`sipnab ... | head`): what it did not read, it
         * did not want; say nothing, as tools killed by SIGPIPE do. */
        snb_log_debug(core, "sipnab", "stdout: the reader closed the pipe");
        return 0;
    }
    if (rc != 0 || ferror(stdout)) {
        snb_log_error(core, "sipnab", "stdout: write error: %s; output was lost",
                      err ? strerror(err) : "unknown error");
        snb_core_fail(core, 1);
        return -1;
    }
    return 0;
}

void snb_outputs_free(snb_core_t *core)
{
    for (snb_output_t *o = core->outputs, *n; o; o = n) {
        n = o->next;
        free(o->module);
        free(o->what);
        free(o);
    }
    core->outputs = NULL;
}
