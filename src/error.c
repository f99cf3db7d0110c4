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

/*
 * A WHAT too long for the line is cut, and ends in "...", so that the
 * REASON after it is never lost.
 */
static void
error_vwrite(int err, const char *fmt, va_list ap)
{
	char line[1024], reason[256] = "";
	size_t len, rlen = 0, room;
	int n;

	if (err != 0 && (n = snprintf(reason, sizeof reason, ": %s",
	    strerror(err))) > 0)
		rlen = (size_t)n < sizeof reason ? (size_t)n : sizeof reason - 1;
	/* What WHAT may fill: all but the reason and the newline. */
	room = sizeof line - 1 - rlen;
	len = (size_t)snprintf(line, room, "%s: ", PACKAGE_NAME);
	n = vsnprintf(line + len, room - len, fmt, ap);
	if (n > 0 && (size_t)n >= room - len) {
		len = room - 1;
		memcpy(line + len - 3, "...", 3);
	} else if (n > 0)
		len += (size_t)n;
	memcpy(line + len, reason, rlen);
	len += rlen;
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

/* Narrate a step on stderr when on (-v was given). */
void
verbose(bool on, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (!on)
		return;
	va_start(ap, fmt);
	error_vwrite(0, fmt, ap);
	va_end(ap);
	errno = saved;
}
