/*
 * What the caller prepares for the daemon, how a failed start is undone,
 * and the program's own end of the checklist: the steps that happen in the
 * process that becomes the program, whether that is the daemon itself or
 * a child of the --respawn supervisor.
 */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

void
launch_init(struct launch *l)
{
	memset(l, 0, sizeof *l);
	l->null_rd = l->null_wr = l->out_fd = l->err_fd = -1;
	ready_init(&l->ready);
	pidfile_init(&l->pid, NULL);
	pidfile_init(&l->lock, NULL);
	pidfile_init(&l->child, NULL);
	/*
	 * The caller's PATH, for lookups the daemon makes after --clear-env
	 * or -E have changed the environment: they replace the entry, and
	 * the string itself stays where it is.
	 */
	l->search = getenv("PATH");
}

/* Undo whatever the caller set up, then exit: nothing is left behind. */
__dead void
launch_abandon(struct launch *l, int status)
{
	pidfile_abandon(&l->pid);
	pidfile_abandon(&l->lock);
	pidfile_abandon(&l->child);
	exit(status);
}

/*
 * A step on the daemon's side failed: tell the caller through the pipe
 * or, in the foreground, say it here and clean up as the caller would.
 */
__dead void
launch_failed(const struct options *o, struct launch *l,
    const struct report *r, enum step step, int err, size_t arg)
{
	struct failure f = { (int)step, err, (int)arg };

	if (!o->foreground)
		report_failure(r, step, err, (int)arg);
	launch_abandon(l, report_explain(&f, o, l));
}

/*
 * Enter --chroot and the working directory.  chroot(2) leaves the working
 * directory outside the new root, so "/" inside it comes first: a relative
 * -c is then taken from the new root.
 */
void
launch_enter(const struct options *o, struct launch *l,
    const struct report *r)
{
	if (o->verbose)
		verbose(o, "pid %ld: %s%s%schdir %s", (long)getpid(),
		    o->chroot != NULL ? "chroot " : "",
		    o->chroot != NULL ? o->chroot : "",
		    o->chroot != NULL ? ", " : "", o->chdir);
	if (o->chroot != NULL && (chroot(o->chroot) == -1 || chdir("/") == -1))
		launch_failed(o, l, r, STEP_CHROOT, errno, 0);
	if (chdir(o->chdir) == -1)
		launch_failed(o, l, r, STEP_CHDIR, errno, 0);
}

/*
 * The last steps: limits, niceness, ids, the program (when the caller
 * could not look it up: inside --chroot, or in PATH as another user), then
 * exec.  A failed exec is reported with the status it means.
 */
__dead void
launch_exec(const struct options *o, struct launch *l,
    const struct report *r)
{
	size_t i;
	int err;

	if (limits_apply(o->limits, o->nlimits, &i) == -1)
		launch_failed(o, l, r, STEP_LIMIT, errno, i);
	if (o->nice_set && setpriority(PRIO_PROCESS, 0, o->nice) == -1)
		launch_failed(o, l, r, STEP_NICE, errno, 0);
	if (l->user != NULL && privs_drop(l->user) == -1)
		launch_failed(o, l, r, STEP_PRIVS, errno, 0);
	if (l->path == NULL &&
	    (l->path = program_resolve(o->argv[0], l->search)) == NULL)
		launch_failed(o, l, r, STEP_RESOLVE, errno, 0);
	err = program_exec(l->path, o->argv);
	launch_failed(o, l, r, STEP_EXEC, err,
	    (size_t)program_exec_status(l->path, err));
}
