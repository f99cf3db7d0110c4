/*
 * The program to run: found in PATH or made absolute against the caller's
 * directory before anything changes directory.  spawn.c executes it.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

/* Join dir and name; a relative dir is taken from the current directory. */
static char *
program_join(const char *dir, size_t dirlen, const char *name)
{
	char cwd[PATH_MAX];
	char *path;
	int n;

	if (dirlen == 0) {
		dir = ".";
		dirlen = 1;
	}
	if (dir[0] == '/')
		n = asprintf(&path, "%.*s/%s", (int)dirlen, dir, name);
	else if (getcwd(cwd, sizeof cwd) == NULL)
		return NULL;
	else if (dirlen == 1 && dir[0] == '.')
		n = asprintf(&path, "%s/%s", cwd, name);
	else
		n = asprintf(&path, "%s/%.*s/%s", cwd, (int)dirlen, dir, name);
	return n == -1 ? NULL : path;
}

/* Is path a file this process could execute? Sets errno when not. */
static int
program_executable(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return -1;
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return access(path, X_OK);
}

/*
 * Search PATH as execvp(3) does: the first executable match wins; if only
 * non-executable matches exist the answer is EACCES, otherwise ENOENT.
 */
static const char *
program_search(const char *name, const char *search)
{
	const char *p, *end;
	char *path;
	int err = ENOENT;

	if (search == NULL)
		search = "/usr/local/bin:/usr/bin:/bin";
	for (p = search;; p = end + 1) {
		end = strchrnul(p, ':');
		/* An entry that cannot be made absolute is passed over. */
		path = program_join(p, (size_t)(end - p), name);
		if (path != NULL && program_executable(path) == 0)
			return path;
		if (path != NULL && (errno == EACCES || errno == EISDIR))
			err = EACCES;
		free(path);
		if (*end == '\0')
			break;
	}
	errno = err;
	return NULL;
}

/*
 * Resolve name to an absolute path, searching the directories of search
 * (a PATH value; NULL for the default) when it has no slash.  Returns NULL
 * with errno ENOENT when it does not exist and EISDIR for a directory; any
 * other file is returned even if it cannot be executed, so that exec
 * reports the precise reason.
 */
const char *
program_resolve(const char *name, const char *search)
{
	struct stat sb;
	const char *path;

	if (*name == '\0') {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(name, '/') == NULL)
		return program_search(name, search);
	if ((path = program_absolute(name)) == NULL)
		return NULL;
	if (stat(path, &sb) == -1)
		goto fail;
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	return path;
fail:
	if (path != name)
		free((char *)path);
	return NULL;
}

/*
 * path made absolute against the current directory (an absolute path is
 * returned as it is); NULL on error.
 */
const char *
program_absolute(const char *path)
{
	if (path[0] == '/')
		return path;
	return program_join(".", 1, path[0] == '.' && path[1] == '/' ?
	    path + 2 : path);
}

/*
 * The paths the daemon tries, in order, when the program can only be
 * looked up by the daemon itself: inside --chroot, or in PATH as the user
 * of -u, who may be refused a directory of root's that hides the program
 * further along.  A name with a slash is its own candidate; otherwise
 * each directory of search (a PATH value; NULL for the default) gives
 * one.  With absolute, relative directories are taken from the caller's
 * directory, as every relative name is; inside --chroot they are left
 * relative, to the daemon's working directory there.
 */
int
program_candidates(const char *name, const char *search, bool absolute,
    char ***paths, size_t *npaths)
{
	const char *p, *end;
	size_t n = 1;
	char *path;

	if (search == NULL)
		search = "/usr/local/bin:/usr/bin:/bin";
	for (p = search; *p != '\0'; p++)
		n += *p == ':';
	if ((*paths = calloc(n, sizeof **paths)) == NULL)
		return -1;
	*npaths = 0;
	if (strchr(name, '/') != NULL) {
		(*paths)[(*npaths)++] = (char *)name;
		return 0;
	}
	for (p = search;; p = end + 1) {
		end = strchrnul(p, ':');
		if (absolute)
			path = program_join(p, (size_t)(end - p), name);
		else if (asprintf(&path, "%.*s/%s", end == p ? 1 : (int)(end - p),
		    end == p ? "." : p, name) == -1)
			path = NULL;
		/* An entry that cannot be made absolute is passed over. */
		if (path != NULL)
			(*paths)[(*npaths)++] = path;
		if (*end == '\0')
			break;
	}
	return 0;
}
