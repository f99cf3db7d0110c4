/*
 * The restart policy: after a child's tree is gone, start it again (after
 * a delay that doubles while it keeps dying young), or end, when the
 * supervisor is stopping, the program ended cleanly under --restart
 * on-failure, or it restarted --max-restarts times within
 * --restart-window.
 *
 * The accounting (restarts_*): the window is cut into at most
 * RESTARTS_SLOTS slots of equal length, each counting the restarts that
 * fell in it, and the count is kept of the slots the window covers: a
 * restart is counted for as long as its slot lies within the window, to
 * within one slot (1/1024 of the window; exact to the millisecond up to
 * a window of 1.024 s).  So the memory is fixed, whatever --max-restarts
 * says and however many restarts there have been, and each restart costs
 * the same, however many came before: a ring of every restart time would
 * grow with them, and a scan of it with each exit.
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

/* The child is gone (or never came): restart it later, or give up. */
enum state
supervise_schedule(struct supervisor *s)
{
	char num[DECIMAL_LEN], window[DECIMAL_LEN];
	long now = clock_ms(), delay, cap;

	s->child = -1;
	/* No child now: the pidfile names none rather than a dead one. */
	if (s->l->child.wfd != -1)
		(void)!ftruncate(s->l->child.wfd, 0);
	if (now - s->started >= SUPERVISE_YOUNG_MS)
		s->delay = s->set->restart_delay_ms;
	if (restarts_too_many(&s->restarts, now)) {
		logpipe_say(s->log, LOG_ERR, s->set->program, " restarted ",
		    decimal(num, s->set->max_restarts), " times within ",
		    decimal_duration(window, s->set->restart_window_ms),
		    " s; giving up", (char *)NULL);
		s->exit_status = STATUS_RUNNING;
		return DONE;
	}
	delay = s->delay;
	/* The cap never undercuts the delay asked for. */
	cap = s->set->restart_delay_ms > SUPERVISE_MAX_DELAY_MS ?
	    s->set->restart_delay_ms : SUPERVISE_MAX_DELAY_MS;
	s->delay = delay * 2 > cap ? cap : delay * 2;
	logpipe_say(s->log, LOG_NOTICE, "restarting ", s->set->program, " in ",
	    decimal_seconds(num, delay), " s", (char *)NULL);
	s->timer = now + delay;
	return WAITING;
}

/* The last child's exit status as a shell gives it: 128 + N for signal N. */
void
supervise_note_status(struct supervisor *s)
{
	if (s->failed)
		return;
	s->child_status = WIFEXITED(s->status) ? WEXITSTATUS(s->status) :
	    128 + WTERMSIG(s->status);
}

/*
 * --restart on-failure: did the last child end cleanly?  Exit status 0 or
 * a signal systemd counts as clean (HUP, INT, TERM, PIPE), and those of
 * --success-exit-status.  A start that failed never is.
 */
static bool
supervise_clean_exit(const struct supervisor *s)
{
	int code, sig;

	if (s->failed)
		return false;
	if (WIFEXITED(s->status)) {
		code = WEXITSTATUS(s->status);
		return (s->set->success_exit[code / 8] & (1U << (code % 8))) != 0;
	}
	sig = WTERMSIG(s->status);
	return sig >= 1 && sig <= 64 &&
	    (s->set->success_sig & 1ULL << (sig - 1)) != 0;
}

/* The tree is gone: restart, or end (stopping, or --init without -r). */
enum state
supervise_after(struct supervisor *s)
{
	s->timer = -1;
	if (!s->set->respawn) {
		/*
		 * --init gives the child's status as tini does; a relay to a
		 * manager that asked for the stop tells it the stop worked.
		 */
		s->exit_status = s->stopping && !s->set->init ? STATUS_OK :
		    s->child_status;
		return DONE;
	}
	if (s->stopping)
		return DONE;
	if (s->set->restart == RESTART_ON_FAILURE && supervise_clean_exit(s)) {
		logpipe_say(s->log, LOG_NOTICE, s->set->program, " ended "
		    "cleanly; not restarting it (--restart on-failure)",
		    (char *)NULL);
		s->exit_status = STATUS_OK;
		return DONE;
	}
	return supervise_schedule(s);
}

/* Set up for max restarts (-1: no limit) within window_ms. */
void
restarts_init(struct restarts *rs, int max, long window_ms)
{
	rs->max = max;
	rs->slot_ms = (window_ms + RESTARTS_SLOTS - 1) / RESTARTS_SLOTS;
	if (rs->slot_ms < 1)
		rs->slot_ms = 1;
	rs->nslots = (window_ms + rs->slot_ms - 1) / rs->slot_ms;
	rs->last = 0;
	rs->total = 0;
}

/* Forget the slots that have left the window by slot now. */
static void
restarts_advance(struct restarts *rs, long now)
{
	long i;

	if (now - rs->last >= rs->nslots) {
		for (i = 0; i < rs->nslots; i++)
			rs->count[i] = 0;
		rs->total = 0;
	} else {
		for (i = rs->last + 1; i <= now; i++) {
			rs->total -= rs->count[i % rs->nslots];
			rs->count[i % rs->nslots] = 0;
		}
	}
	rs->last = now;
}

/*
 * A restart is due at now_ms: true if max of them fell within the window
 * already (give up), else it is counted and false.
 */
bool
restarts_too_many(struct restarts *rs, long now_ms)
{
	long now = now_ms / rs->slot_ms;

	if (rs->max < 0)
		return false;
	if (rs->nslots == 0)
		return rs->max == 0;
	restarts_advance(rs, now);
	if (rs->total >= (unsigned long)rs->max)
		return true;
	rs->count[now % rs->nslots]++;
	rs->total++;
	return false;
}
