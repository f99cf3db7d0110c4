/*
 * --output-max-size: rotation by size, inside the supervisor, between two
 * lines.  FILE becomes FILE.1, FILE.1 becomes FILE.2, and so on up to
 * --output-keep, the oldest dropped; then a new FILE is opened by the
 * rules of the first open (fds.c): never through a symbolic link, and a
 * regular file only.  Every name is looked up in the directory the
 * supervisor has held since it started (logpipe.c), and rename(2) moves
 * names without following them, so a daemon user who owns that directory,
 * or one above it, can only have its own names moved.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemonize.h"
#include "logpipe.h"

/*
 * Would n more bytes, after the queued ones not yet written, take the file
 * past its size?  Only at the start of a line, only for a regular file,
 * and never for a file that is still empty: a line longer than the limit
 * has a file to itself.
 */
bool
logrotate_due(const struct logpipe *lp, struct logstream *s, size_t queued,
    size_t n)
{
	struct stat sb;

	if (lp->max_size == 0 || !s->bol || s->fd == -1 || !s->regular)
		return false;
	if (s->size + (off_t)queued == 0 ||
	    s->size + (off_t)(queued + n) <= lp->max_size)
		return false;
	/* Emptied behind our back (logrotate's copytruncate)? */
	if (fstat(s->fd, &sb) == 0 && sb.st_size < s->size) {
		s->size = sb.st_size;
		return s->size + (off_t)queued != 0 &&
		    s->size + (off_t)(queued + n) > lp->max_size;
	}
	return true;
}

/* name.i, or name itself for 0; -1 if it does not fit. */
static int
logrotate_name(char *buf, size_t size, const char *name, int i)
{
	char num[DECIMAL_LEN];
	size_t len = strlen(name);
	const char *digits = decimal(num, i);

	if (i == 0) {
		if (len >= size)
			return -1;
		memcpy(buf, name, len + 1);
		return 0;
	}
	if (len + 1 + strlen(digits) >= size)
		return -1;
	memcpy(buf, name, len);
	buf[len] = '.';
	memcpy(buf + len + 1, digits, strlen(digits) + 1);
	return 0;
}

/* Does name.i exist (as anything, a link too)? */
static bool
logrotate_exists(int dirfd, const char *name, int i)
{
	char buf[PATH_MAX + DECIMAL_LEN];
	struct stat sb;

	return logrotate_name(buf, sizeof buf, name, i) == 0 &&
	    fstatat(dirfd, buf, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * Shift FILE.n-1 ... FILE to FILE.n ... FILE.1, where FILE.n is the first
 * name free, or FILE.keep: oldest first, so that each rename lands on a
 * name already moved on, and only the names there are are tried.  The
 * first failure stops the shift: nothing is overwritten that was not
 * moved first.
 */
static const char *
logrotate_shift(int dirfd, const char *name, int keep)
{
	char from[PATH_MAX + DECIMAL_LEN], to[PATH_MAX + DECIMAL_LEN];
	int i, n = 1;

	while (n < keep && logrotate_exists(dirfd, name, n))
		n++;
	for (i = n; i > 0; i--) {
		if (logrotate_name(from, sizeof from, name, i - 1) == -1 ||
		    logrotate_name(to, sizeof to, name, i) == -1)
			return strerror(ENAMETOOLONG);
		if (renameat(dirfd, from, dirfd, to) == -1)
			return strerror(errno);
	}
	return NULL;
}

/* Is the stream's name still the file it writes to? */
static bool
logrotate_ours(const struct logstream *s)
{
	struct stat a, b;

	return fstat(s->fd, &a) == 0 && fstatat(logpipe_dirfd(s), s->name,
	    &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino;
}

/* A new FILE in place of the one written to; a failure is said in it. */
static void
logrotate_reopen(struct logpipe *lp, struct logstream *s, const char *now)
{
	const char *why;
	int fd;

	fd = fds_open_log(logpipe_dirfd(s), s->name, lp->rules, &why);
	/* Same number: -o and -e of one file stay one file. */
	if (fd != -1 && dup3(fd, s->fd, O_CLOEXEC) != -1) {
		(void)close(fd);
		s->size = 0;
		logpipe_stream_size(s);
		return;
	}
	if (why == NULL)
		why = strerror(errno);
	if (fd != -1)
		(void)close(fd);
	logpipe_note(lp, s, LOG_ERR, "rotating ", s->path, ": ", why,
	    "; still writing to ", now, (char *)NULL);
}

/*
 * Rotate the stream's file now.  A failure is said in the file still
 * written to, and the next try waits for another --output-max-size.  When
 * the name no longer is the file written to (moved away, or removed, by
 * someone else), nothing is shifted: a new FILE is opened in its place.
 */
void
logrotate_rotate(struct logpipe *lp, struct logstream *s)
{
	char moved[PATH_MAX + DECIMAL_LEN];
	const char *why;

	s->size = 0;
	if (lp->keep == 0) {
		/* Nothing kept: the file is simply emptied. */
		if (ftruncate(s->fd, 0) == 0)
			return;
		logpipe_note(lp, s, LOG_ERR, "emptying ", s->path, ": ",
		    strerror(errno), (char *)NULL);
		return;
	}
	if (!logrotate_ours(s)) {
		logrotate_reopen(lp, s, "the old file");
		return;
	}
	if ((why = logrotate_shift(logpipe_dirfd(s), s->name, lp->keep)) !=
	    NULL) {
		logpipe_note(lp, s, LOG_ERR, "rotating ", s->path, ": ", why,
		    "; still writing to it", (char *)NULL);
		return;
	}
	(void)logrotate_name(moved, sizeof moved, s->path, 1);
	logrotate_reopen(lp, s, moved);
}
