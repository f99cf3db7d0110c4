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

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"
#include "options.h"

/*
 * Find the program now, in the caller's directory and PATH.  With --chroot
 * it can only be found inside the new root, and a name looked up in PATH
 * for another user is looked up as that user (a directory of root's the
 * user cannot enter must not hide the program further along), so the
 * daemon does those itself, just before exec.
 */
static void
resolve_program(const struct options *o, struct launch *l)
{
	const char *name = o->argv[0];

	if (o->chroot != NULL || ((o->user != NULL || o->group != NULL) &&
	    strchr(name, '/') == NULL))
		return;
	if ((l->path = program_resolve(name, l->search)) == NULL)
		exit(report_not_started(name, errno));
	verbose(o->verbose, "program %s is %s", name, l->path);
}

/* Only root can change ids or the root directory; say so up front. */
static void
check_root_only(const struct options *o)
{
	if (geteuid() == 0)
		return;
	if (o->user != NULL)
		die(STATUS_FAILED, "-u %s: only root can change user", o->user);
	if (o->group != NULL)
		die(STATUS_FAILED, "--group %s: only root can change groups",
		    o->group);
	if (o->chroot != NULL)
		die(STATUS_FAILED, "--chroot %s: only root can change the root "
		    "directory", o->chroot);
}

static void
resolve_user(const struct options *o, struct launch *l)
{
	const char *spec = o->user != NULL ? o->user : o->group;

	if (o->user == NULL && o->group == NULL)
		return;
	switch (privs_lookup(o->user, o->group, &l->user)) {
	case 0:
		verbose(o->verbose, "%s is uid %ld gid %ld", spec,
		    (long)l->user->uid, (long)l->user->gid);
		return;
	case PRIVS_NOUSER:
		die(STATUS_FAILED, "-u %s: no such user", o->user);
	case PRIVS_NOGROUP:
		die(STATUS_FAILED, "%s %s: no such group",
		    o->user != NULL ? "-u" : "--group", spec);
	default:
		die_errno(STATUS_FAILED, errno, "%s", spec);
	}
}

/* Values that can be checked before anything is created. */
static void
check_values(const struct options *o)
{
	struct stat sb;
	size_t i;

	if (o->chroot != NULL && stat(o->chroot, &sb) == -1)
		die_errno(STATUS_FAILED, errno, "--chroot %s", o->chroot);
	if (o->chroot != NULL && !S_ISDIR(sb.st_mode))
		die_errno(STATUS_FAILED, ENOTDIR, "--chroot %s", o->chroot);
	if (fds_check_kept(o, &i) == -1)
		die_errno(STATUS_FAILED, errno, "--keep-fd %d", o->keep_fds[i]);
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
		launch_abandon(l, STATUS_FAILED);
	}
	if (p->why != NULL) {
		/* Shared locks alone: no instance, no pid to wait for. */
		warn_errno(0, "%s: %s", p->path, p->why);
		launch_abandon(l, STATUS_RUNNING);
	}
	/* A live process of the daemon, never a dead main pid. */
	pid = o->pidfile != NULL ? pidfile_read(o->pidfile) : 0;
	if (pid > 0 && (pid = control_holder(p->path, pid)) > 0)
		warn_errno(0, "%s: already running, pid %ld", p->path,
		    (long)pid);
	else
		warn_errno(0, "%s: already locked by a running instance",
		    p->path);
	launch_abandon(l, STATUS_RUNNING);
}

/*
 * A path as the caller means it.  Pidfiles are removed, and logs reopened,
 * after the daemon has changed directory, so they are kept absolute.
 */
static const char *
absolute(const char *path)
{
	const char *abs;

	if ((abs = program_absolute(path)) == NULL)
		die_errno(STATUS_FAILED, errno, "%s", path);
	return abs;
}

