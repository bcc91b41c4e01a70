/* sipnab entry point: flags -> configuration -> modules -> loop. */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"
#include "cli.h"
#include "core_internal.h"
#include "flag_scan.h"

/* Everything needed to build the configuration again on SIGHUP. */
typedef struct conf_source {
    const snb_cli_t *cli;
    char used[4096]; /* the main file read last, "" for none (for -t's line) */
} conf_source_t;

static int build_conf(void *ud, snb_conf_t **out, char *err, size_t errlen)
{
    conf_source_t *src = ud;
    snb_conf_t *conf = snb_conf_new();
    *out = conf;
    if (!conf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const char *path = src->cli->config_path;
    if (!path && access(SNB_SYSCONF_DIR "/sipnab.conf", F_OK) == 0)
        path = SNB_SYSCONF_DIR "/sipnab.conf";
    snprintf(src->used, sizeof src->used, "%s", path ? path : "");
    if (path) {
        char *copy = strdup(path);
        if (!copy) return -1;
        char confd[4096];
        snprintf(confd, sizeof confd, "%s/conf.d", dirname(copy));
        free(copy);
        if (snb_conf_load(conf, path, confd, err, errlen) != 0) return -1;
    }
    if (snb_cli_apply(src->cli, conf) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Where the modules are, before the command line can be parsed (their
 * flags live in them): --module-path or -o core.module_path, else [core]
 * module_path of the configuration files, else the default. */
static const char *find_module_path(int argc, char **argv, char *buf, size_t len)
{
    const char *config, *path;
    snb_cli_peek(argc, argv, &config, &path);
    if (path) return path;
    if (!config && access(SNB_SYSCONF_DIR "/sipnab.conf", F_OK) == 0)
        config = SNB_SYSCONF_DIR "/sipnab.conf";
    if (config) {
        snb_conf_t *conf = snb_conf_new();
        char err[SNB_CONF_ERRLEN], confd[4096];
        char *copy = strdup(config);
        if (copy) snprintf(confd, sizeof confd, "%s/conf.d", dirname(copy));
        free(copy);
        /* A broken file is reported by the real load later; here it only
         * means "no module_path from the files". */
        if (conf && copy && snb_conf_load(conf, config, confd, err, sizeof err) == 0) {
            const snb_conf_section_t *core = snb_conf_find(conf, "core", NULL);
            for (size_t i = 0; core && i < core->n_entries; i++) {
                if (!strcmp(core->entries[i].key, "module_path") && *core->entries[i].value) {
                    snprintf(buf, len, "%s", core->entries[i].value);
                    snb_conf_free(conf);
                    return buf;
                }
            }
        }
        snb_conf_free(conf);
    }
    return snb_default_module_path(buf, len);
}

int main(int argc, char **argv)
{
    snb_privileges_clear_ambient(); /* ours, not our children's */
    /* A peer that goes away (a HEP or syslog collector over TCP, a hook
     * that does not read its stdin, the reader of our stdout) is an error
     * to handle where it happens (EPIPE), never a silent death. */
    signal(SIGPIPE, SIG_IGN);
    snb_cli_t cli;
    char err[SNB_CONF_ERRLEN] = "";
    char pathbuf[4096], not_loaded[640] = "";
    snb_flag_catalog_t flags;
    if (snb_flag_catalog_scan(&flags, find_module_path(argc, argv, pathbuf, sizeof pathbuf)) != 0) {
        fprintf(stderr, "sipnab: out of memory\n");
        return 2;
    }
    int parsed = snb_cli_parse(&cli, argc, argv, flags.owners, flags.n_owners, err, sizeof err);
    if (parsed == 0 && cli.help) snb_cli_usage(stdout, flags.owners, flags.n_owners);
    /* A module that did not open has no flags: say so where it matters. */
    if (flags.n_broken && (parsed != 0 || cli.help))
        snprintf(not_loaded, sizeof not_loaded,
                 "; %zu file%s on the module path not loaded, first: %s", flags.n_broken,
                 flags.n_broken == 1 ? "" : "s", flags.broken);
    snb_flag_catalog_free(&flags);
    if (parsed != 0) {
        fprintf(stderr, "sipnab: %s (see --help%s)\n", err, not_loaded);
        snb_cli_free(&cli);
        return 2;
    }
    if (cli.help && not_loaded[0]) fprintf(stderr, "sipnab: warning: %s\n", not_loaded + 2);
    if (cli.help || cli.version) {
        if (cli.version) printf("sipnab %s (%s)\n", SNB_VERSION, snb_allocator_name());
        snb_cli_free(&cli);
        return 0;
    }

    conf_source_t source = {.cli = &cli};
    snb_conf_t *conf = NULL;
    snb_core_t *core = snb_core_new();
    int status = 2;
    if (!core) {
        fprintf(stderr, "sipnab: cannot create the event loop\n");
        goto out;
    }
    if (build_conf(&source, &conf, err, sizeof err) != 0) {
        fprintf(stderr, "sipnab: %s\n", err);
        snb_conf_free(conf);
        goto out;
    }
    /* From here the core owns conf, even when configure fails. */
    if (snb_core_configure(core, conf, err, sizeof err) != 0) {
        if (!core->cfg.conf) snb_conf_free(conf);
        fprintf(stderr, "sipnab: %s\n", err);
        goto out;
    }
    if (cli.test_config || cli.dump_config) {
        /* Every module's init and check run too: a filter that does not
         * compile, a key file that does not load are found here. */
        status = snb_core_test(core);
        if (status != 0) goto out;
        if (cli.dump_config) snb_core_dump_config(core, stdout);
        fprintf(stderr, "sipnab: configuration %s is ok (%zu module%s loaded)\n",
                source.used[0] ? source.used : "(defaults and flags)", core->n_mods,
                core->n_mods == 1 ? "" : "s");
        status = 0;
        goto out;
    }
    core->reload_conf = build_conf;
    core->reload_ud = &source;
    status = snb_core_run(core); /* prints the counters when --stats */
out:
    snb_core_free(core);
    snb_cli_free(&cli);
    return status;
}
