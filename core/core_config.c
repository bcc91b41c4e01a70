/* From a parsed configuration to loaded, configured modules: bind [core] and
 * [decode], load the modules named in `load`, check every section against
 * what is loaded, bind each module's instances. Also `-T` and SIGHUP. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core_internal.h"
#include "sipnab/error.h"

static const snb_option_t core_options[] = {
    {.name = "load",
     .type = SNB_OPT_LIST,
     .def = "pcap, sip, rtp",
     .offset = offsetof(snb_core_conf_t, load),
     .help = "modules to load, in order (dependencies are loaded first)"},
    {.name = "module_path",
     .type = SNB_OPT_STRING,
     .offset = offsetof(snb_core_conf_t, module_path),
     .help = "folders with the module .so files, separated by ':' and searched in order "
             "(default: modules/ next to the binary, else the installed libdir/sipnab/modules)"},
    {.name = "log_level",
     .type = SNB_OPT_ENUM,
     .def = "info",
     .choices = "error|warn|info|debug",
     .offset = offsetof(snb_core_conf_t, log_level),
     .help = "least severe log level printed"},
    {.name = "stats",
     .type = SNB_OPT_BOOL,
     .def = "no",
     .offset = offsetof(snb_core_conf_t, stats),
     .help = "print capture and decode counters when the run ends"},
    {.name = "stats_format",
     .type = SNB_OPT_ENUM,
     .def = "text",
     .choices = "text|json",
     .offset = offsetof(snb_core_conf_t, stats_format),
     .help = "format of those counters"},
    {.name = "user",
     .type = SNB_OPT_STRING,
     .offset = offsetof(snb_core_conf_t, user),
     .help = "when started as root, become this user once the capture handles and sockets are "
             "open, keeping only CAP_NET_RAW and CAP_NET_ADMIN (default: stay as started)"},
    SNB_OPTIONS_END,
};

/* [decode] values as the option types store them; copied into the limits. */
typedef struct decode_conf {
    int64_t max_tunnel_depth;
    int64_t frag_max_datagrams;
    uint64_t frag_timeout;
    int64_t tcp_max_streams;
    uint64_t tcp_max_buffered;
    uint64_t tcp_timeout;
} decode_conf_t;

static const snb_option_t decode_options[] = {
    {.name = "max_tunnel_depth",
     .type = SNB_OPT_INT,
     .def = "4",
     .min = 0,
     .max = 16,
     .offset = offsetof(decode_conf_t, max_tunnel_depth),
     .help = "nested encapsulations (VLAN excluded) peeled before a frame is dropped"},
    {.name = "frag_max_datagrams",
     .type = SNB_OPT_INT,
     .def = "8192",
     .min = 1,
     .max = 1000000,
     .offset = offsetof(decode_conf_t, frag_max_datagrams),
     .help = "IP datagrams under reassembly at once; beyond, fragments are dropped and counted"},
    {.name = "frag_timeout",
     .type = SNB_OPT_DURATION,
     .def = "30s",
     .min = 1,
     .max = 3600000,
     .offset = offsetof(decode_conf_t, frag_timeout),
     .help = "capture time an incomplete IP datagram is kept"},
    {.name = "tcp_max_streams",
     .type = SNB_OPT_INT,
     .def = "65536",
     .min = 1,
     .max = 10000000,
     .offset = offsetof(decode_conf_t, tcp_max_streams),
     .help = "TCP connection directions reassembled at once"},
    {.name = "tcp_max_buffered",
     .type = SNB_OPT_SIZE,
     .def = "256k",
     .min = 1024,
     .max = 64 * 1024 * 1024,
     .offset = offsetof(decode_conf_t, tcp_max_buffered),
     .help = "out-of-order bytes held per TCP direction before a gap is skipped"},
    {.name = "tcp_timeout",
     .type = SNB_OPT_DURATION,
     .def = "5m",
     .min = 1,
     .max = 86400000,
     .offset = offsetof(decode_conf_t, tcp_timeout),
     .help = "capture time an idle TCP direction is kept"},
    SNB_OPTIONS_END,
};

