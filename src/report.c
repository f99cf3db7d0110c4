/*
 * The report pipe between the caller and the daemon.
 *
 * Both ends are close-on-exec, so a successful exec closes the daemon's
 * end and the caller reads end-of-file: "the program is running".  Any
 * step that fails writes which step and its errno instead, and the caller
 * turns that into one line on stderr and an exit status.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

int
report_open(struct report *r)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	r->rd = fds[0];
	r->wr = fds[1];
	return 0;
}

/*
 * In the daemon, the middle process or a supervisor's child: send the
 * failure, then give up.  Only system calls: this runs after vfork.
 */
__dead void
report_send(int fd, const struct failure *f)
{
	/* The caller reads one struct; a pipe write this small is atomic. */
	(void)!write(fd, f, sizeof *f);
	coverage_flush();
	_exit(STATUS_FAILED);
}

/* Read until end-of-file or a whole record. */
static ssize_t
report_read(int fd, struct failure *f)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof *f) {
		n = read(fd, (char *)f + got, sizeof *f - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? (ssize_t)got : -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * In the caller: wait for the daemon's exec or its failure, and reap the
 * middle process.  Returns 0 when the program is running, 1 with *f
 * filled when something failed.
 */
int
report_wait(struct report *r, pid_t middle, struct failure *f)
{
	ssize_t n;
	int status;

	(void)close(r->wr);
	r->wr = -1;
	while ((n = report_read(r->rd, f)) == (ssize_t)sizeof *f &&
	    f->step == STEP_STARTED)
		r->daemon = (pid_t)f->arg;
	if (n == -1)
		*f = (struct failure){ STEP_FORK, errno, 0, -1 };
	(void)close(r->rd);
	r->rd = -1;
	while (waitpid(middle, &status, 0) == -1)
		if (errno != EINTR) {
			status = 0;
			break;
		}
	if (n == (ssize_t)sizeof *f || n == -1)
		return 1;
	/* Killed before it could say anything: the daemon never started. */
	if (WIFSIGNALED(status)) {
		*f = (struct failure){ STEP_LOST, WTERMSIG(status), 0, -1 };
		return 1;
	}
	return 0;
}

static const char *
report_step(const struct failure *f)
{
	switch (f->step) {
	case STEP_SETSID:
		return "setsid";
	case STEP_FORK:
		return "fork";
	case STEP_STDIO:
		return "redirecting standard input and output";
	case STEP_CLOSE:
		return "closing inherited descriptors";
	case STEP_SIGNALS:
		return "resetting signals";
	default:
		return "unknown step";
	}
}

/*
 * The program could not be found (errno from program_resolve): print why
 * and return 127, or 126 when it exists but is no file to execute.
 */
int
report_not_started(const char *name, int err)
{
	if (err == ENOENT && strchr(name, '/') == NULL) {
		warn_errno(0, "%s: command not found", name);
		return STATUS_NOTFOUND;
	}
	warn_errno(err, "%s", name);
	if (err == ENOENT || err == ENOTDIR)
		return STATUS_NOTFOUND;
	return err == EACCES || err == EISDIR ? STATUS_NOEXEC : STATUS_FAILED;
}

/* Print the caller's one line for a failure; returns the exit status. */
int
report_explain(const struct failure *f, const struct options *o,
    const struct launch *l)
{
	int status;

	switch (f->step) {
	case STEP_CHROOT:
		warn_errno(f->err, "chroot %s", o->chroot);
		return STATUS_FAILED;
	case STEP_CHDIR:
		warn_errno(f->err, "chdir %s", o->chdir);
		return STATUS_FAILED;
	case STEP_NOTIFY_FD:
		warn_errno(f->err, "--notify-fd %d", o->notify_fd);
		return STATUS_FAILED;
	case STEP_KEEP_FD:
		warn_errno(f->err, "--keep-fd %d", o->keep_fds[f->arg]);
		return STATUS_FAILED;
	case STEP_LIMIT:
		warn_errno(f->err, "--limit %s", o->limits[f->arg].spec);
		return STATUS_FAILED;
	case STEP_NICE:
		warn_errno(f->err, "--nice %d", o->nice);
		return STATUS_FAILED;
	case STEP_PIDFILE:
		warn_errno(f->err, "%s", o->pidfile);
		return STATUS_FAILED;
	case STEP_PRIVS:
		warn_errno(f->err, "changing to %s %s", o->user != NULL ?
		    "user" : "group", o->user != NULL ? o->user : o->group);
		return STATUS_FAILED;
	case STEP_LOST:
		warn_errno(0, "daemon process killed by signal %d before "
		    "exec", f->err);
		return STATUS_FAILED;
	case STEP_EXEC:
		/* No candidate at all: not found, as the caller would say. */
		if (f->which < 0 || (size_t)f->which >= l->spawn.npaths)
			return report_not_started(o->argv[0], f->err);
		/* The daemon judged the status, where the file is. */
		status = f->arg == STATUS_NOTFOUND ? STATUS_NOTFOUND :
		    STATUS_NOEXEC;
		if (f->err == ENOENT && status == STATUS_NOEXEC)
			warn_errno(f->err, "%s: bad interpreter",
			    l->spawn.paths[f->which]);
		else
			warn_errno(f->err, "%s", l->spawn.paths[f->which]);
		return status;
	default:
		warn_errno(f->err, "%s", report_step(f));
		return STATUS_FAILED;
	}
}
