/*
 * --status, --signal and --stop: init-script operations on a pidfile.
 *
 * "Running" is decided by the pidfile's lock, never by the pid in the file
 * alone: a pidfile left by a dead daemon, or naming a pid since reused by
 * an unrelated process, is not running and nothing is ever signalled
 * because of it.  Where /proc allows, the pid in the file must also be a
 * process that holds the pidfile open, so an edited file cannot steer a
 * signal elsewhere either.
 *
 * The daemon is everything that holds its lock: the main pid, whatever it
 * started that inherited the lock descriptor (even after a setsid), and
 * the process group daemonize made for it.  --stop ends all of that and
 * succeeds only once the lock is free; it waits in a blocking flock(2),
 * woken by the release itself, with a timer for its timeout.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>

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
/* After KILL to the rest, how long the main pid has to exit by itself. */
#define CONTROL_MAIN_GRACE_MS	1000
/* How long an exited process may keep its lock, its files not yet put. */
#define CONTROL_EXIT_WAIT_MS	1000
/* Past the deadline, the timer fires again this often (see below). */
#define CONTROL_REARM_MS	10
/* Where flock cannot block (no support for it), the lock is polled. */
#define CONTROL_TICK_MS		20

struct target {
	const char *path;
	int fd;
	pid_t pid;		/* the pid in the file */
	pid_t holder;		/* a live holder of the lock, when pid is not */
	pid_t group;		/* the daemon's process group, or 0 */
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

static void
control_first(pid_t pid, void *arg)
{
	pid_t *first = arg;

	if (*first == 0)
		*first = pid;
}

/* A live process holding the file dev/ino, or 0 when none can be seen. */
static pid_t
control_any_holder(dev_t dev, ino_t ino)
{
	struct procmatch m = { 0, 0, true, dev, ino, 0 };
	pid_t first = 0;

	(void)procs_each(&m, control_first, &first);
	return first;
}

/*
 * The process that holds the lock on path, to name: pid, from the file,
 * when it holds it (or nothing can tell), or else any live holder; 0 when
 * none is seen.
 */
pid_t
control_holder(const char *path, pid_t pid)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return pid;
	if (pid > 0 && procs_holds(pid, sb.st_dev, sb.st_ino) != 0)
		return pid;
	return control_any_holder(sb.st_dev, sb.st_ino);
}

/*
 * The process group daemonize made for the daemon: its setsid made a
 * session and a group of the same id, and the process that called it
 * exited at once.  So a group is the daemon's when it is its session's
 * first group and that session's leader is gone; a program that called
 * setsid itself leads its session, and a foreground daemon (-f) lives in
 * its caller's, neither of which is ever signalled as a group.
 */
static pid_t
control_group_of(pid_t pid)
{
	pid_t pgid = getpgid(pid);

	if (pgid <= 0 || pgid == pid)
		return 0;
#ifdef HAVE_SETSID
	if (getsid(pid) != pgid)
		return 0;
#else
	/*
	 * The setpgid + TIOCNOTTY replacement makes a group, not a session:
	 * the daemon's group is then one whose leader is gone, in whatever
	 * session, and never the caller's own.  That session may have begun
	 * outside this PID namespace (a container entered from outside),
	 * where getsid() says 0: so it is not asked.
	 */
	if (pgid == getpgrp())
		return 0;
#endif
	if (kill(pgid, 0) == 0 || errno != ESRCH)
		return 0;
	return pgid;
}

/*
 * Who holds the lock now: the main pid, or (t->holder) another process
 * it started; and the daemon's process group, if it still has one.  False
 * when no holder can be seen.
 */
static bool
control_find(struct target *t)
{
	t->holder = t->group = 0;
	if (t->pid > 0 && procs_holds(t->pid, t->dev, t->ino) != 0) {
		t->group = control_group_of(t->pid);
		return true;
	}
	if ((t->holder = control_any_holder(t->dev, t->ino)) == 0)
		return false;
	t->group = control_group_of(t->holder);
	return true;
}

/*
 * Open the pidfile and find out what it says.  Returns the LSB status;
 * LSB_RUNNING with t->pid set when the lock is held, and t->holder set
 * when the pid in the file is not what holds it but another process, seen
 * in /proc, is.
 */
static int
control_examine(struct target *t, const struct control_settings *o)
{
	struct stat sb;
	int locked;

	t->path = o->pidfile;
	t->pid = t->holder = t->group = 0;
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
		t->pid = 0;
		warn_errno(0, "%s: locked, but holds no pid", t->path);
		return LSB_UNKNOWN;
	}
	/*
	 * The main pid holds the lock; or it has exited and what it started
	 * holds it.  A live pid that does not hold it is no daemon of this
	 * file (an edited pidfile, a reused pid): nothing can be told.
	 */
	if ((procs_holds(t->pid, t->dev, t->ino) != 0 ||
	    !procs_live(t->pid)) && control_find(t))
		return LSB_RUNNING;
	warn_errno(0, "%s: locked, but pid %ld in it does not hold it",
	    t->path, (long)t->pid);
	return LSB_UNKNOWN;
}

