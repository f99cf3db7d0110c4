/*
 * Coverage builds (--enable-coverage): gcov writes its counts at exit(3),
 * but the daemon's side ends in execve(2) or _exit(2), which skip that;
 * dump them first so the test suite's coverage includes those steps.
 */
#include "config.h"

#include "daemonize.h"

void	__gcov_dump(void);

void
coverage_flush(void)
{
	__gcov_dump();
}
