/*
 * The one path from "decided" to exec.  The daemon, the foreground mode
 * and each child of the --respawn supervisor end here, with a plan their
 * caller prepared completely: the descriptors to keep and to move, the
 * ids, the limits, the candidate paths, argv and the environment.
 *
 * The steps, always in this order:
 *
 *   1. tell the waiting caller our pid (--wait)
 *   2. a process group of our own (the supervisor's children)
 *   2a. the OOM score, I/O and CPU scheduling, CPU affinity (settings.c),
 *       while /proc is still the real one and we are still root
 *   3. chroot, then the working directory
 *   4. our pid into the pidfile
 *   5. stdin, stdout and stderr in place
 *   6. the --notify-fd pipe moved to its number
 *   7. every other descriptor closed, but those kept
 *   8. --keep-fd descriptors made to survive the exec
 *   9. every signal to its default disposition, none blocked
 *  10. resource limits, then niceness
 *  11. groups, gid, uid, keeping --cap's capabilities across them
 *  11a. no_new_privs
 *  12. exec each candidate path in turn, as execvp(3) does
 *
 * Only system calls are made here, and nothing is allocated: after a
 * vfork this runs in the caller's memory, where a lock taken by a library
 * function could be left held for the caller to hang on.  spawn_exec()
 * returns only on failure, with the step and its errno.
 */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "daemonize.h"

static int
spawn_fail(struct failure *f, enum step step, int err, int arg)
{
	*f = (struct failure){ (int)step, err, arg, -1 };
	return -1;
}

/* Step 4: "PID\n" in one write, at the start of the file. */
static int
spawn_write_pid(int fd)
{
	char num[DECIMAL_LEN + 1], *p;
	size_t len;
	ssize_t n;

	p = decimal(num, (long)getpid());
	len = (size_t)(&num[DECIMAL_LEN - 1] - p);
	p[len++] = '\n';
	if ((n = pwrite(fd, p, len, 0)) == (ssize_t)len)
		return 0;
	if (n != -1)
		errno = ENOSPC;
	return -1;
}

/* Steps 5 to 8: the descriptors the program starts with. */
static int
spawn_descriptors(const struct spawn *sp, struct failure *f)
{
	struct keep keep = { sp->keep, sp->nkeep, sp->inherit, sp->ninherit };
	size_t i;
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (dup2(sp->stdio[fd], fd) == -1)
			return spawn_fail(f, STEP_STDIO, errno, fd);
	/* A move onto its own number only has to survive the exec. */
	for (i = 0; i < sp->nmoves; i++)
		if ((sp->moves[i].from == sp->moves[i].to ?
		    fcntl(sp->moves[i].to, F_SETFD, 0) :
		    dup2(sp->moves[i].from, sp->moves[i].to)) == -1)
			return spawn_fail(f, STEP_NOTIFY_FD, errno, 0);
	if (fds_close_except(&keep) == -1)
		return spawn_fail(f, STEP_CLOSE, errno, 0);
	for (i = 0; i < sp->ninherit; i++)
		if (fcntl(sp->inherit[i], F_SETFD, 0) == -1)
			return spawn_fail(f, STEP_KEEP_FD, errno, (int)i);
	return 0;
}

/* Step 10. */
static int
spawn_limits(const struct spawn *sp, struct failure *f)
{
	struct rlimit rl;
	size_t i;

	for (i = 0; i < sp->nlimits; i++) {
		rl.rlim_cur = sp->limits[i].soft;
		rl.rlim_max = sp->limits[i].hard;
		if (setrlimit(sp->limits[i].resource, &rl) == -1)
			return spawn_fail(f, STEP_LIMIT, errno, (int)i);
	}
	if (sp->nice_set && setpriority(PRIO_PROCESS, 0, sp->nice) == -1)
		return spawn_fail(f, STEP_NICE, errno, 0);
	return 0;
}

/* Errors after which execvp(3) tries the next directory (glibc's list). */
static bool
spawn_passes_over(int err)
{
	return err == EACCES || err == ENOENT || err == ENOTDIR ||
	    err == ESTALE || err == ENODEV || err == ETIMEDOUT;
}

/*
 * Step 12: each candidate in turn.  As execvp(3): a path that does not
 * exist, or that this user may not search, passes on to the next one; the
 * answer is EACCES if any was found but refused, ENOENT otherwise.  A
 * file that exists but whose exec says ENOENT has a missing #!
 * interpreter: that is the answer at once, as is any other error.
 */
static void
spawn_program(const struct spawn *sp, struct failure *f)
{
	int err, denied = -1;
	size_t i;

	for (i = 0; i < sp->npaths; i++) {
		(void)execve(sp->paths[i], sp->argv, sp->envp);
		err = errno;
		if (err == ENOENT && access(sp->paths[i], F_OK) == 0)
			break;
		if (err == EACCES && denied == -1)
			denied = (int)i;
		else if (!spawn_passes_over(err))
			break;
	}
	if (i < sp->npaths)
		*f = (struct failure){ STEP_EXEC, err, STATUS_NOEXEC, (int)i };
	else if (denied != -1)
		*f = (struct failure){ STEP_EXEC, EACCES, STATUS_NOEXEC, denied };
	else
		*f = (struct failure){ STEP_EXEC, ENOENT, STATUS_NOTFOUND, -1 };
}

/* Run the plan; returns only if it failed, with *f saying where. */
void
spawn_exec(const struct spawn *sp, struct failure *f)
{
	struct failure started = { STEP_STARTED, 0, 0, -1 };

	if (sp->announce != -1) {
		started.arg = (int)getpid();
		if (write(sp->announce, &started, sizeof started) !=
		    (ssize_t)sizeof started) {
			(void)spawn_fail(f, STEP_REPORT, errno, 0);
			return;
		}
	}
	if (sp->own_group && setpgid(0, 0) == -1) {
		(void)spawn_fail(f, STEP_GROUP, errno, 0);
		return;
	}
	if (settings_apply(sp->set, f) == -1)
		return;
	if (sp->chroot != NULL && (chroot(sp->chroot) == -1 ||
	    chdir("/") == -1)) {
		(void)spawn_fail(f, STEP_CHROOT, errno, 0);
		return;
	}
	if (chdir(sp->chdir) == -1) {
		(void)spawn_fail(f, STEP_CHDIR, errno, 0);
		return;
	}
	if (sp->pidfile != -1 && spawn_write_pid(sp->pidfile) == -1) {
		(void)spawn_fail(f, STEP_PIDFILE, errno, 0);
		return;
	}
	if (spawn_descriptors(sp, f) == -1)
		return;
	if (signals_reset() == -1) {
		(void)spawn_fail(f, STEP_SIGNALS, errno, 0);
		return;
	}
	if (spawn_limits(sp, f) == -1)
		return;
	if (caps_keep(sp->set->caps) == -1) {
		(void)spawn_fail(f, STEP_CAPS, errno, 0);
		return;
	}
	if (sp->user != NULL && privs_drop(sp->user) == -1) {
		(void)spawn_fail(f, STEP_PRIVS, errno, 0);
		return;
	}
	if (caps_raise(sp->set->caps) == -1) {
		(void)spawn_fail(f, STEP_CAPS, errno, 0);
		return;
	}
	if (settings_secure(sp->set, f) == -1)
		return;
	coverage_flush();
	spawn_program(sp, f);
}
