/* Log tailing, the pure part: splitting what was read into lines (a line
 * longer than AGENT_TAIL_LINE_MAX is cut there and the rest of it skipped,
 * so a file without newlines cannot grow memory), and deciding from two
 * stat()s whether a file was rotated (new inode: read the rest of the old
 * one, then the new one from its start) or truncated (smaller than what we
 * read: start again from 0). */
#ifndef AGENT_TAIL_H
#define AGENT_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_TAIL_LINE_MAX 8192 /* the protocol's log line limit */

typedef struct agent_lines {
    char buf[AGENT_TAIL_LINE_MAX];
    size_t len;
    bool skipping; /* inside a line already cut at the limit */
    uint64_t cut;  /* lines cut */
} agent_lines_t;

typedef void (*agent_line_fn)(void *ud, const char *line, size_t len);

void agent_lines_init(agent_lines_t *l);
/* Feeds bytes; calls fn for every complete line (without its "\n" or
 * "\r\n"; empty lines are skipped). */
void agent_lines_feed(agent_lines_t *l, const char *data, size_t n, agent_line_fn fn, void *ud);
/* Forgets a partial line (the file was truncated or replaced). */
void agent_lines_reset(agent_lines_t *l);

typedef enum agent_tail_action {
    AGENT_TAIL_READ,     /* same file: read from the offset on */
    AGENT_TAIL_REOPEN,   /* another file at the path (rotation): switch, from its start */
    AGENT_TAIL_TRUNCATE, /* same file, now shorter: read again from 0 */
    AGENT_TAIL_GONE,     /* nothing at the path now: keep the old one, look again later */
} agent_tail_action_t;

/* open_ino: the inode we read (0 if none open); path_exists/path_ino/
 * path_size: the file at the path now; offset: what we read of ours;
 * open_size: the size of our open file now. */
agent_tail_action_t agent_tail_decide(uint64_t open_ino, uint64_t offset, uint64_t open_size,
                                      bool path_exists, uint64_t path_ino);

/* The words of a log line that could be a Call-ID: split on blanks and
 * the punctuation logs put around values (= , ; " ' < > [ ] ( ) { } |),
 * so "ci=abc@h" and "[abc@h]" give "abc@h". fn returns false to stop. */
typedef bool (*agent_token_fn)(void *ud, const char *tok, size_t len);
void agent_line_tokens(const char *line, size_t len, agent_token_fn fn, void *ud);

#endif
