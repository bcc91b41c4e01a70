/* Log tailers: every configured log file (Kamailio, Asterisk, FreeSWITCH,
 * ...) is polled from the loop's tick. Rotation-safe: a new inode at the
 * path means the file was rotated (the rest of the old one is read first,
 * then the new one from its start); a file shorter than what was read was
 * truncated (read again from 0). A file that does not exist yet is waited
 * for. At start, existing files are read from their end: only lines written
 * while the agent runs can belong to its sessions. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_out.h"
#include "sipnab/log.h"

#define READ_CHUNK 65536
#define MAX_READ_PER_POLL (4u << 20) /* a burst is read over several ticks */

struct agent_tailer {
    const char *path;
    int fd;
    uint64_t ino;
    uint64_t offset;
    agent_lines_t lines;
};

typedef struct line_ctx {
    agent_t *a;
    const char *path;
} line_ctx_t;

static void on_line(void *ud, const char *line, size_t len)
{
    line_ctx_t *c = ud;
    agent_count(c->a, C_LOG_LINES_READ, 1);
    agent_log_line(c->a, c->path, line, len);
}

/* Reads what is new in t->fd, at most MAX_READ_PER_POLL bytes. */
static void drain(agent_t *a, agent_tailer_t *t)
{
    char buf[READ_CHUNK];
    line_ctx_t ctx = {a, t->path};
    size_t total = 0;
    while (total < MAX_READ_PER_POLL) {
        ssize_t n = pread(t->fd, buf, sizeof buf, (off_t)t->offset);
        if (n <= 0) break;
        t->offset += (uint64_t)n;
        total += (size_t)n;
        agent_lines_feed(&t->lines, buf, (size_t)n, on_line, &ctx);
    }
}

static void open_at(agent_tailer_t *t, bool from_end)
{
    int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    t->fd = fd;
    t->ino = (uint64_t)st.st_ino;
    t->offset = from_end ? (uint64_t)st.st_size : 0;
    agent_lines_reset(&t->lines);
}

static void poll_one(agent_t *a, agent_tailer_t *t)
{
    struct stat ps, os;
    bool exists = stat(t->path, &ps) == 0 && S_ISREG(ps.st_mode);
    uint64_t open_size = 0;
    if (t->fd >= 0 && fstat(t->fd, &os) == 0) open_size = (uint64_t)os.st_size;
    agent_tail_action_t act = agent_tail_decide(t->fd >= 0 ? t->ino : 0, t->offset, open_size,
                                                exists, exists ? (uint64_t)ps.st_ino : 0);
    switch (act) {
    case AGENT_TAIL_GONE:
        if (t->fd >= 0) drain(a, t);
        break;
    case AGENT_TAIL_REOPEN:
        if (t->fd >= 0) {
            drain(a, t); /* the rest of the rotated file */
            close(t->fd);
            t->fd = -1;
            agent_count(a, C_LOG_ROTATIONS, 1);
        }
        open_at(t, false);
        if (t->fd >= 0) drain(a, t);
        break;
    case AGENT_TAIL_TRUNCATE:
        agent_count(a, C_LOG_ROTATIONS, 1);
        t->offset = 0;
        agent_lines_reset(&t->lines);
        drain(a, t);
        break;
    case AGENT_TAIL_READ:
        drain(a, t);
        break;
    }
}

int agent_tailers_start(agent_t *a)
{
    size_t n = a->conf->log_files.n;
    if (!n) return 0;
    a->tailers = calloc(n, sizeof *a->tailers);
    if (!a->tailers) return -ENOMEM;
    a->n_tailers = n;
    for (size_t i = 0; i < n; i++) {
        agent_tailer_t *t = &a->tailers[i];
        t->path = a->conf->log_files.v[i];
        t->fd = -1;
        agent_lines_init(&t->lines);
        open_at(t, true);
        if (t->fd < 0)
            snb_log_warn(a->core, "agent", "log file %s: %s (waiting for it)", t->path,
                         strerror(errno));
    }
    return 0;
}

void agent_tailers_poll(agent_t *a)
{
    for (size_t i = 0; i < a->n_tailers; i++)
        poll_one(a, &a->tailers[i]);
}

void agent_tailers_stop(agent_t *a)
{
    for (size_t i = 0; i < a->n_tailers; i++)
        if (a->tailers[i].fd >= 0) close(a->tailers[i].fd);
    free(a->tailers);
    a->tailers = NULL;
    a->n_tailers = 0;
}