static snb_log_level_t parse_level(const char *s)
{
    if (!s) return SNB_LOG_INFO;
    if (!strcmp(s, "error")) return SNB_LOG_ERROR;
    if (!strcmp(s, "warn")) return SNB_LOG_WARN;
    if (!strcmp(s, "debug")) return SNB_LOG_DEBUG;
    return SNB_LOG_INFO;
}

static bool is_core_section(const char *name)
{
    return !strcmp(name, "core") || !strcmp(name, "decode");
}

static int bind_core_sections(snb_conf_t *conf, snb_bound_conf_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->conf = conf;
    if (snb_conf_bind(conf, snb_conf_find(conf, "core", NULL), core_options, &out->core, err,
                      errlen))
        return SNB_E_CONFIG;
    decode_conf_t d;
    if (snb_conf_bind(conf, snb_conf_find(conf, "decode", NULL), decode_options, &d, err, errlen))
        return SNB_E_CONFIG;
    snb_decode_limits_t lim = SNB_DECODE_LIMITS_DEFAULT;
    lim.max_tunnel_depth = (uint32_t)d.max_tunnel_depth;
    lim.frag_max_datagrams = (uint32_t)d.frag_max_datagrams;
    lim.frag_timeout_ms = (uint32_t)d.frag_timeout;
    lim.tcp_max_streams = (uint32_t)d.tcp_max_streams;
    lim.tcp_max_buffered = (uint32_t)d.tcp_max_buffered;
    lim.tcp_timeout_ms = (uint32_t)d.tcp_timeout;
    out->limits = lim;
    return 0;
}

const char *snb_core_option_where(snb_core_t *core, const char *section, const char *instance,
                                  const char *key, const char *flag, char *buf, size_t len)
{
    /* During a reload, the lines of the configuration being applied. */
    const snb_conf_t *conf = core->reloading ? core->reloading : core->cfg.conf;
    const snb_conf_section_t *sec = conf ? snb_conf_find(conf, section, instance) : NULL;
    snprintf(buf, len, "option '%s'", key);
    for (size_t i = 0; sec && i < sec->n_entries; i++) {
        const snb_conf_entry_t *e = &sec->entries[i];
        if (strcmp(e->key, key) != 0) continue;
        if (e->line > 0)
            snprintf(buf, len, "%s:%d: option '%s'", e->file, e->line, key);
        else if (flag)
            snprintf(buf, len, "%s", flag);
    }
    return buf;
}

/* [core] user must name an unprivileged user that exists; the error names
 * the line that set it. */
static int lookup_user(const snb_conf_t *conf, const char *user, snb_identity_t *out, char *err,
                       size_t errlen)
{
    char why[256];
    if (snb_privileges_lookup(user, out, why, sizeof why) == 0) return 0;
    const snb_conf_section_t *core = snb_conf_find(conf, "core", NULL);
    for (size_t i = 0; core && i < core->n_entries; i++) {
        const snb_conf_entry_t *e = &core->entries[i];
        if (strcmp(e->key, "user") != 0) continue;
        if (e->line > 0)
            snprintf(err, errlen, "%s:%d: option 'user': %s", e->file, e->line, why);
        else
            snprintf(err, errlen, "-Z/[core] user: %s", why);
        return SNB_E_CONFIG;
    }
    snprintf(err, errlen, "[core] user: %s", why);
    return SNB_E_CONFIG;
}

static const snb_loaded_module_t *find_loaded(const snb_loaded_module_t *mods, size_t n,
                                              const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(mods[i].mod->name, name)) return &mods[i];
    return NULL;
}

static void section_where(const snb_conf_section_t *s, char *buf, size_t len)
{
    if (s->line > 0)
        snprintf(buf, len, "%s:%d", s->file, s->line);
    else
        snprintf(buf, len, "%s", s->file);
}

