/*
 * The log benchmark's checker: did every one of bench/linegen's N lines
 * arrive once, whole, and in order?
 *
 * The FILEs are read as one stream, in the order given (oldest first: the
 * rotated files, then the live one).  Every line must be a prefix shaped
 * like TEMPLATE (the logger's timestamp; empty by default) followed by
 * linegen's 79 bytes and a newline, and the counters must run from 0 to
 * N - 1, each once, in order.  A file must end with a newline: a line
 * split over two files was not written whole.
 *
 * In TEMPLATE, '9' stands for a decimal digit, 'x' for a lowercase hex
 * digit, and any other byte for itself; for instance
 *
 *   "9999-99-99T99:99:99.999Z "      daemonize --timestamp (utc)
 *   "@xxxxxxxxxxxxxxxxxxxxxxxx "     TAI64N: s6-log t, multilog t
 *   "9999-99-99_99:99:99.99999 "     svlogd -tt
 *
 * With -x OWN, a whole line that starts with OWN, after a prefix shaped
 * like TEMPLATE or without one, is the logger's own message (daemonize
 * says in its log that the program exited): it is skipped, and counted.
 * linegen's lines start with digits, so OWN never hides one of them.
 *
 * The first fault ends the check, with a message naming the file and line
 * and what was wrong (lines missing, a line again, a line cut or joined, a
 * wrong prefix), and exit status 1; 2 is for usage and I/O errors.  On
 * success one line on standard output says what was checked.
 *
 * usage: linecheck [-p TEMPLATE] [-x OWN] N FILE...
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAYLOAD		79		/* linegen's line without the newline */
#define DIGITS		12
#define FILLER		(PAYLOAD - DIGITS - 1)
#define MAX_PREFIX	64
#define BUF_SIZE	(1 << 20)

static const char *progname = "linecheck";

struct check {
	const char *template;
	const char *own;		/* the logger's own lines; NULL if none */
	size_t prefix_len;
	size_t own_len;
	unsigned long long own_lines;	/* how many were skipped */
	size_t line_len;		/* prefix, payload and newline */
	unsigned long long n;		/* lines expected in all */
	unsigned long long next;	/* the counter the next line must carry */
	char alphabet[26 + FILLER];
	/* Where we are, for the messages. */
	const char *path;
	unsigned long long lineno;
};

static void
io_error(const char *what, const char *path)
{
	fprintf(stderr, "%s: %s: %s: %s\n", progname, path, what,
	    strerror(errno));
	exit(2);
}

/* What is wrong, where; the first fault ends the check. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3), noreturn))
#endif
static void
fault(const struct check *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:%llu: ", progname, c->path, c->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int
template_matches(const char *template, const char *p, size_t len)
{
	size_t i;
	char t;

	for (i = 0; i < len; i++) {
		t = template[i];
		if (t == '9') {
			if (p[i] < '0' || p[i] > '9')
				return 0;
		} else if (t == 'x') {
			if (!((p[i] >= '0' && p[i] <= '9') ||
			    (p[i] >= 'a' && p[i] <= 'f')))
				return 0;
		} else if (p[i] != t) {
			return 0;
		}
	}
	return 1;
}

/* Is this line (newline included) one of the logger's own messages? */
static int
is_own(const struct check *c, const char *line, size_t len)
{
	if (c->own == NULL)
		return 0;
	if (len > c->own_len && memcmp(line, c->own, c->own_len) == 0)
		return 1;
	return len > c->prefix_len + c->own_len &&
	    template_matches(c->template, line, c->prefix_len) &&
	    memcmp(line + c->prefix_len, c->own, c->own_len) == 0;
}

/* The counter at the start of a payload; -1 if it is not 12 digits. */
static int
parse_counter(const char *p, unsigned long long *k)
{
	int i;

	*k = 0;
	for (i = 0; i < DIGITS; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*k = *k * 10 + (unsigned long long)(p[i] - '0');
	}
	return 0;
}

