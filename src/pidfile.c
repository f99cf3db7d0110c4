/*
 * Pidfiles and lock files, locked the way FreeBSD's pidfile(3) does it:
 * the file itself carries an flock(2) lock for as long as the daemon lives.
 *
 * flock rather than fcntl: an flock lock belongs to the open file
 * description, so it survives both forks and the exec and is released
 * only when the daemon's last descriptor of it goes; an fcntl lock would be
 * lost at the first fork and whenever any descriptor of the file closes.
 *
 * The file is never opened through a symbolic link (O_NOFOLLOW), must be a
 * regular file, and its device and inode are remembered and checked again
 * before it is written or removed, so a file swapped in by someone else is
 * never touched.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemonize.h"

/* Opening and locking races with an instance removing the file; bounded. */
#define PIDFILE_TRIES	100
/* How long a start waits out --status and --stop probes, at most. */
#define PIDFILE_PROBE_MS	1000
#define PIDFILE_PROBE_NS	1000000L

void
pidfile_init(struct pidfile *p, const char *path, const char *given)
{
	memset(p, 0, sizeof *p);
	p->path = path;
	p->given = given;
	p->fd = -1;
	p->wfd = -1;
}

/*
 * Is fd a regular file of one link, and not on the kernel's own file
 * systems?  When not, p->why says why and errno is EINVAL.
 */
static bool
pidfile_writable(struct pidfile *p, int fd, const struct stat *sb)
{
	const char *fs;

	if (!S_ISREG(sb->st_mode))
		p->why = "not a regular file";
	else if ((fs = fds_hardlinked(sb)) != NULL ||
	    (fs = kernelfs_refused(fd)) != NULL)
		p->why = fs;
	else
		return true;
	errno = EINVAL;
	return false;
}