static bool only_soft_settings(const snb_conf_section_t *s)
{
    for (size_t i = 0; i < s->n_entries; i++)
        if (strcmp(s->entries[i].file, SNB_CLI_SOFT_ORIGIN) != 0) return false;
    return s->n_entries > 0;
}

/* Every section must belong to the core or to a loaded module. */
static int check_sections(const snb_conf_t *conf, const snb_loaded_module_t *mods, size_t n,
                          char *err, size_t errlen)
{
    for (size_t i = 0; i < snb_conf_section_count(conf); i++) {
        const snb_conf_section_t *s = snb_conf_section_at(conf, i);
        char where[512];
        section_where(s, where, sizeof where);
        if (is_core_section(s->name)) {
            if (s->instance) {
                snprintf(err, errlen, "%s: [%s] takes no instance name", where, s->name);
                return SNB_E_CONFIG;
            }
            continue;
        }
        const snb_loaded_module_t *m = find_loaded(mods, n, s->name);
        if (!m && only_soft_settings(s)) continue; /* e.g. --json without sip.so */
        if (!m) {
            snprintf(err, errlen,
                     "%s: [%s] configures module '%s', which is not loaded (add it to 'load' in "
                     "[core])",
                     where, s->name, s->name);
            return SNB_E_CONFIG;
        }
        if (s->instance && !(m->mod->flags & SNB_MOD_MULTI_INSTANCE)) {
            snprintf(err, errlen, "%s: module '%s' has a single instance: use [%s] without a name",
                     where, s->name, s->name);
            return SNB_E_CONFIG;
        }
    }
    return 0;
}

static void free_instances(snb_instance_conf_t *inst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((void *)inst[i].conf);
    free(inst);
}

/* Bind every instance of one module. Single-instance modules get exactly one
 * (defaults when the section is absent). */
static int bind_module(snb_conf_t *conf, const snb_module_t *mod, snb_instance_conf_t **out,
                       size_t *n_out, char *err, size_t errlen)
{
    size_t n = 0, cap = 4;
    snb_instance_conf_t *inst = calloc(cap, sizeof *inst);
    if (!inst) return -ENOMEM;
    size_t nsec = snb_conf_section_count(conf);
    bool multi = mod->flags & SNB_MOD_MULTI_INSTANCE;
    for (size_t i = 0; i <= nsec; i++) {
        const snb_conf_section_t *s = NULL;
        if (i < nsec) {
            s = snb_conf_section_at(conf, i);
            if (strcmp(s->name, mod->name) != 0) continue;
        } else if (multi || n > 0) {
            break; /* single-instance module without a section: bind defaults */
        }
        if (n == cap) {
            snb_instance_conf_t *grown = realloc(inst, 2 * cap * sizeof *inst);
            if (!grown) {
                free_instances(inst, n);
                return -ENOMEM;
            }
            inst = grown;
            cap *= 2;
        }
        void *c = calloc(1, mod->conf_size ? mod->conf_size : 1);
        if (!c) {
            free_instances(inst, n);
            return -ENOMEM;
        }
        inst[n].name = s ? s->instance : NULL;
        inst[n].conf = c;
        n++;
        if (mod->options && snb_conf_bind(conf, s, mod->options, c, err, errlen)) {
            free_instances(inst, n);
            return SNB_E_CONFIG;
        }
    }
    *out = inst;
    *n_out = n;
    return 0;
}

const char *snb_default_module_path(char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t r = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (r > 0) {
        exe[r] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            struct stat st;
            int n = snprintf(buf, len, "%s/modules", exe);
            if (n > 0 && (size_t)n < len && stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) return buf;
        }
    }
    return SNB_MODULE_INSTALL_DIR;
}

