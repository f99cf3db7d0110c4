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
 *
 * This file holds the state table, the one place transitions happen, the
 * events of a running, stopping or cleaning child, and the poll loop.
 * Starting each child is supervise-child.c's, the restart policy and its
 * accounting supervise-restart.c's, ending the child's tree
 * supervise-tree.c's, the self-pipe supervise-signals.c's; their shared
 * state is supervise.h.
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
#include "supervise.h"

/* CHILD_EXITED while RUNNING: end what it left, then restart or give up. */
enum state
on_exit_running(struct supervisor *s)
{
	if (!s->failed)
		supervise_say_status(s);
	return supervise_clean(s, false);
}

/* CHILD_EXITED while STOPPING: end what it left, then done. */
enum state
on_exit_stopping(struct supervisor *s)
{
	if (!s->failed)
		supervise_say_status(s);
	return supervise_clean(s, true);
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
		logpipe_say(s->log, LOG_WARNING, "what ", s->set->program,
		    " left running did not stop within ", decimal_seconds(num,
		    s->set->stop_timeout_ms), " s; killing it", (char *)NULL);
		supervise_kill_tree(s, SIGKILL);
		s->left_killed = true;
		s->timer = clock_ms() + SUPERVISE_KILL_WAIT_MS;
		return CLEANING;
	}
	logpipe_say(s->log, LOG_ERR, "what ", s->set->program, " left running "
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
	s->timer = clock_ms() + s->set->stop_timeout_ms;
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

	logpipe_say(s->log, LOG_WARNING, s->set->program,
	    " did not stop within ", decimal_seconds(num,
	    s->set->stop_timeout_ms), " s; killing it", (char *)NULL);
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
			logpipe_flush(s->log);
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
		relay_stopping(s->l->relay, s->log);
		supervise_event(s, STOP);
		break;
	case SIGALRM:
		/*
		 * Reopen, and keep it from the program: logrotate's way for
		 * a program that never asked for a HUP, which would end it.
		 */
		logpipe_reopen(s->log);
		break;
	case SIGHUP:
		logpipe_reopen(s->log);
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
	relay_say_late(s->l->relay, s->set->ready, s->log);
	s->late = true;
	relay_stopping(s->l->relay, s->log);
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
		n += logpipe_pollfds(s->log, pfd + n);
		relayfirst = n;
		n += relay_pollfds(s->l->relay, s->set->ready,
		    s->l->ready, pfd + n);
		if (poll(pfd, n, (int)supervise_wait(s, tick)) == -1 &&
		    errno != EINTR) {
			logpipe_say(s->log, LOG_ERR, "poll: ", strerror(errno),
			    (char *)NULL);
			supervise_exit(s, STATUS_FAILED);
		}
		logpipe_drain(s->log, pfd + logfirst, relayfirst - logfirst);
		tick = relay_check(s->l->relay, s->set->ready, s->l->ready,
		    s->child, pfd + relayfirst,
		    n - relayfirst, s->log);
		if (relay_late(s->l->relay))
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
 * The supervisor's state lives in zeroed static storage, as the log's
 * does (logpipe.c): a page of it that is never written costs nothing.
 */
static struct supervisor supervise_state;

/* Become the supervisor; never returns.  r is NULL in the foreground. */
__dead void
supervise(const struct supervise_settings *ss, struct launch *l,
    const struct report *r)
{
	struct supervisor *s = &supervise_state;
	struct failure f = { STEP_PIPE, 0, 0, -1 };
	struct logsettings ls = *ss->log;

	s->set = ss;
	s->l = l;
	s->r = r;
	s->child = -1;
	s->execrd = -1;
	s->timer = -1;
	s->delay = ss->restart_delay_ms;
	restarts_init(&s->restarts, ss->max_restarts, ss->restart_window_ms);
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
	supervise_settle(ss, l, r);
	/* The files the caller opened for the log. */
	ls.out_fd = l->out_fd;
	ls.err_fd = l->err_fd;
	ls.out_path = l->out_path;
	ls.err_path = l->err_path;
	if ((s->log = logpipe_open(&ls)) == NULL ||
	    supervise_selfpipe(s) == -1 ||
	    relay_open(l->relay, ss->ready) == -1)
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
	supervise_fail(l, r, &f);
}
