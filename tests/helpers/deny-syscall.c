/*
 * deny-syscall: run a program with some system calls refused, for the
 * tests of the run-time fallbacks.
 *
 *	deny-syscall [-e ERRNO] SYSCALL[,SYSCALL...] PROGRAM [ARG...]
 *
 * daemonize asks the kernel for newer system calls (close_range, the
 * pidfd calls, ...) and falls back to older ways when the kernel answers
 * ENOSYS, or when a container's seccomp profile answers EPERM.  The
 * machines the suite runs on have all those calls, so the fallbacks would
 * otherwise go untested.  This installs a seccomp filter that makes each
 * named call fail with ERRNO (ENOSYS unless told otherwise) and lets every
 * other call through, then executes PROGRAM.  The filter stays in force
 * across exec and in every child, as a kernel's or a container's would.
 *
 * ERRNO is ENOSYS, EPERM, EACCES or a decimal number from 1 to 4095; or
 * KILL, which kills the process making the call instead (SIGSYS), the way
 * the OOM killer or an administrator might at that very moment.
 *
 * The filter is written in classic BPF by hand, so that the suite needs
 * no libseccomp.  It checks the architecture first: a system call made
 * through another ABI (a 32-bit call from a 64-bit process, say) has
 * other numbers, and is killed rather than let through unfiltered.  On
 * x86_64 the x32 numbers are the x86_64 ones with __X32_SYSCALL_BIT set;
 * the bit is masked off, so that a call is denied whichever way it is
 * made.
 *
 * Exit status: 2 for a bad command line, 125 when the filter cannot be
 * installed (or the architecture is not one known here), 126 or 127 when
 * PROGRAM cannot be executed, as with env(1); otherwise PROGRAM's own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG	"deny-syscall"

#define EXIT_USAGE	2
#define EXIT_SETUP	125
#define EXIT_NOEXEC	126
#define EXIT_NOTFOUND	127

/* The largest errno the kernel passes back from a filter. */
#define ERRNO_MAX	4095
/* -e KILL: not an errno, the process is killed. */
#define ERRNO_KILL	(-1)

/*
 * The AUDIT_ARCH value the kernel reports for system calls made by this
 * build's own ABI.  Left undefined where it is not known here.
 */
#if defined(__x86_64__)
/* x32 calls are reported as x86_64, with __X32_SYSCALL_BIT in the number. */
# define FILTER_ARCH	AUDIT_ARCH_X86_64
# define FILTER_X32_MASK
# ifndef __X32_SYSCALL_BIT
#  define __X32_SYSCALL_BIT	0x40000000
# endif
#elif defined(__i386__)
# define FILTER_ARCH	AUDIT_ARCH_I386
#elif defined(__aarch64__)
/* The kernel reports AUDIT_ARCH_AARCH64 whatever the byte order. */
# define FILTER_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__arm__) && defined(__ARM_EABI__)
# if defined(__ARMEB__)
#  define FILTER_ARCH	AUDIT_ARCH_ARMEB
# else
#  define FILTER_ARCH	AUDIT_ARCH_ARM
# endif
#elif defined(__riscv) && defined(__riscv_xlen) && __riscv_xlen == 64
# define FILTER_ARCH	AUDIT_ARCH_RISCV64
#elif defined(__riscv) && defined(__riscv_xlen) && __riscv_xlen == 32 && \
    defined(AUDIT_ARCH_RISCV32)
# define FILTER_ARCH	AUDIT_ARCH_RISCV32
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
# define FILTER_ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__powerpc64__)
# define FILTER_ARCH	AUDIT_ARCH_PPC64
#elif defined(__powerpc__) && !defined(__LITTLE_ENDIAN__)
# define FILTER_ARCH	AUDIT_ARCH_PPC
#elif defined(__s390x__)
# define FILTER_ARCH	AUDIT_ARCH_S390X
#elif defined(__s390__)
# define FILTER_ARCH	AUDIT_ARCH_S390
#elif defined(__loongarch__) && defined(__loongarch_lp64) && \
    defined(AUDIT_ARCH_LOONGARCH64)