int snb_core_configure(snb_core_t *core, snb_conf_t *conf, char *err, size_t errlen)
{
    int rc = bind_core_sections(conf, &core->cfg, err, errlen);
    if (rc) return rc;
    core->log_level = parse_level(core->cfg.core.log_level);
    rc = lookup_user(conf, core->cfg.core.user, &core->identity, err, errlen);
    if (rc) return rc;

    char pathbuf[PATH_MAX];
    const char *dir = core->cfg.core.module_path && *core->cfg.core.module_path
                          ? core->cfg.core.module_path
                          : snb_default_module_path(pathbuf, sizeof pathbuf);
    const snb_strlist_t *load = &core->cfg.core.load;
    core->mods = calloc(load->n ? load->n : 1, sizeof *core->mods);
    if (!core->mods) return -ENOMEM;
    for (size_t i = 0; i < load->n; i++) {
        if (find_loaded(core->mods, core->n_mods, load->v[i])) continue; /* listed twice */
        rc = snb_loader_open(dir, load->v[i], &core->mods[core->n_mods], err, errlen);
        if (rc) {
            /* Say which line asked for it (the loader's reason follows). */
            char where[512], why[SNB_CONF_ERRLEN];
            snprintf(why, sizeof why, "%s", err);
            snb_core_option_where(core, "core", NULL, "load", "--load", where, sizeof where);
            snprintf(err, errlen, "%s: %s", where, why);
            return rc;
        }
        core->n_mods++;
    }
    rc = snb_loader_sort(core->mods, core->n_mods, err, errlen);
    if (rc) return rc;
    rc = check_sections(conf, core->mods, core->n_mods, err, errlen);
    if (rc) return rc;
    for (size_t i = 0; i < core->n_mods; i++) {
        snb_loaded_module_t *m = &core->mods[i];
        rc = bind_module(conf, m->mod, &m->inst, &m->n_inst, err, errlen);
        if (rc) return rc;
    }
    return 0;
}

static void dump_section(FILE *out, const char *name, const char *instance,
                         const snb_option_t *opts, const void *bound)
{
    if (instance)
        fprintf(out, "[%s \"%s\"]\n", name, instance);
    else
        fprintf(out, "[%s]\n", name);
    if (opts) snb_conf_dump_options(out, opts, bound);
    fputc('\n', out);
}

void snb_core_dump_config(snb_core_t *core, FILE *out)
{
    dump_section(out, "core", NULL, core_options, &core->cfg.core);
    decode_conf_t d = {
        .max_tunnel_depth = core->cfg.limits.max_tunnel_depth,
        .frag_max_datagrams = core->cfg.limits.frag_max_datagrams,
        .frag_timeout = core->cfg.limits.frag_timeout_ms,
        .tcp_max_streams = core->cfg.limits.tcp_max_streams,
        .tcp_max_buffered = core->cfg.limits.tcp_max_buffered,
        .tcp_timeout = core->cfg.limits.tcp_timeout_ms,
    };
    dump_section(out, "decode", NULL, decode_options, &d);
    for (size_t i = 0; i < core->n_mods; i++) {
        const snb_loaded_module_t *m = &core->mods[i];
        for (size_t j = 0; j < m->n_inst; j++)
            dump_section(out, m->mod->name, m->inst[j].name, m->mod->options, m->inst[j].conf);
    }
}

/* Canonical text of a module's instances, to tell whether a reload changes it. */
static char *instances_text(const snb_module_t *mod, const snb_instance_conf_t *inst, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    for (size_t i = 0; i < n; i++)
        dump_section(f, mod->name, inst[i].name, mod->options, inst[i].conf);
    fclose(f);
    return buf;
}

static bool same_load_list(const snb_core_t *core, const snb_strlist_t *load)
{
    size_t distinct = 0;
    for (size_t i = 0; i < load->n; i++) {
        if (!find_loaded(core->mods, core->n_mods, load->v[i])) return false;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= !strcmp(load->v[i], load->v[j]);
        distinct += !dup;
    }
    return distinct == core->n_mods;
}

