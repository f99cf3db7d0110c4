/*
 * --runtime-dir DIR: a directory for the daemon's sockets and state,
 * made before it starts and owned by its user, as systemd's
 * RuntimeDirectory= is.  Only the last component is created, mode 0755;
 * one that exists must be a directory (not a symbolic link) of that user
 * already.  It is left in place when the daemon ends (systemd's
 * RuntimeDirectoryPreserve=yes), and removed only when a start that made
 * it fails.
 *
 * The user owns it, so it must not hold the pidfile (SPEC section 4, the
 * CVE-2017-14159 class): a user who can replace the pidfile steers root's
 * --stop to any pid.  That combination is refused.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"
#include "options.h"

/* Is the directory dir path's parent, or an ancestor of it? */
static bool
rundir_holds(const struct stat *dir, const char *path)
{
	char buf[PATH_MAX];
	struct stat sb;
	char *slash;
	size_t len = strlen(path);

	if (len >= sizeof buf)
		return false;
	memcpy(buf, path, len + 1);
	while ((slash = strrchr(buf, '/')) != NULL && slash != buf) {
		*slash = '\0';
		if (stat(buf, &sb) == 0 && sb.st_dev == dir->st_dev &&
		    sb.st_ino == dir->st_ino)
			return true;
	}
	return false;
}

/* src as a string in dst of size bytes; -1 if it does not fit. */
static int
rundir_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (len >= size)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

/*
 * May a symbolic link be followed in this directory?  Only where root
 * alone can have put it (as /var/run -> /run): the directory is root's
 * and nobody else may write to it.
 */
static bool
rundir_trusted(int dirfd)
{
	struct stat sb;

	return fstat(dirfd, &sb) == 0 && sb.st_uid == 0 &&
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * The parent of path (absolute, without trailing slashes), opened one
 * component at a time from "/", so that no symbolic link a user planted
 * on the way (in a directory the user owns) is followed; the last
 * component is left in last.  -1 with errno on failure.
 */
static int
rundir_parent(const char *path, char *last, size_t size)
{
	char buf[PATH_MAX], *comp, *next, *end;
	int dirfd, fd;

	if (rundir_copy(buf, path, sizeof buf) == -1 || buf[0] != '/') {
		errno = ENAMETOOLONG;
		return -1;
	}
	end = strrchr(buf, '/');
	if (rundir_copy(last, end + 1, size) == -1 || *last == '\0') {
		errno = EINVAL;
		return -1;
	}
	*end = '\0';
	if ((dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	for (comp = buf + 1; comp < end && *comp != '\0'; comp = next) {
		if ((next = strchr(comp, '/')) != NULL)
			*next++ = '\0';
		else
			next = end;
		if (*comp == '\0')
			continue;
		fd = openat(dirfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1 && (errno == ELOOP || errno == ENOTDIR) &&
		    rundir_trusted(dirfd))
			fd = openat(dirfd, comp, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
		(void)close(dirfd);
		if ((dirfd = fd) == -1)
			return -1;
	}
	return dirfd;
}

/* The directory, owned by uid:gid, mode 0755; *made if we created it. */
static int
rundir_open(const char *path, uid_t uid, gid_t gid, bool *made,
    struct stat *sb)
{
	char last[NAME_MAX + 1];
	int parent, fd = -1, err;

	*made = false;
	if ((parent = rundir_parent(path, last, sizeof last)) == -1)
		return -1;
	*made = mkdirat(parent, last, 0755) == 0;
	if (!*made && errno != EEXIST)
		goto fail;
	if ((fd = openat(parent, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		goto fail;
	if (*made && (fchown(fd, uid, gid) == -1 || fchmod(fd, 0755) == -1))
		goto fail;
	if (fstat(fd, sb) == -1)
		goto fail;
	(void)close(fd);
	(void)close(parent);
	return 0;
fail:
	err = errno;
	if (fd != -1)
		(void)close(fd);
	if (*made)
		(void)unlinkat(parent, last, AT_REMOVEDIR);
	(void)close(parent);
	*made = false;
	errno = err;
	return -1;
}

/* Remove the directory if this start made it. */
void
rundir_abandon(const char *path, bool made)
{
	if (path != NULL && made)
		(void)rmdir(path);
}

/*
 * Make (or check) o->runtime_dir for user u (the caller when NULL), and
 * refuse a pidfile or lock file in it.  Exits on any error, having said
 * it and removed what it made; *made tells a later failure what to undo.
 */
int
rundir_make(const struct options *o, const struct user *u, bool *made)
{
	const char *files[] = { o->pidfile, o->lockfile, o->child_pidfile };
	uid_t uid = u != NULL ? u->uid : geteuid();
	gid_t gid = u != NULL ? u->gid : getegid();
	const char *dir = o->runtime_dir, *abs;
	struct stat sb;
	bool held;
	size_t i;

	if (rundir_open(dir, uid, gid, made, &sb) == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			die(STATUS_FAILED, "--runtime-dir %s: not a directory, "
			    "or a symbolic link", dir);
		die_errno(STATUS_FAILED, errno, "--runtime-dir %s", dir);
	}
	if (sb.st_uid != uid) {
		rundir_abandon(dir, *made);
		die(STATUS_FAILED, "--runtime-dir %s: owned by uid %ld, not by "
		    "uid %ld", dir, (long)sb.st_uid, (long)uid);
	}
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (uid == 0 || files[i] == NULL)
			continue;
		if ((abs = program_absolute(files[i])) == NULL)
			abs = files[i];
		held = rundir_holds(&sb, abs);
		if (abs != files[i])
			free((char *)abs);
		if (!held)
			continue;
		rundir_abandon(dir, *made);
		die(STATUS_USAGE, "--runtime-dir %s: %s would lie in a directory "
		    "the daemon's user owns, who could replace it; keep it "
		    "elsewhere", dir, files[i]);
	}
	return 0;
}