# define FILTER_ARCH	AUDIT_ARCH_LOONGARCH64
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
/* Before Linux 4.14: kill the calling thread only. */
# define SECCOMP_RET_KILL_PROCESS	SECCOMP_RET_KILL
#endif

/*
 * The system calls that can be named.  Those numbered 424 and above have
 * the same number on every architecture known above (x32 aside, whose bit
 * is masked off), so where the headers predate a call its number is used
 * as is; on architectures with other numbering (alpha, ia64, mips) the
 * headers are never old enough to need this, and there is no filter
 * anyway.  The older calls vary by architecture and have no such default.
 */
#if defined(__NR_close_range)
# define NR_CLOSE_RANGE		__NR_close_range
#else
# define NR_CLOSE_RANGE		436
#endif
#if defined(__NR_pidfd_open)
# define NR_PIDFD_OPEN		__NR_pidfd_open
#else
# define NR_PIDFD_OPEN		434
#endif
#if defined(__NR_pidfd_send_signal)
# define NR_PIDFD_SEND_SIGNAL	__NR_pidfd_send_signal
#else
# define NR_PIDFD_SEND_SIGNAL	424
#endif
#if defined(__NR_clone3)
# define NR_CLONE3		__NR_clone3
#else
# define NR_CLONE3		435
#endif
#if defined(__NR_openat2)
# define NR_OPENAT2		__NR_openat2
#else
# define NR_OPENAT2		437
#endif
#if defined(__NR_faccessat2)
# define NR_FACCESSAT2		__NR_faccessat2
#else
# define NR_FACCESSAT2		439
#endif

static const struct syscall_name {
	const char	*name;
	long		 nr;
} syscalls[] = {
	{ "close_range",	NR_CLOSE_RANGE },
	{ "getdents64",		__NR_getdents64 },
	{ "pidfd_open",		NR_PIDFD_OPEN },
	{ "pidfd_send_signal",	NR_PIDFD_SEND_SIGNAL },
	{ "clone3",		NR_CLONE3 },
#if defined(__NR_vfork)
	{ "vfork",		__NR_vfork },
#endif
	{ "openat2",		NR_OPENAT2 },
	{ "faccessat2",		NR_FACCESSAT2 },
	{ "setpriority",	__NR_setpriority },
	{ "setitimer",		__NR_setitimer },
	{ "ioprio_set",		__NR_ioprio_set },
	{ "sched_setscheduler",	__NR_sched_setscheduler },
	{ "sched_setaffinity",	__NR_sched_setaffinity },
	{ "capset",		__NR_capset },
};

#define NSYSCALLS	(sizeof syscalls / sizeof syscalls[0])

static const struct errno_name {
	const char	*name;
	int		 value;
} errnos[] = {
	{ "ENOSYS",	ENOSYS },
	{ "EPERM",	EPERM },
	{ "EACCES",	EACCES },
};

#define NERRNOS		(sizeof errnos / sizeof errnos[0])

#if defined(__GNUC__)
__attribute__((__noreturn__))
#endif
static void
fail(int status, const char *what, const char *reason)
{
	fprintf(stderr, "%s: %s: %s\n", PROG, what, reason);
	exit(status);
}

static int
parse_errno(const char *s)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < NERRNOS; i++)
		if (strcmp(s, errnos[i].name) == 0)
			return errnos[i].value;
	if (strcmp(s, "KILL") == 0)
		return ERRNO_KILL;
	if (*s == '\0')
		fail(EXIT_USAGE, "-e", "empty errno");
	if (*s < '0' || *s > '9')
		fail(EXIT_USAGE, s, "unknown errno name");
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		fail(EXIT_USAGE, s, "not a decimal number");
	if (errno != 0 || v < 1 || v > ERRNO_MAX)
		fail(EXIT_USAGE, s, "errno out of range (1 to 4095)");
	return (int)v;
}

