/* A seccomp filter for the API process, applied after Landlock once it
 * serves: an allow-list of the system calls libuv, libmicrohttpd, GnuTLS
 * and glibc make while serving, built as raw BPF (no libseccomp needed).
 *  - No socket can be created, bound or connected (EPERM), and sendto
 *    only without an address: with no datagram socket among its
 *    descriptors and none to be had, the process has no UDP egress
 *    (Landlock only covers TCP).
 *  - ioctl only sets non-blocking or close-on-exec (no TIOCSTI into a
 *    terminal on stderr).
 *  - Files: Landlock refuses them; open calls fail with EACCES here too.
 *  - Anything else ends the process (SIGSYS); the capture process then
 *    logs it and starts a new one.
 * Sanitizer builds also let through what their runtimes need at exit. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "api_server.h"

#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifdef SECCOMP_ARCH

static const int allowed[] = {
    /* the loop: libuv and MHD's epoll */
    SYS_epoll_ctl,
    SYS_epoll_pwait,
    SYS_epoll_create1,
    SYS_eventfd2,
    SYS_pipe2,
#ifdef SYS_epoll_wait
    SYS_epoll_wait,
#endif
#ifdef SYS_epoll_pwait2
    SYS_epoll_pwait2,
#endif
    /* descriptors and clients */
    SYS_read,
    SYS_readv,
    SYS_write,
    SYS_writev,
    SYS_close,
    SYS_fcntl,
    SYS_accept4,
    SYS_recvfrom,
    SYS_recvmsg,
    SYS_sendmsg,
    SYS_shutdown,
    SYS_setsockopt,
    SYS_getsockopt,
    SYS_getsockname,
    SYS_getpeername,
    SYS_fstat,
    SYS_newfstatat,
    SYS_lseek,
#ifdef SYS_accept
    SYS_accept,
#endif
#ifdef SYS_poll
    SYS_poll,
#endif
    SYS_ppoll,
    /* memory, time, randomness, signals, threads' futexes, the end */
    SYS_brk,
    SYS_mmap,
    SYS_munmap,
    SYS_mremap,
    SYS_madvise,
    SYS_mprotect,
    SYS_clock_gettime,
    SYS_clock_getres,
    SYS_gettimeofday,
    SYS_clock_nanosleep,
    SYS_nanosleep,
    SYS_getrandom,
    SYS_futex,
    SYS_rt_sigreturn,
    SYS_rt_sigprocmask,
    SYS_rt_sigaction,
    SYS_getpid,
    SYS_gettid,
    SYS_tgkill,
    SYS_sched_yield,
    SYS_exit,
    SYS_exit_group,
    SYS_restart_syscall,
#ifdef SANITIZED
    /* ASan/UBSan/LSan: reports, the leak check's stop-the-world at exit */
    SYS_sigaltstack,
    SYS_prctl,
    SYS_clone,
    SYS_wait4,
    SYS_ptrace,
    SYS_getppid,
    SYS_kill,
    SYS_sched_getaffinity,
    SYS_readlinkat,
    SYS_getdents64,
    SYS_process_vm_readv,
    SYS_set_robust_list,
    SYS_rseq,
    SYS_clone3,
    SYS_openat,
    SYS_uname,
    SYS_pread64,
    SYS_dup,
    SYS_dup3,
#ifdef SYS_readlink
    SYS_readlink,
#endif
#ifdef SYS_dup2
    SYS_dup2,
#endif
#endif
};

/* Refused with EPERM: what an intruder would reach for first. */
static const int refused[] = {
    SYS_socket, SYS_socketpair, SYS_connect, SYS_bind,
    SYS_listen, SYS_sendmmsg,   SYS_execve,  SYS_execveat,
#ifndef SANITIZED
    SYS_openat,
#endif
#ifdef SYS_open
    SYS_open,
#endif
};

#define MAX_INSNS 256
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4) /* little-endian: both architectures here */

typedef struct prog {
    struct sock_filter f[MAX_INSNS];
    unsigned short n;
} prog_t;

static void emit(prog_t *p, struct sock_filter insn)
{
    if (p->n < MAX_INSNS) p->f[p->n] = insn;
    p->n++;
}

static void ret_if_nr(prog_t *p, int nr, __u32 action)
{
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)nr, 0, 1));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

/* if (nr == SYS_sendto) return args[4] == NULL ? ALLOW : ERRNO(EPERM); A
 * still holds nr when this falls through. */
static void sendto_without_address(prog_t *p)
{
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sendto, 0, 6));
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(4)));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3));
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(4)));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
}

/* if (nr == SYS_ioctl) return request is FIONBIO or FIOCLEX ? ALLOW : EPERM. */
static void ioctl_nonblock_only(prog_t *p)
{
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 5));
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FIONBIO, 1, 0));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FIOCLEX, 0, 1));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
}

int api_sandbox_seccomp(char *what, size_t len)
{
    static prog_t p;
    p.n = 0;
    emit(&p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                          offsetof(struct seccomp_data, arch)));
    emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0));
    emit(&p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    emit(&p,
         (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
#ifdef __x86_64__
    /* x32 system calls share the architecture tag: refuse them all. */
    emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1));
    emit(&p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
#endif
    sendto_without_address(&p);
    ioctl_nonblock_only(&p);
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        ret_if_nr(&p, allowed[i], SECCOMP_RET_ALLOW);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        ret_if_nr(&p, refused[i], SECCOMP_RET_ERRNO | EPERM);
    emit(&p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    if (p.n > MAX_INSNS) {
        snprintf(what, len, "no seccomp (filter too long)");
        return -1;
    }
    struct sock_fprog prog = {.len = p.n, .filter = p.f};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    /* prctl rather than seccomp(2): systemd's @system-service set (our
     * unit's filter) has prctl but not seccomp. */
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
        snprintf(what, len, "no seccomp (%s)", errno == EINVAL ? "not in this kernel" : "refused");
        return -1;
    }
    snprintf(what, len, "seccomp: %zu system calls, no new sockets, no UDP egress",
             sizeof allowed / sizeof allowed[0] + 2);
    return 0;
}

#else

int api_sandbox_seccomp(char *what, size_t len)
{
    snprintf(what, len, "no seccomp filter for this architecture");
    return -1;
}

#endif
