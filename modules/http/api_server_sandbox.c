/* Landlock for the API process (Linux 5.13+): after it has bound its port
 * and loaded its certificate, it takes away its own right to open, create
 * or execute any file, to bind or connect TCP sockets (ABI 4+), and to
 * signal or reach abstract sockets outside itself (ABI 6+). Unlike chroot
 * and setuid this needs no root, so the capture file stays out of reach
 * whoever starts sipnab. Debian 12's <linux/landlock.h> only knows ABI 1, so
 * the newer fields and bits are spelled out here (stable kernel ABI). */
#include <errno.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "api_server.h"

struct ruleset_attr_v6 { /* struct landlock_ruleset_attr as of ABI 6 */
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

#define FS_ABI1 ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define FS_REFER (1ULL << 13)      /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
#define NET_BIND_TCP (1ULL << 0)   /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SCOPE_SIGNAL (1ULL << 1)

int api_sandbox_landlock(char *what, size_t len)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        snprintf(what, len, "no Landlock (%s)", errno == ENOSYS ? "kernel too old" : "disabled");
        return 0;
    }
    struct ruleset_attr_v6 attr = {.handled_access_fs = FS_ABI1};
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 2) attr.handled_access_fs |= FS_REFER;
    if (abi >= 3) attr.handled_access_fs |= FS_TRUNCATE;
    if (abi >= 5) attr.handled_access_fs |= FS_IOCTL_DEV;
    if (abi >= 4) {
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
        size = offsetof(struct ruleset_attr_v6, scoped);
    }
    if (abi >= 6) {
        attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
        size = sizeof attr;
    }
    /* No rule is added: everything handled is denied. */
    int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (fd < 0) {
        snprintf(what, len, "Landlock ruleset refused (ABI %ld)", abi);
        return 0;
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); /* required to restrict ourselves unprivileged */
    long rc = syscall(SYS_landlock_restrict_self, fd, 0);
    close(fd);
    if (rc != 0) {
        snprintf(what, len, "Landlock not applied (ABI %ld)", abi);
        return 0;
    }
    snprintf(what, len, "Landlock ABI %ld: no file access%s%s", abi,
             abi >= 4 ? ", no TCP bind/connect" : "", abi >= 6 ? ", scoped" : "");
    return (int)abi;
}
