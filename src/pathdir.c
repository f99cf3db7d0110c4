/*
 * A path's directory as the kernel would reach it.  Two options may name
 * one file that does not exist yet by different paths ("x.pid" and
 * "../here/x.pid", "sub/x" and "link-to-sub/x"): the same last component
 * in the same resolved directory is the same file-to-be.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "daemonize.h"

/* The last component of path. */
const char *
path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * The directory of path as realpath(3) resolves it, into buf (PATH_MAX
 * bytes); the text before the last slash as it is when that fails (the
 * open will say why).
 */
void
path_dir_real(const char *path, char *buf)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len = slash == NULL ? 1 : slash == path ? 1 :
	    (size_t)(slash - path);

	if (len >= sizeof dir)
		len = sizeof dir - 1;
	memcpy(dir, slash == NULL ? "." : path, len);
	dir[len] = '\0';
	if (realpath(dir, buf) == NULL)
		memcpy(buf, dir, len + 1);
}

/* Do a and b name one file, existing or not, by their resolved paths? */
bool
path_same_place(const char *a, const char *b)
{
	char da[PATH_MAX], db[PATH_MAX];

	if (strcmp(path_base(a), path_base(b)) != 0)
		return false;
	path_dir_real(a, da);
	path_dir_real(b, db);
	return strcmp(da, db) == 0;
}
