/*
 * The --respawn children's output: their stdout and stderr go through
 * pipes to the supervisor, which writes whole lines to the -o/-e file (or
 * --output) or to syslog.  The supervisor holds the files, so it can reopen
 * them on SIGHUP (after logrotate has moved them) without losing or
 * splitting a line, and its own messages go to the same place.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "daemonize.h"
#include "logpipe.h"

static const struct {
	const char *name;
	int facility;
} logpipe_facilities[] = {
	{ "auth", LOG_AUTH },		{ "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON },		{ "daemon", LOG_DAEMON },
	{ "ftp", LOG_FTP },		{ "kern", LOG_KERN },
	{ "local0", LOG_LOCAL0 },	{ "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 },	{ "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 },	{ "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 },	{ "local7", LOG_LOCAL7 },
	{ "lpr", LOG_LPR },		{ "mail", LOG_MAIL },
	{ "news", LOG_NEWS },		{ "syslog", LOG_SYSLOG },
	{ "user", LOG_USER },		{ "uucp", LOG_UUCP },
};

/* A syslog facility by name; -1 if unknown. */
int
logpipe_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof logpipe_facilities /
	    sizeof logpipe_facilities[0]; i++)
		if (strcasecmp(logpipe_facilities[i].name, name) == 0)
			return logpipe_facilities[i].facility;
	return -1;
}

/* The size of the stream's file as it is now, for --output-max-size. */
void
logpipe_stream_size(struct logstream *s)
{
	struct stat sb;

	if (s->fd != -1 && fstat(s->fd, &sb) == 0) {
		s->size = sb.st_size;
		s->regular = S_ISREG(sb.st_mode);
	}
}

static void
logpipe_stream_init(struct logstream *s, int fd, const char *path,
    int priority)
{
	s->rd = s->wr = -1;
	s->fd = fd;
	s->path = path;
	s->dirfd = -1;
	s->name = path;
	s->regular = false;
	s->priority = priority;
	s->last = '\n';
	s->bol = true;
	s->size = 0;
	s->lost = 0;
	s->len = 0;
	logpipe_stream_size(s);
}

/*
 * Hold the directory of the stream's file, so that reopening and
 * rotating it look up its name there: a daemon user who owns a directory
 * above cannot swap it for a link to another between two lookups.  Where
 * it cannot be held, the path is looked up whole, as at the start.
 */
static void
logpipe_stream_dir(struct logstream *s)
{
	const char *slash;
	char *dir;

	if (s->path == NULL || s->fd == -1 ||
	    (slash = strrchr(s->path, '/')) == NULL)
		return;
	if ((dir = strndup(s->path, slash == s->path ? 1 :
	    (size_t)(slash - s->path))) == NULL)
		return;
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (s->dirfd != -1)
		s->name = slash + 1;
}

/* The directory to look the stream's name up from. */
int
logpipe_dirfd(const struct logstream *s)
{
	return s->dirfd != -1 ? s->dirfd : AT_FDCWD;
}

static int
logpipe_stream_open(struct logstream *s)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	s->rd = fds[0];
	s->wr = fds[1];
	/* Only our end: the children must be able to block on theirs. */
	return fcntl(s->rd, F_SETFL, O_NONBLOCK);
}

/*
 * In the supervisor, once its own descriptors are settled: a pipe for each
 * destination.  stdout and stderr bound for one file share one pipe, which
 * keeps their lines in the order they were written.
 */
/*
 * The log's state, with its 32 kB of line buffers, lives in zeroed static
 * storage rather than on the stack or the heap: pages of it that are
 * never written (most of the buffers, without --output) are never part
 * of what the supervisor holds.  There is one log, the supervisor's.
 */
static struct logpipe logpipe_state;

