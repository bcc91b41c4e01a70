/* See flag_scan.h. */
#include "flag_scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

static bool seen(const snb_loaded_module_t *mods, size_t n, const char *stem)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(mods[i].mod->name, stem)) return true;
    return false;
}

static int cmp_owner(const void *a, const void *b)
{
    return strcmp(((const snb_flag_owner_t *)a)->name, ((const snb_flag_owner_t *)b)->name);
}

/* The files of one folder in name order, so the result does not depend on
 * the directory's order. */
static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int scan_dir(snb_flag_catalog_t *cat, const char *dir, snb_loaded_module_t **mods, size_t *n,
                    size_t *cap)
{
    DIR *d = opendir(dir);
    if (!d) return 0; /* a missing folder on the path is not an error */
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0) continue;
        char **g = realloc(names, (nn + 1) * sizeof *g);
        if (!g) break;
        names = g;
        names[nn] = strdup(e->d_name);
        if (names[nn]) nn++;
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_name);
    int rc = 0;
    for (size_t i = 0; i < nn && rc == 0; i++) {
        char stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)(strlen(names[i]) - 3), names[i]);
        if (seen(*mods, *n, stem)) continue;
        char path[8192], err[512];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) continue;
        snb_loaded_module_t m;
        if (snb_loader_open_path(path, stem, &m, err, sizeof err) != 0) {
            if (!cat->n_broken++) snprintf(cat->broken, sizeof cat->broken, "%s", err);
            continue;
        }
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 16;
            snb_loaded_module_t *g = realloc(*mods, c * sizeof *g);
            if (!g) {
                snb_loader_close(&m);
                rc = -ENOMEM;
                break;
            }
            *mods = g;
            *cap = c;
        }
        (*mods)[(*n)++] = m;
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return rc;
}

int snb_flag_catalog_scan(snb_flag_catalog_t *cat, const char *module_path)
{
    memset(cat, 0, sizeof *cat);
    snb_loaded_module_t *mods = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (const char *p = module_path ? module_path : ""; *p && rc == 0;) {
        size_t len = strcspn(p, ":");
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)len, p);
        if (len) rc = scan_dir(cat, dir, &mods, &n, &cap);
        p += len;
        if (*p == ':') p++;
    }
    cat->mods = mods;
    cat->n_mods = n;
    cat->owners = calloc(n + 1, sizeof *cat->owners);
    if (rc || !cat->owners) {
        snb_flag_catalog_free(cat);
        return -ENOMEM;
    }
    cat->owners[cat->n_owners++] =
        (snb_flag_owner_t){.name = "core", .description = "the core", .flags = snb_core_flags};
    for (size_t i = 0; i < n; i++) {
        const snb_module_t *m = mods[i].mod;
        cat->owners[cat->n_owners++] = (snb_flag_owner_t){
            .name = m->name, .description = m->description, .flags = snb_module_cli_flags(m)};
    }
    qsort(cat->owners + 1, cat->n_owners - 1, sizeof *cat->owners, cmp_owner);
    return 0;
}

void snb_flag_catalog_free(snb_flag_catalog_t *cat)
{
    snb_loaded_module_t *mods = cat->mods;
    for (size_t i = 0; i < cat->n_mods; i++)
        snb_loader_close(&mods[i]);
    free(mods);
    free(cat->owners);
    memset(cat, 0, sizeof *cat);
}
