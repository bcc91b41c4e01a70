/* sngrep/sipnab command-line habits mapped onto configuration settings:
 *   sipnab -N -I capture.pcap            read a file
 *   sipnab -d eth0 port 5060 or udp      live capture with a BPF filter
 *   sipnab -c /etc/sipnab/sipnab.conf -t test a configuration
 *
 * Generic: every flag comes from a table (the core's below, each module's
 * in its descriptor) and becomes settings of its owner's section. This file
 * names no module. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const snb_flag_t snb_core_flags[] = {
    {.name = "config",
     .short_name = 'c',
     .arg = "FILE",
     .key = "!config",
     .help = "configuration file (default " SNB_SYSCONF_DIR "/sipnab.conf, then conf.d/*.conf "
             "beside it)"},
    {.name = "test-config",
     .short_name = 't',
     .key = "!test",
     .help = "check the configuration, load every module, exit"},
    {.name = "dump-config",
     .short_name = 'T',
     .key = "!dump",
     .help = "like -t, then print the effective configuration (secrets redacted)"},
    {.name = "set",
     .short_name = 'o',
     .arg = "SECTION[.INSTANCE].KEY[+]=VALUE",
     .key = "!override",
     .help = "set any option, e.g. -o decode.tcp_timeout=1m"},
    {.name = "load",
     .arg = "MODULE",
     .key = "load",
     .flags = SNB_FLAG_APPEND,
     .help = "load a module in addition to [core] load"},
    {.name = "module-path",
     .arg = "DIRS",
     .key = "module_path",
     .help = "':'-separated folders with the module .so files"},
    {.name = "run-as",
     .short_name = 'Z',
     .arg = "USER",
     .key = "user",
     .help = "when started as root, become USER once capture is open (keeps only CAP_NET_RAW, "
             "CAP_NET_ADMIN)"},
    {.name = "stats",
     .key = "stats",
     .value = "yes",
     .help = "print the counters of every module when the run ends"},
    {.name = "json",
     .key = "stats_format",
     .value = "json",
     .help = "JSON wherever there is a choice (the counters as one object)"},
    {.name = "quiet",
     .short_name = 'q',
     .key = "log_level",
     .value = "warn",
     .help = "only warnings and errors on stderr"},
    {.name = "verbose",
     .short_name = 'v',
     .key = "log_level",
     .value = "debug",
     .help = "debug logging"},
    {.name = "no-interface",
     .short_name = 'N',
     .key = "!none",
     .help = "no interactive UI (accepted for sngrep habit)"},
    {.name = "help", .short_name = 'h', .key = "!help", .help = "this text"},
    {.name = "version", .short_name = 'V', .key = "!version", .help = "print the version"},
    {.name = NULL},
};

/* ---- the settings list ---- */

static int add_set(snb_cli_t *cli, const char *section, const char *instance, const char *key,
                   const char *value, bool append, bool soft)
{
    snb_cli_set_t *grown = realloc(cli->sets, (cli->n_sets + 1) * sizeof *grown);
    if (!grown) return -1;
    cli->sets = grown;
    snb_cli_set_t *s = &cli->sets[cli->n_sets++];
    s->section = strdup(section);
    s->instance = instance ? strdup(instance) : NULL;
    s->key = strdup(key);
    s->value = strdup(value ? value : "");
    s->append = append;
    s->soft = soft;
    return (!s->section || !s->key || !s->value || (instance && !s->instance)) ? -1 : 0;
}

/* -o section[.instance].key[+]=value: any option from the command line. */
static int parse_override(snb_cli_t *cli, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        snprintf(err, errlen, "-o '%s': expected section.key=value", arg);
        return -1;
    }
    char path[256];
    size_t plen = (size_t)(eq - arg);
    bool append = plen > 0 && arg[plen - 1] == '+';
    if (append) plen--;
    if (plen >= sizeof path) {
        snprintf(err, errlen, "-o: option name too long");
        return -1;
    }
    memcpy(path, arg, plen);
    path[plen] = '\0';
    char *first = strchr(path, '.');
    char *last = strrchr(path, '.');
    if (!first || !last[1] || first == path) {
        snprintf(err, errlen, "-o '%s': expected section.key=value", arg);
        return -1;
    }
    *first = '\0';
    const char *instance = NULL;
    if (last != first) {
        *last = '\0';
        instance = first + 1;
    }
    return add_set(cli, path, instance, last + 1, eq + 1, append, false);
}

