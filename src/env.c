/*
 * The daemon's environment: the caller's, then the user's identity with
 * -u, then each -E in order, so -E can override anything.
 */
#include "config.h"

#include <stdlib.h>

#include "daemonize.h"

int
env_apply(const struct options *o, const struct user *u)
{
	size_t i;

	if (u != NULL && (setenv("HOME", u->home, 1) == -1 ||
	    setenv("USER", u->name, 1) == -1 ||
	    setenv("LOGNAME", u->name, 1) == -1))
		return -1;
	/* The strings live in argv for the life of the process. */
	for (i = 0; i < o->nenv; i++)
		if (putenv(o->env[i]) != 0)
			return -1;
	return 0;
}