struct logpipe *
logpipe_open(const struct logsettings *ls)
{
	struct logpipe *lp = &logpipe_state;

	/*
	 * Field by field, not memset: the line buffers are left untouched,
	 * so that their pages cost nothing until output flows through them.
	 */
	lp->syslog = ls->syslog;
	lp->stamp = ls->stamp;
	lp->max_size = ls->max_size;
	lp->keep = ls->keep;
	lp->rules = ls->rules;
	lp->staged = 0;
	logpipe_stream_init(&lp->out, ls->out_fd, ls->out_path, LOG_INFO);
	logpipe_stream_init(&lp->err, ls->err_fd, ls->err_path, LOG_ERR);
	lp->shared = !ls->syslog && ls->out_fd != -1 &&
	    ls->err_fd == ls->out_fd;
	if (!ls->syslog) {
		logpipe_stream_dir(&lp->out);
		if (!lp->shared)
			logpipe_stream_dir(&lp->err);
	}
	if (ls->syslog) {
		openlog(ls->tag, LOG_PID, ls->facility);
		return logpipe_stream_open(&lp->out) == -1 ||
		    logpipe_stream_open(&lp->err) == -1 ? NULL : lp;
	}
	/*
	 * With nowhere else to say it, what the supervisor says (why it gave
	 * up, above all) goes to syslog, as libslack's daemon does.
	 */
	lp->tostderr = ls->foreground && ls->out_fd == -1 && ls->err_fd == -1;
	if (ls->out_fd == -1 && ls->err_fd == -1 && !lp->tostderr)
		openlog(PACKAGE_NAME, LOG_PID, LOG_DAEMON);
	if (ls->out_fd != -1 && logpipe_stream_open(&lp->out) == -1)
		return NULL;
	if (ls->err_fd != -1 && !lp->shared &&
	    logpipe_stream_open(&lp->err) == -1)
		return NULL;
	return lp;
}

/*
 * The children's stdout and stderr: the pipes, where there are pipes;
 * stdio[] is left as it is (the supervisor's /dev/null) where not.
 */
void
logpipe_child_stdio(const struct logpipe *lp, int stdio[3])
{
	int err = lp->shared ? lp->out.wr : lp->err.wr;

	if (lp->out.wr != -1)
		stdio[STDOUT_FILENO] = lp->out.wr;
	if (err != -1)
		stdio[STDERR_FILENO] = err;
}

/* Copy s after the len bytes of buf, as much as fits in size. */
static size_t
logpipe_append(char *buf, size_t size, size_t len, const char *s)
{
	while (*s != '\0' && len < size)
		buf[len++] = *s++;
	return len;
}

/*
 * Write all of buf, which starts a line, to the stream's file.  When a
 * write fails part way (a full disk, the caller's RLIMIT_FSIZE), the line
 * it cut is cut back off the file, so that the next line is not glued to
 * its start: lines are lost whole, never split.  -1 with errno if any of
 * buf was lost.
 */
static int
logpipe_put(struct logstream *s, const char *buf, size_t len)
{
	const char *start = buf, *nl;
	char before = s->last;
	struct stat sb;
	ssize_t n;
	int err;

	while (len > 0) {
		n = write(s->fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		s->last = buf[n - 1];
		s->size += n;
		buf += n;
		len -= (size_t)n;
	}
	if (len == 0)
		return 0;
	err = n == 0 ? ENOSPC : errno;
	if (s->last != '\n' && buf > start && fstat(s->fd, &sb) == 0) {
		nl = memrchr(start, '\n', (size_t)(buf - start));
		/*
		 * Cut back to the last newline written now, or to where
		 * this write began, which ended a line only if the byte
		 * before did (a line longer than the buffer may not have).
		 */
		if (ftruncate(s->fd, sb.st_size - (off_t)(buf - (nl != NULL ?
		    nl + 1 : start))) == 0)
			s->last = nl != NULL ? '\n' : before;
	}
	logpipe_stream_size(s);
	errno = err;
	return -1;
}

/*
 * Write buf to the stream's file; a destination that fails loses lines,
 * never the supervisor.  Once writing works again, the loss is said
 * there, once, before anything else.
 */
static void
logpipe_write(const struct logpipe *lp, struct logstream *s, const char *buf,
    size_t len)
{
	char note[256];
	size_t n = 0;

	if (s->lost != 0) {
		/* A line that could not be cut off is ended instead. */
		if (s->last != '\n')
			note[n++] = '\n';
		n += logstamp_format(lp->stamp, note + n);
		n = logpipe_append(note, sizeof note - 1, n, PACKAGE_NAME
		    ": output lost: ");
		n = logpipe_append(note, sizeof note - 1, n, strerror(s->lost));
		note[n++] = '\n';
		if (logpipe_put(s, note, n) == -1)
			return;
		s->lost = 0;
	}
	if (logpipe_put(s, buf, len) == -1)
		s->lost = errno;
}

/* Write what waits: the stamped lines in stage[], or buf up to end. */
static void
logpipe_unstage(struct logpipe *lp, struct logstream *s, const char **from,
    const char *end)
{
	if (lp->stamp != STAMP_NONE) {
		if (lp->staged > 0)
			logpipe_write(lp, s, lp->stage, lp->staged);
		lp->staged = 0;
	} else if (end > *from)
		logpipe_write(lp, s, *from, (size_t)(end - *from));
	*from = end;
}

/*
 * Lines to a file with --timestamp or --output-max-size: each line that
 * starts gets the stamp of this read, and the file is rotated before a
 * line that would take it past its size.  Lines are gathered (in stage[]
 * when stamped, in place when not) and written together.
 */
static void
logpipe_file_lines(struct logpipe *lp, struct logstream *s, const char *buf,
    size_t len)
{
	const char *p, *nl, *from = buf, *end = buf + len;
	size_t n, stamplen = logstamp_format(lp->stamp, lp->stamp_text);

	for (p = buf; p < end; p = nl) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL)
			nl++;
		else
			nl = end;
		n = (size_t)(nl - p) + (s->bol ? stamplen : 0);
		if (logrotate_due(lp, s, lp->stamp != STAMP_NONE ? lp->staged :
		    (size_t)(p - from), n)) {
			logpipe_unstage(lp, s, &from, p);
			logrotate_rotate(lp, s);
		}
		if (lp->stamp != STAMP_NONE) {
			if (lp->staged + n > sizeof lp->stage)
				logpipe_unstage(lp, s, &from, p);
			if (s->bol) {
				memcpy(lp->stage + lp->staged, lp->stamp_text,
				    stamplen);
				lp->staged += stamplen;
			}
			memcpy(lp->stage + lp->staged, p, (size_t)(nl - p));
			lp->staged += (size_t)(nl - p);
		}
		s->bol = nl[-1] == '\n';
	}
	logpipe_unstage(lp, s, &from, end);
}

