/* Module loader: dlopen one .so, check its descriptor, order by dependencies.
 * Every refusal is one line naming the file and the reason. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_internal.h"
#include "sipnab/error.h"

__attribute__((format(printf, 4, 5))) static int refuse(char *err, size_t errlen, const char *path,
                                                        const char *fmt, ...)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "module %s: %s", base, why);
    return SNB_E_MODULE;
}

/* The mandatory fields of a v1 descriptor end with fini. */
#define SNB_MODULE_MIN_SIZE (offsetof(snb_module_t, fini) + sizeof(void (*)(void *)))

static int check_descriptor(const char *path, const char *expect_name, const snb_module_t *m,
                            char *err, size_t errlen)
{
    if (m->abi_major != SNB_ABI_MAJOR || m->abi_minor > SNB_ABI_MINOR) {
        return refuse(err, errlen, path, "built for ABI %u.%u, core speaks %d.%d", m->abi_major,
                      m->abi_minor, SNB_ABI_MAJOR, SNB_ABI_MINOR);
    }
    if (m->struct_size < SNB_MODULE_MIN_SIZE)
        return refuse(err, errlen, path, "descriptor too small (%u bytes, need %zu)",
                      m->struct_size, (size_t)SNB_MODULE_MIN_SIZE);
    if (!m->build_signature || strcmp(m->build_signature, SNB_BUILD_SIGNATURE) != 0)
        return refuse(err, errlen, path, "built as '%s', core is '%s'",
                      m->build_signature ? m->build_signature : "(none)", SNB_BUILD_SIGNATURE);
    if (!m->name || strcmp(m->name, expect_name) != 0)
        return refuse(err, errlen, path, "calls itself '%s' but the file is %s.so",
                      m->name ? m->name : "(none)", expect_name);
    const char *missing = !m->init    ? "init"
                          : !m->start ? "start"
                          : !m->stop  ? "stop"
                          : !m->fini  ? "fini"
                                      : NULL;
    if (missing) return refuse(err, errlen, path, "missing mandatory callback '%s'", missing);
    if (m->options && m->conf_size == 0)
        return refuse(err, errlen, path, "declares options but conf_size is 0");
    for (const snb_option_t *o = m->options; o && o->name; o++) {
        if (o->offset >= m->conf_size)
            return refuse(err, errlen, path, "option '%s' lies outside its config struct", o->name);
    }
    for (const snb_flag_t *f = snb_module_cli_flags(m); f && f->name; f++) {
        bool known = false;
        for (const snb_option_t *o = m->options; o && o->name && !known; o++)
            known = f->key && !strcmp(o->name, f->key);
        if (!*f->name || strchr(f->name, '=') || f->name[0] == '-')
            return refuse(err, errlen, path, "flag '%s' has a bad name", f->name);
        if (!known)
            return refuse(err, errlen, path, "flag --%s sets '%s', which is not an option", f->name,
                          f->key ? f->key : "(none)");
        if (!f->arg && !f->value)
            return refuse(err, errlen, path, "flag --%s takes no value and sets none", f->name);
        if ((f->flags & SNB_FLAG_POSITIONAL) && !f->arg)
            return refuse(err, errlen, path, "positional flag '%s' needs an arg name", f->name);
        if (f->instance && !(m->flags & SNB_MOD_MULTI_INSTANCE))
            return refuse(err, errlen, path,
                          "flag --%s names an instance of a single-instance "
                          "module",
                          f->name);
    }
    return 0;
}

const snb_flag_t *snb_module_cli_flags(const snb_module_t *m)
{
    /* Descriptors are append-only: an older one ends before the field. */
    if (m->struct_size < offsetof(snb_module_t, cli_flags) + sizeof m->cli_flags) return NULL;
    return m->cli_flags;
}

int (*snb_module_check_fn(const snb_module_t *m))(void *state)
{
    if (m->struct_size < offsetof(snb_module_t, check) + sizeof m->check) return NULL;
    return m->check;
}

