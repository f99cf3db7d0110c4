/*
 * --limit RESOURCE=VALUE: resource limits of the daemon, parsed here and
 * set by spawn.c just before exec, after daemonize has written its files
 * (an fsize or nofile limit must not stop daemonize itself).
 */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemonize.h"

/* The RLIMIT names, lower case without the prefix, as ulimit(1) users know. */
static const struct {
	const char *name;
	int resource;
} limits_names[] = {
	{ "as",		RLIMIT_AS },
	{ "core",	RLIMIT_CORE },
	{ "cpu",	RLIMIT_CPU },
	{ "data",	RLIMIT_DATA },
	{ "fsize",	RLIMIT_FSIZE },
	{ "memlock",	RLIMIT_MEMLOCK },
	{ "nofile",	RLIMIT_NOFILE },
	{ "nproc",	RLIMIT_NPROC },
	{ "rss",	RLIMIT_RSS },
	{ "stack",	RLIMIT_STACK },
};

static int
limits_resource(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof limits_names / sizeof limits_names[0]; i++)
		if (strlen(limits_names[i].name) == len &&
		    strncmp(limits_names[i].name, name, len) == 0)
			return limits_names[i].resource;
	return -1;
}

/* A value: decimal digits, or "unlimited"; *end is where it stopped. */
static int
limits_value(const char *s, rlim_t *v, const char **end)
{
	unsigned long long n;
	char *e;

	if (strncmp(s, "unlimited", 9) == 0) {
		*v = RLIM_INFINITY;
		*end = s + 9;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &e, 10);
	if (errno != 0 || (rlim_t)n != n || (rlim_t)n == RLIM_INFINITY)
		return -1;
	*v = (rlim_t)n;
	*end = e;
	return 0;
}

/* Parse RESOURCE=VALUE or RESOURCE=SOFT:HARD; -1 if malformed. */
int
limits_parse(const char *spec, struct limit *l)
{
	const char *eq = strchr(spec, '='), *end;

	if (eq == NULL ||
	    (l->resource = limits_resource(spec, (size_t)(eq - spec))) == -1 ||
	    limits_value(eq + 1, &l->soft, &end) == -1)
		return -1;
	l->spec = spec;
	l->hard = l->soft;
	if (*end == ':' && limits_value(end + 1, &l->hard, &end) == -1)
		return -1;
	if (*end != '\0')
		return -1;
	/* RLIM_INFINITY is the largest value, so this orders it too. */
	return l->soft > l->hard ? -1 : 0;
}
