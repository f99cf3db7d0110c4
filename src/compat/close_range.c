/*
 * close_range(2) for C libraries that lack the wrapper (glibc before
 * 2.34, musl): the system call itself where the headers know it, ENOSYS
 * otherwise.  Only the flags value 0 is supported, which is all daemonize
 * uses.  What to do when the kernel answers ENOSYS (before Linux 5.9) or
 * EPERM (a seccomp profile) is decided at run time, in fds.c, whichever
 * close_range this is.
 */
#include "config.h"

#include <sys/syscall.h>

#include <errno.h>
#include <unistd.h>

#include "daemonize.h"

int
close_range(unsigned int lo, unsigned int hi, int flags)
{
	if (flags != 0 || lo > hi) {
		errno = EINVAL;
		return -1;
	}
#ifdef SYS_close_range
	return (int)syscall(SYS_close_range, lo, hi, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}