/* ---- before the modules are known ---- */

static const char *value_of(int argc, char **argv, int *i, const char *lng, char shrt)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);
    if (a[0] == '-' && a[1] == '-' && !strncmp(a + 2, lng, n)) {
        if (a[2 + n] == '=') return a + 3 + n;
        if (a[2 + n] == '\0' && *i + 1 < argc) return argv[++*i];
    }
    if (shrt && a[0] == '-' && a[1] == shrt) {
        if (a[2]) return a + 2;
        if (*i + 1 < argc) return argv[++*i];
    }
    return NULL;
}

void snb_cli_peek(int argc, char **argv, const char **config_path, const char **module_path)
{
    *config_path = *module_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        const char *v;
        if ((v = value_of(argc, argv, &i, "config", 'c'))) {
            *config_path = v;
        } else if ((v = value_of(argc, argv, &i, "module-path", 0))) {
            *module_path = v;
        } else if ((v = value_of(argc, argv, &i, "set", 'o')) &&
                   !strncmp(v, "core.module_path=", 17)) {
            *module_path = v + 17;
        }
    }
}

/* ---- the parse ---- */

/* One flag name and everybody who declared it. */
typedef struct flag_decl {
    const snb_flag_owner_t *owner;
    const snb_flag_t *flag;
} flag_decl_t;

typedef struct distinct_flag {
    const char *name;
    char short_name;
    bool has_arg, positional;
    flag_decl_t *decls;
    size_t n_decls;
    bool used;
} distinct_flag_t;

typedef struct use {
    size_t flag;
    const char *value;
} use_t;

/* An instance created by a flag, for the "*" and "*stem" instances. */
typedef struct created {
    const char *owner;
    char *name;
    const char *stem; /* "" unless made by a "#stem" flag */
} created_t;

typedef struct parse {
    snb_cli_t *cli;
    distinct_flag_t *flags;
    size_t n_flags;
    use_t *uses;
    size_t n_uses;
    created_t *created;
    size_t n_created;
    struct stem_count {
        const char *owner, *stem;
        unsigned n;
    } * stems;
    size_t n_stems;
    char *err;
    size_t errlen;
} parse_t;

static int find_flag(const parse_t *p, const char *name)
{
    for (size_t i = 0; i < p->n_flags; i++)
        if (!strcmp(p->flags[i].name, name)) return (int)i;
    return -1;
}

