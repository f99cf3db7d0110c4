/*
 * The log benchmark's writer: N lines of exactly 80 bytes on standard
 * output, as fast as it can, then its own CPU time in REPORT.
 *
 * Line K (from 0) is its counter, zero-padded to 12 digits, a space, 66
 * bytes of filler and a newline.  The filler is the alphabet repeated from
 * letter K mod 26, so that it differs from one line to the next: a line
 * made of the start of one line and the end of another does not pass
 * bench/linecheck.
 *
 * The lines go out in writes of exactly 64 KiB, which is not a multiple of
 * 80: most writes end inside a line, as a busy program's do, and a logger
 * has to join the pieces.
 *
 * REPORT gets one line, "USER_US SYS_US KIND": the CPU time this process
 * used, in microseconds, read once the last write has returned, so that
 * bench/logs.sh can take the writer's share out of the time it measures
 * for the writer and the logger together; and what standard output was
 * (pipe, file, other), so that it can tell that every logger really read
 * the lines through a pipe.  A path, not a descriptor: a supervisor may
 * close every descriptor above 2 before it starts the writer.
 *
 * usage: linegen N REPORT
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_LEN	80		/* with the newline */
#define DIGITS		12		/* the counter */
#define FILLER		(LINE_LEN - DIGITS - 2)
#define CHUNK		65536		/* bytes per write() */

static const char *progname = "linegen";

static void
fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", progname, what, strerror(errno));
	exit(1);
}

/* All of LEN bytes, however many write() calls it takes. */
static void
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fail("write");
		}
		p += n;
		len -= (size_t)n;
	}
}

/* The counter, kept as text: one carry per line instead of a printf. */
static void
counter_increment(char *digits)
{
	int i;

	for (i = DIGITS - 1; i >= 0; i--) {
		if (digits[i] != '9') {
			digits[i]++;
			return;
		}
		digits[i] = '0';
	}
}

/* N from the command line: digits only, and no more than fit the counter. */
static int
parse_count(const char *s, unsigned long long *n)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *n >= 1000000000000ULL)
		return -1;
	return 0;
}

static const char *
fd_kind(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		fail("fstat standard output");
	if (S_ISFIFO(st.st_mode))
		return "pipe";
	if (S_ISREG(st.st_mode))
		return "file";
	return "other";
}

static void
report(const char *path, const char *kind)
{
	struct rusage ru;
	char text[128];
	int fd, len;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		fail("getrusage");
	len = snprintf(text, sizeof text, "%lld %lld %s\n",
	    (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
	    (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
	    kind);
	if (len < 0 || (size_t)len >= sizeof text) {
		fprintf(stderr, "%s: report too long\n", progname);
		exit(1);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		fail(path);
	write_all(fd, text, (size_t)len);
	if (close(fd) == -1)
		fail(path);
}

int
main(int argc, char **argv)
{
	/* Room for a full chunk and the line that overflows it. */
	static char buf[CHUNK + LINE_LEN];
	char alphabet[26 + FILLER];
	char digits[DIGITS];
	unsigned long long n, k;
	const char *kind;
	size_t len = 0;
	unsigned shift = 0;
	int i;

	if (argc != 3 || parse_count(argv[1], &n) == -1) {
		fprintf(stderr, "usage: %s N REPORT\n", progname);
		return 2;
	}
	kind = fd_kind(STDOUT_FILENO);
	for (i = 0; i < (int)sizeof alphabet; i++)
		alphabet[i] = (char)('a' + i % 26);
	memset(digits, '0', sizeof digits);
	for (k = 0; k < n; k++) {
		memcpy(buf + len, digits, DIGITS);
		buf[len + DIGITS] = ' ';
		memcpy(buf + len + DIGITS + 1, alphabet + shift, FILLER);
		buf[len + LINE_LEN - 1] = '\n';
		len += LINE_LEN;
		counter_increment(digits);
		if (++shift == 26)
			shift = 0;
		if (len >= CHUNK) {
			write_all(STDOUT_FILENO, buf, CHUNK);
			len -= CHUNK;
			memmove(buf, buf + CHUNK, len);
		}
	}
	write_all(STDOUT_FILENO, buf, len);
	report(argv[2], kind);
	/* The end of the stream is what tells the logger it is done. */
	if (close(STDOUT_FILENO) == -1)
		fail("close standard output");
	return 0;
}
