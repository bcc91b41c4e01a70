/* The exec module: run an operator's program on events, with the event as
 * one JSON object on its stdin (docs/modules/exec.md):
 *   --on-dialog-exec CMD    every dialog state change (the REST dialog shape)
 *   --on-quality-exec CMD   a stream whose MOS falls below --quality-threshold
 *   --on-alert-exec CMD     every security alert (the --alerts-json shape)
 *
 * A hook never runs through a shell unless `shell = yes`: CMD is split into
 * argv (exec_argv.h). The child gets a minimal environment, no descriptor
 * but its three pipes (everything else is close-on-exec before the spawn),
 * its own session and process group, and a run-time limit after which its
 * whole group is killed. Its stdout and stderr go to our log, up to a cap,
 * after which the pipes are closed. At most `rate_limit` hooks start in any
 * second and `max_children` run at once; the rest are dropped and counted.
 * The loop never waits for a child: libuv process and pipe handles. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec_argv.h"
#include "exec_budget.h"
#include "sipnab/core.h"
#include "sipnab/dialogs.h"
#include "sipnab/error.h"
#include "sipnab/format.h"
#include "sipnab/log.h"
#include "sipnab/media.h"
#include "sipnab/module.h"
#include "sipnab/rtp.h"
#include "sipnab/security.h"
#include "sipnab/sip.h"

typedef struct exec_conf {
    const char *on_dialog;
    const char *on_quality;
    const char *on_alert;
    double quality_threshold;
    int64_t rate_limit;
    int64_t max_children;
    uint64_t timeout; /* ms */
    uint64_t output_cap;
    bool shell;
} exec_conf_t;

enum hook_kind { HOOK_DIALOG, HOOK_QUALITY, HOOK_ALERT, HOOK_COUNT };
static const char *const hook_names[HOOK_COUNT] = {"dialog", "quality", "alert"};

#define MAX_FAILURES 8 /* distinct spawn errors remembered per hook */

typedef struct hook {
    const char *command; /* NULL: not configured */
    exec_argv_t argv;
    int failures[MAX_FAILURES]; /* errors already logged once */
    size_t n_failures;
} hook_t;

enum { M_STARTED, M_DROPPED, M_FAILED, M_KILLED, M_EXITED, M_OUTPUT_TRUNCATED, M_RUNNING, M_COUNT };
enum drop_reason { DROP_RATE, DROP_BUSY, DROP_COUNT };
static const char *const drop_names[DROP_COUNT] = {"rate_limit", "max_children"};

typedef struct exec_mod exec_mod_t;

typedef struct child {
    exec_mod_t *m;
    int hook;
    uv_process_t proc;
    uv_pipe_t out, err;
    uv_timer_t timer;
    int open_handles;
    size_t logged;     /* output bytes logged so far (both pipes) */
    char line[2][256]; /* a partial output line per pipe */
    size_t line_len[2];
    bool exited, killed, truncated;
    struct child *prev, *next;
} child_t;

struct exec_mod {
    snb_core_t *core;
    const exec_conf_t *conf;
    hook_t hooks[HOOK_COUNT];
    exec_budget_t budget;
    const snb_dialogs_service_t *dialogs;
    const snb_media_service_t *media;
    const snb_security_service_t *security;
    snb_event_type_t ev_dialog, ev_stream, ev_alert;
    int sub;
    child_t *children;
    size_t running;
    bool stopping;
    uint64_t by_hook[HOOK_COUNT][M_COUNT];
    uint64_t dropped[HOOK_COUNT][DROP_COUNT];
};

/* ---- a child's lifetime ---- */

static void child_closed(uv_handle_t *h)
{
    child_t *c = h->data;
    if (--c->open_handles > 0) return;
    exec_mod_t *m = c->m;
    if (c->prev)
        c->prev->next = c->next;
    else
        m->children = c->next;
    if (c->next) c->next->prev = c->prev;
    free(c);
    /* Keep a file run alive while hooks run; let it end with the last. */
    if (--m->running == 0) snb_core_unhold(m->core);
}

