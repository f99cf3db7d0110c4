/*
 * Signals.  Ignored dispositions and the blocked mask survive execve(2):
 * a caller that ignores HUP (nohup) or blocks TERM would hand that to the
 * program, which then could not be stopped with a plain kill.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "daemonize.h"

/* Every signal back to its default disposition, and none blocked. */
int
signals_reset(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	if (sigemptyset(&sa.sa_mask) == -1 || sigemptyset(&none) == -1)
		return -1;
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &sa, NULL) == 0)
			continue;
		/* EINVAL: a number the C library keeps for itself. */
		if (errno != EINVAL || sigraw_default(sig) == -1)
			return -1;
	}
	return sigprocmask(SIG_SETMASK, &none, NULL);
}
