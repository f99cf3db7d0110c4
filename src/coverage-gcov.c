/*
 * Coverage builds (--enable-coverage): gcov writes its counts at exit(3),
 * but the daemon's side ends in execve(2) or _exit(2), which skip that;
 * dump them first so the test suite's coverage includes those steps.
 * Then start counting from zero: after a vfork the counters are the
 * caller's too, and must be neither lost nor written twice.
 */
#include "config.h"

#include "daemonize.h"

void	__gcov_dump(void);
void	__gcov_reset(void);

void
coverage_flush(void)
{
	__gcov_dump();
	__gcov_reset();
}