static void close_handle(child_t *c, uv_handle_t *h)
{
    if (h->data == c && !uv_is_closing(h)) uv_close(h, child_closed);
}

static void flush_line(child_t *c, int which)
{
    if (!c->line_len[which]) return;
    snb_log_info(c->m->core, "exec", "%s hook [%d] %s: %.*s", hook_names[c->hook], c->proc.pid,
                 which ? "stderr" : "stdout", (int)c->line_len[which], c->line[which]);
    c->line_len[which] = 0;
}

/* Output goes to the log line by line, up to output_cap bytes per child;
 * then both pipes are closed (the child gets EPIPE, never blocks us). */
static void on_output(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    child_t *c = s->data;
    int which = s == (uv_stream_t *)&c->err;
    exec_mod_t *m = c->m;
    for (ssize_t i = 0; i < n && !c->truncated; i++) {
        char ch = buf->base[i];
        if (++c->logged > m->conf->output_cap) {
            c->truncated = true;
            m->by_hook[c->hook][M_OUTPUT_TRUNCATED]++;
            snb_log_warn(m->core, "exec", "%s hook [%d]: output beyond %llu bytes not read",
                         hook_names[c->hook], c->proc.pid, (unsigned long long)m->conf->output_cap);
            break;
        }
        if (ch == '\n' || c->line_len[which] == sizeof c->line[which]) {
            flush_line(c, which);
            if (ch == '\n') continue;
        }
        c->line[which][c->line_len[which]++] = ch;
    }
    free(buf->base);
    if (n < 0 || c->truncated) {
        flush_line(c, which);
        if (c->truncated) {
            close_handle(c, (uv_handle_t *)&c->out);
            close_handle(c, (uv_handle_t *)&c->err);
        } else {
            close_handle(c, (uv_handle_t *)s);
        }
    }
}

static void alloc_output(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    size_t size = suggested < 16384 ? suggested : 16384;
    buf->base = malloc(size);
    buf->len = buf->base ? size : 0;
}

static void on_child_exit(uv_process_t *p, int64_t status, int signal)
{
    child_t *c = p->data;
    exec_mod_t *m = c->m;
    c->exited = true;
    m->by_hook[c->hook][M_EXITED]++;
    if (signal && !c->killed)
        snb_log_warn(m->core, "exec", "%s hook [%d] ended by signal %d", hook_names[c->hook],
                     p->pid, signal);
    else if (status && !c->killed)
        snb_log_warn(m->core, "exec", "%s hook [%d] exited with status %lld", hook_names[c->hook],
                     p->pid, (long long)status);
    uv_timer_stop(&c->timer);
    close_handle(c, (uv_handle_t *)&c->timer);
    close_handle(c, (uv_handle_t *)&c->proc);
}

static void kill_group(child_t *c)
{
    if (c->exited || c->killed) return;
    c->killed = true;
    /* Its own process group: what it started goes too. */
    if (kill(-c->proc.pid, SIGKILL) != 0) uv_process_kill(&c->proc, SIGKILL);
}

static void on_timeout(uv_timer_t *t)
{
    child_t *c = t->data;
    if (c->exited) return;
    c->m->by_hook[c->hook][M_KILLED]++;
    snb_log_warn(c->m->core, "exec", "%s hook [%d] still running after %llu ms: killed",
                 hook_names[c->hook], c->proc.pid, (unsigned long long)c->m->conf->timeout);
    kill_group(c);
}

/* ---- spawning ---- */

/* One line per distinct failure of a hook, not one per event. */
static void spawn_failed(exec_mod_t *m, int hook, int err)
{
    hook_t *h = &m->hooks[hook];
    m->by_hook[hook][M_FAILED]++;
    for (size_t i = 0; i < h->n_failures; i++)
        if (h->failures[i] == err) return;
    if (h->n_failures < MAX_FAILURES) h->failures[h->n_failures++] = err;
    snb_log_error(m->core, "exec", "%s hook '%s' cannot run: %s (said once; counted as failed)",
                  hook_names[hook], h->command, uv_strerror(err));
}

/* Everything we hold open (capture handles, sockets, the API's socketpair)
 * is close-on-exec before a hook is started: it gets its three pipes. */
