/*
 * The child's whole tree: each child runs in a process group of its own
 * and the supervisor is a child subreaper, so what a child started comes
 * back to it when orphaned.  When a child exits, what is left of its
 * group, and every orphan that came to the supervisor, is ended (TERM,
 * then KILL after --stop-timeout) before the next child starts or the
 * supervisor exits (CLEANING).
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemonize.h"
#include "supervise.h"

static void
supervise_kill_one(pid_t pid, void *arg)
{
	const struct supervisor *s = arg;

	/* The group had it already. */
	if (getpgid(pid) != s->left)
		(void)kill(pid, s->sig);
}

/*
 * sig to what the last child left: its process group, and every other
 * child of ours (orphans that came to us as subreaper, whatever group
 * they are in).
 */
void
supervise_kill_tree(struct supervisor *s, int sig)
{
	struct procmatch m = { 0, getpid(), false, 0, 0, -1 };

	s->sig = sig;
	(void)kill(-s->left, sig);
	(void)procs_each(&m, supervise_kill_one, s);
}

/* Is anything of the last child's tree still there? */
bool
supervise_tree_lives(const struct supervisor *s)
{
	siginfo_t si;

	if (kill(-s->left, 0) == 0 || errno == EPERM)
		return true;
	/* Any child of ours at all (ECHILD when none). */
	si.si_pid = 0;
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/*
 * The child has exited: end what it left running, TERM first, KILL after
 * --stop-timeout (at once when a stop already had its time), then go on.
 */
enum state
supervise_clean(struct supervisor *s, bool stopping)
{
	char pidbuf[DECIMAL_LEN];

	supervise_note_status(s);
	s->left = s->child;
	s->child = -1;
	s->stopping = s->stopping || stopping;
	s->left_killed = false;
	if (!supervise_tree_lives(s))
		return supervise_after(s);
	logpipe_say(s->log, LOG_NOTICE, "ending what ", s->set->program,
	    " (pid ", decimal(pidbuf, (long)s->left), ") left running",
	    (char *)NULL);
	if (stopping && s->timer == -1) {
		supervise_kill_tree(s, SIGKILL);
		s->left_killed = true;
		s->timer = clock_ms() + SUPERVISE_KILL_WAIT_MS;
		return CLEANING;
	}
	supervise_kill_tree(s, SIGTERM);
	if (!stopping || s->timer == -1)
		s->timer = clock_ms() + s->set->stop_timeout_ms;
	return CLEANING;
}
