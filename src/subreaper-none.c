/*
 * Systems without child subreapers: the caller cannot wait for a daemon
 * that is not its child, so --wait is refused rather than half done.
 */
#include "config.h"

#include <errno.h>

#include "daemonize.h"

int
subreaper_become(void)
{
	errno = ENOSYS;
	return -1;
}
