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
 *
 * It owns its child's whole tree: each child runs in a process group of
 * its own and holds the lock too, and the supervisor is a child subreaper,
 * so what a child started comes back to it when orphaned.  When a child
 * exits, what is left of its group, and every orphan that came to the
 * supervisor, is ended (TERM, then KILL after --stop-timeout) before the
 * next child starts or the supervisor exits (CLEANING).
 *
 * In the foreground (-f -r, --init) it is the first process of a
 * container: it reaps every orphan, and with --init and no -r it exits
 * with its child's status, 128 + N for a signal, as tini does.
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
/* The delay doubles up to this, or up to --restart-delay if that is more. */
#define SUPERVISE_MAX_DELAY_MS	60000
/* After KILL, how long what a child left may take to go. */
#define SUPERVISE_KILL_WAIT_MS	5000

enum state { STARTING, RUNNING, WAITING, STOPPING, CLEANING, DONE, NSTATES };
enum event {
	EXEC_OK, EXEC_FAILED, CHILD_EXITED, TIMER, STOP, FORWARD, TREE_GONE,
	NEVENTS
};

struct supervisor {
	const struct options *o;
	struct launch *l;
	const struct report *r;	/* to the caller, until the first exec */
	struct spawn plan;	/* the children's last steps */
	enum state state;
	pid_t child;
	int status;		/* the last child's wait status */
	int sig;		/* the signal behind STOP or FORWARD */
	int stop_sig;		/* STOP while STARTING, passed on at exec */
	sigset_t forward;	/* FORWARD while STARTING, likewise */
	int execrd;		/* the child's exec report, while STARTING */
	struct failure failure;	/* why the last start failed */
	bool failed;		/* the last start failed: no status to say */
	long started;		/* when the child was started */
	long timer;		/* when TIMER fires; -1 for never */
	long delay;		/* the next restart delay */
	struct restarts restarts;	/* --max-restarts */
	pid_t left;		/* CLEANING: the last child's process group */
	bool left_killed;	/* CLEANING: KILL sent */
	bool stopping;		/* CLEANING: then done, not a restart */
	bool unexec;		/* the starting child died before its exec */
	int cpf_err;		/* why the child's pid is not in its pidfile */
	int exit_status;
	bool late;		/* not ready in time for the manager: 125 */
	int child_status;	/* the last child's, as a shell would say it */
	int sigrd;		/* self-pipe */
	sigset_t caught;	/* the signals above, blocked across fork */
	struct logpipe log;
};

/* The self-pipe's write end, for the signal handler; nothing else. */
static volatile sig_atomic_t supervise_sigwr = -1;

/*
 * The signals the supervisor catches: every one it can, so that none sent
 * to the daemon's pid (--signal, a real-time one among them) ends the
 * supervisor and leaves its child unsupervised.  But not those that tell
 * of its own faults or limits (it dies of them, as any process), nor job
 * control (it stops and goes on as any process), nor PIPE and XFSZ (see
 * supervise_signals_catch()).
 */
static bool
supervise_catches(int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP: case SIGSEGV: case SIGBUS: case SIGFPE:
	case SIGILL: case SIGTRAP: case SIGABRT: case SIGSYS: case SIGXCPU:
	case SIGTSTP: case SIGTTIN: case SIGTTOU: case SIGCONT:
	case SIGPIPE: case SIGXFSZ:
		return false;
	default:
		return true;
	}
}

static void
supervise_handler(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	(void)!write(supervise_sigwr, &c, 1);
	errno = saved;
}

/* Block every signal that can be: supervise_signals_catch() unblocks. */
static int
supervise_block_all(void)
{
	sigset_t all;

	if (sigfillset(&all) == -1)
		return -1;
	return sigprocmask(SIG_BLOCK, &all, NULL);
}

/* The self-pipe: the handler's one write end, the loop's read end. */
static int
supervise_selfpipe(struct supervisor *s)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	s->sigrd = fds[0];
	supervise_sigwr = fds[1];
	return 0;
}

