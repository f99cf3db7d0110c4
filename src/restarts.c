/*
 * --max-restarts: how many restarts fell within the last --restart-window.
 *
 * The window is cut into at most RESTARTS_SLOTS slots of equal length,
 * each counting the restarts that fell in it, and the count is kept of
 * the slots the window covers: a restart is counted for as long as its
 * slot lies within the window, to within one slot (1/1024 of the window;
 * exact to the millisecond up to a window of 1.024 s).  So the memory is
 * fixed, whatever --max-restarts says and however many restarts there
 * have been, and each restart costs the same, however many came before:
 * a ring of every restart time would grow with them, and a scan of it
 * with each exit.
 */
#include "config.h"

#include "daemonize.h"

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
