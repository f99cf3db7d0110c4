/*
 * The names --output-max-size rotates to are no other file's.
 *
 * Rotating FILE renames FILE.1 to FILE.2 and so on, and FILE to FILE.1:
 * with "-o app.log -e app.log.1", rotating standard output would rename
 * the live standard error file, and the rotated files would mix both
 * streams; a pidfile named app.log.1 would be moved away under its lock.
 * Every file daemonize is given is checked against the rotation names of
 * each rotated stream, FILE.1 to FILE.<--output-keep>, before anything is
 * opened: a usage error, since only the names are wrong.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemonize.h"
#include "options.h"

struct named {
	const char *option;
	const char *path;
};

/* Is name "base.N", N from 1 to keep, written as rotation writes it? */
static bool
lognames_numbered(const char *name, const char *base, int keep)
{
	size_t len = strlen(base);
	const char *p = name + len + 1;
	long n = 0;

	if (strncmp(name, base, len) != 0 || name[len] != '.' ||
	    *p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > keep)
			return false;
	return *p == '\0';
}

/* Would rotating stream take f's name? */
static bool
lognames_taken(const struct named *stream, const struct named *f, int keep)
{
	char d1[PATH_MAX], d2[PATH_MAX];

	if (!lognames_numbered(path_base(f->path), path_base(stream->path),
	    keep))
		return false;
	path_dir_real(stream->path, d1);
	path_dir_real(f->path, d2);
	return strcmp(d1, d2) == 0;
}

void
lognames_check(const struct options *o)
{
	struct named files[5];
	size_t n = 0, streams, i, j;
	bool one = o->stdout_path != NULL && o->stderr_path != NULL &&
	    strcmp(o->stdout_path, o->stderr_path) == 0;

	if (o->output_max_size == 0 || o->output_keep == 0)
		return;
	/* The rotated streams first, then the other files. */
	if (o->stdout_path != NULL)
		files[n++] = (struct named){ one ? "--output" : "-o",
		    o->stdout_path };
	if (o->stderr_path != NULL && !one)
		files[n++] = (struct named){ "-e", o->stderr_path };
	streams = n;
	if (o->pidfile != NULL)
		files[n++] = (struct named){ "-p", o->pidfile };
	if (o->child_pidfile != NULL)
		files[n++] = (struct named){ "--child-pidfile",
		    o->child_pidfile };
	if (o->lockfile != NULL)
		files[n++] = (struct named){ "-l", o->lockfile };
	for (i = 0; i < streams; i++)
		for (j = 0; j < n; j++)
			if (j != i && lognames_taken(&files[i], &files[j],
			    o->output_keep))
				die(STATUS_USAGE, "%s %s: a name that rotating "
				    "%s %s takes", files[j].option,
				    files[j].path, files[i].option,
				    files[i].path);
}
