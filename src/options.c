/*
 * The command line: the option table (optdefs[]), from which parsing,
 * --help and the checks between options are made; the value parsers;
 * usage and version.
 *
 * Parsing stops at the first word that is not an option, so the options of
 * the program ("daemonize sleep -1") are never taken for ours.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemonize.h"
#include "options.h"


/* Options with a long name only: keys past every short letter. */
enum {
	OPT_LONG_ONLY = 256,
	OPT_CHROOT = OPT_LONG_ONLY,
	OPT_CLEAR_ENV,
	OPT_GROUP,
	OPT_KEEP_FD,
	OPT_LIMIT,
	OPT_NICE,
	OPT_NOTIFY,
	OPT_NOTIFY_FD,
	OPT_WAIT,
	OPT_WAIT_FOR,
	OPT_CHILD_PIDFILE,
	OPT_MAX_RESTARTS,
	OPT_OUTPUT,
	OPT_OUTPUT_KEEP,
	OPT_OUTPUT_MAX_SIZE,
	OPT_RESTART_DELAY,
	OPT_RESTART_WINDOW,
	OPT_STOP_TIMEOUT,
	OPT_SYSLOG,
	OPT_SYSLOG_FACILITY,
	OPT_KILL,
	OPT_KILL_MODE,
	OPT_KILL_WHOM,
	OPT_INIT,
	OPT_SIGNAL,
	OPT_STATUS,
	OPT_STOP,
	OPT_TIMESTAMP,
	OPT_CAP,
	OPT_CPU_AFFINITY,
	OPT_ENV_FILE,
	OPT_IONICE,
	OPT_NO_NEW_PRIVS,
	OPT_OOM_SCORE_ADJ,
	OPT_RESTART,
	OPT_RUNTIME_DIR,
	OPT_SCHED,
	OPT_SUCCESS_EXIT_STATUS,
};

/* --wait without a value, and with only a readiness condition. */
#define OPTIONS_WAIT_DEFAULT	30000L

/*
 * What an option needs of the others, checked once all are read, one
 * kind after the other in this order (options_check_needs()).
 */
enum need {
	NEED_NONE,
	NEED_SUPERVISOR,	/* -r or --init */
	NEED_MAX_SIZE,		/* --output-max-size */
	NEED_NO_SYSLOG,		/* not --syslog */
	NEED_LOG_FILE,		/* -o, -e or --output */
	NEED_USER,		/* -u */
	NEED_ON_FAILURE,	/* --restart on-failure */
	NNEEDS
};

/* The most needs one option has. */
#define OPTDEF_NEEDS	3

/*
 * One row per option, the one place it is described: its names, whether
 * it takes a value, the bounds of a number, its --help line, and what it
 * needs of the other options, with the reason a user is told.  The
 * tables of getopt_long(), the option list of --help and the checks
 * between options are all made from it; options_one() does what each
 * option does.  The rows are in --help's order.
 */
struct optdef {
	const char *name;	/* the long name */
	int key;		/* the short letter, or an OPT_ value */
	int has_arg;		/* no_argument, required_argument, ... */
	const char *arg;	/* the value's name in --help; NULL: none */
	const char *help;	/* --help's text; "\n" starts a new line */
	long min, max;		/* a number's bounds (options_number()) */
	const char *bounds;	/* and how an error says them */
	struct {
		enum need need;
		const char *why;	/* "--NAME: WHY" when it is not met */
	} needs[OPTDEF_NEEDS];
};

/* What --timestamp and --output-max-size need: a log the supervisor writes. */
#define OPTDEF_LOG_NEEDS \
	{ NEED_SUPERVISOR, "only with --respawn or --init, whose supervisor " \
	    "writes the log" }, \
	{ NEED_NO_SYSLOG, "not with --syslog, which stamps and keeps " \
	    "its own" }, \
	{ NEED_LOG_FILE, "needs a log file (-o, -e or --output)" }

/* A row's first fields, which every row has. */
#define OPTDEF(n, k, h, a) \
	.name = (n), .key = (k), .has_arg = (h), .arg = (a)

