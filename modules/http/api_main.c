/* sipnab-api: the API process. Started by the http module with the feed
 * socket as fd 3 and nothing else: it closes any other inherited descriptor,
 * reads its settings (key and certificate included) from the feed, binds,
 * then, when started as root, chroots into an empty directory it removed and
 * becomes an unprivileged user, so it can open no capture and no file. It
 * says "R" (ready) or "E<reason>" on the feed, then serves until the feed
 * closes. */
#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_server.h"
#include "api_wire.h"

#define FEED_FD 3

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "sipnab-api: %s\n", msg);
}

static void fail(const char *why)
{
    char line[600];
    int n = snprintf(line, sizeof line, "E%s\n", why);
    if (write(FEED_FD, line, (size_t)n) < 0) say("%s", why);
    exit(1);
}

/* Read exactly len bytes (blocking: nothing else to do before the settings). */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static char *str_of(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return strdup(v ? v : "");
}

static int64_t int_of(json_t *o, const char *key, int64_t def)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

static int read_settings(api_settings_t *s)
{
    unsigned char hdr[API_FRAME_HEADER];
    if (read_all(FEED_FD, hdr, sizeof hdr) != 0) return -1;
    uint32_t len =
        (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    if (hdr[4] != API_FRAME_CONFIG || len > (1u << 22)) return -1;
    char *text = malloc((size_t)len + 1);
    if (!text || read_all(FEED_FD, text, len) != 0) {
        free(text);
        return -1;
    }
    json_t *o = json_loadb(text, len, 0, NULL);
    memset(text, 0, len); /* the key */
    free(text);
    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    s->listen = str_of(o, "listen");
    s->api_key = str_of(o, "api_key");
    s->metrics_key = str_of(o, "metrics_key");
    s->cert_pem = str_of(o, "tls_cert_pem");
    s->key_pem = str_of(o, "tls_key_pem");
    s->user = str_of(o, "user");
    s->max_conn = int_of(o, "max_conn", 100);
    s->rate_limit = int_of(o, "rate_limit", 100);
    s->idle_timeout_s = int_of(o, "idle_timeout_s", 10);
    s->max_request = int_of(o, "max_request", 16384);
    s->mcp_max_rows = int_of(o, "mcp_max_rows", 1000);
    s->mcp_stdio = json_is_true(json_object_get(o, "mcp_stdio"));
    json_decref(o);
    return 0;
}

/* Root only: an empty, already deleted directory as /, then the user's
 * identity for good. Not root: nothing to drop (we cannot switch users). */
static void drop_privileges(const char *user, char *why, size_t whylen)
{
    why[0] = '\0';
    if (geteuid() != 0) return;
    const char *name = user && *user ? user : "nobody";
    struct passwd *pw = getpwnam(name);
    if (!pw) {
        snprintf(why, whylen, "no such user '%s' (--user)", name);
        return;
    }
    if (pw->pw_uid == 0) {
        snprintf(why, whylen, "refusing to run the API as root (--user %s)", name);
        return;
    }
    char dir[] = "/tmp/sipnab-api.XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0 || rmdir(dir) != 0 || chroot(".") != 0 ||
        chdir("/") != 0) {
        snprintf(why, whylen, "cannot chroot into an empty directory: %s", strerror(errno));
        return;
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        snprintf(why, whylen, "cannot become %s: %s", name, strerror(errno));
        return;
    }
    if (setuid(0) == 0) {
        snprintf(why, whylen, "could become root again after dropping privileges");
        return;
    }
}

int main(void)
{
    /* Only 0-3 are ours; anything else inherited by mistake (a capture
     * socket, a file) is closed before we read a byte. */
    close_range(FEED_FD + 1, ~0u, 0);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    api_settings_t s = {0};
    if (read_settings(&s) != 0) fail("no settings from the capture process");
    char why[512];
    api_server_t *srv = api_server_start(&s, why, sizeof why);
    if (!srv) fail(why);
    /* The key text now lives in the server; the certificate is loaded. */
    if (s.key_pem) memset(s.key_pem, 0, strlen(s.key_pem));
    bool was_root = geteuid() == 0;
    drop_privileges(s.user, why, sizeof why);
    if (why[0]) fail(why);
    char identity[96];
    if (was_root)
        snprintf(identity, sizeof identity, "user %s, chrooted in an empty directory",
                 s.user && *s.user ? s.user : "nobody");
    else
        snprintf(identity, sizeof identity, "uid %u (not started as root: no chroot)",
                 (unsigned)geteuid());
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* a uid change cleared it */
    /* Last: Landlock also forbids what the steps above still needed. */
    char sandbox[160], filter[128];
    api_sandbox_landlock(sandbox, sizeof sandbox);
    api_sandbox_seccomp(filter, sizeof filter);
    char ready[448];
    int n = snprintf(ready, sizeof ready, "R%s; %s; %s\n", identity, sandbox, filter);
    if (write(FEED_FD, ready, (size_t)n) != n) return 1;
    int rc = api_server_run(srv, FEED_FD);
    api_server_free(srv);
    return rc == 0 ? 0 : 1;
}
