/*
 * --respawn: daemonize stays, as the daemon, and runs the program as its
 * child, restarting it when it exits.
 *
 * The supervisor is an explicit state x event table driven by one poll(2)
 * loop.  Signals only write their number to a self-pipe; all the work is
 * done in the loop.  Every child is reaped, so no zombie ever remains.
 *
 * The supervisor keeps the privileges it was started with (it must
 * rewrite and remove root's pidfiles); each child drops them, and takes
 * --chroot, --limit and --nice, on its way to exec.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemonize.h"

/* A child that lived this long was not dying young: the delay resets. */
#define SUPERVISE_YOUNG_MS	10000
/* The delay doubles up to this. */
#define SUPERVISE_MAX_DELAY_MS	60000

enum state { RUNNING, WAITING, STOPPING, DONE, NSTATES };
enum event { CHILD_EXITED, TIMER, STOP, FORWARD, NEVENTS };

struct supervisor {
	const struct options *o;
	struct launch *l;
	const struct report *r;	/* to the caller, until the first exec */
	enum state state;
	pid_t child;
	int status;		/* the last child's wait status */
	int sig;		/* the signal behind STOP or FORWARD */
	long started;		/* when the child was started */
	long timer;		/* when TIMER fires; -1 for never */
	long delay;		/* the next restart delay */
	long *restarts;		/* ring of restart times, --max-restarts */
	size_t nrestarts;
	int exit_status;
	int sigrd;		/* self-pipe */
	struct logpipe log;
};

/* The self-pipe's write end, for the signal handler; nothing else. */
static volatile sig_atomic_t supervise_sigwr = -1;

static const int supervise_signals[] = {
	SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

static void
supervise_handler(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	(void)!write(supervise_sigwr, &c, 1);
	errno = saved;
}

static int
supervise_signals_catch(struct supervisor *s)
{
	struct sigaction sa;
	int fds[2];
	size_t i;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	s->sigrd = fds[0];
	supervise_sigwr = fds[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = supervise_handler;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (sigemptyset(&sa.sa_mask) == -1)
		return -1;
	for (i = 0; i < sizeof supervise_signals / sizeof supervise_signals[0];
	    i++)
		if (sigaction(supervise_signals[i], &sa, NULL) == -1)
			return -1;
	return 0;
}

static void
supervise_say_status(struct supervisor *s)
{
	char pidbuf[DECIMAL_LEN], num[DECIMAL_LEN];
	const char *argv0 = s->o->argv[0], *name;
	const char *pid = decimal(pidbuf, (long)s->child);
	int st = s->status;

	if (WIFEXITED(st))
		logpipe_say(&s->log, LOG_NOTICE, argv0, " (pid ", pid,
		    ") exited with status ", decimal(num, WEXITSTATUS(st)),
		    (char *)NULL);
	else
		logpipe_say(&s->log, LOG_NOTICE, argv0, " (pid ", pid,
		    ") was killed by signal ",
		    (name = signals_name(WTERMSIG(st))) != NULL ? name :
		    decimal(num, WTERMSIG(st)), (char *)NULL);
}

/* Remove our pidfiles (only if they are still ours) and exit. */
static __dead void
supervise_exit(struct supervisor *s, int status)
{
	logpipe_flush(&s->log);
	pidfile_remove(&s->l->child);
	pidfile_remove(&s->l->pid);
	pidfile_remove(&s->l->lock);
	exit(status);
}

/* In a child: the program's end of the checklist; never returns. */
static __dead void
supervise_child(struct supervisor *s, const struct report *er)
{
	const struct options *o = s->o;
	struct launch *l = s->l;
	int keep[1 + o->nkeep_fds];
	size_t n = 0, i;

	if (signals_reset() == -1)
		report_failure(er, STEP_SIGNALS, errno, 0);
	/* A group of its own, so that stopping it stops what it started. */
	if (setpgid(0, 0) == -1)
		report_failure(er, STEP_SETSID, errno, 0);
	if (logpipe_child_stdio(&s->log) == -1)
		report_failure(er, STEP_STDIO, errno, 0);
	keep[n++] = er->wr;
	for (i = 0; i < o->nkeep_fds; i++)
		keep[n++] = o->keep_fds[i];
	if (fds_close_inherited(keep, n) == -1)
		report_failure(er, STEP_CLOSE, errno, 0);
	if (fds_keep_across_exec(o, &i) == -1)
		report_failure(er, STEP_KEEP_FD, errno, i);
	launch_enter(o, l, er);
	launch_exec(o, l, er);
}

/*
 * Start a child.  Its exec is reported on a pipe of its own: end-of-file
 * means the program runs, a record says why it does not.  Returns 0, or 1
 * with *f filled when the exec failed (the child is then reaped).
 */
static int
supervise_spawn(struct supervisor *s, struct failure *f)
{
	struct report er;

	if (report_open(&er) == -1) {
		*f = (struct failure){ STEP_FORK, errno, 0 };
		return 1;
	}
	if ((s->child = fork()) == -1) {
		*f = (struct failure){ STEP_FORK, errno, 0 };
		(void)close(er.rd);
		(void)close(er.wr);
		return 1;
	}
	if (s->child == 0)
		supervise_child(s, &er);
	s->started = clock_ms();
	if (s->l->child.wfd != -1)
		(void)pidfile_rewrite(&s->l->child, s->child);
	/* A child that failed is reaped by the loop like any other. */
	if (report_exec(&er, f) == 0)
		return 0;
	s->child = -1;
	return 1;
}

/* Too many restarts within the window? Records this one if not. */
static bool
supervise_too_many(struct supervisor *s, long now)
{
	size_t i, recent = 0;
	int max = s->o->max_restarts;

	if (max < 0)
		return false;
	for (i = 0; i < (size_t)max; i++)
		if (s->restarts[i] != 0 &&
		    now - s->restarts[i] < s->o->restart_window_ms)
			recent++;
	if (recent >= (size_t)max)
		return true;
	if (max > 0)
		s->restarts[s->nrestarts++ % (size_t)max] = now;
	return false;
}

/* Start (again) now; a child that cannot be executed counts as dying. */
static enum state
supervise_start(struct supervisor *s)
{
	struct failure f;

	if (supervise_spawn(s, &f) == 0)
		return RUNNING;
	logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " cannot be started: ",
	    strerror(f.err), (char *)NULL);
	return WAITING;
}

/* CHILD_EXITED while RUNNING: schedule a restart, or give up. */
static enum state
on_exit_running(struct supervisor *s)
{
	char num[DECIMAL_LEN], window[DECIMAL_LEN];
	long now = clock_ms(), delay;

	if (s->child != -1)
		supervise_say_status(s);
	s->child = -1;
	if (now - s->started >= SUPERVISE_YOUNG_MS)
		s->delay = s->o->restart_delay_ms;
	if (supervise_too_many(s, now)) {
		logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " restarted ",
		    decimal(num, s->o->max_restarts), " times within ",
		    decimal_duration(window, s->o->restart_window_ms),
		    " s; giving up", (char *)NULL);
		s->exit_status = STATUS_RUNNING;
		return DONE;
	}
	delay = s->delay;
	s->delay = delay * 2 > SUPERVISE_MAX_DELAY_MS ?
	    SUPERVISE_MAX_DELAY_MS : delay * 2;
	logpipe_say(&s->log, LOG_NOTICE, "restarting ", s->o->argv[0], " in ",
	    decimal_seconds(num, delay), " s", (char *)NULL);
	s->timer = now + delay;
	return WAITING;
}