static const struct optdef optdefs[] = {
	{ OPTDEF("append", 'a', no_argument, NULL),
	    .help = "append to the -o and -e files instead of truncating" },
	{ OPTDEF("cap", OPT_CAP, required_argument, "CAP[,CAP...]"),
	    .help = "with -u: keep these capabilities (ambient)",
	    .needs = {
		{ NEED_USER,
		    "only with -u, whose user would otherwise lose them" } } },
	{ OPTDEF("chdir", 'c', required_argument, "DIR"),
	    .help = "working directory of the daemon (default /)" },
	{ OPTDEF("child-pidfile", OPT_CHILD_PIDFILE, required_argument, "F"),
	    .help = "with -r: the current child's pid in F",
	    .needs = {
		{ NEED_SUPERVISOR, "only with --respawn" } } },
	{ OPTDEF("chroot", OPT_CHROOT, required_argument, "DIR"),
	    .help = "change the root directory (root only)" },
	{ OPTDEF("clear-env", OPT_CLEAR_ENV, no_argument, NULL),
	    .help = "start from an empty environment, then apply -E" },
	{ OPTDEF("cpu-affinity", OPT_CPU_AFFINITY, required_argument, "LIST"),
	    .help = "run on these CPUs only, e.g. 0,2-3 (as taskset -c)" },
	{ OPTDEF("env", 'E', required_argument, "NAME=VALUE"),
	    .help = "set an environment variable (repeatable)" },
	{ OPTDEF("env-file", OPT_ENV_FILE, required_argument, "[-]FILE"),
	    .help = "set the NAME=VALUE lines of FILE (repeatable;\n"
	    "-FILE: a missing FILE is no error)" },
	{ OPTDEF("stderr", 'e', required_argument, "FILE"),
	    .help = "standard error to FILE (default /dev/null)" },
	{ OPTDEF("foreground", 'f', no_argument, NULL),
	    .help = "do not fork: run the program in place" },
	{ OPTDEF("group", OPT_GROUP, required_argument, "GROUP"),
	    .help = "run with GROUP as the only group (root only)" },
	{ OPTDEF("help", 'h', no_argument, NULL),
	    .help = "show this help and exit" },
	{ OPTDEF("init", OPT_INIT, no_argument, NULL),
	    .help = "as a container's first process: -f, supervised,\n"
	    "orphans reaped, the program's exit status (-r restarts)" },
	{ OPTDEF("ionice", OPT_IONICE, required_argument, "CLASS[:N]"),
	    .help = "I/O class realtime, best-effort or idle, level 0-7" },
	{ OPTDEF("keep-fd", OPT_KEEP_FD, required_argument, "N"),
	    .help = "leave descriptor N open for the program (repeatable)" },
	{ OPTDEF("kill", OPT_KILL, no_argument, NULL),
	    .help = "with --stop: KILL what TERM did not stop" },
	{ OPTDEF("kill-mode", OPT_KILL_MODE, required_argument, "MODE"),
	    .help = "--stop ends control-group (default) or process only" },
	{ OPTDEF("kill-whom", OPT_KILL_WHOM, required_argument, "WHOM"),
	    .help = "--signal goes to main (default) or all of the daemon" },
	{ OPTDEF("limit", OPT_LIMIT, required_argument, "RES=VALUE"),
	    .help = "set a resource limit, e.g. nofile=4096 (repeatable)" },
	{ OPTDEF("lock", 'l', required_argument, "FILE"),
	    .help = "hold an exclusive lock on FILE while running" },
	{ OPTDEF("umask", 'm', required_argument, "MODE"),
	    .help = "umask of the daemon, octal (default 022)" },
	{ OPTDEF("max-restarts", OPT_MAX_RESTARTS, required_argument, "N"),
	    .help = "with -r: give up after N restarts in the window",
	    .min = 0, .max = 1000000,
	    .bounds = "a number of restarts from 0 to 1000000" },
	{ OPTDEF("nice", OPT_NICE, required_argument, "N"),
	    .help = "run at niceness N, -20 to 19",
	    .min = -20, .max = 19, .bounds = "a niceness from -20 to 19" },
	{ OPTDEF("no-new-privs", OPT_NO_NEW_PRIVS, no_argument, NULL),
	    .help = "the program can gain no privileges (setuid, caps)" },
	{ OPTDEF("notify", OPT_NOTIFY, no_argument, NULL),
	    .help = "ready when the program sends READY=1 (sd_notify)" },
	{ OPTDEF("notify-fd", OPT_NOTIFY_FD, required_argument, "N"),
	    .help = "ready when the program writes a line to its fd N",
	    .min = 3, .max = INT_MAX,
	    .bounds = "a descriptor number of 3 or more" },
	{ OPTDEF("oom-score-adj", OPT_OOM_SCORE_ADJ, required_argument, "N"),
	    .help = "the OOM killer's adjustment, -1000 to 1000" },
	{ OPTDEF("stdout", 'o', required_argument, "FILE"),
	    .help = "standard output to FILE (default /dev/null)" },
	{ OPTDEF("output", OPT_OUTPUT, required_argument, "FILE"),
	    .help = "standard output and error to FILE" },
	{ OPTDEF("output-keep", OPT_OUTPUT_KEEP, required_argument, "N"),
	    .help = "with --output-max-size: rotated files kept (default 10)",
	    .min = 0, .max = 1000, .bounds = "0 to 1000",
	    .needs = {
		{ NEED_MAX_SIZE, "only with --output-max-size" } } },
	{ OPTDEF("output-max-size", OPT_OUTPUT_MAX_SIZE, required_argument,
	    "SIZE"),
	    .help = "with -r: rotate the log before it passes SIZE\n"
	    "bytes (suffixes k, M, G)",
	    .needs = { OPTDEF_LOG_NEEDS } },
	{ OPTDEF("pidfile", 'p', required_argument, "FILE"),
	    .help = "write the pid to FILE and lock it" },
	{ OPTDEF("respawn", 'r', no_argument, NULL),
	    .help = "supervise: restart the program when it exits" },
	{ OPTDEF("signal", OPT_SIGNAL, required_argument, "SIG"),
	    .help = "send SIG to the daemon of the pidfile" },
	{ OPTDEF("status", OPT_STATUS, no_argument, NULL),
	    .help = "is the daemon of the pidfile running? (LSB codes)" },
	{ OPTDEF("stop", OPT_STOP, no_argument, NULL),
	    .help = "stop the daemon of the pidfile (TERM, wait, remove)" },
	{ OPTDEF("restart", OPT_RESTART, required_argument, "WHEN"),
	    .help = "with -r: always (default) or on-failure",
	    .needs = {
		{ NEED_SUPERVISOR, "only with --respawn" } } },
	{ OPTDEF("restart-delay", OPT_RESTART_DELAY, required_argument, "S"),
	    .help = "with -r: first delay before a restart (default 1)" },
	{ OPTDEF("restart-window", OPT_RESTART_WINDOW, required_argument, "S"),
	    .help = "with -r: window of --max-restarts (default 60)" },
	{ OPTDEF("runtime-dir", OPT_RUNTIME_DIR, required_argument, "DIR"),
	    .help = "create DIR, owned by the -u user, mode 0755" },
	{ OPTDEF("sched", OPT_SCHED, required_argument, "POL[:PRIO]"),
	    .help = "scheduling policy other, batch, idle, fifo or rr" },
	{ OPTDEF("stop-timeout", OPT_STOP_TIMEOUT, required_argument, "S"),
	    .help = "-r and --stop: how long TERM has (default 10)" },
	{ OPTDEF("success-exit-status", OPT_SUCCESS_EXIT_STATUS,
	    required_argument, "CODES"),
	    .help = "with --restart on-failure: more clean\n"
	    "exits, statuses and signal names (e.g. 3,TERM)",
	    .needs = {
		{ NEED_SUPERVISOR, "only with --respawn" },
		{ NEED_ON_FAILURE, "only with --restart on-failure" } } },
	{ OPTDEF("syslog", OPT_SYSLOG, optional_argument, "TAG"),
	    .help = "with -r: the program's output to syslog",
	    .needs = {
		{ NEED_SUPERVISOR,
		    "only with --respawn, whose supervisor carries the "
		    "lines" } } },
	{ OPTDEF("syslog-facility", OPT_SYSLOG_FACILITY, required_argument,
	    "F"),
	    .help = "with -r: syslog facility (default daemon)" },
	{ OPTDEF("timestamp", OPT_TIMESTAMP, optional_argument, "FMT"),
	    .help = "with -r: stamp each line: utc (default), local, tai64n",
	    .needs = { OPTDEF_LOG_NEEDS } },
	{ OPTDEF("user", 'u', required_argument, "USER[:GROUP]"),
	    .help = "run as USER (root only)" },
	{ OPTDEF("verbose", 'v', no_argument, NULL),
	    .help = "narrate each step on standard error" },
	{ OPTDEF("version", 'V', no_argument, NULL),
	    .help = "show the version and exit" },
	{ OPTDEF("wait", OPT_WAIT, optional_argument, "SECONDS"),
	    .help = "return only once the program is ready (default 30)" },
	{ OPTDEF("wait-for", OPT_WAIT_FOR, required_argument, "COND"),
	    .help = "ready when tcp:HOST:PORT accepts or path:FILE exists" },
};

