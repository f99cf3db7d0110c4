/*
 * The command line: option table, value parsers, usage and version.
 *
 * Parsing stops at the first word that is not an option, so the options of
 * the program ("daemonize sleep -1") are never taken for ours.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemonize.h"

/*
 * '+' stops at the first non-option even with glibc's permuting getopt;
 * ':' makes a missing value return ':' so we can word the error ourselves.
 */
static const char shortopts[] = "+:ac:e:E:hl:m:o:p:u:vV";

static const struct option longopts[] = {
	{ "append",	no_argument,		NULL, 'a' },
	{ "chdir",	required_argument,	NULL, 'c' },
	{ "stderr",	required_argument,	NULL, 'e' },
	{ "env",	required_argument,	NULL, 'E' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "lock",	required_argument,	NULL, 'l' },
	{ "umask",	required_argument,	NULL, 'm' },
	{ "stdout",	required_argument,	NULL, 'o' },
	{ "pidfile",	required_argument,	NULL, 'p' },
	{ "user",	required_argument,	NULL, 'u' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

static const char usage_text[] =
"usage: daemonize [-av] [-c dir] [-E name=value] [-e file] [-l lockfile]\n"
"                 [-m mode] [-o file] [-p pidfile] [-u user[:group]]\n"
"                 [--] program [argument ...]\n"
"\n"
"  -a, --append            append to the -o and -e files instead of truncating\n"
"  -c, --chdir DIR         working directory of the daemon (default /)\n"
"  -E, --env NAME=VALUE    set an environment variable (repeatable)\n"
"  -e, --stderr FILE       standard error to FILE (default /dev/null)\n"
"  -h, --help              show this help and exit\n"
"  -l, --lock FILE         hold an exclusive lock on FILE while running\n"
"  -m, --umask MODE        umask of the daemon, octal (default 022)\n"
"  -o, --stdout FILE       standard output to FILE (default /dev/null)\n"
"  -p, --pidfile FILE      write the pid to FILE and lock it\n"
"  -u, --user USER[:GROUP] run as USER (root only)\n"
"  -v, --verbose           narrate each step on standard error\n"
"  -V, --version           show the version and exit\n";

/*
 * Name an option the way the user wrote it, for error messages.  When its
 * value was the next word, the option is the word before that.
 */
static void
options_name(char *buf, size_t len, char **argv, int opt)
{
	const char *word = argv[optind - 1];

	if (optarg != NULL && optarg == word && optind >= 2)
		word = argv[optind - 2];
	size_t n;

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
	o->env = calloc((size_t)argc, sizeof *o->env);
	if (o->env == NULL)
		die_errno(STATUS_FAILED, errno, "calloc");
}

/* A path value must not be empty: "" can only be a mistake. */
static const char *
options_path(const char *value, char **argv, int opt)
{
	char name[64];

	if (*value == '\0') {
		options_name(name, sizeof name, argv, opt);
		die(STATUS_USAGE, "%s: empty value", name);
	}
	return value;
}

static void
options_env(struct options *o, char *value, char **argv, int opt)
{
	char name[64];
	const char *eq = strchr(value, '=');

	if (eq == NULL || eq == value) {
		options_name(name, sizeof name, argv, opt);
		die(STATUS_USAGE, "%s %s: expected NAME=VALUE", name, value);
	}
	o->env[o->nenv++] = value;
}

static void
options_one(struct options *o, int opt, char **argv)
{
	char name[64];

	switch (opt) {
	case 'a':
		o->append = true;
		break;
	case 'c':
		o->chdir = options_path(optarg, argv, opt);
		break;
	case 'e':
		o->stderr_path = options_path(optarg, argv, opt);
		break;
	case 'E':
		options_env(o, optarg, argv, opt);
		break;
	case 'h':
		fputs(usage_text, stdout);
		exit(fflush(stdout) == 0 ? STATUS_OK : STATUS_FAILED);
	case 'l':
		o->lockfile = options_path(optarg, argv, opt);
		break;
	case 'm':
		if (options_parse_umask(optarg, &o->umask) == -1) {
			options_name(name, sizeof name, argv, opt);
			die(STATUS_USAGE, "%s %s: expected an octal mode "
			    "from 0 to 0777", name, optarg);
		}
		break;
	case 'o':
		o->stdout_path = options_path(optarg, argv, opt);
		break;
	case 'p':
		o->pidfile = options_path(optarg, argv, opt);
		break;
	case 'u':
		o->user = options_path(optarg, argv, opt);
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'V':
		printf("%s %s\nsetsid: %s\nclose_range: %s\n", PACKAGE_NAME,
		    PACKAGE_VERSION, DAEMONIZE_SETSID, DAEMONIZE_CLOSE_RANGE);
		exit(fflush(stdout) == 0 ? STATUS_OK : STATUS_FAILED);
	case ':':
		optarg = NULL;
		options_name(name, sizeof name, argv, optopt);
		die(STATUS_USAGE, "%s: missing value", name);
	default:
		if (optopt != 0)
			die(STATUS_USAGE, "-%c: unknown option", optopt);
		optarg = NULL;
		options_name(name, sizeof name, argv, 0);
		die(STATUS_USAGE, "%s: unknown option", name);
	}
}

void
options_parse(struct options *o, int argc, char **argv)
{
	int opt;

	options_defaults(o, argc);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1)
		options_one(o, opt, argv);
	if (optind >= argc)
		die(STATUS_USAGE, "no program given (see daemonize --help)");
	o->argv = argv + optind;
}