/* TIMER while WAITING: the delay is over. */
static enum state
on_timer_waiting(struct supervisor *s)
{
	enum state next;

	s->timer = -1;
	if ((next = supervise_start(s)) == WAITING)
		return on_exit_running(s);
	return next;
}

/*
 * STOP while RUNNING: pass it on to the child's process group, and KILL
 * the group after --stop-timeout.
 */
static enum state
on_stop_running(struct supervisor *s)
{
	(void)kill(-s->child, s->sig);
	s->timer = clock_ms() + s->o->stop_timeout_ms;
	return STOPPING;
}

/* STOP with no child: done. */
static enum state
on_stop_idle(struct supervisor *s)
{
	s->timer = -1;
	return DONE;
}

static enum state
on_forward(struct supervisor *s)
{
	(void)kill(s->child, s->sig);
	return s->state;
}

/* TIMER while STOPPING: it had its time. */
static enum state
on_timer_stopping(struct supervisor *s)
{
	char num[DECIMAL_LEN];

	logpipe_say(&s->log, LOG_WARNING, s->o->argv[0],
	    " did not stop within ", decimal_seconds(num,
	    s->o->stop_timeout_ms), " s; killing it", (char *)NULL);
	(void)kill(-s->child, SIGKILL);
	s->timer = -1;
	return STOPPING;
}

static enum state
on_exit_stopping(struct supervisor *s)
{
	supervise_say_status(s);
	s->child = -1;
	return DONE;
}

static enum state
on_ignore(struct supervisor *s)
{
	return s->state;
}

typedef enum state (*transition)(struct supervisor *);

static const transition supervise_table[NSTATES][NEVENTS] = {
	/*		CHILD_EXITED	  TIMER		     STOP	     FORWARD */
	[RUNNING] =  { on_exit_running,  on_ignore,	     on_stop_running, on_forward },
	[WAITING] =  { on_ignore,	  on_timer_waiting,  on_stop_idle,    on_ignore },
	[STOPPING] = { on_exit_stopping, on_timer_stopping, on_forward,      on_forward },
	[DONE] =     { on_ignore,	  on_ignore,	     on_ignore,	      on_ignore },
};

