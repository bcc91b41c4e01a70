/* A hook's command line split into argv without a shell: words separated
 * by blanks; '...' keeps everything literally, "..." keeps everything but
 * \" \\ \$ \` escapes, a backslash outside quotes escapes the next
 * character. No expansion of any kind ($VAR, globs, ~, ;, |, >): what you
 * write is what runs. */
#ifndef SNB_EXEC_ARGV_H
#define SNB_EXEC_ARGV_H

#include <stddef.h>

#define EXEC_ARGV_MAX 64      /* words */
#define EXEC_COMMAND_MAX 4096 /* bytes of the command line */

typedef struct exec_argv {
    char *argv[EXEC_ARGV_MAX + 1]; /* NULL-terminated, pointing into buf */
    size_t argc;
    char buf[EXEC_COMMAND_MAX + 1];
} exec_argv_t;

/* 0, or -1 with why ("unterminated quote", "empty command", "more than 64
 * words", "longer than 4096 bytes"). */
int exec_argv_split(const char *command, exec_argv_t *out, char *why, size_t whylen);
/* A copy whose argv points into its own buf (a plain struct copy would
 * point into the source's). */
void exec_argv_copy(exec_argv_t *dst, const exec_argv_t *src);

#endif
