/*
 * The supervisor's children: the plan each one follows to its exec, the
 * fork, the report of its exec and what the supervisor says and does
 * about it, and the events of a child that is starting (STARTING).  The
 * supervisor's own share of the checklist, before its first child, is
 * here too (supervise_settle).
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemonize.h"
#include "supervise.h"

void
supervise_say_status(struct supervisor *s)
{
	char pidbuf[DECIMAL_LEN], num[DECIMAL_LEN];
	const char *argv0 = s->set->program;
	const char *pid = decimal(pidbuf, (long)s->child);
	int st = s->status;

	if (WIFEXITED(st))
		logpipe_say(s->log, LOG_NOTICE, argv0, " (pid ", pid,
		    ") exited with status ", decimal(num, WEXITSTATUS(st)),
		    (char *)NULL);
	else
		logpipe_say(s->log, LOG_NOTICE, argv0, " (pid ", pid,
		    ") was killed by signal ",
		    signals_name(WTERMSIG(st), num), (char *)NULL);
}

/* Remove our pidfiles (only if they are still ours) and exit. */
__dead void
supervise_exit(struct supervisor *s, int status)
{
	logpipe_flush(s->log);
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

	if (relay_pipe(s->l->relay, s->l->ready, &s->plan) == -1 ||
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
	relay_child(s->l->relay, s->set->ready, s->l->ready);
	return 0;
fail:
	s->failure = (struct failure){ STEP_FORK, errno, 0, -1 };
	return -1;
}

/* The first start is the caller's to report: success or why not. */
void
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
void
supervise_say_failure(struct supervisor *s)
{
	struct words w;

	supervise_first(s, false);
	s->child_status = report_words(&s->failure, s->l, &w);
	/* "sh cannot be started: No such file", not "sh: sh: ...". */
	if (strcmp(w.what[0], s->set->program) == 0 && w.what[1] == NULL)
		w.what[0] = "";
	logpipe_say(s->log, LOG_ERR, s->set->program, " cannot be started: ",
	    w.what[0], w.what[1] != NULL ? w.what[1] : "",
	    w.what[2] != NULL ? w.what[2] : "",
	    w.err != 0 && *w.what[0] != '\0' ? ": " : "",
	    w.err != 0 ? strerror(w.err) : "", (char *)NULL);
}

/* Start (again) now. */
enum state
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
int
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
bool
supervise_cpf_failed(struct supervisor *s)
{
	char pidbuf[DECIMAL_LEN];

	if (s->cpf_err == 0)
		return false;
	if (s->r != NULL) {
		(void)kill(-s->child, SIGKILL);
		return true;
	}
	logpipe_say(s->log, LOG_ERR, s->l->child.given, ": ",
	    strerror(s->cpf_err), "; pid ", decimal(pidbuf, (long)s->child),
	    " is not in it", (char *)NULL);
	s->cpf_err = 0;
	return false;
}

/*
 * A failure before the first start: the caller's to report, or, in the
 * foreground, ours to say.
 */
__dead void
supervise_fail(struct launch *l, const struct report *r, struct failure *f)
{
	if (r != NULL)
		report_send(r->wr, f);
	launch_abandon(l, report_explain(f, l));
}

/*
 * The supervisor's own share of the checklist, in the daemon: its pid in
 * the pidfile, "/" for a working directory, /dev/null for stdio (in the
 * foreground, stdin only: the output stays the caller's), nothing
 * inherited kept but what the children need.
 */
void
supervise_settle(const struct supervise_settings *ss, struct launch *l,
    const struct report *r)
{
	struct failure f = { STEP_CHDIR, 0, 0, -1 };
	int keep[10];
	/* --keep-fd: the children's, as their plan has it (plan_spawn()). */
	struct keep k = { keep, 0, l->spawn.inherit, l->spawn.ninherit };
	size_t n = 0;

	if (chdir("/") == -1)
		goto fail;
	f.step = STEP_PIDFILE;
	if (l->pid.wfd != -1 && pidfile_rewrite(&l->pid, getpid()) == -1)
		goto fail;
	f.step = STEP_STDIO;
	if (dup2(l->null_rd, STDIN_FILENO) == -1 || (!ss->foreground &&
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
	n += ready_keep(l->ready, keep + n);
	/*
	 * --notify-fd's number stays taken (fds_reserve()), so that none of
	 * the pipes made for each child lands there: the child's dup2() onto
	 * it would then do nothing, and its exec close the descriptor.
	 */
	keep[n++] = ss->notify_fd;
	k.n = n;
	f.step = STEP_CLOSE;
	if (fds_close_except(&k) == -1)
		goto fail;
	l->pid.wfd = l->null_rd = l->null_wr = -1;
	return;
fail:
	f.err = errno;
	supervise_fail(l, r, &f);
}

/*
 * The children's plan: the caller's, but in a group of their own, with
 * their output on the log pipes, the supervisor's stdin (/dev/null), and
 * the locks but not the supervisor's pidfile.  keep[0] is each child's
 * exec report pipe, filled in as it is made.
 */
int
supervise_plan(struct supervisor *s)
{
	struct spawn *sp = &s->plan;

	*sp = s->l->spawn;
	sp->announce = -1;
	sp->own_group = true;
	sp->pidfile = -1;
	/* --notify-fd only for a manager's readiness; kept as moved. */
	if (sp->nmoves > 0)
		sp->keep[3] = s->set->notify_fd;
	sp->stdio[0] = STDIN_FILENO;
	sp->stdio[1] = STDOUT_FILENO;
	sp->stdio[2] = STDERR_FILENO;
	logpipe_child_stdio(s->log, sp->stdio);
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
 * EXEC_OK while STARTING: the program runs.  What came for it while it
 * started is passed on now: before its exec, a signal would have met the
 * default disposition its reset had just put back (HUP would kill it).
 */
enum state
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
enum state
on_exec_failed(struct supervisor *s)
{
	s->failed = true;
	supervise_say_failure(s);
	return STARTING;
}

/*
 * CHILD_EXITED while STARTING: the report is complete now (the child is
 * gone, and with it the pipe's only writer), so it is read first.  A
 * child killed with no report was killed before its exec.  A stop asked
 * for meanwhile ends it all.
 */
enum state
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

/*
 * STOP while STARTING: kept until the exec is reported, so that the
 * caller of the first start hears how it went; the stop timeout runs
 * from now, in case the child never gets that far.
 */
enum state
on_stop_starting(struct supervisor *s)
{
	s->stop_sig = s->sig;
	s->timer = clock_ms() + s->set->stop_timeout_ms;
	return STARTING;
}

/* FORWARD while STARTING: kept until the exec, likewise. */
enum state
on_forward_starting(struct supervisor *s)
{
	(void)sigaddset(&s->forward, s->sig);
	return STARTING;
}
