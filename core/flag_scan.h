/* Every module's command-line flags, read from the descriptors of the
 * modules on the module path before the command line is parsed (so that
 * `-L` is known to belong to hep.so, and --help can list every flag).
 * Reading a descriptor dlopens the file but runs none of the module's
 * callbacks; only modules in `load` (or loaded by one of their flags) are
 * initialised later. A file that is not a valid module is skipped here; if
 * it is in `load`, the loader reports it then. Otherwise its flags are
 * unknown, so the first such file and why are kept for the error that an
 * unknown flag then gets (an out-of-tree module built against a newer
 * sipnab, or not linked with libsipnab-util, says why instead of vanishing). */
#ifndef SNB_FLAG_SCAN_H
#define SNB_FLAG_SCAN_H

#include <stddef.h>

#include "cli.h"

typedef struct snb_flag_catalog {
    snb_flag_owner_t *owners; /* [0] is the core, then modules by name */
    size_t n_owners;
    void *mods; /* snb_loaded_module_t[], kept open while the tables are used */
    size_t n_mods;
    size_t n_broken;  /* .so files on the path that did not open as modules */
    char broken[512]; /* the first one's loader error; "" if none */
} snb_flag_catalog_t;

/* module_path is ':'-separated; the first folder holding NAME.so wins, as
 * for loading. 0, or -ENOMEM. */
int snb_flag_catalog_scan(snb_flag_catalog_t *cat, const char *module_path);
void snb_flag_catalog_free(snb_flag_catalog_t *cat);

#endif