/* Say that the main pid is gone and who holds the lock instead. */
static void
control_say_holder(const struct target *t)
{
	warn_errno(0, "%s: pid %ld has exited, but pid %ld still holds the "
	    "lock", t->path, (long)t->pid, (long)t->holder);
}

/*
 * Remove a pidfile nobody holds, holding a shared lock so that no start
 * takes it meanwhile; a start that meets the shared lock knows it for a
 * probe and tries again (pidfile.c), where an exclusive one would have
 * made it fail.  Only a pidfile: empty, or a pid; any other file given to
 * -p by mistake is left alone.
 */
static void
control_remove_stale(const struct target *t)
{
	struct stat sb;

	if (fstat(t->fd, &sb) == -1 ||
	    (sb.st_size != 0 && pidfile_read(t->path) <= 0))
		return;
	if (flock(t->fd, LOCK_SH | LOCK_NB) == -1)
		return;
	if (stat(t->path, &sb) == 0 && sb.st_dev == t->dev &&
	    sb.st_ino == t->ino)
		(void)unlink(t->path);
	(void)flock(t->fd, LOCK_UN);
}

static void
control_alarm(int sig)
{
	(void)sig;
}

/* Where flock cannot wait: look every tick until the deadline. */
static bool
control_poll_released(const struct target *t, long deadline)
{
	struct timespec tick = { 0, CONTROL_TICK_MS * 1000000L };

	for (;;) {
		if (control_locked(t) == 0)
			return true;
		if (clock_ms() >= deadline)
			return false;
		(void)nanosleep(&tick, NULL);
	}
}

/*
 * Wait up to ms for the lock to go; true if it went.  A blocking shared
 * flock returns the moment the last holder lets go; SIGALRM, caught
 * without SA_RESTART and unblocked meanwhile, interrupts it at the
 * deadline.  The timer then fires again every few milliseconds, in case
 * its first expiry came just before flock began to sleep.
 */
static bool
control_wait_released(const struct target *t, long ms)
{
	struct itimerval it, off;
	struct sigaction sa, old;
	sigset_t alrm, saved;
	long deadline = clock_ms() + ms;
	bool released;

	if (control_locked(t) == 0)
		return true;
	if (ms <= 0)
		return false;
	memset(&sa, 0, sizeof sa);
	memset(&off, 0, sizeof off);
	sa.sa_handler = control_alarm;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = ms % 1000 * 1000;
	it.it_interval.tv_sec = 0;
	it.it_interval.tv_usec = CONTROL_REARM_MS * 1000;
	if (sigemptyset(&sa.sa_mask) == -1 || sigemptyset(&alrm) == -1 ||
	    sigaddset(&alrm, SIGALRM) == -1 ||
	    sigaction(SIGALRM, &sa, &old) == -1)
		return control_poll_released(t, deadline);
	if (sigprocmask(SIG_UNBLOCK, &alrm, &saved) == -1 ||
	    setitimer(ITIMER_REAL, &it, NULL) == -1) {
		released = control_poll_released(t, deadline);
		goto out;
	}
	for (;;) {
		if (flock(t->fd, LOCK_SH) == 0) {
			(void)flock(t->fd, LOCK_UN);
			released = true;
			break;
		}
		if (errno != EINTR) {
			released = control_poll_released(t, deadline);
			break;
		}
		if (clock_ms() >= deadline) {
			released = control_locked(t) == 0;
			break;
		}
	}
	(void)setitimer(ITIMER_REAL, &off, NULL);
out:
	(void)sigprocmask(SIG_SETMASK, &saved, NULL);
	(void)sigaction(SIGALRM, &old, NULL);
	return released;
}

static int
control_status(const struct control_settings *o)
{
	struct target t;
	int rc = control_examine(&t, o);

	if (rc == LSB_RUNNING && t.holder != 0) {
		control_say_holder(&t);
		printf("%ld\n", (long)t.holder);
	} else if (rc == LSB_RUNNING)
		printf("%ld\n", (long)t.pid);
	else if (rc == LSB_DEAD_PIDFILE)
		warn_errno(0, "%s: not running, but the pidfile remains",
		    t.path);
	else if (rc == LSB_STOPPED)
		warn_errno(0, "%s: not running", t.path);
	return fflush(stdout) == 0 ? rc : LSB_UNKNOWN;
}

/* A signal for every process of the daemon, each reached once. */
struct sending {
	const struct target *t;
	int sig;
	int sent;
	int err;		/* why the last kill failed */
};

