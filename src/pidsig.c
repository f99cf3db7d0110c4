/*
 * A signal to a process seen holding the daemon's lock, that cannot reach
 * another process given its pid meanwhile.
 *
 * Between looking at a pid and kill(2), the process may exit and its pid
 * go to another: --stop and --signal would then signal that one.  Here a
 * pidfd is taken first, and only then is the pid checked to hold the lock
 * still: the pidfd names the holder itself, not whatever had its pid
 * before, and the signal goes through it, so a holder that exits after
 * the check is told ESRCH, never replaced.  That takes /proc showing the
 * process's descriptors (procs_holds); where it cannot tell, or where the
 * kernel has no pidfds (ENOSYS before Linux 5.3, EPERM from a seccomp
 * filter), it is kill(2) as before, after the check already made.
 */
#include "config.h"

#ifdef HAVE_SYS_PIDFD_H
#include <sys/pidfd.h>
#endif

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "daemonize.h"

/*
 * sig to pid, if it still holds the lock on dev/ino (or /proc cannot
 * tell).  0, or -1 with errno: ESRCH when it is gone or holds it no more.
 */
int
pidsig_holder(pid_t pid, dev_t dev, ino_t ino, int sig)
{
	int pfd, rc, err;

	/*
	 * pidfd_open checks no permission: EPERM is a seccomp filter (a
	 * container's profile) that refuses it, as ENOSYS an older kernel.
	 */
	if ((pfd = pidfd_open(pid, 0)) == -1)
		return errno == ENOSYS || errno == EPERM ? kill(pid, sig) : -1;
	if (procs_holds(pid, dev, ino) == 0) {
		(void)close(pfd);
		errno = ESRCH;
		return -1;
	}
	if ((rc = pidfd_send_signal(pfd, sig, NULL, 0)) == -1 &&
	    errno == ENOSYS)
		rc = kill(pid, sig);
	err = errno;
	(void)close(pfd);
	errno = err;
	return rc;
}
