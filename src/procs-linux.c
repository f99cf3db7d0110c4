/*
 * Linux: the processes of a daemon, found through /proc.  A daemon is
 * more than its main pid: the process group daemonize made for it, the
 * orphans that came to a supervisor, and every process that holds its
 * lock (the pidfile's locked descriptor, inherited, which survives
 * setsid).
 *
 * Zombies are never counted: they hold nothing and cannot be signalled
 * away, and their parent (or the supervisor) reaps them.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_SYS_PIDFD_H
#include <sys/pidfd.h>
#endif

#include "daemonize.h"

/*
 * The parent and group of pid, from "pid (comm) state ppid pgrp ...";
 * comm may hold anything, so the fields are read after its last ')'.
 * False for a zombie, or a process gone meanwhile.
 */
static bool
procs_stat(long pid, long *ppid, long *pgrp)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	(void)close(fd);
	if (n <= 0 || (buf[n] = '\0', p = strrchr(buf, ')')) == NULL)
		return false;
	return sscanf(p + 1, " %*c %ld %ld", ppid, pgrp) == 2 &&
	    p[2] != 'Z' && p[2] != 'X';
}

/*
 * Is pid a live process: there, and not a zombie waiting to be reaped?
 * A process hidden from our /proc (hidepid) counts as live.
 */
bool
procs_live(pid_t pid)
{
	char path[64];
	long ppid, pgrp;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return false;
	(void)snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	return procs_stat(pid, &ppid, &pgrp) || access(path, F_OK) == -1;
}

/*
 * Does descriptor fd of pid carry the exclusive flock lock itself?  Its
 * fdinfo lists the locks that belong to its open file description
 * ("lock:\t1: FLOCK  ADVISORY  WRITE ...", Linux 4.9): the daemon's
 * descriptor, shared by everything that inherited it, has it; a process
 * that merely opened the file (a reader, a --status probe) has not.
 */
static bool
procs_fd_locks(pid_t pid, const char *fd)
{
	char path[64 + 256], buf[1024], *line;
	ssize_t n;
	int f;

	(void)snprintf(path, sizeof path, "/proc/%ld/fdinfo/%s", (long)pid,
	    fd);
	if ((f = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(f, buf, sizeof buf - 1);
	(void)close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (line = buf; line != NULL; line = strchr(line, '\n'),
	    line = line != NULL ? line + 1 : NULL)
		if (strncmp(line, "lock:", 5) == 0 &&
		    strstr(line, "FLOCK") != NULL && strstr(line, "WRITE") != NULL)
			return true;
	return false;
}

/*
 * Does pid hold the daemon's lock on the file dev/ino: a descriptor of it
 * that carries the exclusive flock?  1 yes, 0 no, -1 when /proc cannot
 * tell (not mounted, or not allowed to look).
 */
int
procs_holds(pid_t pid, dev_t dev, ino_t ino)
{
	char dir[64], path[64 + 256];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int found = 0;

	(void)snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT && access("/proc/self/fd", F_OK) == 0 ?
		    0 : -1;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		found = stat(path, &sb) == 0 && sb.st_dev == dev &&
		    sb.st_ino == ino && procs_fd_locks(pid, de->d_name);
	}
	(void)closedir(d);
	return found;
}

static bool
procs_match(const struct procmatch *m, long pid)
{
	long ppid, pgrp;

	if (pid == (long)m->except || pid == (long)getpid() ||
	    !procs_stat(pid, &ppid, &pgrp))
		return false;
	if ((m->pgid > 0 && pgrp == (long)m->pgid) ||
	    (m->ppid > 0 && ppid == (long)m->ppid))
		return true;
	return m->file && procs_holds((pid_t)pid, m->dev, m->ino) == 1;
}

/*
 * Call fn (when not NULL) for every live process that m matches, never
 * ourselves; returns how many matched, or -1 when /proc cannot be read.
 */
int
procs_each(const struct procmatch *m, void (*fn)(pid_t, void *), void *arg)
{
	struct dirent *de;
	long pid;
	char *end;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if ((pid = strtol(de->d_name, &end, 10)) <= 0 || *end != '\0' ||
		    !procs_match(m, pid))
			continue;
		n++;
		if (fn != NULL)
			fn((pid_t)pid, arg);
	}
	(void)closedir(d);
	return n;
}

/* The kernel's task flags (include/linux/sched.h), stable since 2.6. */
#define PROCS_PF_EXITING	0x00000004UL	/* on its way out */
#define PROCS_PF_FORKNOEXEC	0x00000040UL	/* forked, not yet exec'd */

/*
 * Does /proc number processes as our pid namespace does?  One mounted for
 * another (unshare --pid without --mount-proc) would show an unrelated
 * process under each of our pids.  Only system calls: runs after vfork.
 */
