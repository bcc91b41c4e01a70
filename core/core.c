/* The core's lifetime: init modules in dependency order, start subscribers
 * before sources, run the loop, stop sources first, drain, fini in reverse,
 * and close the loop cleanly (uv_loop_close() == 0). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bus_internal.h"
#include "core_internal.h"
#include "sipnab/error.h"
#include "sipnab/output.h"

const snb_hash_key_t *snb_core_hash_key(snb_core_t *core)
{
    return &core->hash_key;
}

uv_loop_t *snb_core_loop(snb_core_t *core)
{
    return &core->loop;
}
snb_bus_t *snb_core_bus(snb_core_t *core)
{
    return core->bus;
}

void snb_core_hold(snb_core_t *core)
{
    core->holds++;
}

void snb_core_unhold(snb_core_t *core)
{
    if (core->holds > 0 && --core->holds == 0 && core->active_sources == 0)
        snb_core_request_stop(core, NULL);
}

void snb_core_pressure(snb_core_t *core, bool on)
{
    if (on) {
        core->pressure++;
        return;
    }
    if (core->pressure == 0 || --core->pressure > 0) return;
    /* Released: wake every waiting source (a callback may wait again). */
    size_t n = core->n_waiters;
    struct snb_release_waiter *w = core->waiters;
    core->waiters = NULL;
    core->n_waiters = core->cap_waiters = 0;
    for (size_t i = 0; i < n; i++)
        w[i].cb(w[i].ud);
    free(w);
}

bool snb_core_pressured(const snb_core_t *core)
{
    return core->pressure > 0;
}

int snb_core_when_released(snb_core_t *core, void (*cb)(void *ud), void *ud)
{
    if (core->n_waiters == core->cap_waiters) {
        size_t cap = core->cap_waiters ? core->cap_waiters * 2 : 4;
        struct snb_release_waiter *w = realloc(core->waiters, cap * sizeof *w);
        if (!w) return -ENOMEM;
        core->waiters = w;
        core->cap_waiters = cap;
    }
    core->waiters[core->n_waiters++] = (struct snb_release_waiter){cb, ud};
    return 0;
}

void snb_core_cancel_released(snb_core_t *core, void (*cb)(void *ud), void *ud)
{
    for (size_t i = 0; i < core->n_waiters; i++)
        if (core->waiters[i].cb == cb && core->waiters[i].ud == ud)
            core->waiters[i--] = core->waiters[--core->n_waiters];
}

snb_core_t *snb_core_new(void)
{
    snb_core_t *core = calloc(1, sizeof *core);
    if (!core) return NULL;
    core->log_level = SNB_LOG_INFO;
    snb_hash_key_random(&core->hash_key);
    if (uv_loop_init(&core->loop) != 0) {
        free(core);
        return NULL;
    }
    core->bus = snb_bus_new();
    if (!core->bus || snb_core_metrics_register_builtin(core) != 0) {
        snb_bus_free(core->bus);
        snb_core_metrics_free(core);
        uv_loop_close(&core->loop);
        free(core);
        return NULL;
    }
    return core;
}

static bool is_source(const snb_loaded_module_t *m)
{
    return m->mod->flags & SNB_MOD_SOURCE;
}

static void stop_modules(snb_core_t *core, bool sources)
{
    for (size_t i = core->n_mods; i-- > 0;) {
        snb_loaded_module_t *m = &core->mods[i];
        if (m->started && is_source(m) == sources) {
            m->mod->stop(m->state);
            m->started = false;
        }
    }
}

