/*
 * Capability names, from libcap linked in: the static build, where there
 * is no loading to save.  See capname-dlopen.c for the dynamic one.
 */
#include "config.h"

#include <sys/capability.h>

#include "daemonize.h"

/* The number of capability name, or -1 if libcap knows none by it. */
int
capname_value(const char *name, int *value, const char **why)
{
	cap_value_t cap;

	*why = NULL;
	if (cap_from_name(name, &cap) != 0)
		return -1;
	*value = (int)cap;
	return 0;
}