#define NOPTDEFS	(sizeof optdefs / sizeof optdefs[0])

/*
 * getopt_long()'s tables, made from optdefs[] (options_tables()).  '+'
 * stops at the first non-option even with glibc's permuting getopt; ':'
 * makes a missing value return ':' so we can word the error ourselves.
 */
static struct option longopts[NOPTDEFS + 1];
static char shortopts[sizeof "+:" + 3 * NOPTDEFS];

static const char usage_synopsis[] =
"usage: daemonize --status|--stop|--signal=SIG -p pidfile [--kill]\n"
"                 [--kill-mode control-group|process] [--kill-whom main|all]\n"
"                 [--stop-timeout seconds] [-v]\n"
"       daemonize [-afv] [--init] [-c dir] [-E name=value] [-e file] [-l lockfile]\n"
"                 [-m mode] [-o file] [-p pidfile] [-u user[:group]]\n"
"                 [--chroot dir] [--clear-env] [--env-file [-]file]\n"
"                 [--group group] [--keep-fd n] [--limit resource=value]\n"
"                 [--nice n] [--oom-score-adj n] [--ionice class[:level]]\n"
"                 [--sched policy[:priority]] [--cpu-affinity list]\n"
"                 [--cap cap[,cap...]] [--no-new-privs] [--runtime-dir dir]\n"
"                 [--notify] [--notify-fd n] [--wait[=seconds]]\n"
"                 [--wait-for tcp:host:port|path:file]\n"
"                 [-r [--child-pidfile file] [--max-restarts n]\n"
"                  [--restart always|on-failure] [--success-exit-status codes]\n"
"                  [--output file] [--output-max-size size [--output-keep n]]\n"
"                  [--restart-delay seconds] [--restart-window seconds]\n"
"                  [--stop-timeout seconds] [--syslog[=tag]]\n"
"                  [--syslog-facility facility] [--timestamp[=format]]]\n"
"                 [--] program [argument ...]\n";

/* getopt_long()'s tables from optdefs[], once. */
static void
options_tables(void)
{
	size_t i, n = 0;

	if (longopts[0].name != NULL)
		return;
	shortopts[n++] = '+';
	shortopts[n++] = ':';
	for (i = 0; i < NOPTDEFS; i++) {
		longopts[i] = (struct option){ optdefs[i].name,
		    optdefs[i].has_arg, NULL, optdefs[i].key };
		if (optdefs[i].key >= OPT_LONG_ONLY)
			continue;
		shortopts[n++] = (char)optdefs[i].key;
		if (optdefs[i].has_arg != no_argument)
			shortopts[n++] = ':';
		if (optdefs[i].has_arg == optional_argument)
			shortopts[n++] = ':';
	}
	shortopts[n] = '\0';
}

/* The row of the option getopt_long() returned as key; NULL if none. */
static const struct optdef *
options_lookup(int key)
{
	size_t i;

	for (i = 0; i < NOPTDEFS; i++)
		if (optdefs[i].key == key)
			return &optdefs[i];
	return NULL;
}

/*
 * Name an option the way the user wrote it, for error messages.  When its
 * value was the next word, the option is the word before that.
 */
static void
options_name(char *buf, size_t len, char **argv, int opt)
{
	const char *word = argv[optind - 1];
	size_t n;

	/*
	 * The value was the next word, or (musl, a short option's missing
	 * value) optind went past the end: the option is one word back.
	 */
	if (((optarg != NULL && optarg == word) || word == NULL) && optind >= 2)
		word = argv[optind - 2];
	if (strncmp(word, "--", 2) == 0) {
		n = strcspn(word, "=");
		snprintf(buf, len, "%.*s", (int)n, word);
	} else
		snprintf(buf, len, "-%c", opt);
}

int
options_parse_umask(const char *s, mode_t *mode)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '7')
		return -1;
	v = strtoul(s, &end, 8);
	if (*end != '\0' || v > 0777)
		return -1;
	*mode = (mode_t)v;
	return 0;
}

