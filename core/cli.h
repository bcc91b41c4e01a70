/* Command-line flags. They do not configure anything themselves: they become
 * a list of config settings replayed onto the parsed files (and replayed
 * again on SIGHUP), so flags and files take one code path.
 *
 * The core knows only its own flags (snb_core_flags); every module declares
 * its own in its descriptor (module.h, snb_flag_t). main() finds the
 * modules on the module path first (snb_cli_peek, flag_scan.c), then parses
 * with every table at once. */
#ifndef SNB_CLI_H
#define SNB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf.h"
#include "sipnab/module.h"

typedef struct snb_cli_set {
    char *section, *instance, *key, *value;
    bool append;
    bool soft; /* from a flag shared by several modules: ignored if its module is not loaded */
} snb_cli_set_t;

/* Origin of soft settings; a section made only of them is dropped, not an
 * error, when its module is not loaded (`--json` with only pcap loaded). */
#define SNB_CLI_SOFT_ORIGIN "command line (if the module is loaded)"

/* Whose flags: "core" or a module (its section name). */
typedef struct snb_flag_owner {
    const char *name;
    const char *description;
    const snb_flag_t *flags;
} snb_flag_owner_t;

/* The core's own flags. Keys starting with '!' are handled by the CLI
 * itself (-c, -t, -T, -o, -h, -V, -N); the rest set [core] options. */
extern const snb_flag_t snb_core_flags[];

typedef struct snb_cli {
    const char *config_path; /* -c; NULL = the default file if it exists */
    bool test_config;        /* -t */
    bool dump_config;        /* -T */
    bool help, version;
    snb_cli_set_t *sets;
    size_t n_sets;
} snb_cli_t;

/* What main needs before the full parse: the configuration file (-c) and
 * the module path (--module-path or -o core.module_path=...), found without
 * knowing the modules' flags. NULL when not given. */
void snb_cli_peek(int argc, char **argv, const char **config_path, const char **module_path);

/* Parse with the core's table first, then the modules' (owners[0] must be
 * the core). Returns 0, or -1 with a one-line reason in err (exit code 2). */
int snb_cli_parse(snb_cli_t *cli, int argc, char **argv, const snb_flag_owner_t *owners,
                  size_t n_owners, char *err, size_t errlen);
/* Replay the settings onto conf, origin "command line". */
int snb_cli_apply(const snb_cli_t *cli, snb_conf_t *conf);
/* --help: every owner's flags, grouped. */
void snb_cli_usage(FILE *out, const snb_flag_owner_t *owners, size_t n_owners);
void snb_cli_free(snb_cli_t *cli);

#endif
