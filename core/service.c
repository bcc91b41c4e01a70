/* What modules register with the core: services (named, versioned function
 * tables modules offer each other instead of calling a module by name) and
 * a failed exit status. Metric groups are in metrics.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

int snb_core_provide(snb_core_t *core, const char *name, uint32_t version, const void *table)
{
    if (!name || !*name || !table) return -EINVAL;
    for (size_t i = 0; i < core->n_services; i++)
        if (!strcmp(core->services[i].name, name)) return -EEXIST;
    if (core->n_services == core->cap_services) {
        size_t cap = core->cap_services ? core->cap_services * 2 : 16;
        struct snb_service *s = realloc(core->services, cap * sizeof *s);
        if (!s) return -ENOMEM;
        core->services = s;
        core->cap_services = cap;
    }
    char *copy = strdup(name);
    if (!copy) return -ENOMEM;
    core->services[core->n_services++] =
        (struct snb_service){.name = copy, .version = version, .table = table};
    return 0;
}

const void *snb_core_service(snb_core_t *core, const char *name, uint32_t min_version)
{
    for (size_t i = 0; i < core->n_services; i++)
        if (!strcmp(core->services[i].name, name) && core->services[i].version >= min_version)
            return core->services[i].table;
    return NULL;
}

void snb_core_fail(snb_core_t *core, int status)
{
    if (status > core->exit_status) core->exit_status = status;
}