static void cloexec_everything(void)
{
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    for (int fd = 3; fd < 65536; fd++) { /* kernels before 5.11 */
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* The event as the child's stdin: one JSON line in an anonymous file, not a
 * pipe, so that a child that never reads it costs nothing and a big event
 * never blocks the loop. The descriptor, or -1 / a negative uv error. */
static int event_file(json_t *event)
{
    char *json = json_dumps(event, JSON_COMPACT);
    if (!json) return -1;
    int fd = memfd_create("sipnab-event", MFD_CLOEXEC);
    int rc = fd < 0 ? -errno : 0;
    size_t len = strlen(json), done = 0;
    while (rc == 0 && done <= len) {
        /* the text, then its newline: `read line` in a script works */
        ssize_t n = done < len ? write(fd, json + done, len - done) : write(fd, "\n", 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            rc = -(errno ? errno : EIO);
        else
            done += (size_t)n;
    }
    free(json);
    if (rc == 0 && lseek(fd, 0, SEEK_SET) != 0) rc = -errno;
    if (rc) {
        if (fd >= 0) close(fd);
        return rc;
    }
    return fd;
}

static void run_hook(exec_mod_t *m, int hook, json_t *event)
{
    hook_t *h = &m->hooks[hook];
    if (!h->command || m->stopping) return;
    if (m->running >= (size_t)m->conf->max_children) {
        m->dropped[hook][DROP_BUSY]++;
        return;
    }
    if (!exec_budget_take(&m->budget, uv_now(snb_core_loop(m->core)))) {
        m->dropped[hook][DROP_RATE]++;
        return;
    }
    child_t *c = calloc(1, sizeof *c);
    int in = c ? event_file(event) : -1;
    if (in < 0) {
        free(c);
        spawn_failed(m, hook, in == -1 ? UV_ENOMEM : in);
        return;
    }
    c->m = m;
    c->hook = hook;
    uv_loop_t *loop = snb_core_loop(m->core);
    uv_pipe_init(loop, &c->out, 0);
    uv_pipe_init(loop, &c->err, 0);
    c->out.data = c->err.data = c;
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_INHERIT_FD, .data.fd = in},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&c->out},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&c->err}};
    char event_env[64];
    snprintf(event_env, sizeof event_env, "SIPNAB_EVENT=%s", hook_names[hook]);
    char *env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", event_env, NULL};
    char *shell_argv[] = {"/bin/sh", "-c", (char *)h->command, NULL};
    char **argv = m->conf->shell ? shell_argv : h->argv.argv;
    uv_process_options_t opt = {.exit_cb = on_child_exit,
                                .file = argv[0],
                                .args = argv,
                                .env = env,
                                .cwd = "/",
                                .flags = UV_PROCESS_DETACHED, /* setsid: its own group */
                                .stdio_count = 3,
                                .stdio = stdio};
    cloexec_everything();
    c->proc.data = c;
    int rc = uv_spawn(loop, &c->proc, &opt);
    close(in);           /* the child has its own copy */
    c->open_handles = 2; /* the pipes */
    if (rc) {
        /* Handles initialised by uv_spawn on failure must still be closed. */
        m->running++;
        if (m->running == 1) snb_core_hold(m->core);
        if (!uv_is_closing((uv_handle_t *)&c->proc)) {
            c->open_handles++;
            uv_close((uv_handle_t *)&c->proc, child_closed);
        }
        close_handle(c, (uv_handle_t *)&c->out);
        close_handle(c, (uv_handle_t *)&c->err);
        spawn_failed(m, hook, rc);
        return;
    }
    c->open_handles += 2; /* the process and the timer */
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    uv_timer_start(&c->timer, on_timeout, m->conf->timeout, 0);
    c->next = m->children;
    if (c->next) c->next->prev = c;
    m->children = c;
    if (m->running++ == 0) snb_core_hold(m->core);
    m->by_hook[hook][M_STARTED]++;
    uv_read_start((uv_stream_t *)&c->out, alloc_output, on_output);
    uv_read_start((uv_stream_t *)&c->err, alloc_output, on_output);
}