static void
options_defaults(struct options *o, int argc)
{
	memset(o, 0, sizeof *o);
	o->chdir = "/";
	o->umask = 022;
	o->argc = argc;
	o->notify_fd = -1;
	o->wait_ms = -1;
	o->max_restarts = -1;
	o->restart_delay_ms = 1000;
	o->restart_window_ms = 60000;
	o->stop_timeout_ms = 10000;
	o->syslog_facility = LOG_DAEMON;
	o->output_keep = -1;
	/* Clean exits for --restart on-failure, as systemd counts them. */
	o->success_exit[0] = 1;
	o->success_sig = 1ULL << (SIGHUP - 1) | 1ULL << (SIGINT - 1) |
	    1ULL << (SIGTERM - 1) | 1ULL << (SIGPIPE - 1);
}

/*
 * The array of a repeatable option, made on its first use.  No option can
 * occur more often than there are words; a plain start allocates nothing.
 */
static void *
options_array(void *array, const struct options *o, size_t size)
{
	if (array == NULL && (array = calloc((size_t)o->argc, size)) == NULL)
		die_errno(STATUS_FAILED, errno, "calloc");
	return array;
}

/*
 * A value the option does not take: name the option the way the user wrote
 * it and say what it takes, in one wording for every option ("--nice 20:
 * expected ...") so that scripts and tests can rely on it.
 */
static __dead void
options_bad(char **argv, int opt, const char *value, const char *expected)
{
	char name[64];

	options_name(name, sizeof name, argv, opt);
	die(STATUS_USAGE, "%s %s: expected %s", name, value, expected);
}

/*
 * Does the user or group at s, len bytes, read as an id past
 * 4294967294?  Digits alone are an id, and 4294967295 is none
 * (setresuid(2) takes it for "unchanged"): a usage error, not a name to
 * look up.
 */
static bool
options_id_too_large(const char *s, size_t len)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v <= 4294967294ULL)
			v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	return v > 4294967294ULL;
}

/* -u USER[:GROUP] or --group GROUP, each part a name or an id. */
static const char *
options_ids(const char *value, char **argv, int opt)
{
	const char *colon = opt == 'u' ? strchr(value, ':') : NULL;
	size_t len = colon != NULL ? (size_t)(colon - value) : strlen(value);

	if (options_id_too_large(value, len) || (colon != NULL &&
	    options_id_too_large(colon + 1, strlen(colon + 1))))
		options_bad(argv, opt, value, opt == 'u' ?
		    "names or ids from 0 to 4294967294" :
		    "a name or an id from 0 to 4294967294");
	return value;
}

/* A path or a name must not be empty: "" can only be a mistake. */
static const char *
options_nonempty(const char *value, char **argv, int opt)
{
	char name[64];

	if (*value == '\0') {
		options_name(name, sizeof name, argv, opt);
		die(STATUS_USAGE, "%s: empty value", name);
	}
	return value;
}

/* A decimal integer within [min, max]. */
static int
options_int(const char *value, long min, long max, char **argv, int opt,
    const char *expected)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0 || v < min ||
	    v > max)
		options_bad(argv, opt, value, expected);
	return (int)v;
}

/* A number within the bounds its row gives. */
static int
options_number(const struct optdef *d, const char *value, char **argv,
    int opt)
{
	return options_int(value, d->min, d->max, argv, opt, d->bounds);
}

/*
 * A duration in seconds, with an optional fraction ("30", "0.5"), as
 * milliseconds; at most a day.
 */
int
options_parse_duration(const char *s, long *ms)
{
	long whole = 0, frac = 0, scale = 1000;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((whole = whole * 10 + (*s - '0')) > 86400)
			return -1;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	/* 86400.5 too is more than a day. */
	if (*s != '\0' || whole * 1000 + frac > 86400000L)
		return -1;
	*ms = whole * 1000 + frac;
	return 0;
}

/*
 * A size in bytes, with an optional k, M or G (powers of 1024, as
 * logrotate reads them); at least 1, at most 2^62.
 */
int
options_parse_size(const char *s, off_t *bytes)
{
	unsigned long long v = 0;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (unsigned long long)(*s - '0')) > 1ULL << 62)
			return -1;
	if (*s == 'k' || *s == 'K')
		shift = 10;
	else if (*s == 'M')
		shift = 20;
	else if (*s == 'G')
		shift = 30;
	if (shift != 0)
		s++;
	if (*s != '\0' || v == 0 || v > (1ULL << 62) >> shift)
		return -1;
	*bytes = (off_t)(v << shift);
	return 0;
}

static off_t
options_size(const char *value, char **argv, int opt)
{
	off_t bytes;

	if (options_parse_size(value, &bytes) == -1)
		options_bad(argv, opt, value, "a size in bytes, with k, M or G");
	return bytes;
}

/* --timestamp's format; utc when none is given. */
static enum stamp
options_stamp(const char *value, char **argv, int opt)
{
	if (value == NULL || strcmp(value, "utc") == 0)
		return STAMP_UTC;
	if (strcmp(value, "local") == 0)
		return STAMP_LOCAL;
	if (strcmp(value, "tai64n") == 0)
		return STAMP_TAI64N;
	options_bad(argv, opt, value, "utc, local or tai64n");
}

/* --env-file [-]FILE: read in order with -E, once the user is known. */
static void
options_env_file(struct options *o, const char *value, char **argv, int opt)
{
	bool optional = value[0] == '-';

	value = options_nonempty(value + optional, argv, opt);
	o->env = options_array(o->env, o, sizeof *o->env);
	o->env[o->nenv++] = (struct envitem){ value, true, optional };
}

static void
options_ionice(struct options *o, const char *value, char **argv, int opt)
{
	if (settings_parse_ionice(value, &o->set.ioprio) == -1)
		options_bad(argv, opt, value, "realtime, best-effort or idle, "
		    "with :0 to :7 for the first two");
	o->set.ionice_spec = value;
}

