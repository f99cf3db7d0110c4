/*
 * pidfd_open(2) for C libraries that lack the wrapper (glibc before 2.36,
 * musl): the system call itself where the headers know it, ENOSYS
 * otherwise.  A kernel that answers ENOSYS (before Linux 5.3) is met at
 * run time by each caller, whichever pidfd_open this is.
 */
#include "config.h"

#include <sys/syscall.h>

#include <errno.h>
#include <unistd.h>

#include "daemonize.h"

int
pidfd_open(pid_t pid, unsigned int flags)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, flags);
#else
	(void)pid;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}
