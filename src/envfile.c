/*
 * --env-file FILE: NAME=VALUE lines, as systemd's EnvironmentFile= reads
 * them, applied in order with -E.  Read by the caller, before any
 * privilege changes, so a file only root may read can hold secrets.
 *
 *   # a comment, on a line of its own; blank lines are skipped
 *   NAME=value           the rest of the line, less trailing blanks
 *   NAME = 'value'       single quotes: every character as it is
 *   NAME="a \"b\""       double quotes: a backslash keeps the next one
 *
 * A malformed line is a usage error (status 2) naming FILE:LINE, found
 * before anything is created; a file that cannot be read, status 125.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

/* More than any environment needs; a larger file is surely a mistake. */
#define ENVFILE_MAX	(1024 * 1024)

static bool
envfile_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
envfile_name_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (!first && c >= '0' && c <= '9');
}

/*
 * The value starting at p, unquoted in place; returns its end, or NULL
 * with *why set if the line is malformed.
 */
static char *
envfile_value(char *p, const char **why)
{
	char *out = p, *end, q = *p;

	if (q != '\'' && q != '"') {
		end = p + strlen(p);
		while (end > p && envfile_blank(end[-1]))
			end--;
		*end = '\0';
		return end;
	}
	for (p++; *p != q; p++) {
		if (*p == '\0') {
			*why = "no closing quote";
			return NULL;
		}
		if (q == '"' && *p == '\\' && p[1] != '\0')
			p++;
		*out++ = *p;
	}
	for (end = p + 1; envfile_blank(*end); end++)
		;
	if (*end != '\0') {
		*why = "text after the closing quote";
		return NULL;
	}
	*out = '\0';
	return out;
}

/* One line: set its variable; -1 with *why if it is malformed. */
static int
envfile_line(char *line, const char **why)
{
	char *name, *p, *value;

	for (p = line; envfile_blank(*p); p++)
		;
	if (*p == '\0' || *p == '#')
		return 0;
	name = p;
	if (!envfile_name_char(*p, true)) {
		*why = "expected NAME=VALUE";
		return -1;
	}
	while (envfile_name_char(*p, false))
		p++;
	value = p;
	while (envfile_blank(*p))
		p++;
	if (*p != '=') {
		*why = "expected NAME=VALUE";
		return -1;
	}
	*value = '\0';
	for (p++; envfile_blank(*p); p++)
		;
	if (envfile_value(p, why) == NULL)
		return -1;
	if (setenv(name, p, 1) == -1)
		die_errno(STATUS_FAILED, errno, "environment");
	return 0;
}

/* Make room for more than len bytes in buf, up to ENVFILE_MAX + 1. */
static char *
envfile_grow(char *buf, size_t *size)
{
	size_t want = *size * 2;
	char *more;

	if (want > ENVFILE_MAX + 2)
		want = ENVFILE_MAX + 2;
	if ((more = realloc(buf, want)) == NULL) {
		free(buf);
		return NULL;
	}
	*size = want;
	return more;
}

/*
 * The whole file, NUL-terminated, in memory; NULL with errno on failure.
 * Read to its end, not to its size: a file of /proc says 0 and has more.
 */
static char *
envfile_read(int fd)
{
	struct stat sb;
	size_t len = 0, size = 4096;
	ssize_t n;
	char *buf;

	if (fstat(fd, &sb) == -1)
		return NULL;
	if (!S_ISREG(sb.st_mode)) {
		errno = ENOTSUP;
		return NULL;
	}
	if (sb.st_size >= (off_t)size && sb.st_size <= ENVFILE_MAX)
		size = (size_t)sb.st_size + 2;
	if ((buf = malloc(size)) == NULL)
		return NULL;
	for (;;) {
		if (len > ENVFILE_MAX) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (len + 1 == size && (buf = envfile_grow(buf, &size)) == NULL)
			return NULL;
		if ((n = read(fd, buf + len, size - 1 - len)) == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return NULL;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	return buf;
}

/*
 * Apply the file's lines in order.  A missing file is no error when
 * optional (--env-file -FILE).  Exits on any error, having said it.
 */
int
envfile_apply(const char *path, bool optional)
{
	const char *why = NULL;
	char *buf, *line, *next;
	unsigned long n = 0;
	int fd, err;

	/* Not blocking: a FIFO is refused, never waited on. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (optional && errno == ENOENT)
			return 0;
		die_errno(STATUS_FAILED, errno, "--env-file %s", path);
	}
	buf = envfile_read(fd);
	err = errno;
	(void)close(fd);
	if (buf == NULL && (err == EINVAL || err == ENOTSUP))
		die(STATUS_FAILED, "--env-file %s: %s", path, err == EINVAL ?
		    "holds a NUL byte" : "not a regular file");
	if (buf == NULL)
		die_errno(STATUS_FAILED, err, "--env-file %s", path);
	for (line = buf; line != NULL; line = next) {
		n++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (envfile_line(line, &why) == -1)
			die(STATUS_USAGE, "%s:%lu: %s", path, n, why);
	}
	free(buf);
	return 0;
}
