/*
 * What the caller prepares for the daemon, and how a failed start is
 * undone.  plan_spawn() (plan.c) fills in the plan spawn.c follows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemonize.h"

void
launch_init(struct launch *l)
{
	memset(l, 0, sizeof *l);
	l->null_rd = l->null_wr = l->out_fd = l->err_fd = -1;
	l->ready = ready_init();
	pidfile_init(&l->pid, NULL, NULL);
	pidfile_init(&l->lock, NULL, NULL);
	pidfile_init(&l->child, NULL, NULL);
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
	rundir_abandon(l->rundir, l->rundir_made);
	exit(status);
}
