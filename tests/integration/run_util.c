/* Helpers to run commands from Check tests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_util.h"

static void append(char **buf, size_t *len, const char *data, size_t n)
{
    char *grown = realloc(*buf, *len + n + 1);
    if (!grown) return;
    memcpy(grown + *len, data, n);
    *len += n;
    grown[*len] = '\0';
    *buf = grown;
}

static int decode_status(int st)
{
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return -1;
}

run_result_t run_cmd(char *const argv[], int timeout_s)
{
    run_result_t r = {.status = -1, .out = calloc(1, 1), .err = calloc(1, 1)};
    size_t olen = 0, elen = 0;
    int po[2], pe[2];
    if (pipe(po) || pipe(pe)) return r;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    time_t deadline = time(NULL) + timeout_s;
    struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
    int open_fds = 2;
    while (open_fds > 0) {
        int left = (int)(deadline - time(NULL));
        if (left <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        if (poll(fds, 2, left * 1000) <= 0) continue;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[65536];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                append(&r.out, &olen, buf, (size_t)n);
            } else {
                append(&r.err, &elen, buf, (size_t)n);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0) close(fds[i].fd);
    int st;
    waitpid(pid, &st, 0);
    r.status = time(NULL) >= deadline ? -1 : decode_status(st);
    return r;
}

void run_free(run_result_t *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

pid_t run_bg(char *const argv[], const char *out_path, const char *err_path)
{
    /* Truncated before the fork, not in the child: a wait_for_text right
     * after run_bg must never read what the previous run left there. */
    int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_t pid = fork();
    if (pid == 0) {
        if (o >= 0) dup2(o, 1);
        if (e >= 0) dup2(e, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    if (o >= 0) close(o);
    if (e >= 0) close(e);
    return pid;
}

int run_wait(pid_t pid, int timeout_s)
{
    for (int i = 0; i < timeout_s * 20; i++) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) return decode_status(st);
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

const char *sipnab_bin(void)
{
    return SNB_BUILD_DIR "/sipnab";
}

int wait_for_text(const char *path, const char *needle, int seconds)
{
    for (int i = 0; i < seconds * 20; i++) {
        char *text = read_file(path);
        int found = text && strstr(text, needle);
        free(text);
        if (found) return 1;
        usleep(50000);
    }
    return 0;
}

char *data_path(const char *name)
{
    size_t n = strlen(SNB_TEST_DATA_DIR) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", SNB_TEST_DATA_DIR, name);
    return p;
}

char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        append(&buf, &len, chunk, n);
    fclose(f);
    return buf ? buf : calloc(1, 1);
}

int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

json_t *sipnab_stats(const char *capture, char *const extra[], run_result_t *res_out)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)sipnab_bin();
    argv[n++] = "-c";
    argv[n++] = "/dev/null";
    argv[n++] = "-I";
    argv[n++] = (char *)capture;
    argv[n++] = "--stats";
    argv[n++] = "--json";
    for (int i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    run_result_t r = run_cmd(argv, 120);
    json_t *obj = NULL;
    const char *last = r.out;
    for (const char *p = r.out; *p; p++)
        if (*p == '\n' && p[1]) last = p + 1;
    json_error_t jerr;
    obj = json_loads(last, JSON_DISABLE_EOF_CHECK, &jerr);
    if (res_out)
        *res_out = r;
    else
        run_free(&r);
    return obj;
}

long long json_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

int foreach_capture(int (*fn)(const char *name, const char *stem), int *count)
{
    DIR *d = opendir(SNB_TEST_DATA_DIR);
    int bad = 0;
    *count = 0;
    if (!d) return 1;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || (strcmp(dot, ".pcap") && strcmp(dot, ".pcapng"))) continue;
        char stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)(dot - e->d_name), e->d_name);
        bad += fn(e->d_name, stem);
        (*count)++;
    }
    closedir(d);
    return bad;
}

int bind_loopback(int type, int *port)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET}; /* port 0: the kernel's pick */
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
        *port = ntohs(sa.sin_port);
        return fd;
    }
    if (fd >= 0) close(fd);
    return -1;
}

static int free_port(int type)
{
    int port = -1, fd = bind_loopback(type, &port);
    if (fd >= 0) close(fd);
    return fd >= 0 ? port : -1;
}

int free_tcp_port(void)
{
    return free_port(SOCK_STREAM);
}

int free_udp_port(void)
{
    return free_port(SOCK_DGRAM);
}