static void
options_sched(struct options *o, const char *value, char **argv, int opt)
{
	if (settings_parse_sched(value, &o->set.sched_policy,
	    &o->set.sched_priority) == -1)
		options_bad(argv, opt, value, "other, batch or idle, or fifo or "
		    "rr with a priority from 1 to 99 (fifo:10)");
	o->set.sched_spec = value;
}

static void
options_cpus(struct options *o, const char *value, char **argv, int opt)
{
	if (settings_parse_cpus(value, &o->set.cpus) == -1)
		options_bad(argv, opt, value, "a list of CPUs such as 0,2-3 or "
		    "0-7:2");
	o->set.cpus_spec = value;
}

static void
options_caps(struct options *o, const char *value, char **argv, int opt)
{
	const char *bad = NULL, *why = NULL;

	o->set.caps_spec = value;
	if (caps_parse(value, &o->set.caps, &bad, &why) == -1) {
		/* Said once the command line is known to need the names. */
		if (why != NULL) {
			o->caps_unread = why;
			return;
		}
		if (bad == NULL)
			options_bad(argv, opt, value, "capability names, but "
			    "daemonize was built without libcap");
		options_bad(argv, opt, value, "capability names such as "
		    "net_bind_service, comma-separated");
	}
}

static void
options_oom(struct options *o, const char *value, char **argv, int opt)
{
	char num[DECIMAL_LEN];
	const char *text;

	text = decimal(num, options_int(value, -1000, 1000, argv, opt,
	    "-1000 to 1000"));
	o->set.oom_len = strlen(text);
	memcpy(o->set.oom_text, text, o->set.oom_len + 1);
	o->set.oom_spec = value;
}

static void
options_success(struct options *o, const char *value, char **argv, int opt)
{
	if (settings_parse_statuses(value, o->success_exit,
	    &o->success_sig) == -1)
		options_bad(argv, opt, value, "exit statuses from 0 to 255 and "
		    "signal names, separated by commas or spaces");
	o->success_spec = value;
}

static long
options_duration(const char *value, char **argv, int opt)
{
	long ms;

	if (options_parse_duration(value, &ms) == -1)
		options_bad(argv, opt, value, "seconds, at most 86400");
	return ms;
}

/*
 * --wait: bare, the default timeout; given, a duration that cannot be 0,
 * since 0 is how the options say "not waiting".
 */
static long
options_wait(const char *value, char **argv, int opt)
{
	long ms;

	if (value == NULL)
		return OPTIONS_WAIT_DEFAULT;
	if (options_parse_duration(value, &ms) == -1 || ms == 0)
		options_bad(argv, opt, value,
		    "seconds, more than 0 and at most 86400");
	return ms;
}

static mode_t
options_umask(const char *value, char **argv, int opt)
{
	mode_t mode;

	if (options_parse_umask(value, &mode) == -1)
		options_bad(argv, opt, value, "an octal mode from 0 to 0777");
	return mode;
}

static int
options_signal(const char *value, char **argv, int opt)
{
	int sig;

	if ((sig = signals_number(value)) == -1)
		options_bad(argv, opt, value, "a signal name or number");
	return sig;
}

static int
options_facility(const char *value, char **argv, int opt)
{
	int facility;

	if ((facility = logpipe_facility(value)) == -1)
		options_bad(argv, opt, value, "a syslog facility such as "
		    "daemon, user or local0 to local7");
	return facility;
}

static void
options_env(struct options *o, char *value, char **argv, int opt)
{
	const char *eq = strchr(value, '=');

	if (eq == NULL || eq == value)
		options_bad(argv, opt, value, "NAME=VALUE");
	o->env = options_array(o->env, o, sizeof *o->env);
	o->env[o->nenv++] = (struct envitem){ value, false, false };
}

static void
options_keep_fd(struct options *o, const char *value, char **argv, int opt)
{
	int fd;

	o->keep_fds = options_array(o->keep_fds, o, sizeof *o->keep_fds);
	fd = options_int(value, 3, INT_MAX, argv, opt,
	    "a descriptor number of 3 or more");
	o->keep_fds[o->nkeep_fds++] = fd;
}

/*
 * --limit and --wait-for parse straight into the next slot of their array,
 * so the array must exist first; the count takes in only a good slot.
 */
static void
options_limit(struct options *o, const char *value, char **argv, int opt)
{
	o->limits = options_array(o->limits, o, sizeof *o->limits);
	if (limits_parse(value, &o->limits[o->nlimits]) == -1)
		options_bad(argv, opt, value, "RESOURCE=VALUE or "
		    "RESOURCE=SOFT:HARD with RESOURCE one of as, core, cpu, "
		    "data, fsize, memlock, nofile, nproc, rss, stack and "
		    "VALUE a number or unlimited");
	o->nlimits++;
}

/* tcp:HOST:PORT (HOST may be [v6]) or path:FILE. */
int
options_parse_waitfor(const char *s, struct waitfor *w)
{
	const char *colon;
	size_t hl;

	memset(w, 0, sizeof *w);
	w->spec = s;
	if (strncmp(s, "path:", 5) == 0 && s[5] != '\0') {
		w->path = s + 5;
		return 0;
	}
	if (strncmp(s, "tcp:", 4) != 0 || (colon = strrchr(s + 4, ':')) == NULL)
		return -1;
	s += 4;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || colon[1] == '\0' ||
	    (w->host = strndup(s, hl)) == NULL ||
	    (w->port = strdup(colon + 1)) == NULL)
		return -1;
	return 0;
}

static void
options_waitfor(struct options *o, const char *value, char **argv, int opt)
{
	if (o->nwaitfor == WAITFOR_MAX)
		die(STATUS_USAGE, "--wait-for: at most %d conditions",
		    WAITFOR_MAX);
	o->waitfor = options_array(o->waitfor, o, sizeof *o->waitfor);
	if (options_parse_waitfor(value, &o->waitfor[o->nwaitfor]) == -1)
		options_bad(argv, opt, value, "tcp:HOST:PORT or path:FILE");
	o->nwaitfor++;
}

