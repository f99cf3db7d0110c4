/*
 * --status, --signal and --stop: init-script operations on a pidfile.
 *
 * "Running" is decided by the pidfile's lock, never by the pid in the file
 * alone: a pidfile left by a dead daemon, or naming a pid since reused by
 * an unrelated process, is not running and nothing is ever signalled
 * because of it.  Where /proc allows, the pid in the file must also be a
 * process that holds the pidfile open, so an edited file cannot steer a
 * signal elsewhere either.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemonize.h"

/* LSB init-script status codes. */
enum lsb {
	LSB_RUNNING = 0,
	LSB_DEAD_PIDFILE = 1,	/* not running, but the pidfile remains */
	LSB_STOPPED = 3,	/* not running, no pidfile */
	LSB_UNKNOWN = 4,	/* cannot tell */
};

/* After KILL, how long the lock may take to go. */
#define CONTROL_KILL_WAIT_MS	5000
#define CONTROL_TICK_MS		20

struct target {
	const char *path;
	int fd;
	pid_t pid;
	dev_t dev;
	ino_t ino;
};

/* Is the lock on t held by someone?  1 yes, 0 no, -1 error. */
static int
control_locked(const struct target *t)
{
	if (flock(t->fd, LOCK_SH | LOCK_NB) == 0) {
		(void)flock(t->fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -1;
}

/*
 * Does pid hold a descriptor of t's file?  1 yes, 0 no; -1 when /proc
 * cannot tell us (no /proc, or not allowed to look), and the lock and the
 * pid in the file are all there is to go by.
 */
static int
control_holds(const struct target *t, pid_t pid)
{
	char dir[64], path[64 + 256];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int found = 0;

	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT && access("/proc/self/fd", F_OK) == 0 ?
		    0 : -1;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		found = stat(path, &sb) == 0 && sb.st_dev == t->dev &&
		    sb.st_ino == t->ino;
	}
	(void)closedir(d);
	return found;
}

/*
 * Open the pidfile and find out what it says.  Returns the LSB status;
 * LSB_RUNNING with t->pid set only when the lock is held and the pid in
 * the file is (as far as can be seen) its holder.
 */
static int
control_examine(struct target *t, const struct options *o)
{
	struct stat sb;
	int locked;

	t->path = o->pidfile;
	t->pid = 0;
	if ((t->fd = open(t->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return LSB_STOPPED;
		if (errno == ELOOP || errno == EMLINK)
			warn_errno(0, "%s: cannot tell: is a symbolic link, "
			    "refusing to follow it", t->path);
		else
			warn_errno(errno, "%s: cannot tell", t->path);
		return LSB_UNKNOWN;
	}
	if (fstat(t->fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		warn_errno(0, "%s: cannot tell: not a regular file", t->path);
		return LSB_UNKNOWN;
	}
	t->dev = sb.st_dev;
	t->ino = sb.st_ino;
	if ((locked = control_locked(t)) == -1) {
		warn_errno(errno, "%s: cannot tell", t->path);
		return LSB_UNKNOWN;
	}
	if (locked == 0)
		return LSB_DEAD_PIDFILE;
	if ((t->pid = pidfile_read(t->path)) <= 0) {
		warn_errno(0, "%s: locked, but holds no pid", t->path);
		return LSB_UNKNOWN;
	}
	if (control_holds(t, t->pid) == 0) {
		warn_errno(0, "%s: locked, but pid %ld in it does not hold it",
		    t->path, (long)t->pid);
		t->pid = 0;
		return LSB_UNKNOWN;
	}
	return LSB_RUNNING;
}

/*
 * Remove a pidfile nobody holds, holding a shared lock so that no start
 * takes it meanwhile; a start that meets the shared lock knows it for a
 * probe and tries again (pidfile.c), where an exclusive one would have
 * made it fail.
 */
static void
control_remove_stale(const struct target *t)
{
	struct stat sb;

	if (flock(t->fd, LOCK_SH | LOCK_NB) == -1)
		return;
	if (stat(t->path, &sb) == 0 && sb.st_dev == t->dev &&
	    sb.st_ino == t->ino)
		(void)unlink(t->path);
	(void)flock(t->fd, LOCK_UN);
}

/* Wait up to ms for the lock to go; true if it went. */
static bool
control_wait_released(const struct target *t, long ms)
{
	struct timespec tick = { 0, CONTROL_TICK_MS * 1000000L };
	long deadline = clock_ms() + ms;

	for (;;) {
		if (control_locked(t) == 0)
			return true;
		if (clock_ms() >= deadline)
			return false;
		(void)nanosleep(&tick, NULL);
	}
}

static int
control_status(const struct options *o)
{
	struct target t;
	int rc = control_examine(&t, o);

	if (rc == LSB_RUNNING)
		printf("%ld\n", (long)t.pid);
	else if (rc == LSB_DEAD_PIDFILE)
		warn_errno(0, "%s: not running, but the pidfile remains",
		    t.path);
	else if (rc == LSB_STOPPED)
		warn_errno(0, "%s: not running", t.path);
	return fflush(stdout) == 0 ? rc : LSB_UNKNOWN;
}

static int
control_signal(const struct options *o)
{
	struct target t;
	int rc = control_examine(&t, o);
	const char *name = signals_name(o->signal);

	if (rc == LSB_DEAD_PIDFILE || rc == LSB_STOPPED)
		warn_errno(0, "%s: not running", t.path);
	if (rc != LSB_RUNNING)
		return STATUS_RUNNING;
	if (kill(t.pid, o->signal) == -1) {
		warn_errno(errno, "kill %ld", (long)t.pid);
		return STATUS_RUNNING;
	}
	verbose(o, "sent %s%s to pid %ld", name != NULL ? "SIG" : "signal ",
	    name != NULL ? name : "", (long)t.pid);
	return STATUS_OK;
}

/*
 * Why --stop gave up, the lock still held after sig: the daemon is still
 * running, or it is gone and something it started holds its lock.
 */
static void
control_say_held(const struct target *t, const char *sig)
{
	if (control_holds(t, t->pid) == 0)
		warn_errno(0, "%s: pid %ld has exited, but the lock is still "
		    "held by another process", t->path, (long)t->pid);
	else
		warn_errno(0, "%s: pid %ld still running after %s", t->path,
		    (long)t->pid, sig);
}

static int
control_stop(const struct options *o)
{
	struct target t;
	int rc = control_examine(&t, o);

	if (rc == LSB_DEAD_PIDFILE)
		control_remove_stale(&t);
	if (rc == LSB_DEAD_PIDFILE || rc == LSB_STOPPED) {
		verbose(o, "%s: not running", o->pidfile);
		return STATUS_OK;
	}
	if (rc != LSB_RUNNING)
		return STATUS_RUNNING;
	verbose(o, "sending TERM to pid %ld", (long)t.pid);
	if (kill(t.pid, SIGTERM) == -1 && errno != ESRCH) {
		warn_errno(errno, "kill %ld", (long)t.pid);
		return STATUS_RUNNING;
	}
	if (!control_wait_released(&t, o->stop_timeout_ms)) {
		if (!o->kill) {
			control_say_held(&t, "TERM");
			return STATUS_RUNNING;
		}
		verbose(o, "sending KILL to pid %ld", (long)t.pid);
		if (control_holds(&t, t.pid) != 0)
			(void)kill(t.pid, SIGKILL);
		if (!control_wait_released(&t, CONTROL_KILL_WAIT_MS)) {
			control_say_held(&t, "KILL");
			return STATUS_RUNNING;
		}
	}
	control_remove_stale(&t);
	return STATUS_OK;
}

/* Run the control operation asked for; returns the exit status. */
int
control_run(const struct options *o)
{
	switch (o->control) {
	case CONTROL_STATUS:
		return control_status(o);
	case CONTROL_SIGNAL:
		return control_signal(o);
	default:
		return control_stop(o);
	}
}