/* --runtime-dir, before the files: a log may lie in it. */
static void
make_runtime_dir(struct options *o, struct launch *l)
{
	const char *abs;
	char *dir;
	size_t len;

	if (o->runtime_dir == NULL)
		return;
	/* "run/" names the link "run", never what it points to. */
	abs = absolute(o->runtime_dir);
	if ((dir = strdup(abs)) == NULL)
		die_errno(STATUS_FAILED, errno, "--runtime-dir");
	if (abs != o->runtime_dir)
		free((char *)abs);
	for (len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
		dir[len - 1] = '\0';
	o->runtime_dir = dir;
	(void)rundir_make(o, l->user, &l->rundir_made);
	l->rundir = o->runtime_dir;
	verbose(o->verbose, "%s %s", l->rundir_made ? "made" : "found",
	    l->rundir);
}

/*
 * Take the locks before anything else touches the files of a running
 * instance: opening -o would otherwise truncate its log.
 */
static void
take_locks(const struct options *o, struct launch *l)
{
	if (o->lockfile != NULL) {
		pidfile_init(&l->lock, absolute(o->lockfile), o->lockfile);
		if (pidfile_lock(&l->lock, NULL) == -1)
			lock_failed(o, l, &l->lock);
		verbose(o->verbose, "locked %s", o->lockfile);
	}
	if (o->pidfile != NULL) {
		pidfile_init(&l->pid, absolute(o->pidfile), o->pidfile);
		if (pidfile_lock(&l->pid, &l->lock) == -1 ||
		    pidfile_open_write(&l->pid) == -1)
			lock_failed(o, l, &l->pid);
		verbose(o->verbose, "locked %s", o->pidfile);
	}
	if (o->child_pidfile != NULL) {
		pidfile_init(&l->child, absolute(o->child_pidfile),
		    o->child_pidfile);
		if (pidfile_create(&l->child) == -1)
			lock_failed(o, l, &l->child);
	}
}

static void
open_files(const struct options *o, struct launch *l)
{
	const char *failed = NULL, *why = NULL;

	if (fds_open_outputs(o, l, &failed, &why) == -1) {
		if (why != NULL)
			warn_errno(0, "%s: %s", failed, why);
		else
			warn_errno(errno, "%s", failed);
		launch_abandon(l, STATUS_FAILED);
	}
	if (fds_open_null(l) == -1) {
		warn_errno(errno, "/dev/null");
		launch_abandon(l, STATUS_FAILED);
	}
	/* The supervisor reopens them on SIGHUP, from "/". */
	if (options_supervised(o) && o->stdout_path != NULL)
		l->out_path = absolute(o->stdout_path);
	if (options_supervised(o) && o->stderr_path != NULL)
		l->err_path = absolute(o->stderr_path);
}

/* The caller's side after forking: wait for exec or a failure. */
static int
await_daemon(const struct ready_settings *rs, struct launch *l,
    struct report *r, pid_t middle)
{
	struct failure f;
	int status;

	fds_close_launch(l);
	if (report_wait(r, middle, &f) != 0)
		launch_abandon(l, report_explain(&f, l));
	verbose(rs->verbose, "%s is running", rs->program);
	if (rs->wait_ms == 0)
		return STATUS_OK;
	pidfile_hand_over(&l->pid);
	pidfile_hand_over(&l->lock);
	status = ready_wait(rs, l->ready, r->daemon);
	if (status != STATUS_OK)
		launch_abandon(l, status);
	return STATUS_OK;
}

/* -v: what the daemon is about to do, said before it does it. */
static void
narrate(const struct options *o, const struct launch *l)
{
	if (!o->verbose)
		return;
	if (o->chroot != NULL)
		verbose(o->verbose, "chroot %s", o->chroot);
	verbose(o->verbose, "chdir %s", o->chdir);
	verbose(o->verbose, "closing descriptors, resetting signals%s, exec %s",
	    l->user != NULL ? ", changing ids" : "",
	    l->path != NULL ? l->path : o->argv[0]);
}

/* -f: the plan carried out here; returns only to explain a failure. */
static __dead void
run_foreground(const struct options *o, struct launch *l)
{
	struct failure f;

	narrate(o, l);
	spawn_exec(&l->spawn, &f);
	launch_abandon(l, report_explain(&f, l));
}

/*
 * Close, already in the caller, what it inherited and nobody needs: each
 * fork would otherwise copy all of it, and the daemon then close it.  The
 * caller's own descriptors and --keep-fd stay; the daemon closes the rest.
 */
static void
drop_inherited(const struct options *o, const struct launch *l,
    const struct report *r)
{
	int keep[14];
	struct keep k;
	size_t n = 0;

	keep[n++] = r->rd;
	keep[n++] = r->wr;
	keep[n++] = l->pid.fd;
	keep[n++] = l->pid.wfd;
	keep[n++] = l->lock.fd;
	keep[n++] = l->child.wfd;
	keep[n++] = l->null_rd;
	keep[n++] = l->null_wr;
	keep[n++] = l->out_fd;
	keep[n++] = l->err_fd;
	n += ready_keep(l->ready, keep + n);
	keep[n++] = o->notify_fd;
	k = (struct keep){ keep, n, o->keep_fds, o->nkeep_fds };
	/* Only an optimisation: the daemon closes them all the same. */
	(void)fds_close_except(&k);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct plan p;
	struct launch l;
	struct report r = { -1, -1, 0 };
	pid_t pid;

	fds_sanitize_std();
	if (signals_caller() == -1)
		die_errno(STATUS_FAILED, errno, "resetting SIGCHLD");
	options_parse(&o, argc, argv);
	if (o.help)
		exit(options_usage());
	if (o.version)
		exit(options_version());
	if (fds_reserve(o.notify_fd) == -1)
		die_errno(STATUS_FAILED, errno, "--notify-fd %d", o.notify_fd);
	launch_init(&l);
	if (privs_check_self() == -1)
		die(STATUS_FAILED, "refusing to run setuid or setgid");
	plan_settings(&o, &p);
	if (o.control != CONTROL_NONE)
		exit(control_run(&p.control));
	/* The supervisor leaves for "/" before its children apply -c. */
	if ((o.respawn || o.init) && o.chroot == NULL)
		o.chdir = absolute(o.chdir);
	check_root_only(&o);
	check_values(&o);
	roles_check(&o);
	resolve_program(&o, &l);
	resolve_user(&o, &l);
	if (o.set.caps_spec != NULL && l.user != NULL && l.user->uid == 0)
		die(STATUS_USAGE, "--cap: -u %s is root, who keeps every "
		    "capability", o.user);
	if (env_apply(&o, l.user) == -1)
		die_errno(STATUS_FAILED, errno, "environment");
	l.relay = relay_capture(&p.ready);
	if (ready_prepare(&p.ready, l.ready) == -1)
		die_errno(STATUS_FAILED, errno, "--wait");
	/* Set now so the files created for the daemon get its umask. */
	(void)umask(o.umask);
	make_runtime_dir(&o, &l);
	take_locks(&o, &l);
	open_files(&o, &l);
	if (!o.foreground && report_open(&r) == -1) {
		warn_errno(errno, "pipe");
		launch_abandon(&l, STATUS_FAILED);
	}
	plan_spawn(&o, &l, &r);
	if (o.foreground && (o.respawn || o.init || relay_active(l.relay)))
		supervise(&p.supervise, &l, NULL);
	if (o.foreground)
		run_foreground(&o, &l);
	drop_inherited(&o, &l, &r);
	if (o.respawn) {
		if ((pid = detach_fork(&r)) == 0)
			supervise(&p.supervise, &l, &r);
	} else {
		narrate(&o, &l);
		pid = detach_vfork(&r, &l.spawn);
	}
	if (pid == -1) {
		warn_errno(errno, "fork");
		launch_abandon(&l, STATUS_FAILED);
	}
	/* exit, not return: what main holds stays reachable to the end. */
	exit(await_daemon(&p.ready, &l, &r, pid));
}