/* Lines to the stream's file, if it has one. */
static void
logpipe_file(struct logpipe *lp, struct logstream *s, const char *buf,
    size_t len)
{
	if (s->fd == -1 || len == 0)
		return;
	if (lp->stamp == STAMP_NONE && lp->max_size == 0) {
		logpipe_write(lp, s, buf, len);
		s->bol = buf[len - 1] == '\n';
	} else
		logpipe_file_lines(lp, s, buf, len);
}

/* Hand complete lines (or a full buffer) to the destination. */
static void
logpipe_emit(struct logpipe *lp, struct logstream *s, size_t len)
{
	const char *p, *nl, *end = s->buf + len;

	if (!lp->syslog) {
		logpipe_file(lp, s, s->buf, len);
		return;
	}
	for (p = s->buf; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		syslog(s->priority, "%.*s", (int)(nl - p), p);
	}
}

/*
 * Move what the stream's pipe holds to its destination, a line at a time:
 * a partial line waits for its end (or for the buffer to fill).  Returns
 * the number of bytes read, 0 when the pipe was empty.
 */
static ssize_t
logpipe_drain_stream(struct logpipe *lp, struct logstream *s)
{
	ssize_t n;
	size_t keep;
	char *nl;

	if (s->rd == -1)
		return 0;
	n = read(s->rd, s->buf + s->len, sizeof s->buf - s->len);
	if (n <= 0)
		return 0;
	s->len += (size_t)n;
	nl = memrchr(s->buf, '\n', s->len);
	if (nl == NULL && s->len < sizeof s->buf)
		return n;
	keep = nl == NULL ? 0 : s->len - (size_t)(nl + 1 - s->buf);
	logpipe_emit(lp, s, s->len - keep);
	memmove(s->buf, s->buf + s->len - keep, keep);
	s->len = keep;
	return n;
}

/* Read each pipe that poll found readable. */
void
logpipe_drain(struct logpipe *lp, const struct pollfd *pfd, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(pfd[i].revents & (POLLIN | POLLHUP)))
			continue;
		if (pfd[i].fd == lp->out.rd)
			(void)logpipe_drain_stream(lp, &lp->out);
		else if (pfd[i].fd == lp->err.rd)
			(void)logpipe_drain_stream(lp, &lp->err);
	}
}

/* The pipes to watch; returns how many were added. */
size_t
logpipe_pollfds(const struct logpipe *lp, struct pollfd *pfd)
{
	size_t n = 0;

	if (lp->out.rd != -1)
		pfd[n++] = (struct pollfd){ lp->out.rd, POLLIN, 0 };
	if (lp->err.rd != -1)
		pfd[n++] = (struct pollfd){ lp->err.rd, POLLIN, 0 };
	return n;
}

/*
 * After a child has gone: everything it wrote, its last partial line
 * too, ended, before the supervisor says anything about it.  Only what
 * the pipe held then: a process the child left behind may go on writing,
 * and the supervisor must get back to its loop.
 */