static int collect_flags(parse_t *p, const snb_flag_owner_t *owners, size_t n_owners)
{
    size_t total = 0;
    for (size_t o = 0; o < n_owners; o++)
        for (const snb_flag_t *f = owners[o].flags; f && f->name; f++)
            total++;
    p->flags = calloc(total ? total : 1, sizeof *p->flags);
    flag_decl_t *decls = calloc(total ? total : 1, sizeof *decls);
    if (!p->flags || !decls) {
        free(decls);
        return -1;
    }
    /* Distinct names in owner order, then their declarations in one block. */
    for (size_t o = 0; o < n_owners; o++) {
        for (const snb_flag_t *f = owners[o].flags; f && f->name; f++) {
            int k = find_flag(p, f->name);
            if (k < 0) {
                k = (int)p->n_flags++;
                p->flags[k] = (distinct_flag_t){.name = f->name,
                                                .short_name = f->short_name,
                                                .has_arg = f->arg != NULL,
                                                .positional = f->flags & SNB_FLAG_POSITIONAL};
            } else if (p->flags[k].has_arg != (f->arg != NULL)) {
                continue; /* a second declaration that disagrees is ignored */
            }
        }
    }
    /* Second pass: attach the declarations (contiguous per flag). */
    size_t *counts = calloc(p->n_flags ? p->n_flags : 1, sizeof *counts);
    if (!counts) {
        free(decls);
        return -1;
    }
    for (size_t o = 0; o < n_owners; o++)
        for (const snb_flag_t *f = owners[o].flags; f && f->name; f++) {
            int k = find_flag(p, f->name);
            if (p->flags[k].has_arg == (f->arg != NULL)) counts[k]++;
        }
    size_t at = 0;
    for (size_t k = 0; k < p->n_flags; k++) {
        p->flags[k].decls = decls + at;
        at += counts[k];
    }
    for (size_t o = 0; o < n_owners; o++)
        for (const snb_flag_t *f = owners[o].flags; f && f->name; f++) {
            int k = find_flag(p, f->name);
            if (p->flags[k].has_arg != (f->arg != NULL)) continue;
            distinct_flag_t *d = &p->flags[k];
            d->decls[d->n_decls++] = (flag_decl_t){.owner = &owners[o], .flag = f};
        }
    free(counts);
    return 0;
}

static int record_use(parse_t *p, size_t flag, const char *value)
{
    use_t *g = realloc(p->uses, (p->n_uses + 1) * sizeof *g);
    if (!g) return -1;
    p->uses = g;
    p->uses[p->n_uses++] = (use_t){flag, value};
    p->flags[flag].used = true;
    return 0;
}

static int remember_instance(parse_t *p, const char *owner, const char *name, const char *stem)
{
    for (size_t i = 0; i < p->n_created; i++)
        if (!strcmp(p->created[i].owner, owner) && !strcmp(p->created[i].name, name)) return 0;
    created_t *g = realloc(p->created, (p->n_created + 1) * sizeof *g);
    if (!g) return -1;
    p->created = g;
    char *copy = strdup(name);
    if (!copy) return -1;
    p->created[p->n_created++] = (created_t){owner, copy, stem};
    return 0;
}

/* "-I FILE" or "--api ADDR:PORT", for messages. */
static void flag_label(const distinct_flag_t *d, char *buf, size_t len)
{
    const snb_flag_t *f = d->decls[0].flag;
    if (d->short_name)
        snprintf(buf, len, "-%c%s%s", d->short_name, f->arg ? " " : "", f->arg ? f->arg : "");
    else
        snprintf(buf, len, "--%s%s%s", d->name, f->arg ? " " : "", f->arg ? f->arg : "");
}

/* A used flag whose `needs` names none of the flags used. */
static int check_needs(parse_t *p, const char *first_word)
{
    for (size_t k = 0; k < p->n_flags; k++) {
        distinct_flag_t *d = &p->flags[k];
        if (!d->used) continue;
        const char *needs = NULL;
        for (size_t i = 0; i < d->n_decls && !needs; i++)
            needs = d->decls[i].flag->needs;
        if (!needs) continue;
        char alts[256] = "";
        bool met = false;
        for (const char *n = needs; *n;) {
            size_t len = strcspn(n, "|");
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)len, n);
            int j = find_flag(p, name);
            if (j >= 0 && p->flags[j].used) met = true;
            if (j >= 0) {
                char label[96];
                flag_label(&p->flags[j], label, sizeof label);
                size_t al = strlen(alts);
                snprintf(alts + al, sizeof alts - al, "%s%s", al ? " or " : "", label);
            }
            n += len;
            if (*n == '|') n++;
        }
        if (met) continue;
        if (d->positional) {
            char words[64];
            snprintf(words, sizeof words, "%s", d->decls[0].flag->arg);
            for (char *c = words; *c; c++)
                if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
            snprintf(p->err, p->errlen, "'%s' is not an option; %s need %s", first_word, words,
                     alts);
        } else {
            snprintf(p->err, p->errlen, "--%s needs %s", d->name, alts);
        }
        return -1;
    }
    return 0;
}

