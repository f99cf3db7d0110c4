/*
 * One file, one role.  A pidfile that is also the log, or the child's
 * pidfile, would be overwritten by the other: --status then reads a log
 * line for a pid, and --stop refuses to act.  Only the documented pairs
 * share a file: -p F -l F (one lock) and -o F -e F (one log, as
 * --output makes it).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemonize.h"
#include "options.h"

struct role {
	const char *name;
	const char *path;	/* as given, or NULL */
	int kind;		/* roles of one kind may share a file */
};

/*
 * Do a and b name one file: the same existing file, or one not there yet
 * by the same name in the same resolved directory ("x.pid" and
 * "../here/x.pid", or through a link to the directory), or the same path?
 */
static bool
roles_same(const char *a, const char *b)
{
	const char *abs_a, *abs_b;
	struct stat sa, sb;
	bool same;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	if (path_same_place(a, b))
		return true;
	if ((abs_a = program_absolute(a)) == NULL ||
	    (abs_b = program_absolute(b)) == NULL)
		return strcmp(a, b) == 0;
	same = strcmp(abs_a, abs_b) == 0;
	if (abs_a != a)
		free((char *)abs_a);
	if (abs_b != b)
		free((char *)abs_b);
	return same;
}

/* Refuse, as a usage error, one file given two roles that cannot share. */
void
roles_check(const struct options *o)
{
	const struct role roles[] = {
		{ "the pidfile", o->pidfile, 0 },
		{ "the lock file", o->lockfile, 0 },
		{ "the child pidfile", o->child_pidfile, 1 },
		{ "standard output", o->stdout_path, 2 },
		{ "standard error", o->stderr_path, 2 },
	};
	const size_t n = sizeof roles / sizeof roles[0];
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (roles[i].path != NULL && roles[j].path != NULL &&
			    roles[i].kind != roles[j].kind &&
			    roles_same(roles[i].path, roles[j].path))
				die(STATUS_USAGE, "%s: both %s and %s",
				    roles[j].path, roles[i].name,
				    roles[j].name);
}
