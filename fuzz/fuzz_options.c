/*
 * libFuzzer harness for the command line: the option parser as a whole
 * (input bytes split on NUL into words, after "daemonize") and each value
 * parser on the raw input.  Built and run by `make fuzz`.
 *
 * Usage errors in the parser end in die(), which exits; here die() jumps
 * back to the harness instead, so every input runs to the end and all it
 * allocated is freed (LeakSanitizer watches).
 */
#include "config.h"

#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemonize.h"
#include "options.h"

#define FUZZ_MAX_WORDS	32

static jmp_buf fuzz_jump;

/* Format the message as the real one would, then unwind. */
static void
fuzz_format(const char *fmt, va_list ap)
{
	char buf[1024];

	(void)vsnprintf(buf, sizeof buf, fmt, ap);
}

__dead void
die(int status, const char *fmt, ...)
{
	va_list ap;

	(void)status;
	va_start(ap, fmt);
	fuzz_format(fmt, ap);
	va_end(ap);
	longjmp(fuzz_jump, 1);
}

__dead void
die_errno(int status, int err, const char *fmt, ...)
{
	va_list ap;

	(void)status;
	(void)err;
	va_start(ap, fmt);
	fuzz_format(fmt, ap);
	va_end(ap);
	longjmp(fuzz_jump, 1);
}

void
warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	(void)err;
	va_start(ap, fmt);
	fuzz_format(fmt, ap);
	va_end(ap);
}

void
verbose(bool on, const char *fmt, ...)
{
	(void)on;
	(void)fmt;
}

/* Split data into at most FUZZ_MAX_WORDS NUL-terminated words. */
static int
fuzz_words(const uint8_t *data, size_t size, char *buf, char **argv)
{
	size_t i, start = 0;
	int argc = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"daemonize";
	for (i = 0; i <= size && argc < FUZZ_MAX_WORDS; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	return argc;
}

static void
fuzz_parser(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_WORDS + 1], *buf;
	struct options o;
	int argc;

	if ((buf = malloc(size + 1)) == NULL)
		return;
	argc = fuzz_words(data, size, buf, argv);
	memset(&o, 0, sizeof o);
	optind = 0;
	if (setjmp(fuzz_jump) == 0)
		options_parse(&o, argc, argv);
	options_free(&o);
	free(buf);
}

static void
fuzz_values(const uint8_t *data, size_t size)
{
	struct waitfor w;
	struct limit l;
	struct user *u = NULL;
	mode_t mode;
	off_t bytes;
	cpu_set_t cpus;
	uint64_t caps = 0, sigs = 0;
	uint8_t exits[32] = { 0 };
	const char *bad, *why;
	int a, b;
	long ms;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)options_parse_umask(s, &mode);
	(void)options_parse_duration(s, &ms);
	(void)options_parse_size(s, &bytes);
	(void)settings_parse_ionice(s, &a);
	(void)settings_parse_sched(s, &a, &b);
	(void)settings_parse_cpus(s, &cpus);
	(void)settings_parse_statuses(s, exits, &sigs);
	(void)caps_parse(s, &caps, &bad, &why);
	(void)limits_parse(s, &l);
	(void)signals_number(s);
	(void)logpipe_facility(s);
	(void)options_parse_waitfor(s, &w);
	free(w.host);
	free(w.port);
	/* user[:group] goes through the name service: keep it short. */
	if (size < 40 && privs_lookup(s, NULL, &u) == 0)
		privs_free(u);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parser(data, size);
	fuzz_values(data, size);
	return 0;
}