/* One line, newline included. */
static void
check_line(struct check *c, const char *line, size_t len)
{
	const char *payload = line + c->prefix_len;
	unsigned long long k;

	c->lineno++;
	if (is_own(c, line, len)) {
		c->own_lines++;
		return;
	}
	if (len != c->line_len)
		fault(c, "a line of %zu bytes where %zu were due: cut, or "
		    "joined with another", len, c->line_len);
	if (!template_matches(c->template, line, c->prefix_len))
		fault(c, "the prefix does not match the template \"%s\"",
		    c->template);
	if (parse_counter(payload, &k) == -1 || payload[DIGITS] != ' ')
		fault(c, "no line counter where it belongs (line cut or "
		    "joined)");
	if (k == c->next + 1)
		fault(c, "line %llu is missing", c->next);
	if (k > c->next)
		fault(c, "lines %llu to %llu are missing", c->next, k - 1);
	if (k < c->next)
		fault(c, "line %llu again (expected %llu): doubled or out of "
		    "order", k, c->next);
	if (k >= c->n)
		fault(c, "line %llu is beyond the %llu expected", k, c->n);
	if (memcmp(payload + DIGITS + 1, c->alphabet + k % 26, FILLER) != 0)
		fault(c, "line %llu is damaged: its filler is not its own "
		    "(cut and joined with another?)", k);
	c->next++;
}

/*
 * One file, through a buffer that always holds the start of the current
 * line: a line longer than the longest allowed is reported as such.
 */
static void
check_file(struct check *c, const char *path, char *buf)
{
	size_t have = 0, start, i;
	ssize_t n;
	char *nl;
	int fd;

	c->path = path;
	c->lineno = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		io_error("open", path);
	for (;;) {
		n = read(fd, buf + have, BUF_SIZE - have);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			io_error("read", path);
		}
		if (n == 0)
			break;
		have += (size_t)n;
		start = 0;
		while ((nl = memchr(buf + start, '\n', have - start)) != NULL) {
			i = (size_t)(nl - buf) + 1;
			check_line(c, buf + start, i - start);
			start = i;
		}
		if (have - start > c->line_len) {
			c->lineno++;
			fault(c, "a line longer than %zu bytes: lines joined",
			    c->line_len);
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (close(fd) == -1)
		io_error("close", path);
	if (have > 0) {
		c->lineno++;
		fault(c, "the file ends inside a line (%zu bytes with no "
		    "newline): cut", have);
	}
}

static int
parse_count(const char *s, unsigned long long *n)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*n = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-p TEMPLATE] [-x OWN] N FILE...\n",
	    progname);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct check c;
	char *buf;
	int opt, i;

	memset(&c, 0, sizeof c);
	c.template = "";
	while ((opt = getopt(argc, argv, "p:x:")) != -1) {
		if (opt == 'p')
			c.template = optarg;
		else if (opt == 'x' && *optarg != '\0')
			c.own = optarg;
		else
			usage();
	}
	if (argc - optind < 2 || parse_count(argv[optind], &c.n) == -1)
		usage();
	c.prefix_len = strlen(c.template);
	c.own_len = c.own != NULL ? strlen(c.own) : 0;
	if (c.prefix_len > MAX_PREFIX) {
		fprintf(stderr, "%s: a template of at most %d bytes\n",
		    progname, MAX_PREFIX);
		return 2;
	}
	c.line_len = c.prefix_len + PAYLOAD + 1;
	for (i = 0; i < (int)sizeof c.alphabet; i++)
		c.alphabet[i] = (char)('a' + i % 26);
	if ((buf = malloc(BUF_SIZE)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 2;
	}
	for (i = optind + 1; i < argc; i++)
		check_file(&c, argv[i], buf);
	free(buf);
	if (c.next != c.n) {
		c.lineno++;
		fault(&c, "the stream ends after %llu lines of %llu: the rest "
		    "is missing", c.next, c.n);
	}
	printf("%llu lines, each once, whole and in order, in %d file%s",
	    c.n, argc - optind - 1, argc - optind - 1 == 1 ? "" : "s");
	if (c.own != NULL)
		printf("; %llu of the logger's own", c.own_lines);
	putchar('\n');
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: standard output: %s\n", progname,
		    strerror(errno));
		return 2;
	}
	return 0;
}