/* ---- events ---- */

static void on_dialog(exec_mod_t *m, const snb_sip_dialog_event_t *ev)
{
    if (!m->hooks[HOOK_DIALOG].command) return;
    const snb_dialog_t *d = m->dialogs->find(m->dialogs->ctx, ev->call_id, strlen(ev->call_id));
    json_t *o = d ? m->dialogs->dialog_json(m->dialogs->ctx, d) : NULL;
    if (!o) return;
    /* Additions to the REST shape: what happened. */
    json_object_set_new(o, "event", json_string("dialog_state"));
    const char *prev = ev->created ? NULL : snb_dialog_state_name(ev->prev_state);
    json_object_set_new(o, "previous_state", prev ? json_string(prev) : json_null());
    run_hook(m, HOOK_DIALOG, o);
    json_decref(o);
}

typedef struct stream_match {
    const snb_rtp_stream_event_t *ev;
    const snb_media_service_t *media;
    json_t *json;
} stream_match_t;

static bool match_stream(void *ud, const snb_stream_info_t *s)
{
    stream_match_t *sm = ud;
    if (sm->json) return false;
    if (strcmp(s->call_id, sm->ev->call_id) != 0 && sm->ev->call_id[0]) return true;
    sm->json = sm->media->stream_json(sm->media->ctx, s->handle);
    return false;
}

static void on_stream(exec_mod_t *m, const snb_rtp_stream_event_t *ev)
{
    if (!m->hooks[HOOK_QUALITY].command || ev->mos < 0 || ev->mos >= m->conf->quality_threshold)
        return;
    stream_match_t sm = {.ev = ev, .media = m->media};
    if (m->media) m->media->find_ssrc(m->media->ctx, ev->ssrc, match_stream, &sm);
    if (!sm.json) { /* the stream left the store: its event's own figures */
        char ssrc[16], src[80], dst[80];
        snprintf(ssrc, sizeof ssrc, "0x%08x", ev->ssrc);
        sm.json =
            json_pack("{s:s, s:s, s:s, s:s, s:I, s:f, s:s?}", "ssrc", ssrc, "codec", ev->codec,
                      "src", snb_format_endpoint(&ev->src, ev->sport, src, sizeof src), "dst",
                      snb_format_endpoint(&ev->dst, ev->dport, dst, sizeof dst), "packets",
                      (json_int_t)ev->packets, "mos", ev->mos, "associated_dialog",
                      ev->call_id[0] ? ev->call_id : NULL);
    }
    if (!sm.json) return;
    json_object_set_new(sm.json, "event", json_string("quality"));
    json_object_set_new(sm.json, "mos", json_real(ev->mos));
    json_object_set_new(sm.json, "quality_threshold", json_real(m->conf->quality_threshold));
    run_hook(m, HOOK_QUALITY, sm.json);
    json_decref(sm.json);
}

static void on_alert(exec_mod_t *m, const snb_security_alert_t *a)
{
    if (!m->hooks[HOOK_ALERT].command || !m->security) return;
    json_t *o = m->security->alert_json(m->security->ctx, a);
    if (!o) return;
    json_object_set_new(o, "event", json_string("security_alert"));
    run_hook(m, HOOK_ALERT, o);
    json_decref(o);
}

static void on_event(void *ud, const snb_event_t *ev)
{
    exec_mod_t *m = ud;
    snb_event_type_t type = (snb_event_type_t)ev->type;
    if (type == m->ev_dialog)
        on_dialog(m, (const snb_sip_dialog_event_t *)ev);
    else if (type == m->ev_stream)
        on_stream(m, (const snb_rtp_stream_event_t *)ev);
    else if (type == m->ev_alert)
        on_alert(m, (const snb_security_alert_t *)ev);
}

/* ---- metrics ---- */

