/*
 * Linux: reset a signal the C library will not let sigaction(2) touch.
 *
 * glibc keeps signals 32 and 33 for its threads and refuses them with
 * EINVAL, yet an ignored disposition of either still survives execve and
 * reaches a program built on another runtime.  The kernel call takes a
 * struct whose layout varies by architecture, but for SIG_DFL (0) with no
 * flags and an empty mask every field is zero, so zeroed bytes are right
 * everywhere.
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
