/*
 * The supervisor's signals: each one it catches becomes a byte on a
 * self-pipe, which the poll loop (supervise.c) reads; nothing else is
 * done in a handler.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemonize.h"
#include "supervise.h"

/* The self-pipe's write end, for the signal handler; nothing else. */
static volatile sig_atomic_t supervise_sigwr = -1;

/*
 * The signals the supervisor catches: every one it can, so that none sent
 * to the daemon's pid (--signal, a real-time one among them) ends the
 * supervisor and leaves its child unsupervised.  But not those that tell
 * of its own faults or limits (it dies of them, as any process), nor job
 * control (it stops and goes on as any process), nor PIPE and XFSZ (see
 * supervise_signals_catch()).
 */
static bool
supervise_catches(int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP: case SIGSEGV: case SIGBUS: case SIGFPE:
	case SIGILL: case SIGTRAP: case SIGABRT: case SIGSYS: case SIGXCPU:
	case SIGTSTP: case SIGTTIN: case SIGTTOU: case SIGCONT:
	case SIGPIPE: case SIGXFSZ:
		return false;
	default:
		return true;
	}
}

static void
supervise_handler(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	(void)!write(supervise_sigwr, &c, 1);
	errno = saved;
}

/* Block every signal that can be: supervise_signals_catch() unblocks. */
int
supervise_block_all(void)
{
	sigset_t all;

	if (sigfillset(&all) == -1)
		return -1;
	return sigprocmask(SIG_BLOCK, &all, NULL);
}

/* The self-pipe: the handler's one write end, the loop's read end. */
int
supervise_selfpipe(struct supervisor *s)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	s->sigrd = fds[0];
	supervise_sigwr = fds[1];
	return 0;
}

/*
 * Signals become bytes on the self-pipe; the rest are set back to their
 * defaults, which the caller may have changed.  A failing log must lose
 * lines, never the supervisor: SIGPIPE (a FIFO whose reader left) and
 * SIGXFSZ (a file at the caller's RLIMIT_FSIZE) are ignored, and the
 * write fails instead.  Every signal has been blocked since the fork
 * (detach.c) and is unblocked only once all this is in place.  Each child
 * sets every signal back before its exec.
 */
int
supervise_signals_catch(struct supervisor *s)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	if (signals_defaults() == -1)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	if (sigemptyset(&sa.sa_mask) == -1 || sigemptyset(&s->caught) == -1 ||
	    sigaction(SIGPIPE, &sa, NULL) == -1 ||
	    sigaction(SIGXFSZ, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = supervise_handler;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	for (sig = 1; sig < NSIG; sig++) {
		if (!supervise_catches(sig))
			continue;
		/* The C library keeps a few for its threads: EINVAL. */
		if (sigaction(sig, &sa, NULL) == -1) {
			if (errno == EINVAL)
				continue;
			return -1;
		}
		if (sigaddset(&s->caught, sig) == -1)
			return -1;
	}
	if (sigemptyset(&s->forward) == -1 || sigemptyset(&none) == -1)
		return -1;
	return sigprocmask(SIG_SETMASK, &none, NULL);
}
