/*
 * What the caller prepares for the daemon, and how a failed start is
 * undone.  launch_plan() fills in the plan spawn.c follows: after it,
 * nothing about the daemon's last steps is left to decide.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

extern char **environ;

void
launch_init(struct launch *l)
{
	memset(l, 0, sizeof *l);
	l->null_rd = l->null_wr = l->out_fd = l->err_fd = -1;
	l->ready = ready_init();
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
	rundir_abandon(l->rundir, l->rundir_made);
	exit(status);
}

/*
 * The program's paths: the one the caller found, or the candidates the
 * daemon tries (inside --chroot, or in PATH as another user).
 */
static void
launch_paths(const struct options *o, struct launch *l)
{
	struct spawn *sp = &l->spawn;

	if (l->path != NULL) {
		sp->path[0] = (char *)l->path;
		sp->paths = sp->path;
		sp->npaths = 1;
		return;
	}
	if (program_candidates(o->argv[0], l->search, o->chroot == NULL,
	    &sp->paths, &sp->npaths) == -1)
		die_errno(STATUS_FAILED, errno, "%s", o->argv[0]);
}

/*
 * The descriptors the program keeps: the report pipe until the exec, the
 * locks for as long as it lives, the pidfile's write side until the exec
 * (to empty it should a late step fail), --notify-fd and --keep-fd.
 */
static void
launch_keep(const struct options *o, struct launch *l, const struct report *r)
{
	struct spawn *sp = &l->spawn;

	sp->nkeep = 0;
	sp->keep[sp->nkeep++] = r->wr;
	sp->keep[sp->nkeep++] = l->pid.fd;
	sp->keep[sp->nkeep++] = l->pid.wfd;
	sp->keep[sp->nkeep++] = l->lock.fd;
	if (ready_daemon_end(l->ready) != -1) {
		sp->moves[sp->nmoves++] = (struct spawn_move){
		    ready_daemon_end(l->ready), o->notify_fd };
		sp->keep[sp->nkeep++] = o->notify_fd;
	}
	sp->inherit = o->keep_fds;
	sp->ninherit = o->nkeep_fds;
}

/*
 * The whole plan of the daemon's last steps (or, in the foreground, of
 * this process's).  Made after the environment is final: the plan takes
 * environ as it then is.
 */
void
launch_plan(const struct options *o, struct launch *l, const struct report *r)
{
	struct spawn *sp = &l->spawn;

	sp->announce = o->wait_ms > 0 ? r->wr : -1;
	sp->own_group = false;
	sp->chroot = o->chroot;
	sp->chdir = o->chdir;
	sp->pidfile = l->pid.wfd;
	/* In the foreground, what is not redirected stays where it was. */
	sp->stdio[0] = l->null_rd;
	sp->stdio[1] = l->out_fd != -1 ? l->out_fd :
	    o->foreground ? STDOUT_FILENO : l->null_wr;
	sp->stdio[2] = l->err_fd != -1 ? l->err_fd :
	    o->foreground ? STDERR_FILENO : l->null_wr;
	launch_keep(o, l, r);
	sp->limits = o->limits;
	sp->nlimits = o->nlimits;
	sp->nice_set = o->nice_set;
	sp->nice = o->nice;
	sp->user = l->user;
	sp->set = &o->set;
	sp->argv = o->argv;
	sp->envp = environ;
	launch_paths(o, l);
}