int snb_loader_open_path(const char *path, const char *expect_name, snb_loaded_module_t *out,
                         char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    dlerror();
    /* RTLD_NOW: a missing symbol fails here, not in the middle of a capture.
     * RTLD_LOCAL: modules cannot see each other's symbols. RTLD_NODELETE: a
     * module read only for its flags, then closed, stays mapped, and so do
     * the libraries it brought (libcurl, OpenSSL): their exit handlers and
     * thread destructors must not point into unmapped code (LeakSanitizer's
     * exit scan crashed on it). */
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!dl) {
        const char *why = dlerror();
        return refuse(err, errlen, path, "cannot load: %s", why ? why : "unknown error");
    }
    dlerror();
    const snb_module_t *m = dlsym(dl, SNB_MODULE_SYMBOL_NAME);
    const char *dlerr = dlerror();
    if (dlerr || !m) {
        dlclose(dl);
        return refuse(err, errlen, path, "no %s symbol: not a sipnab module",
                      SNB_MODULE_SYMBOL_NAME);
    }
    int rc = check_descriptor(path, expect_name, m, err, errlen);
    if (rc) {
        dlclose(dl);
        return rc;
    }
    out->mod = m;
    out->dl = dl;
    out->path = strdup(path);
    if (!out->path) {
        dlclose(dl);
        return -ENOMEM;
    }
    return 0;
}

int snb_loader_open(const char *dir, const char *name, snb_loaded_module_t *out, char *err,
                    size_t errlen)
{
    for (const char *c = name; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-')) {
            snprintf(err, errlen, "module '%s': invalid module name", name);
            return SNB_E_MODULE;
        }
    }
    /* dir is a ':'-separated search path; the first folder holding NAME.so wins. */
    char path[4096];
    const char *p = dir;
    while (*p) {
        size_t len = strcspn(p, ":");
        snprintf(path, sizeof path, "%.*s/%s.so", (int)len, p, name);
        if (access(path, F_OK) == 0) return snb_loader_open_path(path, name, out, err, errlen);
        p += len;
        if (*p == ':') p++;
    }
    snprintf(err, errlen, "module %s.so: not found in %s", name, dir);
    return SNB_E_MODULE;
}

void snb_loader_close(snb_loaded_module_t *m)
{
    /* Under ASan keep the code mapped so leak reports can still symbolise. */
#ifndef SNB_NO_DLCLOSE
    if (m->dl) dlclose(m->dl);
#endif
    free(m->path);
    memset(m, 0, sizeof *m);
}

static ssize_t find_module(const snb_loaded_module_t *mods, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(mods[i].mod->name, name) == 0) return (ssize_t)i;
    return -1;
}

/* Stable topological sort: keeps the load-list order except where a
 * dependency must come first. Refuses missing dependencies and cycles. */
int snb_loader_sort(snb_loaded_module_t *mods, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        for (const char *const *d = mods[i].mod->depends; d && *d; d++) {
            if (find_module(mods, n, *d) < 0) {
                snprintf(err, errlen, "module %s: depends on '%s', which is not loaded",
                         mods[i].mod->name, *d);
                return SNB_E_MODULE;
            }
        }
    }
    snb_loaded_module_t *sorted = calloc(n ? n : 1, sizeof *sorted);
    bool *placed = calloc(n ? n : 1, sizeof *placed);
    if (!sorted || !placed) {
        free(sorted);
        free(placed);
        return -ENOMEM;
    }
    size_t out = 0;
    while (out < n) {
        bool progress = false;
        for (size_t i = 0; i < n; i++) {
            if (placed[i]) continue;
            bool ready = true;
            for (const char *const *d = mods[i].mod->depends; d && *d; d++) {
                ssize_t j = find_module(mods, n, *d);
                if (!placed[j]) ready = false;
            }
            if (ready) {
                sorted[out++] = mods[i];
                placed[i] = true;
                progress = true;
                break; /* restart from the top to keep list order stable */
            }
        }
        if (!progress) {
            for (size_t i = 0; i < n; i++)
                if (!placed[i]) {
                    snprintf(err, errlen, "module %s: dependency cycle", mods[i].mod->name);
                    break;
                }
            free(sorted);
            free(placed);
            return SNB_E_MODULE;
        }
    }
    memcpy(mods, sorted, n * sizeof *mods);
    free(sorted);
    free(placed);
    return 0;
}
