/*
 * Capability names, from libcap loaded when --cap is given and not
 * before.  libcap serves --cap alone, and most starts have none: linked
 * in, it would be loaded, relocated and initialised (a handful of prctl
 * calls) by every start, and stay mapped in every supervisor.  The
 * static build links it in instead (capname-linked.c).
 */
#include "config.h"

#include <sys/capability.h>

#include <dlfcn.h>
#include <stddef.h>

#include "daemonize.h"

typedef int (*capname_fn)(const char *, cap_value_t *);

/* libcap's cap_from_name(3), loaded once; NULL with *why if it cannot be. */
static capname_fn
capname_load(const char **why)
{
	static capname_fn fn;
	void *lib, *sym = NULL;

	if (fn != NULL)
		return fn;
	/* POSIX has dlsym's object pointer convert to a function pointer. */
	if ((lib = dlopen(CAPNAME_LIBCAP, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (sym = dlsym(lib, "cap_from_name")) == NULL) {
		if ((*why = dlerror()) == NULL)
			*why = "cannot load " CAPNAME_LIBCAP;
		return NULL;
	}
	fn = (capname_fn)sym;
	return fn;
}

/*
 * The number of capability name, or -1: with *why NULL if libcap knows
 * no such name, else why libcap could not be loaded.
 */
int
capname_value(const char *name, int *value, const char **why)
{
	capname_fn fn;
	cap_value_t cap;

	*why = NULL;
	/* Anything but 0 is a failure, whatever the library answers. */
	if ((fn = capname_load(why)) == NULL || fn(name, &cap) != 0)
		return -1;
	*value = (int)cap;
	return 0;
}