/*
 * Signals become bytes on the self-pipe; the rest are set back to their
 * defaults, which the caller may have changed.  A failing log must lose
 * lines, never the supervisor: SIGPIPE (a FIFO whose reader left) and
 * SIGXFSZ (a file at the caller's RLIMIT_FSIZE) are ignored, and the
 * write fails instead.  Every signal has been blocked since the fork
 * (detach.c) and is unblocked only once all this is in place.  Each child
 * sets every signal back before its exec.
 */
static int
supervise_signals_catch(struct supervisor *s)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	if (signals_defaults() == -1)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	if (sigemptyset(&sa.sa_mask) == -1 || sigemptyset(&s->caught) == -1 ||
	    sigaction(SIGPIPE, &sa, NULL) == -1 ||
	    sigaction(SIGXFSZ, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = supervise_handler;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	for (sig = 1; sig < NSIG; sig++) {
		if (!supervise_catches(sig))
			continue;
		/* The C library keeps a few for its threads: EINVAL. */
		if (sigaction(sig, &sa, NULL) == -1) {
			if (errno == EINVAL)
				continue;
			return -1;
		}
		if (sigaddset(&s->caught, sig) == -1)
			return -1;
	}
	if (sigemptyset(&s->forward) == -1 || sigemptyset(&none) == -1)
		return -1;
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
supervise_say_status(struct supervisor *s)
{
	char pidbuf[DECIMAL_LEN], num[DECIMAL_LEN];
	const char *argv0 = s->o->argv[0];
	const char *pid = decimal(pidbuf, (long)s->child);
	int st = s->status;

	if (WIFEXITED(st))
		logpipe_say(&s->log, LOG_NOTICE, argv0, " (pid ", pid,
		    ") exited with status ", decimal(num, WEXITSTATUS(st)),
		    (char *)NULL);
	else
		logpipe_say(&s->log, LOG_NOTICE, argv0, " (pid ", pid,
		    ") was killed by signal ",
		    signals_name(WTERMSIG(st), num), (char *)NULL);
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

/*
 * Fork a child to follow the plan.  Its exec is reported on a pipe of its
 * own, which the loop polls (STARTING): end-of-file means the program
 * runs, a record says why it does not.  The signals the supervisor
 * catches stay blocked across the fork, so that none reaches the child's
 * copy of our handler (and our self-pipe) before its reset.  Returns -1,
 * with s->failure filled, when no child could be made.
 */
static int
supervise_spawn(struct supervisor *s)
{
	struct failure f;
	sigset_t saved;
	int fds[2], err;

	if (relay_pipe(&s->l->relay, &s->l->ready, &s->plan) == -1 ||
	    pipe2(fds, O_CLOEXEC) == -1) {
		s->failure = (struct failure){ STEP_PIPE, errno, 0, -1 };
		return -1;
	}
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1 ||
	    sigprocmask(SIG_BLOCK, &s->caught, &saved) == -1) {
		err = errno;
		(void)close(fds[0]);
		(void)close(fds[1]);
		errno = err;
		goto fail;
	}
	s->plan.keep[0] = fds[1];
	if ((s->child = fork()) == 0) {
		spawn_exec(&s->plan, &f);
		report_send(fds[1], &f);
	}
	err = errno;
	(void)sigprocmask(SIG_SETMASK, &saved, NULL);
	(void)close(fds[1]);
	if (s->child == -1) {
		(void)close(fds[0]);
		errno = err;
		goto fail;
	}
	/* The child makes its group too; whoever is first, it exists now. */
	(void)setpgid(s->child, s->child);
	s->execrd = fds[0];
	s->started = clock_ms();
	s->cpf_err = 0;
	if (s->l->child.wfd != -1 &&
	    pidfile_rewrite(&s->l->child, s->child) == -1) {
		s->cpf_err = errno;
		/* Never a part of a pid: empty, it names no child. */
		(void)!ftruncate(s->l->child.wfd, 0);
		/*
		 * At the first start, a failure: killed now, most likely
		 * before its exec, so that it starts nothing that would
		 * outlive it; its exit sends the report.
		 */
		if (s->r != NULL)
			(void)kill(s->child, SIGKILL);
	}
	relay_child(&s->l->relay, s->o, &s->l->ready);
	return 0;
fail:
	s->failure = (struct failure){ STEP_FORK, errno, 0, -1 };
	return -1;
}

/* The first start is the caller's to report: success or why not. */
static void
supervise_first(struct supervisor *s, bool ok)
{
	if (s->r == NULL)
		return;
	if (!ok)
		report_send(s->r->wr, &s->failure);
	(void)close(s->r->wr);
	s->r = NULL;
}

/* A start that failed: the reason, in the words the caller would have. */
static void
supervise_say_failure(struct supervisor *s)
{
	struct words w;

	supervise_first(s, false);
	s->child_status = report_words(&s->failure, s->o, s->l, &w);
	/* "sh cannot be started: No such file", not "sh: sh: ...". */
	if (strcmp(w.what[0], s->o->argv[0]) == 0 && w.what[1] == NULL)
		w.what[0] = "";
	logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " cannot be started: ",
	    w.what[0], w.what[1] != NULL ? w.what[1] : "",
	    w.what[2] != NULL ? w.what[2] : "",
	    w.err != 0 && *w.what[0] != '\0' ? ": " : "",
	    w.err != 0 ? strerror(w.err) : "", (char *)NULL);
}

/* The child is gone (or never came): restart it later, or give up. */
static enum state
supervise_schedule(struct supervisor *s)
{
	char num[DECIMAL_LEN], window[DECIMAL_LEN];
	long now = clock_ms(), delay, cap;

	s->child = -1;
	/* No child now: the pidfile names none rather than a dead one. */
	if (s->l->child.wfd != -1)
		(void)!ftruncate(s->l->child.wfd, 0);
	if (now - s->started >= SUPERVISE_YOUNG_MS)
		s->delay = s->o->restart_delay_ms;
	if (restarts_too_many(&s->restarts, now)) {
		logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " restarted ",
		    decimal(num, s->o->max_restarts), " times within ",
		    decimal_duration(window, s->o->restart_window_ms),
		    " s; giving up", (char *)NULL);
		s->exit_status = STATUS_RUNNING;
		return DONE;
	}
	delay = s->delay;
	/* The cap never undercuts the delay asked for. */
	cap = s->o->restart_delay_ms > SUPERVISE_MAX_DELAY_MS ?
	    s->o->restart_delay_ms : SUPERVISE_MAX_DELAY_MS;
	s->delay = delay * 2 > cap ? cap : delay * 2;
	logpipe_say(&s->log, LOG_NOTICE, "restarting ", s->o->argv[0], " in ",
	    decimal_seconds(num, delay), " s", (char *)NULL);
	s->timer = now + delay;
	return WAITING;
}

