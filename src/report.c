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
 * After a failure: read to the end-of-file, which comes when every
 * process that could still write is on its way out, its descriptors
 * closed, since each that reports a failure exits next.  The caller then
 * returns with nothing of the daemon at work, even where vfork is a plain
 * fork and the middle process does not wait for the daemon.
 */
static void
report_drain(int fd)
{
	char buf[sizeof(struct failure)];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0 ||
	    (n == -1 && errno == EINTR))
		;
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
	if (n == (ssize_t)sizeof *f)
		report_drain(r->rd);
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

/* The steps whose message needs nothing but their name. */
static const struct {
	int step;
	const char *what;
} report_steps[] = {
	{ STEP_SETSID, "setsid" },
	{ STEP_GROUP, "setpgid" },
	{ STEP_FORK, "fork" },
	{ STEP_REPORT, "reporting to the caller" },
	{ STEP_PIPE, "creating a pipe" },
	{ STEP_STDIO, "redirecting standard input and output" },
	{ STEP_CLOSE, "closing inherited descriptors" },
	{ STEP_SIGNALS, "resetting signals" },
	{ STEP_NO_NEW_PRIVS, "--no-new-privs" },
};

static const char *
report_step(const struct failure *f)
{
	size_t i;

	for (i = 0; i < sizeof report_steps / sizeof report_steps[0]; i++)
		if (report_steps[i].step == f->step)
			return report_steps[i].what;
	return "unknown step";
}

/*
 * A program that could not be found or executed: the words, and the
 * status, 127 for "not found" and 126 for "found, but cannot be
 * executed", as the shell's own exec says.
 */
static int
report_program(struct words *w, const char *name, int err)
{
	w->err = err;
	w->what[0] = name;
	if (err == ENOENT && strchr(name, '/') == NULL) {
		w->what[1] = ": command not found";
		w->err = 0;
		return STATUS_NOTFOUND;
	}
	if (err == ENOENT || err == ENOTDIR)
		return STATUS_NOTFOUND;
	return err == EACCES || err == EISDIR ? STATUS_NOEXEC : STATUS_FAILED;
}

/*
 * The program could not be found (errno from program_resolve): print why
 * and return 127, or 126 when it exists but is no file to execute.
 */
int
report_not_started(const char *name, int err)
{
	struct words w = { { NULL, NULL, NULL }, 0, "" };
	int status = report_program(&w, name, err);

	warn_errno(w.err, "%s%s", w.what[0], w.what[1] != NULL ?
	    w.what[1] : "");
	return status;
}

/*
 * The words of a failure's message: WHAT in up to three parts, and the
 * errno whose text is the REASON (0 for none).  Shared by the caller's
 * line on stderr and the supervisor's log, which says why a restart
 * failed.  Returns the exit status the failure means.
 */
int
report_words(const struct failure *f, const struct launch *l,
    struct words *w)
{
	const struct spawn *sp = &l->spawn;

	*w = (struct words){ { NULL, NULL, NULL }, f->err, "" };
	switch (f->step) {
	case STEP_CHROOT:
		w->what[0] = "chroot ";
		w->what[1] = sp->chroot;
		break;
	case STEP_CHDIR:
		w->what[0] = "chdir ";
		w->what[1] = sp->chdir;
		break;
	case STEP_NOTIFY_FD:
		w->what[0] = "--notify-fd ";
		w->what[1] = decimal(w->num, sp->moves[0].to);
		break;
	case STEP_KEEP_FD:
		w->what[0] = "--keep-fd ";
		w->what[1] = decimal(w->num, sp->inherit[f->arg]);
		break;
	case STEP_LIMIT:
		w->what[0] = "--limit ";
		w->what[1] = sp->limits[f->arg].spec;
		break;
	case STEP_NICE:
		w->what[0] = "--nice ";
		w->what[1] = decimal(w->num, sp->nice);
		break;
	case STEP_OOM:
		w->what[0] = "--oom-score-adj ";
		w->what[1] = sp->set->oom_spec;
		break;
	case STEP_IONICE:
		w->what[0] = "--ionice ";
		w->what[1] = sp->set->ionice_spec;
		break;
	case STEP_SCHED:
		w->what[0] = "--sched ";
		w->what[1] = sp->set->sched_spec;
		break;
	case STEP_CPUS:
		w->what[0] = "--cpu-affinity ";
		w->what[1] = sp->set->cpus_spec;
		break;
	case STEP_CAPS:
		w->what[0] = "--cap ";
		w->what[1] = sp->set->caps_spec;
		break;
	case STEP_PIDFILE:
		w->what[0] = l->pid.given;
		break;
	case STEP_CHILD_PIDFILE:
		w->what[0] = l->child.given;
		break;
	case STEP_PRIVS:
		w->what[0] = l->user->changes_user ? "changing to user " :
		    "changing to group ";
		w->what[1] = l->user->spec;
		break;
	case STEP_LOST:
		w->what[0] = "daemon process killed by signal ";
		w->what[1] = signals_name(f->err, w->num);
		w->what[2] = " before exec";
		w->err = 0;
		break;
	case STEP_EXEC:
		/* No candidate at all: not found, as the caller would say. */
		if (f->which < 0 || (size_t)f->which >= l->spawn.npaths)
			return report_program(w, sp->argv[0], f->err);
		w->what[0] = l->spawn.paths[f->which];
		/* The daemon judged the status, where the file is. */
		if (f->arg == STATUS_NOTFOUND)
			return STATUS_NOTFOUND;
		if (f->err == ENOENT)
			w->what[1] = ": bad interpreter";
		return STATUS_NOEXEC;
	default:
		w->what[0] = report_step(f);
		break;
	}
	return STATUS_FAILED;
}

/* Print the caller's one line for a failure; returns the exit status. */
int
report_explain(const struct failure *f, const struct launch *l)
{
	struct words w;
	int status = report_words(f, l, &w);

	warn_errno(w.err, "%s%s%s", w.what[0], w.what[1] != NULL ? w.what[1] :
	    "", w.what[2] != NULL ? w.what[2] : "");
	return status;
}