void
logpipe_flush(struct logpipe *lp)
{
	struct logstream *streams[] = { &lp->out, &lp->err };
	ssize_t n;
	size_t i;
	int queued;

	for (i = 0; i < 2; i++) {
		if (streams[i]->rd == -1)
			continue;
		if (ioctl(streams[i]->rd, FIONREAD, &queued) == -1)
			queued = 0;
		while (queued > 0 &&
		    (n = logpipe_drain_stream(lp, streams[i])) > 0)
			queued -= (int)n;
		if (streams[i]->len > 0) {
			if (!lp->syslog && streams[i]->len < sizeof
			    streams[i]->buf)
				streams[i]->buf[streams[i]->len++] = '\n';
			logpipe_emit(lp, streams[i], streams[i]->len);
			streams[i]->len = 0;
		}
		/* A line that filled the buffer exactly is ended too. */
		if (!lp->syslog && !streams[i]->bol)
			logpipe_file(lp, streams[i], "\n", 1);
	}
}

/* The stream the supervisor's own messages go to, with the output. */
static struct logstream *
logpipe_own(struct logpipe *lp)
{
	/* -o F -e F: one file, whose state the stdout stream keeps. */
	return lp->err.fd != -1 && !lp->shared ? &lp->err : &lp->out;
}

/*
 * A message, "daemonize: " and the strings up to the NULL, in stream s.
 * Built without stdio (decimal.c says why) and written at once, so that
 * it never splits around a child's line; one that comes while a line
 * longer than the buffer is still being written ends that line first.
 */
static void
logpipe_vsay(struct logpipe *lp, struct logstream *s, int priority,
    const char *part, va_list ap)
{
	char line[PATH_MAX + 512];
	size_t len = 0;

	/* Room kept for the newline or the NUL. */
	if (!lp->tostderr && !lp->syslog && s->fd != -1 && !s->bol)
		line[len++] = '\n';
	len = logpipe_append(line, sizeof line - 1, len, PACKAGE_NAME ": ");
	for (; part != NULL; part = va_arg(ap, const char *))
		len = logpipe_append(line, sizeof line - 1, len, part);
	if (lp->tostderr) {
		line[len++] = '\n';
		(void)!write(STDERR_FILENO, line, len);
		return;
	}
	if (lp->syslog || s->fd == -1) {
		line[len] = '\0';
		syslog(priority, "%s", line);
		return;
	}
	if (line[0] == '\n') {
		logpipe_file(lp, s, line, 1);
		memmove(line, line + 1, --len);
	}
	line[len++] = '\n';
	logpipe_file(lp, s, line, len);
}

/* The supervisor's own message, beside the output. */
void
logpipe_say(struct logpipe *lp, int priority, const char *part, ...)
{
	va_list ap;

	va_start(ap, part);
	logpipe_vsay(lp, logpipe_own(lp), priority, part, ap);
	va_end(ap);
}

/*
 * A message about stream s's own file (a reopen or a rotation that
 * failed), in that file, which goes on being written.
 */
void
logpipe_note(struct logpipe *lp, struct logstream *s, int priority,
    const char *part, ...)
{
	va_list ap;

	va_start(ap, part);
	logpipe_vsay(lp, s->fd != -1 ? s : logpipe_own(lp), priority, part, ap);
	va_end(ap);
}

/*
 * SIGHUP: reopen the files by name, in place, for log rotation.  The
 * supervisor runs as root while its log may lie in a directory the
 * daemon's user owns: the reopened file follows the rules of the first
 * open (fds.c), and when it cannot, the old file is kept and the reason
 * said there.
 */
void
logpipe_reopen(struct logpipe *lp)
{
	struct logstream *streams[] = { &lp->out, &lp->err };
	const char *why;
	size_t i;
	int fd;

	for (i = 0; i < 2; i++) {
		if (streams[i]->path == NULL || streams[i]->fd == -1 ||
		    (i == 1 && lp->err.fd == lp->out.fd))
			continue;
		fd = fds_open_log(logpipe_dirfd(streams[i]), streams[i]->name,
		    lp->rules, &why);
		/* Same number: -o and -e of one file stay one file. */
		if (fd != -1 && dup3(fd, streams[i]->fd, O_CLOEXEC) != -1) {
			(void)close(fd);
			logpipe_stream_size(streams[i]);
			continue;
		}
		if (why == NULL)
			why = strerror(errno);
		if (fd != -1)
			(void)close(fd);
		logpipe_note(lp, streams[i], LOG_ERR, "reopening ",
		    streams[i]->path, ": ", why, "; still writing to the old "
		    "file", (char *)NULL);
	}
}
