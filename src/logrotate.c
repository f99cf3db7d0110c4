/*
 * --output-max-size: rotation by size, inside the supervisor, between two
 * lines.  FILE becomes FILE.1, FILE.1 becomes FILE.2, and so on up to
 * --output-keep, the oldest dropped; then a new FILE is opened by the
 * rules of the first open (fds.c): never through a symbolic link, and a
 * regular file only.  rename(2) moves names and never follows them, so a
 * daemon user who owns the directory can only have its own names moved.
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

/*
 * Would n more bytes, after the queued ones not yet written, take the file
 * past its size?  Only at the start of a line, and never for a file that
 * is still empty: a line longer than the limit has a file to itself.
 */
bool
logrotate_due(const struct logpipe *lp, struct logstream *s, size_t queued,
    size_t n)
{
	struct stat sb;

	if (lp->max_size == 0 || !s->bol || s->fd == -1)
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

/* path.i, or path itself for 0; -1 if it does not fit. */
static int
logrotate_name(char *buf, size_t size, const char *path, int i)
{
	char num[DECIMAL_LEN];
	size_t len = strlen(path);
	const char *digits = decimal(num, i);

	if (i == 0) {
		if (len >= size)
			return -1;
		memcpy(buf, path, len + 1);
		return 0;
	}
	if (len + 1 + strlen(digits) >= size)
		return -1;
	memcpy(buf, path, len);
	buf[len] = '.';
	memcpy(buf + len + 1, digits, strlen(digits) + 1);
	return 0;
}

/*
 * Shift FILE.keep-1 ... FILE to FILE.keep ... FILE.1, oldest first, so
 * that each rename lands on a name already moved on.  The first failure
 * stops the shift: nothing is overwritten that was not moved first.
 */
static const char *
logrotate_shift(const char *path, int keep)
{
	char from[PATH_MAX + DECIMAL_LEN], to[PATH_MAX + DECIMAL_LEN];
	int i;

	for (i = keep; i > 0; i--) {
		if (logrotate_name(from, sizeof from, path, i - 1) == -1 ||
		    logrotate_name(to, sizeof to, path, i) == -1)
			return strerror(ENAMETOOLONG);
		if (rename(from, to) == -1 && (errno != ENOENT || i == 1))
			return strerror(errno);
	}
	return NULL;
}

/*
 * Rotate the stream's file now.  A failure is said in the file still
 * written to, and the next try waits for another --output-max-size.
 */
void
logrotate_rotate(struct logpipe *lp, struct logstream *s)
{
	struct stat sb;
	const char *why;
	int fd;

	s->size = 0;
	if (lp->keep == 0) {
		/* Nothing kept: the file is simply emptied. */
		if (ftruncate(s->fd, 0) == 0)
			return;
		logpipe_say(lp, LOG_ERR, "emptying ", s->path, ": ",
		    strerror(errno), (char *)NULL);
		return;
	}
	if ((why = logrotate_shift(s->path, lp->keep)) != NULL) {
		logpipe_say(lp, LOG_ERR, "rotating ", s->path, ": ", why,
		    "; still writing to it", (char *)NULL);
		return;
	}
	fd = fds_open_log(s->path, true, true, &why);
	/* Same number: -o and -e of one file stay one file. */
	if (fd != -1 && dup3(fd, s->fd, O_CLOEXEC) != -1) {
		(void)close(fd);
		if (fstat(s->fd, &sb) == 0)
			s->size = sb.st_size;
		return;
	}
	if (why == NULL)
		why = strerror(errno);
	if (fd != -1)
		(void)close(fd);
	logpipe_say(lp, LOG_ERR, "rotating ", s->path, ": ", why,
	    "; still writing to ", s->path, ".1", (char *)NULL);
}
