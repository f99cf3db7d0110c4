/*
 * Leaving the caller: fork, setsid, fork again.
 *
 * The second fork makes the daemon a process that is not a session leader,
 * so it can never acquire a controlling terminal by opening one (the trap
 * of glibc's single-fork daemon(3)).  The middle process exits at once;
 * the caller learns the outcome from the report pipe, not from it.
 *
 * When the daemon is going to exec straight away, both forks are vforks:
 * no page tables are copied, and each parent sleeps only until its child
 * has exec'd (or _exited), which the caller waits for anyway.  The
 * children only make system calls and write to the report pipe before
 * they exec or _exit, which is what a vfork child may do.  Where vfork is
 * an ordinary fork (valgrind emulates it so) nothing changes: the report
 * pipe carries the outcome either way.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "daemonize.h"

/*
 * Returns the middle process's pid (or -1) in the caller and 0 in the
 * daemon; the middle process never returns.  before_fork, if not NULL,
 * runs in the middle process before it forks the daemon.
 */
pid_t
detach_start(const struct report *r, void (*before_fork)(void))
{
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	if (setsid() == -1)
		report_failure(r, STEP_SETSID, errno, 0);
	if (before_fork != NULL)
		before_fork();
	if ((pid = fork()) == -1)
		report_failure(r, STEP_FORK, errno, 0);
	if (pid > 0) {
		coverage_flush();
		_exit(STATUS_OK);
	}
	return 0;
}

/*
 * Leave the caller by vfork twice; run(arg) is the daemon's side and must
 * exec or _exit.  Returns the middle process's pid (or -1) in the caller,
 * by then already exited.
 */
pid_t
detach_vfork(const struct report *r, void (*run)(void *), void *arg)
{
	pid_t pid;

	if ((pid = vfork()) != 0)
		return pid;
	if (setsid() == -1)
		report_failure(r, STEP_SETSID, errno, 0);
	if ((pid = vfork()) == 0)
		run(arg);
	if (pid == -1)
		report_failure(r, STEP_FORK, errno, 0);
	coverage_flush();
	_exit(STATUS_OK);
}