/* The settings of one use of one declaration; "*" instances are left for
 * apply_to_created. */
static int apply_use(parse_t *p, const distinct_flag_t *d, const flag_decl_t *decl,
                     const char *value, unsigned *counter)
{
    const snb_flag_t *f = decl->flag;
    const char *owner = decl->owner->name;
    const char *v = f->arg ? value : f->value;
    bool soft = d->n_decls > 1;
    bool append = f->flags & SNB_FLAG_APPEND;
    const char *inst = f->instance;
    char made[96];
    if (inst && inst[0] == '*') return 0;
    if (inst && !strcmp(inst, SNB_FLAG_INSTANCE_ARG)) {
        inst = value;
        if (remember_instance(p, owner, inst, "") != 0) return -1;
    } else if (inst && inst[0] == '#') {
        snprintf(made, sizeof made, "%s%u", inst + 1, ++*counter);
        inst = made;
        if (remember_instance(p, owner, inst, f->instance + 1) != 0) return -1;
    } else if (inst) {
        if (remember_instance(p, owner, inst, "") != 0) return -1;
    }
    return add_set(p->cli, owner, inst, f->key, v, append, soft);
}

static int apply_to_created(parse_t *p, const distinct_flag_t *d, const flag_decl_t *decl,
                            const char *value)
{
    const snb_flag_t *f = decl->flag;
    const char *stem = f->instance + 1; /* "" for "*" */
    for (size_t i = 0; i < p->n_created; i++) {
        const created_t *c = &p->created[i];
        if (strcmp(c->owner, decl->owner->name) != 0) continue;
        if (*stem && strcmp(c->stem, stem) != 0) continue;
        if (add_set(p->cli, c->owner, c->name, f->key, f->arg ? value : f->value,
                    f->flags & SNB_FLAG_APPEND, d->n_decls > 1) != 0)
            return -1;
    }
    return 0;
}

/* A flag of the core that the CLI handles itself. */
static int core_special(parse_t *p, const char *key, const char *value)
{
    snb_cli_t *cli = p->cli;
    if (!strcmp(key, "!config")) cli->config_path = value;
    if (!strcmp(key, "!test")) cli->test_config = true;
    if (!strcmp(key, "!dump")) cli->dump_config = true;
    if (!strcmp(key, "!help")) cli->help = true;
    if (!strcmp(key, "!version")) cli->version = true;
    if (!strcmp(key, "!override")) return parse_override(cli, value, p->err, p->errlen);
    return 0;
}

/* "#stem" instances are numbered per owner and stem from 1. */
static unsigned *stem_counter(parse_t *p, const char *owner, const char *stem)
{
    for (size_t i = 0; i < p->n_stems; i++)
        if (!strcmp(p->stems[i].owner, owner) && !strcmp(p->stems[i].stem, stem))
            return &p->stems[i].n;
    struct stem_count *g = realloc(p->stems, (p->n_stems + 1) * sizeof *g);
    if (!g) return NULL;
    p->stems = g;
    p->stems[p->n_stems] = (struct stem_count){owner, stem, 0};
    return &p->stems[p->n_stems++].n;
}