static const char *const hook_label[] = {"hook", NULL};
static const char *const drop_labels[] = {"hook", "reason", NULL};
static const snb_metric_def_t metric_defs[] = {
    {.name = "started", .help = "hooks started", .type = SNB_METRIC_COUNTER, .labels = hook_label},
    {.name = "dropped",
     .help = "hooks not started: over rate_limit or max_children",
     .type = SNB_METRIC_COUNTER,
     .labels = drop_labels},
    {.name = "failed",
     .help = "hooks that could not be started (no such program, ...)",
     .type = SNB_METRIC_COUNTER,
     .labels = hook_label},
    {.name = "killed",
     .help = "hooks killed at their run-time limit",
     .type = SNB_METRIC_COUNTER,
     .labels = hook_label},
    {.name = "exited",
     .help = "hooks that ended",
     .type = SNB_METRIC_COUNTER,
     .labels = hook_label},
    {.name = "output_truncated",
     .help = "hooks whose output went past output_cap",
     .type = SNB_METRIC_COUNTER,
     .labels = hook_label},
    {.name = "running", .help = "hooks running now", .type = SNB_METRIC_GAUGE},
};

static void collect(void *ud, snb_metric_sink_t *sink)
{
    exec_mod_t *m = ud;
    static const int counters[] = {M_STARTED, M_FAILED, M_KILLED, M_EXITED, M_OUTPUT_TRUNCATED};
    static const size_t defs[] = {0, 2, 3, 4, 5};
    for (int h = 0; h < HOOK_COUNT; h++) {
        if (!m->hooks[h].command) continue;
        const char *v[] = {hook_names[h]};
        for (size_t i = 0; i < sizeof counters / sizeof *counters; i++)
            snb_metric_put(sink, defs[i], v, (double)m->by_hook[h][counters[i]]);
        for (int r = 0; r < DROP_COUNT; r++) {
            const char *dv[] = {hook_names[h], drop_names[r]};
            snb_metric_put(sink, 1, dv, (double)m->dropped[h][r]);
        }
    }
    snb_metric_put(sink, 6, NULL, (double)m->running);
}

/* ---- lifetime ---- */

static void exec_fini(void *state)
{
    exec_mod_t *m = state;
    if (!m) return;
    exec_budget_free(&m->budget);
    free(m);
}

/* The hooks of a configuration, split into argv; -1 after one logged line
 * naming the option's origin. */
static int load_hooks(snb_core_t *core, const exec_conf_t *conf, hook_t hooks[HOOK_COUNT])
{
    const char *commands[HOOK_COUNT] = {conf->on_dialog, conf->on_quality, conf->on_alert};
    static const char *const keys[HOOK_COUNT] = {"on_dialog", "on_quality", "on_alert"};
    static const char *const flags[HOOK_COUNT] = {"--on-dialog-exec", "--on-quality-exec",
                                                  "--on-alert-exec"};
    bool any = false;
    for (int h = 0; h < HOOK_COUNT; h++) {
        memset(&hooks[h], 0, sizeof hooks[h]);
        if (!commands[h] || !*commands[h]) continue;
        char why[128], where[512];
        if (exec_argv_split(commands[h], &hooks[h].argv, why, sizeof why) != 0) {
            snb_log_error(
                core, "exec", "%s: %s",
                snb_core_option_where(core, "exec", NULL, keys[h], flags[h], where, sizeof where),
                why);
            return -1;
        }
        hooks[h].command = commands[h];
        any = true;
    }
    if (!any) /* loaded with nothing to do: not an error, but worth a line */
        snb_log_warn(core, "exec",
                     "no hook set (on_dialog, on_quality, on_alert): nothing will run");
    return 0;
}

static int exec_init(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state)
{
    (void)n;
    exec_mod_t *m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    m->core = core;
    m->conf = inst[0].conf;
    if (load_hooks(core, m->conf, m->hooks) != 0) {
        exec_fini(m);
        return SNB_E_CONFIG;
    }
    if (exec_budget_init(&m->budget, (uint32_t)m->conf->rate_limit) != 0) {
        exec_fini(m);
        return -ENOMEM;
    }
    m->dialogs = snb_core_service(core, SNB_DIALOGS_SERVICE, SNB_DIALOGS_SERVICE_VERSION);
    if (!m->dialogs) {
        snb_log_error(core, "exec", "needs the sip module's dialog store");
        exec_fini(m);
        return -ENOENT;
    }
    snb_metric_group_t g = {.prefix = "exec",
                            .defs = metric_defs,
                            .n = sizeof metric_defs / sizeof *metric_defs,
                            .collect = collect,
                            .ud = m};
    int rc = snb_core_metrics(core, &g);
    if (rc) {
        exec_fini(m);
        return rc;
    }
    *state = m;
    return 0;
}