static bool
procs_ours(void)
{
	char self[DECIMAL_LEN + 1], buf[DECIMAL_LEN];
	const char *num = decimal(buf, (long)getpid());
	ssize_t i, n;

	if ((n = readlink("/proc/self", self, sizeof self - 1)) <= 0)
		return false;
	for (i = 0; i < n && num[i] == self[i]; i++)
		;
	return i == n && num[i] == '\0';
}

/*
 * From the stat file at path: whether the task has ended or is ending (a
 * zombie, or PF_EXITING, which a task sets first on its way out, before
 * it closes its descriptors), and its task flags, the ninth field,
 * readable until the zombie is reaped.  -1 if they cannot be read.  Only
 * system calls and no allocation: runs after vfork.
 */
static int
procs_stat_flags(const char *path, bool *ending, unsigned long *flags)
{
	char buf[512], *p, *q;
	ssize_t n;
	int fd, field;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* After comm, which may hold anything: the last ')'. */
	for (p = NULL, q = buf; *q != '\0'; q++)
		if (*q == ')')
			p = q;
	if (p == NULL || p[1] != ' ')
		return -1;
	*ending = p[2] == 'Z' || p[2] == 'X';
	/* Fields 3 (state) to 9 (flags) follow, one space apart. */
	for (q = p + 2, field = 3; field < 9 && *q != '\0'; q++)
		if (*q == ' ')
			field++;
	for (*flags = 0; *q >= '0' && *q <= '9'; q++)
		*flags = *flags * 10 + (unsigned long)(*q - '0');
	if (field != 9)
		return -1;
	if (*flags & PROCS_PF_EXITING)
		*ending = true;
	return 0;
}

/*
 * Did pid die (or is it dying) without ever reaching exec?  1 yes, 0 no,
 * -1 cannot tell (no /proc of ours, or already reaped).  PF_FORKNOEXEC is
 * cleared only by a successful exec, so this tells a child killed on its
 * way to exec from a program that ran and died at once.  Only system
 * calls and no allocation: this runs after vfork.
 */
int
procs_died_unexec(pid_t pid)
{
	char path[sizeof "/proc//stat" + DECIMAL_LEN], buf[DECIMAL_LEN], *p;
	const char *num = decimal(buf, (long)pid), *q;
	unsigned long flags;
	bool ending;

	if (!procs_ours())
		return -1;
	p = path;
	for (q = "/proc/"; *q != '\0'; )
		*p++ = *q++;
	while (*num != '\0')
		*p++ = *num++;
	for (q = "/stat"; (*p++ = *q++) != '\0'; )
		;
	if (procs_stat_flags(path, &ending, &flags) == -1)
		return -1;
	return ending && (flags & PROCS_PF_FORKNOEXEC) ? 1 : 0;
}

/*
 * The number /proc gives pid, which is pid itself where /proc is of our
 * pid namespace.  Where it is another's (unshare --pid without
 * --mount-proc), a pidfd's fdinfo tells: its Pid line numbers the process
 * as the /proc it is read from does.  The number stays the process's for
 * as long as it is left unreaped, as the callers leave it.  -1 where it
 * cannot be told (no pidfd_open, a process outside that /proc's view).
 */
static pid_t
procs_number(pid_t pid)
{
	char path[sizeof "/proc/self/fdinfo/" + DECIMAL_LEN], buf[1024];
	char *p, *end;
	ssize_t n;
	long num;
	int pfd, fd;

	if (procs_ours())
		return pid;
	if ((pfd = pidfd_open(pid, 0)) == -1)
		return -1;
	(void)snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd == -1 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd != -1)
		(void)close(fd);
	(void)close(pfd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nPid:")) == NULL)
		return -1;
	errno = 0;
	num = strtol(p + sizeof "\nPid:" - 1, &end, 10);
	if (errno != 0 || num <= 0 || (pid_t)num != num)
		return -1;
	return (pid_t)num;
}

/*
 * Has pid ended, or is it on its way out?  1 yes, 0 no, -1 cannot tell.
 * Every thread must be: a main thread that called pthread_exit is a
 * zombie while the others run on.
 */
int
procs_ending(pid_t pid)
{
	struct dirent *de;
	char dir[64], path[64 + sizeof de->d_name + sizeof "//stat"];
	unsigned long flags;
	bool ending, running = false;
	int seen = 0;
	DIR *d;

	if ((pid = procs_number(pid)) == -1)
		return -1;
	(void)snprintf(dir, sizeof dir, "/proc/%ld/task", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while (!running && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof path, "%s/%s/stat", dir,
		    de->d_name);
		if (procs_stat_flags(path, &ending, &flags) == -1)
			continue;
		seen++;
		running = !ending;
	}
	(void)closedir(d);
	if (seen == 0)
		return -1;
	return running ? 0 : 1;
}
