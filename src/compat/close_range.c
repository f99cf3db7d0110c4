/*
 * close_range(2) for systems whose C library lacks it (glibc before 2.34,
 * musl).  Modelled on OpenSSH-portable's bsd-closefrom.c: ask the kernel
 * directly, then walk /proc/self/fd, and only then loop.  Only the flags
 * value 0 is supported, which is all daemonize uses.
 *
 * The loop is the last resort because it costs one system call per number
 * and because its bound is a guess: RLIMIT_NOFILE can have been lowered
 * after descriptors above the new limit were opened, so it is not used as
 * the bound; the hard limit, or a generous ceiling, is.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemonize.h"

/* Beyond any descriptor a process of ours can have been handed. */
#define CLOSE_RANGE_CEILING	(1U << 20)

/* The kernel's own close_range, when it has one; -1/ENOSYS otherwise. */
static int
close_range_syscall(unsigned int lo, unsigned int hi)
{
#if defined(SYS_close_range) && !defined(DAEMONIZE_NO_SYSCALL)
	return (int)syscall(SYS_close_range, lo, hi, 0);
#else
	(void)lo;
	(void)hi;
	errno = ENOSYS;
	return -1;
#endif
}

/* Close what /proc/self/fd lists within [lo, hi]; -1 if it is not there. */
static int
close_range_procfs(unsigned int lo, unsigned int hi)
{
	struct dirent *de;
	unsigned long fd;
	DIR *dir;
	char *end;
	int dfd;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		return -1;
	dfd = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		fd = strtoul(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || fd < lo || fd > hi ||
		    (int)fd == dfd)
			continue;
		(void)close((int)fd);
	}
	return closedir(dir);
}

static unsigned int
close_range_bound(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_max == RLIM_INFINITY || rl.rlim_max > CLOSE_RANGE_CEILING)
		return CLOSE_RANGE_CEILING;
	return rl.rlim_max > rl.rlim_cur ? (unsigned int)rl.rlim_max :
	    (unsigned int)rl.rlim_cur;
}

int
close_range(unsigned int lo, unsigned int hi, int flags)
{
	unsigned int fd, bound;

	if (flags != 0 || lo > hi) {
		errno = EINVAL;
		return -1;
	}
	if (close_range_syscall(lo, hi) == 0 || close_range_procfs(lo, hi) == 0)
		return 0;
	bound = close_range_bound();
	for (fd = lo; fd <= hi && fd < bound; fd++)
		(void)close((int)fd);
	return 0;
}