/* Every module has run its init: the producers we need are known. */
/* What a set of hooks needs from the other modules. */
static int hooks_usable(exec_mod_t *m, const hook_t hooks[HOOK_COUNT])
{
    if (hooks[HOOK_ALERT].command &&
        !snb_core_service(m->core, SNB_SECURITY_SERVICE, SNB_SECURITY_SERVICE_VERSION)) {
        snb_log_error(m->core, "exec",
                      "--on-alert-exec: no security alerts without the security module (--load "
                      "security, or one of its flags)");
        return SNB_E_CONFIG;
    }
    if (hooks[HOOK_QUALITY].command &&
        snb_bus_lookup(snb_core_bus(m->core), SNB_RTP_STREAM_EVENT) < 0) {
        snb_log_error(m->core, "exec",
                      "--on-quality-exec: no stream figures without the rtp module");
        return SNB_E_CONFIG;
    }
    return 0;
}

/* Every module has run its init: the producers we need are known. */
static int exec_check(void *state)
{
    exec_mod_t *m = state;
    return hooks_usable(m, m->hooks);
}

/* SIGHUP: new hooks and limits for the events from now on; hooks already
 * running go on. All or nothing: a bad command line keeps the old set. */
static int exec_reload(void *state, const snb_instance_conf_t *inst, size_t n)
{
    (void)n;
    exec_mod_t *m = state;
    const exec_conf_t *conf = inst[0].conf;
    hook_t hooks[HOOK_COUNT];
    if (load_hooks(m->core, conf, hooks) != 0 || hooks_usable(m, hooks) != 0) return SNB_E_CONFIG;
    exec_budget_t budget;
    if (exec_budget_init(&budget, (uint32_t)conf->rate_limit) != 0) return -ENOMEM;
    exec_budget_free(&m->budget);
    m->budget = budget;
    for (int h = 0; h < HOOK_COUNT; h++) { /* argv points into each hook's own buffer */
        m->hooks[h] = (hook_t){.command = hooks[h].command};
        exec_argv_copy(&m->hooks[h].argv, &hooks[h].argv);
    }
    m->conf = conf;
    snb_log_info(m->core, "exec", "reloaded: dialog %s, quality %s, alert %s",
                 hooks[HOOK_DIALOG].command ? hooks[HOOK_DIALOG].command : "-",
                 hooks[HOOK_QUALITY].command ? hooks[HOOK_QUALITY].command : "-",
                 hooks[HOOK_ALERT].command ? hooks[HOOK_ALERT].command : "-");
    return 0;
}

static int exec_start(void *state)
{
    exec_mod_t *m = state;
    snb_bus_t *bus = snb_core_bus(m->core);
    m->media = snb_core_service(m->core, SNB_MEDIA_SERVICE, SNB_MEDIA_SERVICE_VERSION);
    m->security = snb_core_service(m->core, SNB_SECURITY_SERVICE, SNB_SECURITY_SERVICE_VERSION);
    /* All three, whatever is set now: a reload may set another hook. */
    m->ev_dialog = snb_bus_lookup(bus, SNB_SIP_DIALOG_EVENT);
    m->ev_stream = snb_bus_lookup(bus, SNB_RTP_STREAM_EVENT);
    m->ev_alert = snb_bus_lookup(bus, SNB_SECURITY_ALERT_EVENT);
    const snb_event_type_t types[] = {m->ev_dialog, m->ev_stream, m->ev_alert};
    m->sub = snb_bus_subscribe(bus, types, 3, on_event, m);
    return m->sub > 0 ? 0 : m->sub;
}