/* Start (again) now. */
static enum state
supervise_start(struct supervisor *s)
{
	s->failed = false;
	if (supervise_spawn(s) == 0)
		return STARTING;
	s->failed = true;
	s->started = clock_ms();
	supervise_say_failure(s);
	return supervise_schedule(s);
}

/*
 * Read the exec report, if it has come: end-of-file is EXEC_OK, a record
 * EXEC_FAILED.  Returns the event, or -1 while there is nothing yet.
 */
static int
supervise_exec_outcome(struct supervisor *s)
{
	ssize_t n;

	if (s->execrd == -1)
		return -1;
	n = read(s->execrd, &s->failure, sizeof s->failure);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return -1;
	(void)close(s->execrd);
	s->execrd = -1;
	/*
	 * End-of-file from a child on its way out: killed before its exec,
	 * or so soon after that it never ran.  Its exit decides (below).
	 */
	if (n == 0)
		return procs_died_unexec(s->child) == 1 ? -1 : EXEC_OK;
	if (n != (ssize_t)sizeof s->failure)
		s->failure = (struct failure){ STEP_FORK, n == -1 ? errno : EIO,
		    0, -1 };
	return EXEC_FAILED;
}

/*
 * The child's pid could not be written to --child-pidfile.  At the first
 * start that is the caller's failure to report, as the main pidfile's
 * would be: the child was killed (supervise_spawn), with its group should
 * it have got as far as its exec, and its exit (on_exit_starting) sends
 * the report, so that nothing of it is left when the caller returns.
 * Later, it is said in the log, once.  True when the child is being
 * killed.
 */