/*
 * Edit distance between a and b (insertions, deletions, substitutions),
 * up to OPTIONS_NEAR_MAX + 1: enough to tell a typing slip.
 */
#define OPTIONS_NEAR_MAX	2

static size_t
options_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, up;
	size_t row[64];

	if (lb >= sizeof row / sizeof row[0])
		return OPTIONS_NEAR_MAX + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			cur = prev + (a[i - 1] != b[j - 1]);
			if (up + 1 < cur)
				cur = up + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			row[j] = cur;
			prev = up;
		}
	}
	return row[lb];
}

/*
 * The long option closest to what was typed (without its dashes): one
 * that it begins, or within two slips of it; NULL if none is close.  Of
 * two as close, the first in alphabetical order, whatever the table's.
 */
static const char *
options_nearest(const char *typed)
{
	const char *best = NULL;
	size_t i, d, bestd = OPTIONS_NEAR_MAX + 1;

	typed += strspn(typed, "-");
	if (*typed == '\0')
		return NULL;
	for (i = 0; longopts[i].name != NULL; i++) {
		d = strncmp(longopts[i].name, typed, strlen(typed)) == 0 ? 0 :
		    options_distance(typed, longopts[i].name);
		if (d < bestd || (d == bestd && d <= OPTIONS_NEAR_MAX &&
		    strcmp(longopts[i].name, best) < 0)) {
			bestd = d;
			best = longopts[i].name;
		}
	}
	return best;
}

/*
 * Is typed the start of more than one long option, which getopt_long()
 * refuses?  If so, list them in buf, in alphabetical order (each time
 * the first name after the last one listed), whatever the table's.
 */
static bool
options_ambiguous(const char *typed, char *buf, size_t size)
{
	const char *last = "", *next;
	size_t i, n = 0, len;
	int w;

	typed += strspn(typed, "-");
	len = strlen(typed);
	buf[0] = '\0';
	for (; len > 0; last = next, n++) {
		next = NULL;
		for (i = 0; i < NOPTDEFS; i++)
			if (strncmp(optdefs[i].name, typed, len) == 0 &&
			    strcmp(optdefs[i].name, last) > 0 && (next == NULL ||
			    strcmp(optdefs[i].name, next) < 0))
				next = optdefs[i].name;
		if (next == NULL)
			break;
		w = snprintf(buf + strlen(buf), size - strlen(buf), "%s--%s",
		    n > 0 ? ", " : "", next);
		if (w < 0 || (size_t)w >= size - strlen(buf))
			break;
	}
	return n > 1;
}

/* getopt_long() found no such option, or no value for one: say which. */
static __dead void
options_getopt_error(int opt, char **argv)
{
	const char *near;
	char name[64], list[256];

	/*
	 * optarg may still hold an earlier option's value, which
	 * options_name() would take for this one's.
	 */
	optarg = NULL;
	if (opt == ':') {
		options_name(name, sizeof name, argv, optopt);
		die(STATUS_USAGE, "%s: missing value", name);
	}
	if (optopt != 0)
		die(STATUS_USAGE, "-%c: unknown option (see daemonize --help)",
		    optopt);
	options_name(name, sizeof name, argv, 0);
	if (options_ambiguous(name, list, sizeof list))
		die(STATUS_USAGE, "%s: ambiguous option: %s (see daemonize "
		    "--help)", name, list);
	if ((near = options_nearest(name)) != NULL)
		die(STATUS_USAGE, "%s: unknown option; did you mean --%s? (see "
		    "daemonize --help)", name, near);
	die(STATUS_USAGE, "%s: unknown option (see daemonize --help)", name);
}