static void exec_stop(void *state)
{
    exec_mod_t *m = state;
    m->stopping = true;
    snb_bus_unsubscribe(snb_core_bus(m->core), m->sub);
    /* Stopped (Ctrl-C, or every hook is done): nothing may outlive us. */
    for (child_t *c = m->children; c; c = c->next)
        kill_group(c);
}

static const snb_option_t exec_options[] = {
    {.name = "on_dialog",
     .type = SNB_OPT_STRING,
     .offset = offsetof(exec_conf_t, on_dialog),
     .help = "run this on every dialog state change (the dialog's JSON on stdin)"},
    {.name = "on_quality",
     .type = SNB_OPT_STRING,
     .offset = offsetof(exec_conf_t, on_quality),
     .help = "run this when a stream's MOS is below quality_threshold (the stream's JSON)"},
    {.name = "on_alert",
     .type = SNB_OPT_STRING,
     .offset = offsetof(exec_conf_t, on_alert),
     .help = "run this on every security alert (the alert's JSON; needs the security module)"},
    {.name = "quality_threshold",
     .type = SNB_OPT_NUMBER,
     .def = "3.0",
     .min = 1,
     .max = 5,
     .offset = offsetof(exec_conf_t, quality_threshold),
     .help = "MOS below which on_quality runs"},
    {.name = "rate_limit",
     .type = SNB_OPT_INT,
     .def = "10",
     .min = 0,
     .max = EXEC_BUDGET_MAX_RATE,
     .offset = offsetof(exec_conf_t, rate_limit),
     .help = "hooks started in any one second, all hooks together; beyond, dropped and counted "
             "(0: no limit)"},
    {.name = "max_children",
     .type = SNB_OPT_INT,
     .def = "8",
     .min = 1,
     .max = 1024,
     .offset = offsetof(exec_conf_t, max_children),
     .help = "hooks running at once; beyond, dropped and counted"},
    {.name = "timeout",
     .type = SNB_OPT_DURATION,
     .def = "10s",
     .min = 1,
     .max = 3600000,
     .offset = offsetof(exec_conf_t, timeout),
     .help = "a hook still running after this is killed, with its process group"},
    {.name = "output_cap",
     .type = SNB_OPT_SIZE,
     .def = "4k",
     .min = 0,
     .max = 1048576,
     .offset = offsetof(exec_conf_t, output_cap),
     .help = "bytes of a hook's stdout and stderr logged; then its pipes are closed"},
    {.name = "shell",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(exec_conf_t, shell),
     .help = "run the commands through /bin/sh -c (pipes, redirections, $VARS) instead of "
             "splitting them into words"},
    SNB_OPTIONS_END,
};

static const snb_flag_t exec_flags[] = {
    {.name = "on-dialog-exec",
     .arg = "CMD",
     .key = "on_dialog",
     .flags = SNB_FLAG_LOADS,
     .help = "run CMD on every dialog state change, the dialog's JSON on its stdin"},
    {.name = "on-quality-exec",
     .arg = "CMD",
     .key = "on_quality",
     .flags = SNB_FLAG_LOADS,
     .help = "run CMD when a stream's MOS falls below --quality-threshold"},
    {.name = "quality-threshold",
     .arg = "MOS",
     .key = "quality_threshold",
     .help = "MOS below which --on-quality-exec runs (default 3.0)"},
    {.name = "on-alert-exec",
     .arg = "CMD",
     .key = "on_alert",
     .flags = SNB_FLAG_LOADS,
     .help = "run CMD on every security alert, the alert's JSON on its stdin"},
    {.name = "exec-rate-limit",
     .arg = "N",
     .key = "rate_limit",
     .help = "hooks started per second at most, all together (default 10)"},
    {.name = NULL},
};

static const char *const exec_depends[] = {"sip", NULL};

SNB_MODULE(.description = "exec hooks: run a program on dialog changes, quality drops and "
                          "security alerts",
           .depends = exec_depends, .options = exec_options, .conf_size = sizeof(exec_conf_t),
           .init = exec_init, .start = exec_start, .stop = exec_stop, .fini = exec_fini,
           .check = exec_check, .reload = exec_reload, .cli_flags = exec_flags);