/*
 * Mark in deny[] the entries of syscalls[] named in the comma-separated
 * list; return how many distinct ones.
 */
static size_t
parse_syscalls(const char *list, int deny[NSYSCALLS])
{
	const char *p = list, *comma;
	size_t len, i, n = 0;
	char name[64];

	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0)
			fail(EXIT_USAGE, list, "empty system call name");
		if (len >= sizeof name)
			len = sizeof name - 1;
		memcpy(name, p, len);
		name[len] = '\0';
		for (i = 0; i < NSYSCALLS; i++)
			if (strcmp(name, syscalls[i].name) == 0)
				break;
		if (i == NSYSCALLS)
			fail(EXIT_USAGE, name, "unknown system call");
		if (!deny[i]) {
			deny[i] = 1;
			n++;
		}
		if (comma == NULL)
			return n;
		p = comma + 1;
	}
}

#ifdef FILTER_ARCH
/*
 *	check the architecture, kill on a foreign one
 *	load the number (on x86_64 without the x32 bit)
 *	for each denied call: equal -> RET ERRNO
 *	RET ALLOW
 *	RET ERRNO
 */
static void
install_filter(const int deny[NSYSCALLS], size_t ndeny, int err)
{
	struct sock_filter insns[5 + NSYSCALLS + 2];
	struct sock_fprog prog;
	size_t n = 0, i, left = ndeny;

	insns[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	insns[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    FILTER_ARCH, 1, 0);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
#ifdef FILTER_X32_MASK
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
	    ~(unsigned int)__X32_SYSCALL_BIT);
#endif
	for (i = 0; i < NSYSCALLS; i++) {
		unsigned int nr;

		if (!deny[i])
			continue;
		nr = (unsigned int)syscalls[i].nr;
#ifdef FILTER_X32_MASK
		nr &= ~(unsigned int)__X32_SYSCALL_BIT;
#endif
		/* Past the remaining tests and the RET ALLOW to RET ERRNO. */
		left--;
		insns[n++] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JEQ | BPF_K, nr, (unsigned char)(left + 1), 0);
	}
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	insns[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    err == ERRNO_KILL ? SECCOMP_RET_KILL_PROCESS :
	    SECCOMP_RET_ERRNO | ((unsigned int)err & SECCOMP_RET_DATA));

	prog.len = (unsigned short)n;
	prog.filter = insns;
	/* Without privileges a filter may only be installed with this. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == -1)
		fail(EXIT_SETUP, "prctl(PR_SET_NO_NEW_PRIVS)", strerror(errno));
	if (prctl(PR_SET_SECCOMP, (unsigned long)SECCOMP_MODE_FILTER,
	    &prog, 0L, 0L) == -1)
		fail(EXIT_SETUP, "prctl(PR_SET_SECCOMP)", strerror(errno));
}
#endif /* FILTER_ARCH */

int
main(int argc, char *argv[])
{
	int deny[NSYSCALLS] = { 0 };
	int err = ENOSYS, i = 1;
	size_t ndeny;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-e") == 0) {
			if (i + 1 >= argc)
				fail(EXIT_USAGE, "-e", "missing argument");
			err = parse_errno(argv[i + 1]);
			i += 2;
		} else if (strncmp(argv[i], "-e", 2) == 0) {
			err = parse_errno(argv[i] + 2);
			i++;
		} else
			fail(EXIT_USAGE, argv[i], "unknown option");
	}
	if (i >= argc)
		fail(EXIT_USAGE, "SYSCALL", "missing argument");
	if (i + 1 >= argc)
		fail(EXIT_USAGE, "PROGRAM", "missing argument");
	ndeny = parse_syscalls(argv[i], deny);

#ifdef FILTER_ARCH
	install_filter(deny, ndeny, err);
#else
	(void)ndeny;
	(void)err;
	fail(EXIT_SETUP, "seccomp", "architecture not supported");
#endif

	execvp(argv[i + 1], &argv[i + 1]);
	fail(errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC, argv[i + 1],
	    strerror(errno));
	return EXIT_NOEXEC;
}
