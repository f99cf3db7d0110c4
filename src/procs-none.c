/*
 * Without Linux's /proc: the processes of a daemon beyond its main pid and
 * its process group cannot be found.  Callers go by the lock and the group
 * alone.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>

#include "daemonize.h"

int
procs_holds(pid_t pid, dev_t dev, ino_t ino)
{
	(void)pid;
	(void)dev;
	(void)ino;
	return -1;
}

int
procs_each(const struct procmatch *m, void (*fn)(pid_t, void *), void *arg)
{
	(void)m;
	(void)fn;
	(void)arg;
	errno = ENOSYS;
	return -1;
}

int
procs_died_unexec(pid_t pid)
{
	(void)pid;
	return -1;
}

int
procs_ending(pid_t pid)
{
	(void)pid;
	return -1;
}

bool
procs_live(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}
