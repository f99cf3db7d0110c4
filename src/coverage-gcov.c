/*
 * Coverage builds (--enable-coverage): gcov writes its counts at exit(3),
 * but the daemon's side ends in execve(2) or _exit(2), which skip that;
 * dump them first so the test suite's coverage includes those steps.
 * Then start counting from zero: after a vfork the counters are the
 * caller's too, and must be neither lost nor written twice.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "daemonize.h"

void	__gcov_dump(void);
void	__gcov_reset(void);

/*
 * Under --limit fsize=0 the dump itself would raise SIGXFSZ and kill the
 * daemon before its exec: ignore it meanwhile (the counts are then lost).
 */
void
coverage_flush(void)
{
	struct sigaction ign, old;

	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	(void)sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGXFSZ, &ign, &old);
	__gcov_dump();
	__gcov_reset();
	(void)sigaction(SIGXFSZ, &old, NULL);
}
