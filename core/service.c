/* What modules register with the core: services (named, versioned function
 * tables modules offer each other instead of calling a module by name),
 * counter groups for --stats, and a failed exit status. */
#include <errno.h>
#include <string.h>

#include "core_internal.h"

int snb_core_provide(snb_core_t *core, const char *name, uint32_t version, const void *table)
{
    if (!name || !table || strlen(name) >= sizeof core->services[0].name) return -EINVAL;
    for (size_t i = 0; i < core->n_services; i++)
        if (!strcmp(core->services[i].name, name)) return -EEXIST;
    if (core->n_services == sizeof core->services / sizeof core->services[0]) return -ENOSPC;
    struct snb_service *s = &core->services[core->n_services++];
    strcpy(s->name, name);
    s->version = version;
    s->table = table;
    return 0;
}

const void *snb_core_service(snb_core_t *core, const char *name, uint32_t min_version)
{
    for (size_t i = 0; i < core->n_services; i++)
        if (!strcmp(core->services[i].name, name) && core->services[i].version >= min_version)
            return core->services[i].table;
    return NULL;
}

int snb_core_counters(snb_core_t *core, const char *prefix, const snb_counter_def_t *defs,
                      const uint64_t *values, size_t n)
{
    size_t max = sizeof core->counter_groups / sizeof core->counter_groups[0];
    if (!prefix || !defs || !values || core->n_counter_groups == max) return -ENOSPC;
    core->counter_groups[core->n_counter_groups++] =
        (struct snb_counter_group){.prefix = prefix, .defs = defs, .values = values, .n = n};
    return 0;
}

void snb_core_fail(snb_core_t *core, int status)
{
    if (status > core->exit_status) core->exit_status = status;
}