/* Does path still name the file open as fd's device and inode? */
static bool
pidfile_is(const struct pidfile *p, dev_t dev, ino_t ino)
{
	struct stat sb;

	return stat(p->path, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}

/*
 * Open the lock descriptor.  It is read-only, so the daemon, which keeps
 * it, cannot rewrite the pidfile through it after dropping privileges.  It
 * is deliberately not close-on-exec: it must reach the program to hold the
 * lock, and nothing else is ever executed by daemonize.
 */
static int
pidfile_open(struct pidfile *p, bool *created)
{
	int fd, tries;

	for (tries = 0; tries < PIDFILE_TRIES; tries++) {
		fd = open(p->path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_NOCTTY, 0644);
		if (fd != -1) {
			*created = true;
			return fd;
		}
		if (errno != EEXIST)
			return -1;
		/* O_NONBLOCK so that a FIFO planted here cannot hang us. */
		fd = open(p->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
		    O_NONBLOCK);
		if (fd != -1) {
			*created = false;
			return fd;
		}
		if (errno != ENOENT)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Close and forget the lock descriptor, keeping errno. */
static void
pidfile_drop(struct pidfile *p)
{
	int saved = errno;

	if (p->fd != -1)
		(void)close(p->fd);
	p->fd = -1;
	errno = saved;
}

/*
 * The exclusive lock was refused: is it held only by --status or --stop
 * probing it?  A probe takes a shared lock for a moment, never an
 * exclusive one; a running instance holds its exclusive lock for life,
 * and then a shared one is refused too.  A start must not fail because a
 * probe looked at that instant: 1 means "only probes, try again".
 */
static int
pidfile_probed(int fd)
{
	struct timespec pause = { 0, PIDFILE_PROBE_NS };

	if (flock(fd, LOCK_SH | LOCK_NB) == -1)
		return 0;
	(void)flock(fd, LOCK_UN);
	(void)nanosleep(&pause, NULL);
	return 1;
}

/*
 * Try once to open and lock; 1 means "the file changed, try again", 2
 * "only probes hold it, try again".
 */
static int
pidfile_try_lock(struct pidfile *p, struct pidfile *shared)
{
	struct stat sb;
	bool created;

	if ((p->fd = pidfile_open(p, &created)) == -1)
		return -1;
	if (fstat(p->fd, &sb) == -1 || !pidfile_writable(p, p->fd, &sb))
		goto fail;
	if (shared != NULL && shared->fd != -1 && shared->dev == sb.st_dev &&
	    shared->ino == sb.st_ino) {
		/* -p F -l F: one file, one lock, one descriptor. */
		pidfile_drop(p);
		p->fd = shared->fd;
		shared->fd = -1;
	} else if (flock(p->fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK && pidfile_probed(p->fd)) {
			pidfile_drop(p);
			return 2;
		}
		goto fail;
	}
	/*
	 * The instance that held the lock removes the file as it exits, so
	 * the file locked may no longer be the one the path names: only a
	 * lock on the current file counts.
	 */
	if (!pidfile_is(p, sb.st_dev, sb.st_ino)) {
		pidfile_drop(p);
		return 1;
	}
	p->dev = sb.st_dev;
	p->ino = sb.st_ino;
	p->owned = created || (shared != NULL && shared->owned);
	return 0;
fail:
	pidfile_drop(p);
	return -1;
}

/*
 * Open path and take its exclusive lock without blocking.  Returns -1 with
 * errno EWOULDBLOCK when another process holds it.  When shared already
 * holds the lock on the same file, its descriptor is taken over instead.
 */
int
pidfile_lock(struct pidfile *p, struct pidfile *shared)
{
	long deadline = clock_ms() + PIDFILE_PROBE_MS;
	int changed = 0, rc;

	while ((rc = pidfile_try_lock(p, shared)) > 0) {
		if (rc == 1 && ++changed == PIDFILE_TRIES) {
			errno = EAGAIN;
			return -1;
		}
		/*
		 * Shared locks without a pause for a second: no probe holds
		 * one that long, and no start may take the file under them.
		 */
		if (rc == 2 && clock_ms() >= deadline) {
			p->why = "held with shared locks alone for a second, "
			    "by no instance";
			errno = EWOULDBLOCK;
			return -1;
		}
	}
	return rc;
}

/*
 * A pidfile another user owns (daemonize 1.7 gave it to -u's user), or
 * that others may write, would let them rewrite the pid --stop signals:
 * root takes it back, and only its owner may write it from now on.  A
 * caller that is not root cannot take another's file, and leaves it.
 */
static int
pidfile_take(int fd, const struct stat *sb)
{
	bool mine = sb->st_uid == geteuid();

	if (!mine && geteuid() == 0) {
		if (fchown(fd, 0, (gid_t)-1) == -1)
			return -1;
		mine = true;
	}
	if (mine && (sb->st_mode & 022) != 0 &&
	    fchmod(fd, sb->st_mode & 0755 & ~(mode_t)022) == -1)
		return -1;
	return 0;
}

/*
 * Open path for writing, never through a symlink, and empty it: the write
 * side of a pidfile.  With dev set, the file must be the one locked.
 */
static int
pidfile_open_empty(struct pidfile *p, int flags, bool check)
{
	struct stat sb;
	int fd;

	fd = open(p->path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC |
	    O_NONBLOCK | flags, 0644);
	if (fd == -1) {
		/* A FIFO without a reader refuses a non-blocking writer. */
		if (errno == ENXIO && lstat(p->path, &sb) == 0 &&
		    !S_ISREG(sb.st_mode)) {
			p->why = "not a regular file";
			errno = EINVAL;
		}
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !pidfile_writable(p, fd, &sb))
		goto fail;
	if (check && (sb.st_dev != p->dev || sb.st_ino != p->ino)) {
		p->why = "replaced while being opened";
		errno = EBUSY;
		goto fail;
	}
	if (pidfile_take(fd, &sb) == -1 || ftruncate(fd, 0) == -1)
		goto fail;
	p->wfd = fd;
	p->dev = sb.st_dev;
	p->ino = sb.st_ino;
	p->owned = true;
	return 0;
fail:
	(void)close(fd);
	return -1;
}

/*
 * Open the write side of a locked pidfile and empty it, so the only
 * content it ever has from now on is the daemon's pid.
 */
int
pidfile_open_write(struct pidfile *p)
{
	return pidfile_open_empty(p, 0, true);
}

/*
 * The pidfile's contents, "PID\n", at the start of buf; returns its length.
 * Without stdio: the supervisor rewrites the child's pidfile at each
 * restart (decimal.c says why).
 */
static size_t
pidfile_format(char buf[DECIMAL_LEN + 1], pid_t pid)
{
	char num[DECIMAL_LEN];
	const char *p = decimal(num, (long)pid);
	size_t len = 0;

	while (*p != '\0')
		buf[len++] = *p++;
	buf[len++] = '\n';
	return len;
}

/*
 * Write the pid, or replace the one a pidfile holds (the respawned
 * child's): write over it, then cut what is left of a longer old pid.  A reader
 * never finds it empty, and what it finds up to the newline is a pid.
 */
int
pidfile_rewrite(const struct pidfile *p, pid_t pid)
{
	char buf[DECIMAL_LEN + 1];
	size_t len;
	ssize_t n;

	len = pidfile_format(buf, pid);
	if ((n = pwrite(p->wfd, buf, len, 0)) != (ssize_t)len) {
		if (n != -1)
			errno = ENOSPC;
		return -1;
	}
	return ftruncate(p->wfd, (off_t)len);
}

/*
 * The daemon runs and holds the lock: the caller, which waits for it to be
 * ready, lets go of its own copy of the lock descriptor, so that it is no
 * process of the daemon (a --stop --kill meanwhile is not for it).  Should
 * the start still fail, pidfile_abandon() removes the file only if it can
 * lock it first.
 */
void
pidfile_hand_over(struct pidfile *p)
{
	if (p->fd == -1)
		return;
	pidfile_drop(p);
	p->handed = true;
}

/*
 * Remove our file once its lock is free, holding it meanwhile: what the
 * daemon left holding it is still the daemon, and a new instance that took
 * it owns it now.
 */
static void
pidfile_remove_unlocked(struct pidfile *p)
{
	struct stat sb;
	int fd;

	if (p->wfd != -1) {
		(void)close(p->wfd);
		p->wfd = -1;
	}
	if (!p->owned || (fd = open(p->path, O_RDONLY | O_NOFOLLOW |
	    O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return;
	if (fstat(fd, &sb) == 0 && sb.st_dev == p->dev && sb.st_ino == p->ino &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0 && pidfile_is(p, p->dev, p->ino))
		(void)unlink(p->path);
	(void)close(fd);
}

/*
 * Undo a failed start: remove the file if we created or emptied it and the
 * path still names it, then let go of the lock.
 */
void
pidfile_abandon(struct pidfile *p)
{
	int saved = errno;

	if (p->handed) {
		pidfile_remove_unlocked(p);
		errno = saved;
		return;
	}
	/*
	 * When it cannot be removed (privileges already dropped), empty it
	 * through our own descriptor: that is always our file.
	 */
	if (p->owned && (p->fd != -1 || p->wfd != -1) &&
	    (!pidfile_is(p, p->dev, p->ino) || unlink(p->path) == -1) &&
	    p->wfd != -1)
		(void)!ftruncate(p->wfd, 0);
	if (p->wfd != -1)
		(void)close(p->wfd);
	p->wfd = -1;
	pidfile_drop(p);
	errno = saved;
}

/*
 * Create (or empty) a pidfile that is written but not locked: the
 * --respawn child's.  Same rules: no symlink, a regular file.
 */
int
pidfile_create(struct pidfile *p)
{
	return pidfile_open_empty(p, O_CREAT, false);
}

/*
 * Remove a pidfile as its owner exits, only if the path still names the
 * file we made: never a newer instance's.
 */
void
pidfile_remove(const struct pidfile *p)
{
	if (p->path != NULL && p->owned && pidfile_is(p, p->dev, p->ino))
		(void)unlink(p->path);
}

/*
 * The pid recorded in path: >0, 0 when the file holds no valid pid, -1 on
 * error.  The instance holding the lock may not have written its pid yet,
 * so an empty file is read again for a short while.
 */
pid_t
pidfile_read(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char buf[32], *end;
	ssize_t n = 0;
	long pid;
	int fd, tries;

	for (tries = 0; tries < 100 && n == 0; tries++) {
		if (tries > 0)
			(void)nanosleep(&ts, NULL);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC |
		    O_NONBLOCK);
		if (fd == -1)
			return -1;
		n = pread(fd, buf, sizeof buf - 1, 0);
		(void)close(fd);
		if (n == -1)
			return -1;
	}
	buf[n] = '\0';
	/* Digits and a newline, as written: no blank before, none after. */
	if (buf[0] < '0' || buf[0] > '9')
		return 0;
	pid = strtol(buf, &end, 10);
	if (*end != '\n' || pid <= 0 || pid != (pid_t)pid)
		return 0;
	return (pid_t)pid;
}