/* SIGHUP: all or nothing. The whole new configuration is parsed and bound
 * before anything changes; any error keeps the running configuration. */
void snb_core_reload(snb_core_t *core)
{
    char err[SNB_CONF_ERRLEN] = "";
    snb_conf_t *conf = NULL;
    if (!core->reload_conf || core->reload_conf(core->reload_ud, &conf, err, sizeof err) != 0) {
        snb_log_error(core, "config", "reload failed, keeping the running configuration: %s", err);
        snb_conf_free(conf);
        return;
    }
    snb_bound_conf_t cfg;
    snb_instance_conf_t **inst = calloc(core->n_mods ? core->n_mods : 1, sizeof *inst);
    size_t *n_inst = calloc(core->n_mods ? core->n_mods : 1, sizeof *n_inst);
    size_t bound = 0;
    int rc = (!inst || !n_inst) ? -ENOMEM : bind_core_sections(conf, &cfg, err, sizeof err);
    if (rc == 0 && !same_load_list(core, &cfg.core.load)) {
        snprintf(err, sizeof err,
                 "the module list changed; restart sipnab to load or unload "
                 "modules");
        rc = SNB_E_CONFIG;
    }
    if (rc == 0) rc = check_sections(conf, core->mods, core->n_mods, err, sizeof err);
    for (; rc == 0 && bound < core->n_mods; bound++)
        rc =
            bind_module(conf, core->mods[bound].mod, &inst[bound], &n_inst[bound], err, sizeof err);
    if (rc != 0) {
        snb_log_error(core, "config", "reload failed, keeping the running configuration: %s", err);
        for (size_t i = 0; i < bound && inst; i++)
            free_instances(inst[i], n_inst[i]);
        free(inst);
        free(n_inst);
        snb_conf_free(conf);
        return;
    }

    /* Validated: apply. */
    core->log_level = parse_level(cfg.core.log_level);
    const char *was = core->cfg.core.user ? core->cfg.core.user : "";
    if (strcmp(was, cfg.core.user ? cfg.core.user : "") != 0)
        snb_log_warn(core, "config", "[core] user changed; restart sipnab to apply it");
    for (size_t i = 0; i < core->n_mods; i++) {
        snb_loaded_module_t *m = &core->mods[i];
        char *before = instances_text(m->mod, m->inst, m->n_inst);
        char *after = instances_text(m->mod, inst[i], n_inst[i]);
        bool changed = !before || !after || strcmp(before, after) != 0;
        free(before);
        free(after);
        bool take = false;
        if (changed && m->mod->reload) {
            core->reloading = conf;
            take = m->mod->reload(m->state, inst[i], n_inst[i]) == 0;
            core->reloading = NULL;
            if (!take) snb_log_warn(core, m->mod->name, "kept its previous configuration");
        } else if (changed) {
            snb_log_warn(core, m->mod->name,
                         "configuration changed; restart sipnab to apply it to this module");
        }
        if (take) {
            free_instances(m->inst, m->n_inst);
            m->inst = inst[i];
            m->n_inst = n_inst[i];
        } else {
            free_instances(inst[i], n_inst[i]);
        }
    }
    free(inst);
    free(n_inst);
    /* Modules that kept their old instances point into the old conf: keep it. */
    snb_conf_t **olds = realloc(core->old_confs, (core->n_old_confs + 1) * sizeof *olds);
    if (olds) {
        olds[core->n_old_confs++] = core->cfg.conf;
        core->old_confs = olds;
    }
    core->cfg = cfg;
    snb_log_info(core, "config", "reloaded");
}

void snb_core_unload_modules(snb_core_t *core)
{
    for (size_t i = core->n_mods; i-- > 0;) {
        free_instances(core->mods[i].inst, core->mods[i].n_inst);
        snb_loader_close(&core->mods[i]);
    }
    free(core->mods);
    core->mods = NULL;
    core->n_mods = 0;
}
