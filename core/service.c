/* The service registry: named, versioned function tables modules offer each
 * other (the architecture's alternative to calling a module by name). */
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