static void
control_send_one(pid_t pid, void *arg)
{
	struct sending *s = arg;

	/* The group had it already. */
	if (s->t->group != 0 && getpgid(pid) == s->t->group)
		return;
	if (pidsig_holder(pid, s->t->dev, s->t->ino, s->sig) == 0)
		s->sent++;
	else
		s->err = errno;
}

/*
 * sig to the whole daemon: its process group and every process holding
 * its lock.  Returns how many
 * were reached (a group counts once); when none, errno says why.
 */
static int
control_send(const struct target *t, int sig)
{
	struct procmatch m = { 0, 0, true, t->dev, t->ino, 0 };
	struct sending s = { t, sig, 0, ESRCH };

	if (t->group != 0 && kill(-t->group, sig) == 0)
		s.sent++;
	else if (t->group != 0)
		s.err = errno;
	if (procs_each(&m, control_send_one, &s) == -1 && t->group == 0 &&
	    t->holder == 0) {
		if (pidsig_holder(t->pid, t->dev, t->ino, sig) == 0)
			s.sent++;
		else
			s.err = errno;
	}
	errno = s.err;
	return s.sent;
}

static int
control_signal(const struct control_settings *o)
{
	struct target t;
	int rc = control_examine(&t, o);
	char num[DECIMAL_LEN];
	const char *name = signals_name(o->signal, num);

	if (rc == LSB_DEAD_PIDFILE || rc == LSB_STOPPED)
		warn_errno(0, "%s: not running", t.path);
	if (rc != LSB_RUNNING)
		return STATUS_RUNNING;
	if (t.holder != 0 && !o->kill_all) {
		control_say_holder(&t);
		return STATUS_RUNNING;
	}
	if (!o->kill_all &&
	    pidsig_holder(t.pid, t.dev, t.ino, o->signal) == -1) {
		warn_errno(errno, "kill %ld", (long)t.pid);
		return STATUS_RUNNING;
	}
	if (o->kill_all && control_send(&t, o->signal) == 0) {
		warn_errno(errno, "%s: no process of the daemon could be "
		    "signalled", t.path);
		return STATUS_RUNNING;
	}
	/* "SIGTERM", "SIGRTMIN+2", but "signal 16" for one without a name. */
	verbose(o->verbose, "sent %s%s to %s %ld",
	    *name >= '0' && *name <= '9' ? "signal " : "SIG",
	    name, o->kill_all ? "the daemon of pid" : "pid",
	    (long)(t.holder != 0 ? t.holder : t.pid));
	return STATUS_OK;
}

/*
 * Why --stop gave up, the lock still held after sig: the main pid is
 * still running, or it is gone and something it started holds its lock.
 */
static void
control_say_held(struct target *t, const char *sig)
{
	pid_t holder;

	if (t->pid > 0 && procs_holds(t->pid, t->dev, t->ino) != 0) {
		warn_errno(0, "%s: pid %ld still running after %s", t->path,
		    (long)t->pid, sig);
		return;
	}
	if ((holder = control_any_holder(t->dev, t->ino)) != 0) {
		t->holder = holder;
		warn_errno(0, "%s: still running after %s: pid %ld holds the "
		    "lock", t->path, sig, (long)holder);
	} else
		warn_errno(0, "%s: pid %ld has exited, but the lock is still "
		    "held by another process", t->path, (long)t->pid);
}

/*
 * Has the main pid stopped holding the lock (it exited)?  Where /proc
 * cannot tell, whether the pid is gone, or the lock with it.
 */
static bool
control_main_gone(const struct target *t)
{
	int r = procs_holds(t->pid, t->dev, t->ino);

	if (r != -1)
		return r == 0;
	return (kill(t->pid, 0) == -1 && errno == ESRCH) ||
	    control_locked(t) == 0;
}

/* Wait up to ms for the main pid to be gone; true if it went. */
static bool
control_wait_main(const struct target *t, long ms)
{
	struct timespec tick = { 0, CONTROL_TICK_MS * 1000000L };
	long deadline = clock_ms() + ms;

	for (;;) {
		if (control_main_gone(t))
			return true;
		if (clock_ms() >= deadline)
			return false;
		(void)nanosleep(&tick, NULL);
	}
}

static void
control_kill_one(pid_t pid, void *arg)
{
	const struct target *t = arg;

	if (pidsig_holder(pid, t->dev, t->ino, SIGKILL) == -1 &&
	    t->group != 0 && getpgid(pid) == t->group)
		(void)kill(pid, SIGKILL);
}

/*
 * --stop --kill: KILL every other process of the daemon first, and give
 * the main pid a moment to exit by itself.  A supervisor then sees its
 * program die and clears the child pidfile, as it would after its own
 * --stop-timeout: KILLed with the rest at the same deadline, it left the
 * child pidfile naming a dead pid.  Returns how many were sent KILL;
 * when none, nothing was waited for.
 */