static bool
supervise_cpf_failed(struct supervisor *s)
{
	char pidbuf[DECIMAL_LEN];

	if (s->cpf_err == 0)
		return false;
	if (s->r != NULL) {
		(void)kill(-s->child, SIGKILL);
		return true;
	}
	logpipe_say(&s->log, LOG_ERR, s->o->child_pidfile, ": ",
	    strerror(s->cpf_err), "; pid ", decimal(pidbuf, (long)s->child),
	    " is not in it", (char *)NULL);
	s->cpf_err = 0;
	return false;
}

/*
 * EXEC_OK while STARTING: the program runs.  What came for it while it
 * started is passed on now: before its exec, a signal would have met the
 * default disposition its reset had just put back (HUP would kill it).
 */
static enum state
on_exec_ok(struct supervisor *s)
{
	int sig;

	if (supervise_cpf_failed(s))
		return STARTING;
	supervise_first(s, true);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGCHLD && sigismember(&s->forward, sig) == 1)
			(void)kill(s->child, sig);
	(void)sigemptyset(&s->forward);
	if (s->stop_sig == 0)
		return RUNNING;
	(void)kill(-s->child, s->stop_sig);
	return STOPPING;
}

/* EXEC_FAILED while STARTING: say why; the child is reaped as it exits. */
static enum state
on_exec_failed(struct supervisor *s)
{
	s->failed = true;
	supervise_say_failure(s);
	return STARTING;
}

/* The last child's exit status as a shell gives it: 128 + N for signal N. */
static void
supervise_note_status(struct supervisor *s)
{
	if (s->failed)
		return;
	s->child_status = WIFEXITED(s->status) ? WEXITSTATUS(s->status) :
	    128 + WTERMSIG(s->status);
}

static void
supervise_kill_one(pid_t pid, void *arg)
{
	const struct supervisor *s = arg;

	/* The group had it already. */
	if (getpgid(pid) != s->left)
		(void)kill(pid, s->sig);
}

/*
 * sig to what the last child left: its process group, and every other
 * child of ours (orphans that came to us as subreaper, whatever group
 * they are in).
 */
static void
supervise_kill_tree(struct supervisor *s, int sig)
{
	struct procmatch m = { 0, getpid(), false, 0, 0, -1 };

	s->sig = sig;
	(void)kill(-s->left, sig);
	(void)procs_each(&m, supervise_kill_one, s);
}