static void
supervise_event(struct supervisor *s, enum event e)
{
	s->state = supervise_table[s->state][e](s);
}

/* Reap every child that has ended; ours is an event. */
static void
supervise_reap(struct supervisor *s)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == s->child) {
			logpipe_flush(&s->log);
			s->status = status;
			supervise_event(s, CHILD_EXITED);
		}
}

static void
supervise_signal(struct supervisor *s, int sig)
{
	s->sig = sig;
	switch (sig) {
	case SIGCHLD:
		supervise_reap(s);
		break;
	case SIGTERM:
	case SIGINT:
		supervise_event(s, STOP);
		break;
	case SIGHUP:
		logpipe_reopen(&s->log);
		/* FALLTHROUGH */
	default:
		supervise_event(s, FORWARD);
		break;
	}
}

static void
supervise_read_signals(struct supervisor *s)
{
	unsigned char buf[64];
	ssize_t n, i;

	while ((n = read(s->sigrd, buf, sizeof buf)) > 0)
		for (i = 0; i < n; i++)
			supervise_signal(s, buf[i]);
}

static void
supervise_loop(struct supervisor *s)
{
	struct pollfd pfd[3];
	size_t n;
	long wait;

	while (s->state != DONE) {
		pfd[0] = (struct pollfd){ s->sigrd, POLLIN, 0 };
		n = 1 + logpipe_pollfds(&s->log, pfd + 1);
		wait = s->timer == -1 ? -1 : s->timer - clock_ms();
		if (s->timer != -1 && wait < 0)
			wait = 0;
		if (poll(pfd, n, (int)wait) == -1 && errno != EINTR)
			supervise_exit(s, STATUS_FAILED);
		logpipe_drain(&s->log, pfd + 1, n - 1);
		if (pfd[0].revents & POLLIN)
			supervise_read_signals(s);
		if (s->timer != -1 && clock_ms() >= s->timer)
			supervise_event(s, TIMER);
	}
}

/*
 * The supervisor's own share of the checklist, in the daemon: its pid in
 * the pidfile, "/" for a working directory, /dev/null for stdio, nothing
 * inherited kept but what the children need.
 */
static void
supervise_settle(const struct options *o, struct launch *l,
    const struct report *r)
{
	int keep[6 + o->nkeep_fds];
	size_t n = 0, i;

	if (chdir("/") == -1)
		launch_failed(o, l, r, STEP_CHDIR, errno, 0);
	if (l->pid.wfd != -1 && pidfile_write(&l->pid, getpid()) == -1)
		launch_failed(o, l, r, STEP_PIDFILE, errno, 0);
	if (dup2(l->null_rd, STDIN_FILENO) == -1 ||
	    dup2(l->null_wr, STDOUT_FILENO) == -1 ||
	    dup2(l->null_wr, STDERR_FILENO) == -1)
		launch_failed(o, l, r, STEP_STDIO, errno, 0);
	keep[n++] = r->wr;
	keep[n++] = l->pid.fd;
	keep[n++] = l->lock.fd;
	keep[n++] = l->child.wfd;
	keep[n++] = l->out_fd;
	keep[n++] = l->err_fd;
	for (i = 0; i < o->nkeep_fds; i++)
		keep[n++] = o->keep_fds[i];
	if (fds_close_inherited(keep, n) == -1)
		launch_failed(o, l, r, STEP_CLOSE, errno, 0);
	l->pid.wfd = l->null_rd = l->null_wr = -1;
	if (signals_reset() == -1)
		launch_failed(o, l, r, STEP_SIGNALS, errno, 0);
}

/* Become the supervisor; never returns. */
__dead void
supervise(const struct options *o, struct launch *l, const struct report *r)
{
	struct supervisor s;
	struct failure f;

	memset(&s, 0, sizeof s);
	s.o = o;
	s.l = l;
	s.r = r;
	s.child = -1;
	s.timer = -1;
	s.delay = o->restart_delay_ms;
	supervise_settle(o, l, r);
	if (logpipe_open(&s.log, o, l) == -1)
		launch_failed(o, l, r, STEP_STDIO, errno, 0);
	if (supervise_signals_catch(&s) == -1)
		launch_failed(o, l, r, STEP_SIGNALS, errno, 0);
	if (o->max_restarts > 0 &&
	    (s.restarts = calloc((size_t)o->max_restarts, sizeof *s.restarts))
	    == NULL)
		launch_failed(o, l, r, STEP_FORK, errno, 0);
	/* The first start is the caller's to report. */
	if (supervise_spawn(&s, &f) != 0)
		report_failure(r, (enum step)f.step, f.err, f.arg);
	(void)close(r->wr);
	s.state = RUNNING;
	supervise_loop(&s);
	supervise_exit(&s, s.exit_status);
}