static int
control_kill_others(struct target *t)
{
	struct procmatch m = { t->group, 0, true, t->dev, t->ino, t->pid };
	int n;

	if (t->holder != 0 || (n = procs_each(&m, control_kill_one, t)) <= 0)
		return 0;
	(void)control_wait_main(t, CONTROL_MAIN_GRACE_MS);
	return n;
}

/*
 * --stop --kill-mode=process: the main pid alone is signalled, and, as
 * with systemd's KillMode=process, it alone counts: stopped once it has
 * exited (0), whatever it left running.  What still holds the lock then
 * is named, and keeps the pidfile: it is still an instance to a start.
 */
static int
control_stop_main(struct target *t, const struct control_settings *o)
{
	if (t->holder == 0) {
		verbose(o->verbose, "sending TERM to pid %ld", (long)t->pid);
		if (pidsig_holder(t->pid, t->dev, t->ino, SIGTERM) == -1 &&
		    errno != ESRCH) {
			warn_errno(errno, "kill %ld", (long)t->pid);
			return STATUS_RUNNING;
		}
		if (!control_wait_main(t, o->stop_timeout_ms)) {
			if (!o->kill) {
				control_say_held(t, "TERM");
				return STATUS_RUNNING;
			}
			verbose(o->verbose, "sending KILL to pid %ld",
			    (long)t->pid);
			(void)pidsig_holder(t->pid, t->dev, t->ino, SIGKILL);
			if (!control_wait_main(t, CONTROL_KILL_WAIT_MS)) {
				control_say_held(t, "KILL");
				return STATUS_RUNNING;
			}
		}
	}
	/*
	 * A process that has closed its descriptors on its way out may hold
	 * its flock a moment longer, until its files are put: when no other
	 * holder is seen, that moment is waited out.
	 */
	if ((t->holder = control_any_holder(t->dev, t->ino)) == 0)
		(void)control_wait_released(t, CONTROL_EXIT_WAIT_MS);
	if (control_locked(t) == 0) {
		control_remove_stale(t);
		return STATUS_OK;
	}
	if (t->holder != 0 ||
	    (t->holder = control_any_holder(t->dev, t->ino)) != 0)
		warn_errno(0, "%s: pid %ld stopped; pid %ld, which "
		    "--kill-mode=process leaves running, still holds the lock",
		    t->path, (long)t->pid, (long)t->holder);
	else
		warn_errno(0, "%s: pid %ld stopped; the lock is still held by "
		    "a process --kill-mode=process leaves running", t->path,
		    (long)t->pid);
	return STATUS_OK;
}

static int
control_stop(const struct control_settings *o)
{
	struct target t;
	int rc = control_examine(&t, o);

	if (rc == LSB_DEAD_PIDFILE)
		control_remove_stale(&t);
	/* Nothing to stop is a success, but not a silent one. */
	if (rc == LSB_DEAD_PIDFILE || rc == LSB_STOPPED) {
		warn_errno(0, "%s: not running", o->pidfile);
		return STATUS_OK;
	}
	if (rc != LSB_RUNNING)
		return STATUS_RUNNING;
	if (o->kill_process)
		return control_stop_main(&t, o);
	/*
	 * TERM to the main pid's group; with the main pid gone, to every
	 * holder of the lock too, as nothing else is left to pass it on.
	 */
	if (t.holder != 0)
		verbose(o->verbose, "sending TERM to the processes holding "
		    "the lock");
	else if (t.group != 0)
		verbose(o->verbose, "sending TERM to process group %ld",
		    (long)t.group);
	else
		verbose(o->verbose, "sending TERM to pid %ld", (long)t.pid);
	if (t.holder != 0)
		(void)control_send(&t, SIGTERM);
	else if ((t.group != 0 ? kill(-t.group, SIGTERM) :
	    pidsig_holder(t.pid, t.dev, t.ino, SIGTERM)) == -1 &&
	    errno != ESRCH) {
		warn_errno(errno, "kill %ld", (long)t.pid);
		return STATUS_RUNNING;
	}
	if (!control_wait_released(&t, o->stop_timeout_ms)) {
		if (!o->kill) {
			control_say_held(&t, "TERM");
			return STATUS_RUNNING;
		}
		verbose(o->verbose, "sending KILL to the process group and "
		    "every holder of the lock");
		/*
		 * Looked for again: the main pid may be gone by now, and
		 * once more after the others, if it went by itself.
		 */
		if (control_find(&t) && (control_kill_others(&t) == 0 ||
		    control_find(&t)))
			(void)control_send(&t, SIGKILL);
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
control_run(const struct control_settings *o)
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
