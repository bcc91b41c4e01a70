/* The module ABI. A module is one .so exporting exactly one symbol,
 * `snb_module_info`, a const snb_module_t filled by SNB_MODULE(). The loader
 * refuses it, with one line naming the file and the reason, if the ABI major
 * differs, its minor is newer than the core's, the build signature differs,
 * the name differs from the file stem, or a mandatory callback is missing. */
#ifndef SIPNAB_MODULE_H
#define SIPNAB_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "sipnab/export.h"
#include "sipnab/options.h"

#define SNB_ABI_MAJOR 2
#define SNB_ABI_MINOR 1
#define SNB_MODULE_SYMBOL snb_module_info
#define SNB_MODULE_SYMBOL_NAME "snb_module_info"

/* Build signature: a module must be built the same way as the core, since
 * sanitizer runtimes and struct layouts differ between these builds. */
#if defined(__SANITIZE_ADDRESS__)
#define SNB_SIG_ASAN "asan"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SNB_SIG_ASAN "asan"
#endif
#endif
#ifndef SNB_SIG_ASAN
#define SNB_SIG_ASAN "noasan"
#endif
#define SNB_SIG_STR2(x) #x
#define SNB_SIG_STR(x) SNB_SIG_STR2(x)
#define SNB_BUILD_SIGNATURE "ptr" SNB_SIG_STR(__SIZEOF_POINTER__) "-" SNB_SIG_ASAN

typedef struct snb_core snb_core_t;

/* One configured instance: `[pcap "lan"]` has name "lan"; a bare `[sip]` has
 * name NULL. conf points at a struct of the module's conf_size, filled from
 * its option table; it stays valid until fini (or the next reload). */
typedef struct snb_instance_conf {
    const char *name;
    const void *conf;
} snb_instance_conf_t;

/* ---- command-line flags ----
 * A module declares its own flags; each is shorthand for one setting of
 * the module's section, so flags and files take one code path. `sipnab
 * --help` lists every flag of every module found on the module path,
 * grouped by module, and the core names no module itself. A flag name may
 * be declared by several modules (--report, --json): it then sets each
 * loaded declarer's option and is ignored for the others. */
enum snb_flag_flags {
    SNB_FLAG_APPEND = 1u << 0,     /* each use appends to a list option */
    SNB_FLAG_LOADS = 1u << 1,      /* using the flag loads the module (-L loads hep) */
    SNB_FLAG_POSITIONAL = 1u << 2, /* the words after the options, joined by spaces */
};

/* instance: NULL sets the module's single instance; "name" that instance;
 * SNB_FLAG_INSTANCE_ARG an instance named by the value (-d eth0 -> [pcap
 * "eth0"]); "#stem" a new instance per use (stem1, stem2, ...); "*" every
 * instance this module's flags created, and "*stem" those made by "#stem"
 * (applied after all flags, whatever their order). */
#define SNB_FLAG_INSTANCE_ARG "$"

typedef struct snb_flag {
    const char *name;  /* long name without "--" ("dialogs-json"); NULL ends the table */
    char short_name;   /* 'L', or 0 */
    const char *arg;   /* metavar ("ADDR:PORT"); NULL: the flag takes no value */
    const char *help;  /* one line */
    const char *key;   /* the option it sets */
    const char *value; /* for a flag without value: the value set ("yes") */
    const char *instance;
    unsigned flags;    /* snb_flag_flags */
    const char *needs; /* "api" or "input|device": one of these flags must be used too */
} snb_flag_t;

enum snb_module_flags {
    SNB_MOD_MULTI_INSTANCE = 1u << 0, /* accepts [name "instance"] sections, 0..N of them */
    SNB_MOD_SOURCE = 1u << 1,         /* produces packets: started last, stopped first */
};

typedef struct snb_module {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t struct_size; /* sizeof(snb_module_t) the module was built with */
    const char *build_signature;
    const char *name; /* must equal the file stem: sip.so -> "sip" */
    const char *description;
    const char *const *depends;  /* NULL-terminated module names, or NULL */
    const snb_option_t *options; /* ends with SNB_OPTIONS_END, or NULL */
    size_t conf_size;            /* size of the struct the options are written into */
    uint32_t flags;              /* snb_module_flags */

    /* Mandatory. init gets every instance (single-instance modules always get
     * exactly one, with defaults when their section is absent) and returns 0
     * or a negative error, having logged why. */
    int (*init)(snb_core_t *core, const snb_instance_conf_t *inst, size_t n, void **state);
    int (*start)(void *state);
    void (*stop)(void *state);
    void (*fini)(void *state);
    /* Optional: apply a new, already validated configuration. Return 0 to
     * accept; a negative error means the module kept its old configuration
     * untouched. Without it, config changes to the module need a restart. */
    int (*reload)(void *state, const snb_instance_conf_t *inst, size_t n);
    /* Optional: the module's command-line flags, ending with {.name = NULL}. */
    const snb_flag_t *cli_flags;
    /* Optional (ABI 2.1): called once every module's init has run and before
     * any start, on every run and by `sipnab -t`: check what needs the other
     * modules (a filter over every module's filter fields, say). Log one
     * line, naming the option's origin (snb_core_option_where), and return a
     * negative error (SNB_E_CONFIG) to refuse the configuration. */
    int (*check)(void *state);
} snb_module_t;

/* SNB_MODULE_NAME is defined by the build from the module's folder name. */
#define SNB_MODULE(...)                                                                            \
    SNB_MODULE_EXPORT const snb_module_t SNB_MODULE_SYMBOL = {.abi_major = SNB_ABI_MAJOR,          \
                                                              .abi_minor = SNB_ABI_MINOR,          \
                                                              .struct_size = sizeof(snb_module_t), \
                                                              .build_signature =                   \
                                                                  SNB_BUILD_SIGNATURE,             \
                                                              .name = SNB_MODULE_NAME,             \
                                                              __VA_ARGS__}

#endif
