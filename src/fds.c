/*
 * Descriptors: the standard three, the daemon's stdio, and closing
 * everything the caller left open.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemonize.h"

/*
 * Reopen a closed 0, 1 or 2 on /dev/null first thing, so that no file we
 * open later lands on a standard descriptor and gets clobbered or leaked.
 */
void
fds_sanitize_std(void)
{
	int fd, nfd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd == -1)
			exit(STATUS_FAILED);
		if (nfd != fd)
			(void)close(nfd);
	}
}

/*
 * Hold descriptor fd (if it is free) with a close-on-exec /dev/null, so
 * that nothing daemonize opens lands on a number the program is promised.
 */
int
fds_reserve(int fd)
{
	int nfd;

	if (fd < 0 || fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return 0;
	if ((nfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (nfd == fd)
		return 0;
	if (dup3(nfd, fd, O_CLOEXEC) == -1) {
		(void)close(nfd);
		return -1;
	}
	return close(nfd);
}

/*
 * /dev/null, read-only for stdin and write-only for what is not redirected
 * (and for the --respawn supervisor's own output).
 */
int
fds_open_null(struct launch *l)
{
	l->null_rd = open("/dev/null", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (l->null_rd == -1)
		return -1;
	l->null_wr = open("/dev/null", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	return l->null_wr == -1 ? -1 : 0;
}

/* Open an -o or -e file: truncated, or appended with -a. */
static int
fds_open_output(const char *path, bool append)
{
	int flags = O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC;

	flags |= append ? O_APPEND : O_TRUNC;
	return open(path, flags, 0644);
}

/* Is path the file open as fd? */
static bool
fds_same_file(int fd, const char *path)
{
	struct stat a, b;

	return fd != -1 && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Open -o and -e.  When both name the same file it is opened once and
 * shared, as "> file 2>&1" would, so the two streams never overwrite each
 * other.  On failure *failed names the path.
 */
int
fds_open_outputs(const struct options *o, struct launch *l,
    const char **failed)
{
	if (o->stdout_path != NULL) {
		*failed = o->stdout_path;
		l->out_fd = fds_open_output(o->stdout_path, o->append);
		if (l->out_fd == -1)
			return -1;
	}
	if (o->stderr_path != NULL) {
		*failed = o->stderr_path;
		if (fds_same_file(l->out_fd, o->stderr_path))
			l->err_fd = l->out_fd;
		else if ((l->err_fd = fds_open_output(o->stderr_path,
		    o->append)) == -1)
			return -1;
	}
	return 0;
}

/* Put the daemon's stdin, stdout and stderr in place. */
int
fds_redirect_stdio(const struct launch *l)
{
	int out = l->out_fd != -1 ? l->out_fd : l->null_wr;
	int err = l->err_fd != -1 ? l->err_fd : l->null_wr;

	if (dup2(l->null_rd, STDIN_FILENO) == -1 ||
	    dup2(out, STDOUT_FILENO) == -1 ||
	    dup2(err, STDERR_FILENO) == -1)
		return -1;
	return 0;
}

/* Insertion sort: there are only a handful, and qsort costs more. */
static void
fds_sort(int *fds, size_t n)
{
	size_t i, j;
	int fd;

	for (i = 1; i < n; i++) {
		fd = fds[i];
		for (j = i; j > 0 && fds[j - 1] > fd; j--)
			fds[j] = fds[j - 1];
		fds[j] = fd;
	}
}

/*
 * Close every descriptor above 2 except those in keep[] (negative entries
 * are ignored; keep[] is sorted in place), however many the caller had
 * open and whatever RLIMIT_NOFILE says: close_range(2) walks the
 * descriptor table, not a numeric range.
 */
int
fds_close_inherited(int *keep, size_t n)
{
	int lo = 3;
	size_t i;

	fds_sort(keep, n);
	for (i = 0; i < n; i++) {
		/* Negative entries and duplicates fall below lo. */
		if (keep[i] < lo)
			continue;
		if (keep[i] > lo && close_range((unsigned int)lo,
		    (unsigned int)keep[i] - 1, 0) == -1)
			return -1;
		lo = keep[i] + 1;
	}
	return close_range((unsigned int)lo, ~0U, 0);
}

/* In the caller: is every --keep-fd open?  *failed is the first that is not. */
int
fds_check_kept(const struct options *o, size_t *failed)
{
	size_t i;

	for (i = 0; i < o->nkeep_fds; i++)
		if (fcntl(o->keep_fds[i], F_GETFD) == -1) {
			*failed = i;
			return -1;
		}
	return 0;
}

/* In the daemon: --keep-fd descriptors must survive the exec. */
int
fds_keep_across_exec(const struct options *o, size_t *failed)
{
	size_t i;

	for (i = 0; i < o->nkeep_fds; i++)
		if (fcntl(o->keep_fds[i], F_SETFD, 0) == -1) {
			*failed = i;
			return -1;
		}
	return 0;
}

/* The caller's copies of descriptors prepared for the daemon. */
void
fds_close_launch(struct launch *l)
{
	int *fds[] = { &l->null_rd, &l->null_wr, &l->out_fd, &l->err_fd };
	size_t i;

	if (l->err_fd == l->out_fd)
		l->err_fd = -1;
	for (i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		if (*fds[i] != -1)
			(void)close(*fds[i]);
		*fds[i] = -1;
	}
}
