/*
 * Signals.  Ignored dispositions and the blocked mask survive execve(2):
 * a caller that ignores HUP (nohup) or blocks TERM would hand that to the
 * program, which then could not be stopped with a plain kill.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemonize.h"

/* sig back to its default disposition, with no flags. */
static int
signals_default(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	if (sigemptyset(&sa.sa_mask) == -1)
		return -1;
	return sigaction(sig, &sa, NULL);
}

/*
 * Every signal back to its default disposition.  The C library refuses
 * the few numbers it keeps for its own threads (glibc's 32 and 33) with
 * EINVAL: those are left as they are.
 */
int
signals_defaults(void)
{
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (signals_default(sig) == -1 && errno != EINVAL)
			return -1;
	}
	return 0;
}

/* Every signal at its default disposition, and none blocked. */
int
signals_reset(void)
{
	sigset_t none;

	if (sigemptyset(&none) == -1 || signals_defaults() == -1)
		return -1;
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * What daemonize itself relies on, in a caller that may have changed it:
 * an ignored SIGCHLD (or SA_NOCLDWAIT) would have the kernel reap our
 * children behind our back, so that waitpid() could no longer say how the
 * daemon died, or that it did.  The rest of the caller's dispositions are
 * its own: the daemon's side resets them all.
 */
int
signals_caller(void)
{
	return signals_default(SIGCHLD);
}

/* Signal names without the SIG prefix, as kill(1) spells them. */
static const struct {
	const char *name;
	int number;
} signals_names[] = {
	{ "HUP", SIGHUP },	{ "INT", SIGINT },	{ "QUIT", SIGQUIT },
	{ "ILL", SIGILL },	{ "TRAP", SIGTRAP },	{ "ABRT", SIGABRT },
	{ "BUS", SIGBUS },	{ "FPE", SIGFPE },	{ "KILL", SIGKILL },
	{ "USR1", SIGUSR1 },	{ "SEGV", SIGSEGV },	{ "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },	{ "ALRM", SIGALRM },	{ "TERM", SIGTERM },
	{ "CHLD", SIGCHLD },	{ "CONT", SIGCONT },	{ "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },	{ "TTIN", SIGTTIN },	{ "TTOU", SIGTTOU },
	{ "URG", SIGURG },	{ "XCPU", SIGXCPU },	{ "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },	{ "WINCH", SIGWINCH },
	{ "IO", SIGIO },	{ "SYS", SIGSYS },
};

/*
 * A signal for messages, as kill -l names it: "SEGV" for SIGSEGV;
 * "RTMIN+2" or "RTMAX-3" for a real-time one, from the nearer bound as
 * bash counts them; the number (in buf) for any other.
 */
const char *
signals_name(int sig, char buf[DECIMAL_LEN])
{
	int above = sig - SIGRTMIN, below = SIGRTMAX - sig;
	size_t i;

	for (i = 0; i < sizeof signals_names / sizeof signals_names[0]; i++)
		if (signals_names[i].number == sig)
			return signals_names[i].name;
	if (above < 0 || below < 0)
		return decimal(buf, sig);
	if (above == 0)
		return "RTMIN";
	if (below == 0)
		return "RTMAX";
	(void)snprintf(buf, DECIMAL_LEN, above <= below ? "RTMIN+%d" :
	    "RTMAX-%d", above <= below ? above : below);
	return buf;
}

/*
 * A real-time signal as kill(1) and bash name it: RTMIN, RTMIN+n, RTMAX,
 * RTMAX-n, counted from the C library's own bounds (glibc keeps the first
 * few for its threads).  -1 if s is none of these or names no signal.
 */
static int
signals_realtime(const char *s)
{
	char *end;
	long n = 0;
	int base, sign;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = '+';
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = '-';
	} else
		return -1;
	s += 5;
	if (*s != '\0') {
		if (*s++ != sign || *s < '0' || *s > '9')
			return -1;
		n = strtol(s, &end, 10);
		if (*end != '\0' || n > SIGRTMAX - SIGRTMIN)
			return -1;
	}
	return sign == '+' ? base + (int)n : base - (int)n;
}

/* A signal by name (TERM, SIGTERM, term, RTMIN+2) or number; -1 if none. */
int
signals_number(const char *s)
{
	char *end;
	long n;
	size_t i;

	if (*s >= '0' && *s <= '9') {
		n = strtol(s, &end, 10);
		return *end == '\0' && n > 0 && n < NSIG ? (int)n : -1;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof signals_names / sizeof signals_names[0]; i++)
		if (strcasecmp(signals_names[i].name, s) == 0)
			return signals_names[i].number;
	return signals_realtime(s);
}