/* Is anything of the last child's tree still there? */
static bool
supervise_tree_lives(const struct supervisor *s)
{
	siginfo_t si;

	if (kill(-s->left, 0) == 0 || errno == EPERM)
		return true;
	/* Any child of ours at all (ECHILD when none). */
	si.si_pid = 0;
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/*
 * --restart on-failure: did the last child end cleanly?  Exit status 0 or
 * a signal systemd counts as clean (HUP, INT, TERM, PIPE), and those of
 * --success-exit-status.  A start that failed never is.
 */
static bool
supervise_clean_exit(const struct supervisor *s)
{
	int code, sig;

	if (s->failed)
		return false;
	if (WIFEXITED(s->status)) {
		code = WEXITSTATUS(s->status);
		return (s->o->success_exit[code / 8] & (1U << (code % 8))) != 0;
	}
	sig = WTERMSIG(s->status);
	return sig >= 1 && sig <= 64 &&
	    (s->o->success_sig & 1ULL << (sig - 1)) != 0;
}

/* The tree is gone: restart, or end (stopping, or --init without -r). */
static enum state
supervise_after(struct supervisor *s)
{
	s->timer = -1;
	if (!s->o->respawn) {
		/*
		 * --init gives the child's status as tini does; a relay to a
		 * manager that asked for the stop tells it the stop worked.
		 */
		s->exit_status = s->stopping && !s->o->init ? STATUS_OK :
		    s->child_status;
		return DONE;
	}
	if (s->stopping)
		return DONE;
	if (s->o->restart == RESTART_ON_FAILURE && supervise_clean_exit(s)) {
		logpipe_say(&s->log, LOG_NOTICE, s->o->argv[0], " ended "
		    "cleanly; not restarting it (--restart on-failure)",
		    (char *)NULL);
		s->exit_status = STATUS_OK;
		return DONE;
	}
	return supervise_schedule(s);
}

/*
 * The child has exited: end what it left running, TERM first, KILL after
 * --stop-timeout (at once when a stop already had its time), then go on.
 */
static enum state
supervise_clean(struct supervisor *s, bool stopping)
{
	char pidbuf[DECIMAL_LEN];

	supervise_note_status(s);
	s->left = s->child;
	s->child = -1;
	s->stopping = s->stopping || stopping;
	s->left_killed = false;
	if (!supervise_tree_lives(s))
		return supervise_after(s);
	logpipe_say(&s->log, LOG_NOTICE, "ending what ", s->o->argv[0],
	    " (pid ", decimal(pidbuf, (long)s->left), ") left running",
	    (char *)NULL);
	if (stopping && s->timer == -1) {
		supervise_kill_tree(s, SIGKILL);
		s->left_killed = true;
		s->timer = clock_ms() + SUPERVISE_KILL_WAIT_MS;
		return CLEANING;
	}
	supervise_kill_tree(s, SIGTERM);
	if (!stopping || s->timer == -1)
		s->timer = clock_ms() + s->o->stop_timeout_ms;
	return CLEANING;
}

/* CHILD_EXITED while RUNNING: end what it left, then restart or give up. */
static enum state
on_exit_running(struct supervisor *s)
{
	if (!s->failed)
		supervise_say_status(s);
	return supervise_clean(s, false);
}

/* CHILD_EXITED while STOPPING: end what it left, then done. */
static enum state
on_exit_stopping(struct supervisor *s)
{
	if (!s->failed)
		supervise_say_status(s);
	return supervise_clean(s, true);
}

/*
 * CHILD_EXITED while STARTING: the report is complete now (the child is
 * gone, and with it the pipe's only writer), so it is read first.  A
 * child killed with no report was killed before its exec.  A stop asked
 * for meanwhile ends it all.
 */
static enum state
on_exit_starting(struct supervisor *s)
{
	/* Killed for its pidfile: that, not "killed before its exec". */
	if (supervise_exec_outcome(s) == EXEC_FAILED)
		(void)on_exec_failed(s);
	else if (s->cpf_err != 0 && s->r != NULL) {
		s->failure = (struct failure){ STEP_CHILD_PIDFILE, s->cpf_err,
		    0, -1 };
		(void)on_exec_failed(s);
	} else if (!s->failed && s->unexec && WIFSIGNALED(s->status)) {
		s->failure = (struct failure){ STEP_LOST, WTERMSIG(s->status),
		    0, -1 };
		(void)on_exec_failed(s);
	} else {
		(void)supervise_cpf_failed(s);
		supervise_first(s, true);
	}
	if (s->stop_sig == 0)
		return on_exit_running(s);
	return on_exit_stopping(s);
}

/* TREE_GONE while CLEANING: nothing of the last child is left. */
static enum state
on_tree_gone(struct supervisor *s)
{
	return supervise_after(s);
}

/* TIMER while CLEANING: KILL what TERM did not end; then give up on it. */
static enum state
on_timer_cleaning(struct supervisor *s)
{
	char num[DECIMAL_LEN];

	if (!s->left_killed) {
		logpipe_say(&s->log, LOG_WARNING, "what ", s->o->argv[0],
		    " left running did not stop within ", decimal_seconds(num,
		    s->o->stop_timeout_ms), " s; killing it", (char *)NULL);
		supervise_kill_tree(s, SIGKILL);
		s->left_killed = true;
		s->timer = clock_ms() + SUPERVISE_KILL_WAIT_MS;
		return CLEANING;
	}
	logpipe_say(&s->log, LOG_ERR, "what ", s->o->argv[0], " left running "
	    "outlived KILL; going on without it", (char *)NULL);
	return supervise_after(s);
}

/* STOP while CLEANING: no restart after it. */
static enum state
on_stop_cleaning(struct supervisor *s)
{
	s->stopping = true;
	return CLEANING;
}

/*
 * STOP while STARTING: kept until the exec is reported, so that the
 * caller of the first start hears how it went; the stop timeout runs
 * from now, in case the child never gets that far.
 */
static enum state
on_stop_starting(struct supervisor *s)
{
	s->stop_sig = s->sig;
	s->timer = clock_ms() + s->o->stop_timeout_ms;
	return STARTING;
}

/* FORWARD while STARTING: kept until the exec, likewise. */
static enum state
on_forward_starting(struct supervisor *s)
{
	(void)sigaddset(&s->forward, s->sig);
	return STARTING;
}

/* TIMER while WAITING: the delay is over. */
static enum state
on_timer_waiting(struct supervisor *s)
{
	s->timer = -1;
	return supervise_start(s);
}

/*
 * STOP while RUNNING: pass it on to the child's process group, and KILL
 * the group after --stop-timeout.
 */
static enum state
on_stop_running(struct supervisor *s)
{
	(void)kill(-s->child, s->sig);
	/* A stopped program could not act on it: let it, as systemd does. */
	(void)kill(-s->child, SIGCONT);
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

/* TIMER while STOPPING, or STARTING with a stop asked: it had its time. */
static enum state
on_timer_stopping(struct supervisor *s)
{
	char num[DECIMAL_LEN];

	logpipe_say(&s->log, LOG_WARNING, s->o->argv[0],
	    " did not stop within ", decimal_seconds(num,
	    s->o->stop_timeout_ms), " s; killing it", (char *)NULL);
	(void)kill(-s->child, SIGKILL);
	s->timer = -1;
	return s->state;
}

static enum state
on_ignore(struct supervisor *s)
{
	return s->state;
}

typedef enum state (*transition)(struct supervisor *);

static const transition supervise_table[NSTATES][NEVENTS] = {
	/*		EXEC_OK		  EXEC_FAILED	     CHILD_EXITED	TIMER		     STOP	      FORWARD	      TREE_GONE */
	[STARTING] = { on_exec_ok,	  on_exec_failed,    on_exit_starting,	on_timer_stopping,   on_stop_starting, on_forward_starting, on_ignore },
	[RUNNING] =  { on_ignore,	  on_ignore,	     on_exit_running,	on_ignore,	     on_stop_running, on_forward,      on_ignore },
	[WAITING] =  { on_ignore,	  on_ignore,	     on_ignore,		on_timer_waiting,    on_stop_idle,    on_ignore,       on_ignore },
	[STOPPING] = { on_ignore,	  on_ignore,	     on_exit_stopping,	on_timer_stopping,   on_forward,      on_forward,      on_ignore },
	[CLEANING] = { on_ignore,	  on_ignore,	     on_ignore,		on_timer_cleaning,   on_stop_cleaning, on_ignore,      on_tree_gone },
	[DONE] =     { on_ignore,	  on_ignore,	     on_ignore,		on_ignore,	     on_ignore,	      on_ignore,       on_ignore },
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

	/* Before the zombie goes: did a starting child ever reach exec? */
	if (s->state == STARTING && s->child != -1)
		s->unexec = procs_died_unexec(s->child) == 1;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == s->child) {
			logpipe_flush(&s->log);
			s->status = status;
			supervise_event(s, CHILD_EXITED);
		}
	if (s->state == CLEANING && !supervise_tree_lives(s))
		supervise_event(s, TREE_GONE);
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
		relay_stopping(&s->l->relay, &s->log);
		supervise_event(s, STOP);
		break;
	case SIGALRM:
		/*
		 * Reopen, and keep it from the program: logrotate's way for
		 * a program that never asked for a HUP, which would end it.
		 */
		logpipe_reopen(&s->log);
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

/*
 * The one place the supervisor waits: for a signal, the exec report of a
 * starting child, the children's output, or the timer.
 */
/*
 * A service manager is waiting for readiness that did not come within
 * --wait: the program is stopped, as after TERM, and the supervisor then
 * exits 125.
 */
static void
supervise_late(struct supervisor *s)
{
	char num[DECIMAL_LEN];
	int err = s->l->relay.gave_up;

	if (err > 0)
		logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " failed before "
		    "it was ready: ", strerror(err), "; stopping it",
		    (char *)NULL);
	else if (err == RELAY_STOPPING)
		logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " was stopping "
		    "before it was ready; stopping it", (char *)NULL);
	else if (err == RELAY_CLOSED)
		logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " closed "
		    "descriptor ", decimal(num, s->o->notify_fd), " without "
		    "writing a line; stopping it", (char *)NULL);
	else if (s->l->relay.met)
		logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " was ready, but "
		    "the service manager could not be told within ",
		    decimal_seconds(num, s->o->wait_ms), " s: ",
		    strerror(s->l->relay.failed), "; stopping it",
		    (char *)NULL);
	else
		logpipe_say(&s->log, LOG_ERR, s->o->argv[0], " was not ready "
		    "within ", decimal_seconds(num, s->o->wait_ms),
		    " s; stopping it", (char *)NULL);
	s->late = true;
	relay_stopping(&s->l->relay, &s->log);
	s->sig = SIGTERM;
	supervise_event(s, STOP);
}

