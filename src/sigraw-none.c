/*
 * Systems whose sigaction(2) reaches every signal: nothing is out of
 * reach, so a signal it refuses is one that does not exist.
 */
#include "config.h"

#include <errno.h>

#include "daemonize.h"

int
sigraw_default(int sig)
{
	(void)sig;
	errno = EINVAL;
	return -1;
}