/* One option, short or long, with its value in optarg; d is its row. */
static void
options_one(struct options *o, const struct optdef *d, int opt, char **argv)
{
	switch (opt) {
	case 'a':
		o->append = true;
		break;
	case 'c':
		o->chdir = options_nonempty(optarg, argv, opt);
		break;
	case 'e':
		o->stderr_path = options_nonempty(optarg, argv, opt);
		break;
	case 'E':
		options_env(o, optarg, argv, opt);
		break;
	case 'f':
		o->foreground = true;
		break;
	case 'h':
		o->help = true;
		break;
	case 'l':
		o->lockfile = options_nonempty(optarg, argv, opt);
		break;
	case 'm':
		o->umask = options_umask(optarg, argv, opt);
		break;
	case 'o':
		o->stdout_path = options_nonempty(optarg, argv, opt);
		break;
	case 'p':
		o->pidfile = options_nonempty(optarg, argv, opt);
		break;
	case 'r':
		o->respawn = true;
		break;
	case 'u':
		o->user = options_ids(options_nonempty(optarg, argv, opt),
		    argv, opt);
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'V':
		o->version = true;
		break;
	/* The process the program runs as. */
	case OPT_CHROOT:
		o->chroot = options_nonempty(optarg, argv, opt);
		break;
	case OPT_CLEAR_ENV:
		o->clear_env = true;
		break;
	case OPT_GROUP:
		o->group = options_ids(options_nonempty(optarg, argv, opt),
		    argv, opt);
		break;
	case OPT_KEEP_FD:
		options_keep_fd(o, optarg, argv, opt);
		break;
	case OPT_LIMIT:
		options_limit(o, optarg, argv, opt);
		break;
	case OPT_NICE:
		o->nice = options_number(d, optarg, argv, opt);
		o->nice_set = true;
		break;
	/* Readiness. */
	case OPT_NOTIFY:
		o->notify = true;
		break;
	case OPT_NOTIFY_FD:
		o->notify_fd = options_number(d, optarg, argv, opt);
		break;
	case OPT_WAIT:
		o->wait_ms = options_wait(optarg, argv, opt);
		o->wait_bare = optarg == NULL;
		break;
	case OPT_WAIT_FOR:
		options_waitfor(o, optarg, argv, opt);
		break;
	/* Supervision. */
	case OPT_INIT:
		o->init = o->foreground = true;
		break;
	case OPT_CHILD_PIDFILE:
		o->child_pidfile = options_nonempty(optarg, argv, opt);
		break;
	case OPT_MAX_RESTARTS:
		o->max_restarts = options_number(d, optarg, argv, opt);
		break;
	case OPT_OUTPUT:
		o->stdout_path = o->stderr_path =
		    options_nonempty(optarg, argv, opt);
		break;
	case OPT_OUTPUT_KEEP:
		o->output_keep = options_number(d, optarg, argv, opt);
		break;
	case OPT_OUTPUT_MAX_SIZE:
		o->output_max_size = options_size(optarg, argv, opt);
		break;
	case OPT_RESTART_DELAY:
		o->restart_delay_ms = options_duration(optarg, argv, opt);
		break;
	case OPT_RESTART_WINDOW:
		o->restart_window_ms = options_duration(optarg, argv, opt);
		break;
	case OPT_STOP_TIMEOUT:
		o->stop_timeout_ms = options_duration(optarg, argv, opt);
		break;
	case OPT_SYSLOG:
		o->syslog = true;
		o->syslog_tag = optarg == NULL ? NULL :
		    options_nonempty(optarg, argv, opt);
		break;
	case OPT_CAP:
		options_caps(o, optarg, argv, opt);
		break;
	case OPT_CPU_AFFINITY:
		options_cpus(o, optarg, argv, opt);
		break;
	case OPT_ENV_FILE:
		options_env_file(o, optarg, argv, opt);
		break;
	case OPT_IONICE:
		options_ionice(o, optarg, argv, opt);
		break;
	case OPT_NO_NEW_PRIVS:
		o->set.no_new_privs = true;
		break;
	case OPT_OOM_SCORE_ADJ:
		options_oom(o, optarg, argv, opt);
		break;
	case OPT_RESTART:
		if (strcmp(optarg, "always") != 0 &&
		    strcmp(optarg, "on-failure") != 0)
			options_bad(argv, opt, optarg, "always or on-failure");
		o->restart = strcmp(optarg, "on-failure") == 0 ?
		    RESTART_ON_FAILURE : RESTART_ALWAYS;
		o->restart_spec = true;
		break;
	case OPT_RUNTIME_DIR:
		o->runtime_dir = options_nonempty(optarg, argv, opt);
		break;
	case OPT_SCHED:
		options_sched(o, optarg, argv, opt);
		break;
	case OPT_SUCCESS_EXIT_STATUS:
		options_success(o, optarg, argv, opt);
		break;
	case OPT_TIMESTAMP:
		o->stamp = options_stamp(optarg, argv, opt);
		o->stamp_bare = optarg == NULL;
		break;
	case OPT_SYSLOG_FACILITY:
		o->syslog_facility = options_facility(optarg, argv, opt);
		break;
	/* Control of a running daemon. */
	case OPT_KILL:
		o->kill = true;
		break;
	case OPT_KILL_MODE:
		if (strcmp(optarg, "process") != 0 &&
		    strcmp(optarg, "control-group") != 0)
			options_bad(argv, opt, optarg,
			    "control-group or process");
		o->kill_process = strcmp(optarg, "process") == 0;
		break;
	case OPT_KILL_WHOM:
		if (strcmp(optarg, "main") != 0 && strcmp(optarg, "all") != 0)
			options_bad(argv, opt, optarg, "main or all");
		o->kill_all = strcmp(optarg, "all") == 0;
		break;
	case OPT_SIGNAL:
		o->signal = options_signal(optarg, argv, opt);
		o->control = CONTROL_SIGNAL;
		break;
	case OPT_STATUS:
		o->control = CONTROL_STATUS;
		break;
	case OPT_STOP:
		o->control = CONTROL_STOP;
		break;
	default:
		options_getopt_error(opt, argv);
	}
}

/*
 * --wait and --timestamp take a value only after '=': "--wait 5 prog"
 * would run a program called 5.  A program word that is such a value is
 * surely the mistake.
 */
static void
options_check_bare(const struct options *o, const char *word)
{
	long ms;

	if (o->wait_bare && options_parse_duration(word, &ms) == 0)
		die(STATUS_USAGE, "--wait %s: the seconds must follow an equals "
		    "sign: --wait=%s", word, word);
	if (o->stamp_bare && (strcmp(word, "utc") == 0 ||
	    strcmp(word, "local") == 0 || strcmp(word, "tai64n") == 0))
		die(STATUS_USAGE, "--timestamp %s: the format must follow an "
		    "equals sign: --timestamp=%s", word, word);
}

/* A readiness condition implies --wait; some combinations make no sense. */
static void
options_check_ready(struct options *o)
{
	const char *manager;
	size_t i;

	if (o->wait_ms == -1)
		o->wait_ms = options_has_ready(o) ? OPTIONS_WAIT_DEFAULT : 0;
	/* In the foreground, only to tell a service manager (relay.c). */
	manager = getenv("NOTIFY_SOCKET");
	if (o->wait_ms > 0 && o->foreground && (manager == NULL ||
	    *manager == '\0' || !options_has_ready(o)))
		die(STATUS_USAGE, "--wait: in the foreground, only with "
		    "--notify, --notify-fd or --wait-for under a service "
		    "manager (NOTIFY_SOCKET)");
	for (i = 0; i < o->nkeep_fds; i++)
		if (o->keep_fds[i] == o->notify_fd)
			die(STATUS_USAGE, "--notify-fd %d: also given to "
			    "--keep-fd", o->notify_fd);
	if (o->respawn && o->wait_ms > 0 && !o->foreground)
		die(STATUS_USAGE, "--wait: not available with --respawn");
	/* A bare --wait that has nothing to wait for: say what it does. */
	if (o->wait_bare && !options_has_ready(o))
		warn_errno(0, "--wait without --notify, --notify-fd or "
		    "--wait-for: ready means still running after %ld s",
		    o->wait_ms / 1000);
}

