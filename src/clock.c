/*
 * Milliseconds on the monotonic clock, for the deadlines of --wait,
 * --respawn and --stop: wall-clock changes must not stretch or cut them.
 */
#include "config.h"

#include <time.h>

#include "daemonize.h"

long
clock_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