static int emit(parse_t *p)
{
    int rc = 0;
    for (size_t u = 0; rc == 0 && u < p->n_uses; u++) {
        const distinct_flag_t *d = &p->flags[p->uses[u].flag];
        for (size_t i = 0; rc == 0 && i < d->n_decls; i++) {
            const flag_decl_t *decl = &d->decls[i];
            const char *key = decl->flag->key;
            if (key && key[0] == '!') {
                rc = core_special(p, key, p->uses[u].value);
                continue;
            }
            const char *inst = decl->flag->instance;
            unsigned dummy = 0, *counter = &dummy;
            if (inst && inst[0] == '#') counter = stem_counter(p, decl->owner->name, inst + 1);
            rc = counter ? apply_use(p, d, decl, p->uses[u].value, counter) : -1;
        }
    }
    /* Then what applies to the instances the flags created. */
    for (size_t u = 0; rc == 0 && u < p->n_uses; u++) {
        const distinct_flag_t *d = &p->flags[p->uses[u].flag];
        for (size_t i = 0; rc == 0 && i < d->n_decls; i++) {
            const snb_flag_t *f = d->decls[i].flag;
            if (f->instance && f->instance[0] == '*')
                rc = apply_to_created(p, d, &d->decls[i], p->uses[u].value);
        }
    }
    /* Last, the modules a flag loads (once each). */
    for (size_t k = 0; rc == 0 && k < p->n_flags; k++) {
        const distinct_flag_t *d = &p->flags[k];
        if (!d->used) continue;
        for (size_t i = 0; rc == 0 && i < d->n_decls; i++) {
            if (!(d->decls[i].flag->flags & SNB_FLAG_LOADS)) continue;
            const char *mod = d->decls[i].owner->name;
            bool already = false;
            for (size_t s = 0; s < p->cli->n_sets; s++)
                already |= !strcmp(p->cli->sets[s].section, "core") &&
                           !strcmp(p->cli->sets[s].key, "load") &&
                           !strcmp(p->cli->sets[s].value, mod) && p->cli->sets[s].append;
            if (!already) rc = add_set(p->cli, "core", NULL, "load", mod, true, false);
        }
    }
    return rc;
}

static int run_getopt(parse_t *p, int argc, char **argv, char **positional)
{
    struct option *longs = calloc(p->n_flags + 1, sizeof *longs);
    char *shorts = malloc(3 + 2 * p->n_flags + 1);
    if (!longs || !shorts) {
        free(longs);
        free(shorts);
        return -1;
    }
    /* '+' stops at the first non-option word: the rest is positional;
     * ':' makes a missing value distinguishable from an unknown option. */
    size_t sl = 0, nl = 0;
    shorts[sl++] = '+';
    shorts[sl++] = ':';
    bool short_taken[256] = {false};
    for (size_t k = 0; k < p->n_flags; k++) {
        distinct_flag_t *d = &p->flags[k];
        if (d->positional) continue;
        longs[nl++] = (struct option){d->name, d->has_arg ? required_argument : no_argument, NULL,
                                      (int)(1000 + k)};
        unsigned char c = (unsigned char)d->short_name;
        if (c && c != '?' && c != ':' && !short_taken[c]) {
            short_taken[c] = true;
            shorts[sl++] = (char)c;
            if (d->has_arg) shorts[sl++] = ':';
        }
    }
    shorts[sl] = '\0';
    int rc = 0, c;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        int k = -1;
        if (c >= 1000) {
            k = c - 1000;
        } else if (c == ':') {
            snprintf(p->err, p->errlen, "option '%s' needs a value", argv[optind - 1]);
            rc = -1;
        } else if (c != '?') {
            for (size_t j = 0; j < p->n_flags && k < 0; j++)
                if (p->flags[j].short_name == c && !p->flags[j].positional) k = (int)j;
        }
        if (rc == 0 && k < 0) {
            snprintf(p->err, p->errlen, "unknown option '%s'", argv[optind - 1]);
            rc = -1;
        }
        if (rc == 0) rc = record_use(p, (size_t)k, optarg);
    }
    free(longs);
    free(shorts);
    if (rc) return rc;
    /* Trailing words: one positional value (a BPF filter, as with tcpdump). */
    size_t flen = 0;
    char *words = NULL;
    for (int i = optind; i < argc; i++) {
        size_t add = strlen(argv[i]) + 1;
        char *grown = realloc(words, flen + add + 1);
        if (!grown) {
            free(words);
            return -1;
        }
        words = grown;
        if (flen) words[flen - 1] = ' ';
        memcpy(words + flen, argv[i], add);
        flen += add;
    }
    *positional = words;
    if (!words) return 0;
    for (size_t k = 0; k < p->n_flags; k++)
        if (p->flags[k].positional) return record_use(p, k, words);
    snprintf(p->err, p->errlen, "'%s' is not an option", argv[optind]);
    return -1;
}