void snb_core_request_stop(snb_core_t *core, const char *why)
{
    if (core->stopping) return;
    core->stopping = true;
    if (why) snb_log_info(core, "sipnab", "stopping (%s)", why);
    stop_modules(core, true); /* sources first: no new packets */
    stop_modules(core, false);
    uv_close((uv_handle_t *)&core->sig_int, NULL);
    uv_close((uv_handle_t *)&core->sig_term, NULL);
    uv_close((uv_handle_t *)&core->sig_hup, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    snb_core_t *core = h->data;
    if (signum == SIGHUP) {
        snb_core_reload(core);
        return;
    }
    snb_core_request_stop(core, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static int start_signals(snb_core_t *core)
{
    uv_signal_t *sigs[] = {&core->sig_int, &core->sig_term, &core->sig_hup};
    int nums[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        uv_signal_init(&core->loop, sigs[i]);
        sigs[i]->data = core;
    }
    for (int i = 0; i < 3; i++) {
        int rc = uv_signal_start(sigs[i], on_signal, nums[i]);
        if (rc) return rc;
    }
    return 0;
}

static int start_modules(snb_core_t *core, bool sources)
{
    for (size_t i = 0; i < core->n_mods && !core->stopping; i++) {
        snb_loaded_module_t *m = &core->mods[i];
        if (is_source(m) != sources) continue;
        /* Marked first: a module whose start fails half way still gets stop(),
         * to close what it opened before failing. */
        m->started = true;
        int rc = m->mod->start(m->state);
        if (rc) {
            /* The module has said why (module.h contract); this is for debugging. */
            snb_log_debug(core, m->mod->name, "start failed: %s", snb_strerror(rc));
            return rc;
        }
    }
    return 0;
}

static void close_leftover(uv_handle_t *h, void *arg)
{
    snb_core_t *core = arg;
    if (!uv_is_closing(h)) {
        snb_log_warn(core, "sipnab", "closing a %s handle a module left open",
                     uv_handle_type_name(uv_handle_get_type(h)));
        uv_close(h, NULL);
    }
}

static int init_modules(snb_core_t *core)
{
    for (size_t i = 0; i < core->n_mods; i++) {
        snb_loaded_module_t *m = &core->mods[i];
        int rc = m->mod->init(core, m->inst, m->n_inst, &m->state);
        if (rc) {
            snb_log_debug(core, m->mod->name, "init failed: %s", snb_strerror(rc));
            core->init_failed = true;
            return rc;
        }
        m->inited = true;
    }
    return 0;
}

/* Every init has run: what needs the other modules can be checked. */
static int check_modules(snb_core_t *core)
{
    for (size_t i = 0; i < core->n_mods; i++) {
        int (*check)(void *) = snb_module_check_fn(core->mods[i].mod);
        int rc = check ? check(core->mods[i].state) : 0;
        if (rc) {
            core->init_failed = true;
            return rc;
        }
    }
    return 0;
}

static void fini_modules(snb_core_t *core)
{
    for (size_t i = core->n_mods; i-- > 0;) {
        snb_loaded_module_t *m = &core->mods[i];
        if (m->inited) m->mod->fini(m->state);
        m->inited = false;
    }
}

int snb_core_test(snb_core_t *core)
{
    int rc = init_modules(core);
    if (rc == 0) rc = check_modules(core);
    fini_modules(core);
    uv_walk(&core->loop, close_leftover, core);
    uv_run(&core->loop, UV_RUN_DEFAULT);
    return rc ? 2 : 0;
}

/* Every capture handle and socket is open: give up root if asked to. */
static int drop_privileges(snb_core_t *core)
{
    char what[256] = "";
    int rc = snb_privileges_drop(&core->identity, what, sizeof what);
    if (rc) {
        snb_log_error(core, "sipnab", "%s", what);
        return -EPERM; /* a runtime failure: exit 1 */
    }
    if (*what) snb_log_info(core, "sipnab", "%s", what);
    return 0;
}

int snb_core_run(snb_core_t *core)
{
    int rc = start_signals(core);
    bool stats_json = core->cfg.core.stats_format && !strcmp(core->cfg.core.stats_format, "json");
    snb_output_t *stats =
        core->cfg.core.stats
            ? snb_output_claim(core, "core", "--stats", stats_json ? SNB_OUT_JSON : SNB_OUT_TEXT,
                               SNB_OUT_SUMMARY)
            : NULL;
    if (rc == 0) rc = init_modules(core);
    if (rc == 0) rc = check_modules(core);
    /* Every module has claimed what it may print: decide who owns stdout. */
    snb_outputs_resolve(core);
    if (rc == 0) rc = start_modules(core, false);
    if (rc == 0) rc = start_modules(core, true);
    if (rc == 0) rc = drop_privileges(core);
    if (rc == 0 && core->active_sources == 0 && core->holds == 0 && !core->stopping) {
        snb_log_error(core, "sipnab",
                      "nothing to capture: give -I FILE or -d INTERFACE, or configure a "
                      "[pcap \"name\"] section");
        rc = SNB_E_CONFIG;
    }
    if (rc) {
        core->exit_status = rc == SNB_E_CONFIG ? 2 : 1;
        snb_core_request_stop(core, NULL);
    }
    uv_run(&core->loop, UV_RUN_DEFAULT);
    /* Counters are read before fini: module counter groups live in module state. */
    FILE *out = snb_output_stream(stats);
    if (out && !core->init_failed) snb_stats_print(core, out, stats_json);
    snb_outputs_finish(core);

    fini_modules(core);
    /* A module that forgot a handle must not make uv_loop_close fail. */
    uv_walk(&core->loop, close_leftover, core);
    uv_run(&core->loop, UV_RUN_DEFAULT);
    return core->exit_status;
}

void snb_core_free(snb_core_t *core)
{
    if (!core) return;
    free(core->waiters);
    while (core->sources)
        snb_source_free(core->sources);
    snb_bus_free(core->bus);
    snb_core_unload_modules(core);
    if (uv_loop_close(&core->loop) != 0) snb_log_warn(core, "sipnab", "event loop not closed");
    snb_conf_free(core->cfg.conf);
    for (size_t i = 0; i < core->n_services; i++)
        free(core->services[i].name);
    free(core->services);
    snb_core_metrics_free(core);
    snb_outputs_free(core);
    for (size_t i = 0; i < core->n_old_confs; i++)
        snb_conf_free(core->old_confs[i]);
    free(core->old_confs);
    free(core);
}
