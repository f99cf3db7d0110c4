/*
 * What each subsystem is told: its settings struct, filled from the
 * options here and nowhere else.  The subsystems themselves (spawn.c,
 * ready.c, relay.c, logpipe.c, supervise*.c, control.c) never see struct
 * options; only the caller's own steps in daemonize.c read it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"
#include "options.h"

extern char **environ;

/* --status, --signal, --stop. */
static void
plan_control(const struct options *o, struct control_settings *cs)
{
	cs->control = o->control;
	cs->pidfile = o->pidfile;
	cs->signal = o->signal;
	cs->kill = o->kill;
	cs->kill_all = o->kill_all;
	cs->kill_process = o->kill_process;
	cs->stop_timeout_ms = o->stop_timeout_ms;
	cs->verbose = o->verbose;
}

/* --wait and what it waits for, or a manager's readiness. */
static void
plan_ready(const struct options *o, struct ready_settings *rs)
{
	rs->program = o->argv[0];
	rs->notify = o->notify;
	rs->notify_fd = o->notify_fd;
	rs->waitfor = o->waitfor;
	rs->nwaitfor = o->nwaitfor;
	rs->wait_ms = o->wait_ms;
	rs->foreground = o->foreground;
	rs->verbose = o->verbose;
}

/*
 * The supervisor's log; the files the caller opens for it are filled in
 * by the supervisor, from struct launch.
 */
static void
plan_log(const struct options *o, struct logsettings *ls)
{
	ls->out_fd = ls->err_fd = -1;
	ls->out_path = ls->err_path = NULL;
	ls->syslog = o->syslog;
	ls->tag = o->syslog_tag != NULL ? o->syslog_tag : o->argv[0];
	ls->facility = o->syslog_facility;
	ls->foreground = o->foreground;
	ls->stamp = o->stamp;
	ls->max_size = o->output_max_size;
	ls->keep = o->output_keep;
	ls->rules = fds_log_rules(o) | FDS_APPEND;
}

/* -r and --init. */
static void
plan_supervise(const struct options *o, const struct plan *p,
    struct supervise_settings *ss)
{
	ss->program = o->argv[0];
	ss->respawn = o->respawn;
	ss->init = o->init;
	ss->foreground = o->foreground;
	ss->restart = o->restart;
	memcpy(ss->success_exit, o->success_exit, sizeof ss->success_exit);
	ss->success_sig = o->success_sig;
	ss->restart_delay_ms = o->restart_delay_ms;
	ss->restart_window_ms = o->restart_window_ms;
	ss->max_restarts = o->max_restarts;
	ss->stop_timeout_ms = o->stop_timeout_ms;
	ss->notify_fd = o->notify_fd;
	ss->log = &p->log;
	ss->ready = &p->ready;
}

/* Every subsystem's settings but spawn.c's, once the options are read. */
void
plan_settings(const struct options *o, struct plan *p)
{
	plan_control(o, &p->control);
	/* --status, --signal and --stop start nothing: there is no program. */
	if (o->control != CONTROL_NONE)
		return;
	plan_ready(o, &p->ready);
	plan_log(o, &p->log);
	plan_supervise(o, p, &p->supervise);
}

/*
 * The program's paths: the one the caller found, or the candidates the
 * daemon tries (inside --chroot, or in PATH as another user).
 */
static void
plan_paths(const struct options *o, struct launch *l)
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
plan_keep(const struct options *o, struct launch *l, const struct report *r)
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
 * spawn.c's: the whole plan of the daemon's last steps (or, in the
 * foreground, of this process's).  Made after the environment is final:
 * the plan takes environ as it then is.  After it, nothing about those
 * steps is left to decide.
 */
void
plan_spawn(const struct options *o, struct launch *l, const struct report *r)
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
	plan_keep(o, l, r);
	sp->limits = o->limits;
	sp->nlimits = o->nlimits;
	sp->nice_set = o->nice_set;
	sp->nice = o->nice;
	sp->user = l->user;
	sp->set = &o->set;
	sp->argv = o->argv;
	sp->envp = environ;
	plan_paths(o, l);
}