int snb_cli_parse(snb_cli_t *cli, int argc, char **argv, const snb_flag_owner_t *owners,
                  size_t n_owners, char *err, size_t errlen)
{
    memset(cli, 0, sizeof *cli);
    err[0] = '\0';
    parse_t p = {.cli = cli, .err = err, .errlen = errlen};
    char *positional = NULL;
    int rc = collect_flags(&p, owners, n_owners);
    if (rc == 0) rc = run_getopt(&p, argc, argv, &positional);
    if (rc == 0) rc = check_needs(&p, argv[optind < argc ? optind : 0]);
    if (rc == 0) rc = emit(&p);
    /* Values point into argv, except the joined positional words: copied by add_set. */
    free(positional);
    for (size_t i = 0; i < p.n_created; i++)
        free(p.created[i].name);
    free(p.created);
    free(p.stems);
    free(p.uses);
    if (p.flags) free(p.n_flags ? p.flags[0].decls : NULL);
    free(p.flags);
    if (rc && !err[0]) snprintf(err, errlen, "out of memory");
    return rc ? -1 : 0;
}

int snb_cli_apply(const snb_cli_t *cli, snb_conf_t *conf)
{
    for (size_t i = 0; i < cli->n_sets; i++) {
        const snb_cli_set_t *s = &cli->sets[i];
        const char *origin = s->soft ? SNB_CLI_SOFT_ORIGIN : "command line";
        if (snb_conf_set(conf, s->section, s->instance, s->key, s->value, s->append, origin, 0) !=
            0)
            return -1;
    }
    return 0;
}

void snb_cli_free(snb_cli_t *cli)
{
    for (size_t i = 0; i < cli->n_sets; i++) {
        free(cli->sets[i].section);
        free(cli->sets[i].instance);
        free(cli->sets[i].key);
        free(cli->sets[i].value);
    }
    free(cli->sets);
    cli->sets = NULL;
    cli->n_sets = 0;
}

/* ---- --help ---- */

static void usage_flag(FILE *out, const snb_flag_t *f)
{
    char help[512];
    snprintf(help, sizeof help, "%s%s", f->help ? f->help : "",
             f->flags & SNB_FLAG_LOADS ? " (loads the module)" : "");
    char left[80];
    if (f->flags & SNB_FLAG_POSITIONAL)
        snprintf(left, sizeof left, "%s", f->arg);
    else if (f->short_name)
        snprintf(left, sizeof left, "-%c, --%s%s%s", f->short_name, f->name, f->arg ? " " : "",
                 f->arg ? f->arg : "");
    else
        snprintf(left, sizeof left, "    --%s%s%s", f->name, f->arg ? " " : "",
                 f->arg ? f->arg : "");
    if (strlen(left) > 24)
        fprintf(out, "  %s\n  %-24s %s\n", left, "", help);
    else
        fprintf(out, "  %-24s %s\n", left, help);
}

void snb_cli_usage(FILE *out, const snb_flag_owner_t *owners, size_t n_owners)
{
    fputs("Usage: sipnab [options] [BPF filter words...]\n", out);
    for (size_t o = 0; o < n_owners; o++) {
        const snb_flag_owner_t *w = &owners[o];
        if (!w->flags || !w->flags[0].name) continue;
        if (!strcmp(w->name, "core"))
            fputs("\nCore:\n", out);
        else
            fprintf(out, "\nModule %s (%s):\n", w->name, w->description ? w->description : "");
        for (const snb_flag_t *f = w->flags; f->name; f++)
            usage_flag(out, f);
    }
    fputs("\nEvery flag is shorthand for a configuration setting (docs/cli.md). A module's\n"
          "flags are listed whether or not it is loaded; a flag shared by several modules\n"
          "sets each loaded one.\n"
          "Exit status: 0 success, 1 a capture or runtime error, 2 a usage or configuration "
          "error.\n",
          out);
}
