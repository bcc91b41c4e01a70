/* libFuzzer: hook command lines (exec_argv_split) and syslog messages built
 * from hostile field values (syslog_format_5424/3164): no crash, no read or
 * write out of bounds, every output terminated and within its buffer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "exec_argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char cmd[EXEC_COMMAND_MAX + 64];
    size_t n = size < sizeof cmd - 1 ? size : sizeof cmd - 1;
    memcpy(cmd, data, n);
    cmd[n] = '\0';
    exec_argv_t a;
    char why[128];
    if (exec_argv_split(cmd, &a, why, sizeof why) == 0) {
        size_t total = 0;
        for (size_t i = 0; i < a.argc; i++)
            total += strlen(a.argv[i]) + 1;
        if (total > sizeof a.buf || a.argv[a.argc] != NULL) __builtin_trap();
    }
    return 0;
}
