/*
 * Linux: set a signal's disposition to the default with the system call
 * itself, not sigaction(3).
 *
 * glibc keeps signals 32 and 33 for its threads and refuses them with
 * EINVAL, yet an ignored disposition of either still survives execve and
 * reaches a program built on another runtime; and the raw call is a few
 * times cheaper, which counts over 64 signals on every start.  The kernel
 * call takes a struct whose layout varies by architecture, but for SIG_DFL
 * (0) with no flags and an empty mask every field is zero, so zeroed bytes
 * are right everywhere.
 */
#include "config.h"

#include <sys/syscall.h>

#include <signal.h>
#include <unistd.h>

#include "daemonize.h"

int
sigraw_default(int sig)
{
	unsigned long act[8] = { 0 };

	return (int)syscall(SYS_rt_sigaction, sig, act, NULL, (NSIG - 1) / 8);
}
