/*
 * Linux: become a child subreaper (prctl(2), Linux 3.4), so that orphans
 * of our children, the daemon among them, are re-parented to us rather
 * than to init while we wait for them to become ready.
 */
#include "config.h"

#include <sys/prctl.h>

#include "daemonize.h"

int
subreaper_become(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}
