/*
 * daemonize: run a program as a correct Unix daemon.
 *
 * main() is the checklist, in order.  Everything that can fail for a
 * reason the user can fix is done in the caller, before forking, so it is
 * reported at once; the few steps that must happen in the daemon itself
 * report back through a close-on-exec pipe, and the caller does not exit
 * until the program is running or has failed to start.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

/* Undo whatever the caller set up, then exit: nothing is left behind. */
static __dead void
abandon(struct launch *l, int status)
{
	pidfile_abandon(&l->pid);
	pidfile_abandon(&l->lock);
	exit(status);
}

static void
launch_init(struct launch *l)
{
	memset(l, 0, sizeof *l);
	l->null_rd = l->null_wr = l->out_fd = l->err_fd = -1;
	pidfile_init(&l->pid, NULL);
	pidfile_init(&l->lock, NULL);
}

static void
resolve_program(const struct options *o, struct launch *l)
{
	const char *name = o->argv[0];

	if ((l->path = program_resolve(name)) != NULL) {
		verbose(o, "program %s is %s", name, l->path);
		return;
	}
	if (errno == ENOENT && strchr(name, '/') == NULL)
		die(STATUS_NOTFOUND, "%s: command not found", name);
	die_errno(errno == ENOENT ? STATUS_NOTFOUND : errno == EACCES ||
	    errno == EISDIR ? STATUS_NOEXEC : STATUS_FAILED, errno, "%s", name);
}

static void
resolve_user(const struct options *o, struct launch *l)
{
	if (o->user == NULL)
		return;
	if (geteuid() != 0)
		die(STATUS_FAILED, "-u %s: only root can change user",
		    o->user);
	switch (privs_lookup(o->user, &l->user)) {
	case 0:
		verbose(o, "user %s is uid %ld gid %ld", o->user,
		    (long)l->user->uid, (long)l->user->gid);
		return;
	case PRIVS_NOUSER:
		die(STATUS_FAILED, "-u %s: no such user", o->user);
	case PRIVS_NOGROUP:
		die(STATUS_FAILED, "-u %s: no such group", o->user);
	default:
		die_errno(STATUS_FAILED, errno, "-u %s", o->user);
	}
}

/* Report a pidfile or lock file that could not be taken, and exit. */
static __dead void
lock_failed(const struct options *o, struct launch *l, struct pidfile *p)
{
	pid_t pid;

	if (errno != EWOULDBLOCK) {
		if (p->why != NULL)
			warn_errno(0, "%s: %s", p->path, p->why);
		else if (errno == ELOOP || errno == EMLINK)
			warn_errno(0, "%s: is a symbolic link, refusing to "
			    "follow it", p->path);
		else
			warn_errno(errno, "%s", p->path);
		abandon(l, STATUS_FAILED);
	}
	pid = o->pidfile != NULL ? pidfile_read(o->pidfile) : 0;
	if (pid > 0)
		warn_errno(0, "%s: already running, pid %ld", p->path,
		    (long)pid);
	else
		warn_errno(0, "%s: already locked by a running instance",
		    p->path);
	abandon(l, STATUS_RUNNING);
}

/*
 * Take the locks before anything else touches the files of a running
 * instance: opening -o would otherwise truncate its log.
 */
static void
take_locks(const struct options *o, struct launch *l)
{
	if (o->lockfile != NULL) {
		pidfile_init(&l->lock, o->lockfile);
		if (pidfile_lock(&l->lock, NULL) == -1)
			lock_failed(o, l, &l->lock);
		verbose(o, "locked %s", o->lockfile);
	}
	if (o->pidfile != NULL) {
		pidfile_init(&l->pid, o->pidfile);
		if (pidfile_lock(&l->pid, &l->lock) == -1 ||
		    pidfile_open_write(&l->pid) == -1)
			lock_failed(o, l, &l->pid);
		verbose(o, "locked %s", o->pidfile);
	}
}

static void
open_files(const struct options *o, struct launch *l)
{
	const char *failed = "/dev/null";

	if (fds_open_outputs(o, l, &failed) == -1 || fds_open_null(l) == -1) {
		warn_errno(errno, "%s", failed);
		abandon(l, STATUS_FAILED);
	}
}

/* The caller's side after forking: wait for exec or a failure. */
static int
await_daemon(const struct options *o, struct launch *l, struct report *r,
    pid_t middle)
{
	struct failure f;

	fds_close_launch(l);
	if (report_wait(r, middle, &f) == 0) {
		verbose(o, "%s is running", l->path);
		return STATUS_OK;
	}
	abandon(l, report_explain(&f, o, l));
}

/* The daemon's side: the rest of the checklist, then exec. */
static __dead void
become_daemon(const struct options *o, struct launch *l,
    const struct report *r)
{
	int keep[] = { r->wr, l->pid.fd, l->lock.fd };

	verbose(o, "daemon pid %ld: chdir %s", (long)getpid(), o->chdir);
	if (chdir(o->chdir) == -1)
		report_failure(r, STEP_CHDIR, errno);
	if (l->pid.wfd != -1 && pidfile_write(&l->pid, getpid()) == -1)
		report_failure(r, STEP_PIDFILE, errno);
	verbose(o, "closing descriptors, resetting signals%s, exec %s",
	    l->user != NULL ? ", changing user" : "", l->path);
	if (fds_redirect_stdio(l) == -1)
		report_failure(r, STEP_STDIO, errno);
	if (fds_close_inherited(keep, sizeof keep / sizeof keep[0]) == -1)
		report_failure(r, STEP_CLOSE, errno);
	if (signals_reset() == -1)
		report_failure(r, STEP_SIGNALS, errno);
	if (l->user != NULL && privs_drop(l->user) == -1)
		report_failure(r, STEP_PRIVS, errno);
	report_failure(r, STEP_EXEC, program_exec(l->path, o->argv));
}

int
main(int argc, char **argv)
{
	struct options o;
	struct launch l;
	struct report r;
	pid_t pid;

	fds_sanitize_std();
	options_parse(&o, argc, argv);
	launch_init(&l);
	if (privs_check_self() == -1)
		die(STATUS_FAILED, "refusing to run setuid or setgid");
	resolve_program(&o, &l);
	resolve_user(&o, &l);
	if (env_apply(&o, l.user) == -1)
		die_errno(STATUS_FAILED, errno, "environment");
	/* Set now so the files created for the daemon get its umask. */
	(void)umask(o.umask);
	take_locks(&o, &l);
	open_files(&o, &l);
	if (report_open(&r) == -1) {
		warn_errno(errno, "pipe");
		abandon(&l, STATUS_FAILED);
	}
	if ((pid = detach_start(&r)) == -1) {
		warn_errno(errno, "fork");
		abandon(&l, STATUS_FAILED);
	}
	/* exit, not return: what main holds stays reachable to the end. */
	if (pid > 0)
		exit(await_daemon(&o, &l, &r, pid));
	become_daemon(&o, &l, &r);
}
