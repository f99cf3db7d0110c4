/*
 * Leaving the caller: fork, setsid, fork again.
 *
 * The second fork makes the daemon a process that is not a session leader,
 * so it can never acquire a controlling terminal by opening one (the trap
 * of glibc's single-fork daemon(3)).  The middle process exits at once;
 * the caller learns the outcome from the report pipe, not from it.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "daemonize.h"

/*
 * Returns the middle process's pid (or -1) in the caller and 0 in the
 * daemon; the middle process never returns.
 */
pid_t
detach_start(const struct report *r)
{
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	if (setsid() == -1)
		report_failure(r, STEP_SETSID, errno, 0);
	if ((pid = fork()) == -1)
		report_failure(r, STEP_FORK, errno, 0);
	if (pid > 0) {
		coverage_flush();
		_exit(STATUS_OK);
	}
	return 0;
}
