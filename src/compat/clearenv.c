/*
 * clearenv(3) for C libraries without it (it is a glibc and musl
 * extension): an empty environment is an environ with no entries.
 */
#include "config.h"

#include <stdlib.h>

#include "daemonize.h"

extern char **environ;

int
clearenv(void)
{
	static char *empty[1];

	environ = empty;
	return 0;
}
