/*
 * Leaving the caller: fork, setsid, fork again.
 *
 * The second fork makes the daemon a process that is not a session leader,
 * so it can never acquire a controlling terminal by opening one (the trap
 * of glibc's single-fork daemon(3)).  The middle process exits at once;
 * the caller learns the outcome from the report pipe, not from it.
 *
 * When the daemon is going to exec, both forks are vforks: no page tables
 * are copied, and each parent sleeps only until its child has exec'd (or
 * _exited), which the caller waits for anyway.  The middle process makes
 * only system calls, and the daemon follows its plan in spawn.c, which
 * does too: that is all a vfork child may do.  Where vfork is an ordinary
 * fork (valgrind emulates it so) nothing changes: the report pipe carries
 * the outcome either way.
 *
 * The --respawn supervisor lives on, and runs library code: it is made
 * with fork.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "daemonize.h"

/* In the middle process: a failure of its own, then _exit. */
static __dead void
detach_failed(const struct report *r, enum step step, int err)
{
	struct failure f = { (int)step, err, 0, -1 };

	report_send(r->wr, &f);
}

/*
 * In the middle process, the daemon's vfork just returned: it exec'd, or
 * it died on the way.  A daemon killed before its exec (the OOM killer, an
 * administrator) sends no report, and the report pipe's end-of-file alone
 * would pass for a start: it is reported as never started.  The zombie is
 * left for whoever reaps it (the caller, under --wait).  Where vfork is a
 * plain fork the daemon may not have got that far yet, and this sees
 * nothing.
 */
static void
detach_check_exec(const struct report *r, pid_t pid)
{
	siginfo_t si;

	if (procs_died_unexec(pid) != 1)
		return;
	si.si_pid = 0;
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR)
			return;
	if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
		detach_failed(r, STEP_LOST, si.si_status);
}

/*
 * Returns the middle process's pid (or -1) in the caller and 0 in the
 * daemon, which is then the supervisor to be; the middle process never
 * returns.  The supervisor starts with every signal blocked, until its
 * handlers are in place: a TERM before then would kill it unseen, and the
 * caller would take its silence for a start.
 */
pid_t
detach_fork(const struct report *r)
{
	sigset_t all;
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	if (setsid() == -1)
		detach_failed(r, STEP_SETSID, errno);
	if (sigfillset(&all) == -1 || sigprocmask(SIG_SETMASK, &all, NULL) == -1)
		detach_failed(r, STEP_SIGNALS, errno);
	if ((pid = fork()) == -1)
		detach_failed(r, STEP_FORK, errno);
	if (pid > 0) {
		coverage_flush();
		_exit(STATUS_OK);
	}
	return 0;
}

/*
 * Leave the caller by vfork twice; the daemon follows the plan sp and
 * execs, or reports why it could not.  Returns the middle process's pid
 * (or -1) in the caller, by then already exited.
 */
pid_t
detach_vfork(const struct report *r, const struct spawn *sp)
{
	struct failure f;
	pid_t pid;

	if ((pid = vfork()) != 0)
		return pid;
	if (setsid() == -1)
		detach_failed(r, STEP_SETSID, errno);
	if ((pid = vfork()) == 0) {
		spawn_exec(sp, &f);
		report_send(r->wr, &f);
	}
	if (pid == -1)
		detach_failed(r, STEP_FORK, errno);
	detach_check_exec(r, pid);
	coverage_flush();
	_exit(STATUS_OK);
}