/*
 * What each option given needs of the others (its row's needs), one kind
 * of need after the other, so that the most basic is said first: "only
 * with --respawn" before "needs a log file".
 */
static bool
options_need_met(const struct options *o, enum need need)
{
	switch (need) {
	case NEED_SUPERVISOR:
		return options_supervised(o);
	case NEED_MAX_SIZE:
		return o->output_max_size != 0;
	case NEED_NO_SYSLOG:
		return !o->syslog;
	case NEED_LOG_FILE:
		return o->stdout_path != NULL || o->stderr_path != NULL;
	case NEED_USER:
		return o->user != NULL;
	case NEED_ON_FAILURE:
		return o->restart == RESTART_ON_FAILURE;
	default:
		return true;
	}
}

static void
options_check_needs(const struct options *o, const bool given[NOPTDEFS])
{
	size_t i, k;
	int need;

	for (need = NEED_NONE + 1; need < NNEEDS; need++)
		for (i = 0; i < NOPTDEFS; i++)
			for (k = 0; given[i] && k < OPTDEF_NEEDS; k++)
				if (optdefs[i].needs[k].need == (enum need)need &&
				    !options_need_met(o, (enum need)need))
					die(STATUS_USAGE, "--%s: %s",
					    optdefs[i].name,
					    optdefs[i].needs[k].why);
}

/* --status, --stop and --signal work on a pidfile, not on a program. */
static void
options_check_control(const struct options *o, int nargs)
{
	if (o->pidfile == NULL)
		die(STATUS_USAGE, "--status, --stop and --signal need -p "
		    "PIDFILE");
	if (nargs > 0)
		die(STATUS_USAGE, "--status, --stop and --signal take no "
		    "program");
}

/*
 * One option's lines of --help: its names and value in 26 columns (or
 * followed by two spaces when they take more), then its text, whose
 * further lines start at that column.
 */
static void
options_usage_row(const struct optdef *d)
{
	char left[64];
	const char *p, *nl;
	int n;

	n = snprintf(left, sizeof left, "  %c%c%c --%s%s%s%s",
	    d->key < OPT_LONG_ONLY ? '-' : ' ',
	    d->key < OPT_LONG_ONLY ? d->key : ' ',
	    d->key < OPT_LONG_ONLY ? ',' : ' ', d->name,
	    d->arg == NULL ? "" : d->has_arg == optional_argument ? "[=" : " ",
	    d->arg == NULL ? "" : d->arg,
	    d->arg != NULL && d->has_arg == optional_argument ? "]" : "");
	if (n < 0)
		return;
	printf(n <= 25 ? "%-26s" : "%s  ", left);
	for (p = d->help; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		printf("%.*s\n%26s", (int)(nl - p), p, "");
	printf("%s\n", p);
}

/* -h: the usage on stdout; returns the exit status. */
int
options_usage(void)
{
	size_t i;

	fputs(usage_synopsis, stdout);
	fputs("\n", stdout);
	for (i = 0; i < NOPTDEFS; i++)
		options_usage_row(&optdefs[i]);
	return fflush(stdout) == 0 ? STATUS_OK : STATUS_FAILED;
}

/* -V: the version, and which fallbacks are built in. */
int
options_version(void)
{
	printf("%s %s\nsetsid: %s\nclose_range: %s\nfork: %s\ncaps: %s\n"
	    "libcap: %s\n", PACKAGE_NAME, PACKAGE_VERSION, DAEMONIZE_SETSID,
	    DAEMONIZE_CLOSE_RANGE, DAEMONIZE_VFORK, DAEMONIZE_CAPS,
	    DAEMONIZE_LIBCAP);
	return fflush(stdout) == 0 ? STATUS_OK : STATUS_FAILED;
}

/* Release what options_parse() allocated. */
void
options_free(struct options *o)
{
	size_t i;

	for (i = 0; i < o->nwaitfor; i++) {
		free(o->waitfor[i].host);
		free(o->waitfor[i].port);
	}
	free(o->waitfor);
	free(o->keep_fds);
	free(o->limits);
	free(o->env);
	memset(o, 0, sizeof *o);
}

void
options_parse(struct options *o, int argc, char **argv)
{
	bool given[NOPTDEFS] = { false };
	const struct optdef *d;
	int opt;

	options_defaults(o, argc);
	options_tables();
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		/* No row: no such option, or a value missing (':'). */
		if ((d = options_lookup(opt)) == NULL)
			options_getopt_error(opt, argv);
		given[d - optdefs] = true;
		options_one(o, d, opt, argv);
		if (o->help || o->version)
			return;
	}
	if (o->control != CONTROL_NONE) {
		options_check_control(o, argc - optind);
		return;
	}
	if (optind >= argc)
		die(STATUS_USAGE, "no program given (see daemonize --help)");
	if (o->group != NULL && o->user != NULL && strchr(o->user, ':'))
		die(STATUS_USAGE, "-u %s --group %s: two groups given",
		    o->user, o->group);
	options_check_bare(o, argv[optind]);
	options_check_ready(o);
	options_check_needs(o, given);
	if (o->caps_unread != NULL)
		die(STATUS_FAILED, "--cap %s: %s", o->set.caps_spec,
		    o->caps_unread);
	if (o->output_keep == -1)
		o->output_keep = 10;
	lognames_check(o);
	o->argv = argv + optind;
}
