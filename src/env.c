/*
 * The daemon's environment: the caller's (or none with --clear-env), then
 * the user's identity with -u, then each -E and --env-file in order, so
 * they can override anything.
 */
#include "config.h"

#include <stdlib.h>

#include "daemonize.h"
#include "options.h"

/* The PATH a cleared environment gets with -u, as login(1) would set. */
#define ENV_PATH_USER	"/usr/local/bin:/usr/bin:/bin"
#define ENV_PATH_ROOT	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int
env_identity(const struct options *o, const struct user *u)
{
	if (u == NULL)
		return 0;
	/* A uid with no passwd entry has no home or name: not the caller's. */
	if (u->name == NULL)
		return unsetenv("HOME") == -1 || unsetenv("USER") == -1 ||
		    unsetenv("LOGNAME") == -1 ? -1 : 0;
	if (setenv("HOME", u->home, 1) == -1 ||
	    setenv("USER", u->name, 1) == -1 ||
	    setenv("LOGNAME", u->name, 1) == -1)
		return -1;
	if (o->clear_env &&
	    setenv("PATH", u->uid == 0 ? ENV_PATH_ROOT : ENV_PATH_USER, 1) == -1)
		return -1;
	return 0;
}

int
env_apply(const struct options *o, const struct user *u)
{
	size_t i;

	if (o->clear_env && clearenv() != 0)
		return -1;
	if (env_identity(o, u) == -1)
		return -1;
	/* The strings of -E live in argv for the life of the process. */
	for (i = 0; i < o->nenv; i++)
		if (o->env[i].file)
			(void)envfile_apply(o->env[i].value, o->env[i].optional);
		else if (putenv((char *)o->env[i].value) != 0)
			return -1;
	return 0;
}
