/*
 * --cap without libcap (or without Linux's capabilities): no name can be
 * read, so the option is refused on the command line.
 */
#include "config.h"

#include <errno.h>

#include "daemonize.h"

int
caps_parse(const char *list, uint64_t *mask, const char **bad,
    const char **why)
{
	(void)list;
	*mask = 0;
	*bad = NULL;
	*why = NULL;
	return -1;
}

int
caps_keep(uint64_t mask)
{
	if (mask == 0)
		return 0;
	errno = ENOSYS;
	return -1;
}

int
caps_raise(uint64_t mask)
{
	return caps_keep(mask);
}
