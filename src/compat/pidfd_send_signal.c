/*
 * pidfd_send_signal(2) for C libraries that lack the wrapper (glibc
 * before 2.36, musl): the system call itself where the headers know it,
 * ENOSYS otherwise.  A kernel that answers ENOSYS (before Linux 5.1) is
 * met at run time by the caller (pidsig.c).
 */
#include "config.h"

#include <sys/syscall.h>

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "daemonize.h"

int
pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
#else
	(void)pidfd;
	(void)sig;
	(void)info;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}
