/*
 * Systems without the raw Linux call: sigaction(2) reaches every signal
 * there is.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "daemonize.h"

int
sigraw_default(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	if (sigemptyset(&sa.sa_mask) == -1)
		return -1;
	return sigaction(sig, &sa, NULL);
}
