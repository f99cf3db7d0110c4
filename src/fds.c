/*
 * Descriptors: the standard three, the daemon's stdio, and closing
 * everything the caller left open.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemonize.h"
#include "options.h"

/* Beyond any descriptor a process can have been handed. */
#define FDS_CEILING	((rlim_t)1 << 20)

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

/*
 * A regular file with another hard link is never written: where hard
 * links are not protected (fs.protected_hardlinks=0), a daemon user who
 * may write a log's or a pidfile's directory could link any file of
 * root's there, for daemonize, often root, to empty or append to.
 */
const char *
fds_hardlinked(const struct stat *sb)
{
	return S_ISREG(sb->st_mode) && sb->st_nlink > 1 ?
	    "has another hard link, refusing to write to it" : NULL;
}

/*
 * Open an output file: emptied, or appended to with -a.  Never on the
 * kernel's own file systems (kernelfs-linux.c), never through a
 * symbolic link: daemonize often runs as root, and a log lives in a
 * directory others may write to, where a link would make root truncate
 * or append to a file of their choosing.
 *
 * A file the --respawn supervisor keeps (and reopens on SIGHUP) must also
 * be a regular file, opened without blocking so that a FIFO put in its
 * place cannot hang the supervisor, and is always appended to: the
 * supervisor is its only writer, and an in-place truncation (logrotate's
 * copytruncate) must not leave the file starting with a hole.
 *
 * Without a supervisor the program gets the file as it is, a FIFO too;
 * it is still opened without blocking, so that a FIFO no process reads
 * from is an error at once instead of a start that hangs with the lock
 * held, and made blocking again for the program.
 *
 * With --init alone, a container's first process, a character device
 * (/dev/null, the console, a terminal) is taken too: no daemon user is
 * there to plant one, and none is ever rotated.
 *
 * path is looked up from dirfd (AT_FDCWD, or the directory the
 * supervisor holds).  On failure *why, when not NULL, says what errno
 * cannot.
 */
int
fds_open_log(int dirfd, const char *path, int rules, const char **why)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
	bool supervised = (rules & FDS_SUPERVISED) != 0;
	bool append = (rules & FDS_APPEND) != 0;
	struct stat sb;
	int fd, saved;

	*why = NULL;
	if (append || supervised)
		flags |= O_APPEND;
	if ((fd = openat(dirfd, path, flags | O_NONBLOCK, 0644)) == -1) {
		if (errno == ELOOP)
			*why = "is a symbolic link, refusing to follow it";
		else if (errno == ENXIO && supervised)
			*why = "not a regular file";
		else if (errno == ENXIO && fstatat(dirfd, path, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(sb.st_mode))
			*why = "a FIFO that no process reads";
		return -1;
	}
	if (fstat(fd, &sb) == -1 ||
	    (!supervised && fcntl(fd, F_SETFL, flags & O_APPEND) == -1))
		goto fail;
	if (supervised && !S_ISREG(sb.st_mode) && !((rules & FDS_DEVICES) &&
	    S_ISCHR(sb.st_mode)))
		*why = "not a regular file";
	else if ((*why = fds_hardlinked(&sb)) == NULL)
		*why = kernelfs_refused(fd);
	if (*why != NULL) {
		errno = EINVAL;
		goto fail;
	}
	/* Emptied only now that it is known to be a file to write. */
	if (!append && S_ISREG(sb.st_mode) && ftruncate(fd, 0) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	(void)close(fd);
	errno = saved;
	return -1;
}

/*
 * The rules of the -o and -e files: a supervisor's own (-r, --init), and
 * with --init alone character devices too.  Not whether to append.
 */
int
fds_log_rules(const struct options *o)
{
	if (!options_supervised(o))
		return 0;
	return FDS_SUPERVISED | (o->respawn ? 0 : FDS_DEVICES);
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
    const char **failed, const char **why)
{
	int rules = fds_log_rules(o);

	if (o->stdout_path != NULL) {
		*failed = o->stdout_path;
		l->out_fd = fds_open_log(AT_FDCWD, o->stdout_path,
		    rules | (o->append ? FDS_APPEND : 0), why);
		if (l->out_fd == -1)
			return -1;
	}
	if (o->stderr_path != NULL) {
		*failed = o->stderr_path;
		if (fds_same_file(l->out_fd, o->stderr_path))
			l->err_fd = l->out_fd;
		else if ((l->err_fd = fds_open_log(AT_FDCWD, o->stderr_path,
		    rules | (o->append ? FDS_APPEND : 0), why)) == -1)
			return -1;
	}
	return 0;
}

/* Is fd one of the n in fds[]? */
static bool
fds_in(const int *fds, size_t n, int fd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

/* Is fd to be kept? */
bool
fds_kept(const struct keep *k, int fd)
{
	return fds_in(k->fds, k->n, fd) || fds_in(k->more, k->nmore, fd);
}

/* The smallest of the n in fds[] at lo or above, or next if smaller. */
static int
fds_next_in(const int *fds, size_t n, int lo, int next)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i] >= lo && (next == -1 || fds[i] < next))
			next = fds[i];
	return next;
}

/* The smallest descriptor to keep at lo or above; -1 when none is. */
static int
fds_next_kept(const struct keep *k, int lo)
{
	return fds_next_in(k->more, k->nmore, lo,
	    fds_next_in(k->fds, k->n, lo, -1));
}

/*
 * The last resort: every number up to the larger of the two limits (not
 * the soft one alone: descriptors opened before a limit was lowered lie
 * above it), within a generous ceiling.
 */
static int
fds_close_loop(const struct keep *k)
{
	struct rlimit rl;
	rlim_t bound = FDS_CEILING;
	int fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < FDS_CEILING)
		bound = rl.rlim_max > rl.rlim_cur ? rl.rlim_max : rl.rlim_cur;
	for (fd = 3; (rlim_t)fd < bound; fd++)
		if (!fds_kept(k, fd))
			(void)close(fd);
	return 0;
}

/*
 * Close every descriptor above 2 but those to keep, however many were
 * inherited and whatever
 * RLIMIT_NOFILE says.  Only system calls: this runs after vfork.
 *
 * The way is chosen at run time, whatever configure found in the C
 * library: close_range(2) walks the descriptor table, but a kernel before
 * 5.9 answers ENOSYS and a container's seccomp profile may answer EPERM;
 * then the numbers /proc/self/fd lists, then every number.
 */
int
fds_close_except(const struct keep *k)
{
	int lo = 3, next;

	for (;;) {
		next = fds_next_kept(k, lo);
		if (next == -1)
			break;
		if (next > lo && close_range((unsigned int)lo,
		    (unsigned int)next - 1, 0) == -1)
			goto fallback;
		lo = next + 1;
	}
	if (close_range((unsigned int)lo, ~0U, 0) == 0)
		return 0;
fallback:
	if (fdwalk_close(k) == 0)
		return 0;
	return fds_close_loop(k);
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
