/*
 * Messages to the caller: one line each, "daemonize: WHAT: REASON".
 *
 * Each message is formatted first and written with a single write(2), so
 * lines from concurrent instances never interleave.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

static void
error_vwrite(int err, const char *fmt, va_list ap)
{
	char line[1024];
	size_t len;
	int n;

	len = (size_t)snprintf(line, sizeof line, "%s: ", PACKAGE_NAME);
	n = vsnprintf(line + len, sizeof line - len, fmt, ap);
	if (n > 0)
		len += (size_t)n;
	if (len > sizeof line - 1)
		len = sizeof line - 1;
	if (err != 0) {
		n = snprintf(line + len, sizeof line - len, ": %s",
		    strerror(err));
		if (n > 0)
			len += (size_t)n;
		if (len > sizeof line - 1)
			len = sizeof line - 1;
	}
	line[len++] = '\n';
	/* Nothing useful can be done if stderr itself fails. */
	(void)!write(STDERR_FILENO, line, len);
}

__dead void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vwrite(0, fmt, ap);
	va_end(ap);
	exit(status);
}

__dead void
die_errno(int status, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vwrite(err, fmt, ap);
	va_end(ap);
	exit(status);
}

/* Print a message, with the reason for err appended when it is not 0. */
void
warn_errno(int err, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	error_vwrite(err, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* Narrate a step on stderr when -v was given. */
void
verbose(const struct options *o, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (!o->verbose)
		return;
	va_start(ap, fmt);
	error_vwrite(0, fmt, ap);
	va_end(ap);
	errno = saved;
}