/* The poll timeout: until the timer, or the relay's next look. */
static long
supervise_wait(const struct supervisor *s, long tick)
{
	long wait = s->timer == -1 ? -1 : s->timer - clock_ms();

	if (s->timer != -1 && wait < 0)
		wait = 0;
	if (tick != -1 && (wait == -1 || tick < wait))
		wait = tick;
	return wait;
}

static void
supervise_loop(struct supervisor *s)
{
	struct pollfd pfd[8 + WAITFOR_MAX];
	size_t n, logfirst, relayfirst;
	long tick = -1;
	int e;

	while (s->state != DONE) {
		n = 0;
		pfd[n++] = (struct pollfd){ s->sigrd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ s->execrd, POLLIN, 0 };
		logfirst = n;
		n += logpipe_pollfds(&s->log, pfd + n);
		relayfirst = n;
		n += relay_pollfds(&s->l->relay, s->o, &s->l->ready, pfd + n);
		if (poll(pfd, n, (int)supervise_wait(s, tick)) == -1 &&
		    errno != EINTR) {
			logpipe_say(&s->log, LOG_ERR, "poll: ", strerror(errno),
			    (char *)NULL);
			supervise_exit(s, STATUS_FAILED);
		}
		logpipe_drain(&s->log, pfd + logfirst, relayfirst - logfirst);
		tick = relay_check(&s->l->relay, s->o, &s->l->ready,
		    s->child, pfd + relayfirst,
		    n - relayfirst, &s->log);
		if (relay_late(&s->l->relay))
			supervise_late(s);
		if ((pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    (e = supervise_exec_outcome(s)) != -1)
			supervise_event(s, (enum event)e);
		if (pfd[0].revents & POLLIN)
			supervise_read_signals(s);
		if (s->timer != -1 && clock_ms() >= s->timer)
			supervise_event(s, TIMER);
	}
}

/*
 * A failure before the first start: the caller's to report, or, in the
 * foreground, ours to say.
 */
static __dead void
supervise_fail(const struct options *o, struct launch *l,
    const struct report *r, struct failure *f)
{
	if (r != NULL)
		report_send(r->wr, f);
	launch_abandon(l, report_explain(f, o, l));
}

/*
 * The supervisor's own share of the checklist, in the daemon: its pid in
 * the pidfile, "/" for a working directory, /dev/null for stdio (in the
 * foreground, stdin only: the output stays the caller's), nothing
 * inherited kept but what the children need.
 */
static void
supervise_settle(const struct options *o, struct launch *l,
    const struct report *r)
{
	struct failure f = { STEP_CHDIR, 0, 0, -1 };
	int keep[10];
	struct keep k = { keep, 0, o->keep_fds, o->nkeep_fds };
	size_t n = 0;

	if (chdir("/") == -1)
		goto fail;
	f.step = STEP_PIDFILE;
	if (l->pid.wfd != -1 && pidfile_rewrite(&l->pid, getpid()) == -1)
		goto fail;
	f.step = STEP_STDIO;
	if (dup2(l->null_rd, STDIN_FILENO) == -1 || (!o->foreground &&
	    (dup2(l->null_wr, STDOUT_FILENO) == -1 ||
	    dup2(l->null_wr, STDERR_FILENO) == -1)))
		goto fail;
	keep[n++] = r != NULL ? r->wr : -1;
	keep[n++] = l->pid.fd;
	keep[n++] = l->lock.fd;
	keep[n++] = l->child.wfd;
	keep[n++] = l->out_fd;
	keep[n++] = l->err_fd;
	/* Readiness for a service manager (relay.c). */
	keep[n++] = l->ready.sock;
	keep[n++] = l->ready.pipe_rd;
	keep[n++] = l->ready.pipe_wr;
	/*
	 * --notify-fd's number stays taken (fds_reserve()), so that none of
	 * the pipes made for each child lands there: the child's dup2() onto
	 * it would then do nothing, and its exec close the descriptor.
	 */
	keep[n++] = o->notify_fd;
	k.n = n;
	f.step = STEP_CLOSE;
	if (fds_close_except(&k) == -1)
		goto fail;
	l->pid.wfd = l->null_rd = l->null_wr = -1;
	return;
fail:
	f.err = errno;
	supervise_fail(o, l, r, &f);
}

/*
 * The children's plan: the caller's, but in a group of their own, with
 * their output on the log pipes, the supervisor's stdin (/dev/null), and
 * the locks but not the supervisor's pidfile.  keep[0] is each child's
 * exec report pipe, filled in as it is made.
 */
static int
supervise_plan(struct supervisor *s)
{
	struct spawn *sp = &s->plan;

	*sp = s->l->spawn;
	sp->announce = -1;
	sp->own_group = true;
	sp->pidfile = -1;
	/* --notify-fd only for a manager's readiness; kept as moved. */
	if (sp->nmoves > 0)
		sp->keep[3] = s->o->notify_fd;
	sp->stdio[0] = STDIN_FILENO;
	sp->stdio[1] = STDOUT_FILENO;
	sp->stdio[2] = STDERR_FILENO;
	logpipe_child_stdio(&s->log, sp->stdio);
	sp->keep[0] = -1;
	/* The lock is the daemon's: while any child holds it, it runs. */
	sp->keep[1] = s->l->pid.fd;
	sp->keep[2] = s->l->lock.fd;
	sp->nkeep = sp->nmoves > 0 ? 4 : 3;
	/* A copy: paths may point into the caller's plan itself. */
	if (sp->paths == s->l->spawn.path)
		sp->paths = sp->path;
	return 0;
}

/*
 * The supervisor's state, with its 32 kB of line buffers, lives in zeroed
 * static storage rather than on the stack: pages of it that are never
 * written (most of the buffers, without --output) are never part of what
 * the supervisor holds.
 */
static struct supervisor supervise_state;

/* Become the supervisor; never returns.  r is NULL in the foreground. */
__dead void
supervise(const struct options *o, struct launch *l, const struct report *r)
{
	struct supervisor *s = &supervise_state;
	struct failure f = { STEP_PIPE, 0, 0, -1 };

	s->o = o;
	s->l = l;
	s->r = r;
	s->child = -1;
	s->execrd = -1;
	s->timer = -1;
	s->delay = o->restart_delay_ms;
	restarts_init(&s->restarts, o->max_restarts, o->restart_window_ms);
	/*
	 * In the foreground nothing has blocked the signals yet (detach.c
	 * does, for a daemon): block them before the pidfile names us, so
	 * that one sent as soon as it does (logrotate's ALRM) waits for the
	 * handlers rather than meeting its default action.
	 */
	if (r == NULL && supervise_block_all() == -1)
		goto fail;
	/* Where there is none, orphans simply go to init: no failure. */
	(void)subreaper_become();
	supervise_settle(o, l, r);
	if (logpipe_open(&s->log, o, l) == -1 || supervise_selfpipe(s) == -1 ||
	    relay_open(&l->relay, o) == -1)
		goto fail;
	f.step = STEP_SIGNALS;
	if (supervise_signals_catch(s) == -1)
		goto fail;
	f.step = STEP_FORK;
	if (supervise_plan(s) == -1)
		goto fail;
	s->state = supervise_start(s);
	supervise_loop(s);
	supervise_exit(s, s->late ? STATUS_FAILED : s->exit_status);
fail:
	f.err = errno;
	supervise_fail(o, l, r, &f);
}
