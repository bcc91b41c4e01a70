/* The core context: the one place process state lives. */
#ifndef SNB_CORE_INTERNAL_H
#define SNB_CORE_INTERNAL_H

#include <stdbool.h>
#include <uv.h>

#include "conf.h"
#include "decoder.h"
#include "privileges.h"
#include "sipnab/core.h"
#include "sipnab/log.h"
#include "sipnab/module.h"
#include "sipnab/stats.h"

/* [core] options. */
typedef struct snb_core_conf {
    snb_strlist_t load;
    const char *module_path;
    const char *log_level;
    bool stats;
    const char *stats_format;
    const char *user; /* become this user once capture is open (-Z) */
} snb_core_conf_t;

/* One loaded module with its configured instances. */
typedef struct snb_loaded_module {
    const snb_module_t *mod;
    void *dl;   /* dlopen handle */
    char *path; /* file it came from */
    snb_instance_conf_t *inst;
    size_t n_inst;
    void *state; /* from init */
    bool inited, started;
} snb_loaded_module_t;

/* The bound configuration: everything validated, nothing applied yet. */
typedef struct snb_bound_conf {
    snb_conf_t *conf; /* owns all strings */
    snb_core_conf_t core;
    snb_decode_limits_t limits;
} snb_bound_conf_t;

struct snb_core {
    uv_loop_t loop;
    snb_bus_t *bus;
    snb_log_level_t log_level;
    snb_hash_key_t hash_key; /* the process's, for every table keyed by packet data */

    snb_bound_conf_t cfg;
    snb_identity_t identity; /* [core] user, resolved at configure time */
    snb_conf_t **old_confs;  /* kept alive: modules that refused a reload still point into them */
    size_t n_old_confs;
    snb_conf_t *reloading; /* the new configuration while reload callbacks run */

    snb_loaded_module_t *mods; /* in dependency order */
    size_t n_mods;

    struct snb_source *sources; /* singly linked */
    int active_sources;
    int holds;
    int pressure; /* outputs asking file sources to wait */
    struct snb_release_waiter {
        void (*cb)(void *ud);
        void *ud;
    } * waiters;
    size_t n_waiters, cap_waiters;
    bool stopping;
    bool init_failed; /* no run happened: no counters to print */
    int exit_status;

    struct snb_service {
        char *name;
        uint32_t version;
        const void *table;
    } * services;
    size_t n_services, cap_services;

    struct snb_output *outputs; /* claims on stdout, in claim order */
    bool outputs_resolved;
    uv_timer_t stdout_flush; /* what was printed reaches a file or pipe within 250 ms */
    bool stdout_flush_open;

    snb_metric_group_t *metric_groups;
    size_t n_metric_groups, cap_metric_groups;

    snb_decode_stats_t decode_stats;
    snb_capture_stats_t capture_stats; /* sources fold theirs in when freed */

    uv_signal_t sig_int, sig_term, sig_hup;
    /* Re-reads the configuration for SIGHUP; set by main. */
    int (*reload_conf)(void *ud, snb_conf_t **out, char *err, size_t errlen);
    void *reload_ud;
};

/* core_config.c: bind [core]/[decode], load modules, bind every section. */
int snb_core_configure(snb_core_t *core, snb_conf_t *conf, char *err, size_t errlen);
void snb_core_dump_config(snb_core_t *core, FILE *out);
void snb_core_reload(snb_core_t *core);
void snb_core_unload_modules(snb_core_t *core);

/* loader.c */
int snb_loader_open(const char *dir, const char *name, snb_loaded_module_t *out, char *err,
                    size_t errlen);
int snb_loader_open_path(const char *path, const char *expect_name, snb_loaded_module_t *out,
                         char *err, size_t errlen);
void snb_loader_close(snb_loaded_module_t *m);
/* The descriptor's flag table (NULL for a descriptor older than the field). */
const snb_flag_t *snb_module_cli_flags(const snb_module_t *m);
/* The descriptor's check callback, or NULL (absent, or an ABI 2.0 module). */
int (*snb_module_check_fn(const snb_module_t *m))(void *state);
/* sipnab -t: init every module, run their checks, fini. 0, or the exit
 * status (2) after one logged line. */
int snb_core_test(snb_core_t *core);
/* modules/ beside the binary when it exists (build tree), else the
 * installed folder (core_config.c). */
const char *snb_default_module_path(char *buf, size_t len);
int snb_loader_sort(snb_loaded_module_t *mods, size_t n, char *err, size_t errlen);

/* source.c */
void snb_sources_stats(snb_core_t *core, snb_capture_stats_t *sum);

/* stats_print.c */
void snb_stats_print(snb_core_t *core, FILE *out, bool json);
/* output.c: decide the active stdout claims (after every init); flush and
 * check stdout at the end (-1 and exit status 1 on a write error). */
void snb_outputs_resolve(snb_core_t *core);
int snb_outputs_finish(snb_core_t *core);
void snb_outputs_free(snb_core_t *core);

/* metrics.c: the core's own group (capture and decode counters). */
int snb_core_metrics_register_builtin(snb_core_t *core);
void snb_core_metrics_free(snb_core_t *core);

/* core.c */
snb_core_t *snb_core_new(void);
int snb_core_run(snb_core_t *core);
void snb_core_free(snb_core_t *core);
void snb_core_request_stop(snb_core_t *core, const char *why);

#endif
