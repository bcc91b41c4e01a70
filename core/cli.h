/* Command-line flags. They do not configure anything themselves: they become
 * a list of config settings replayed onto the parsed files (and replayed
 * again on SIGHUP), so flags and files take one code path. */
#ifndef SNB_CLI_H
#define SNB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

typedef struct snb_cli_set {
    char *section, *instance, *key, *value;
    bool append;
    bool soft; /* from a flag shared by several modules: ignored if its module is not loaded */
} snb_cli_set_t;

/* Origin of soft settings; a section made only of them is dropped, not an
 * error, when its module is not loaded (`--json` with only pcap loaded). */
#define SNB_CLI_SOFT_ORIGIN "command line (if the module is loaded)"

typedef struct snb_cli {
    const char *config_path; /* -c; NULL = the default file if it exists */
    bool test_config;        /* -t */
    bool dump_config;        /* -T */
    bool help, version;
    snb_cli_set_t *sets;
    size_t n_sets;
} snb_cli_t;

/* Returns 0, or -1 with a one-line reason in err (exit code 2). */
int snb_cli_parse(snb_cli_t *cli, int argc, char **argv, char *err, size_t errlen);
/* Replay the settings onto conf, origin "command line". */
int snb_cli_apply(const snb_cli_t *cli, snb_conf_t *conf);
void snb_cli_usage(FILE *out);
void snb_cli_free(snb_cli_t *cli);

#endif
