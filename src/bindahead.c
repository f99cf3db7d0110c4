/*
 * The --respawn supervisor's library functions, bound ahead: called once,
 * doing nothing, in the middle process just before it forks the
 * supervisor.
 *
 * Where functions are bound lazily (glibc's default), the first call of
 * each runs the dynamic linker's symbol lookup.  Made in the supervisor,
 * one lookup would leave the dynamic linker's code and the C library's
 * symbol tables resident in it for the rest of its life, some 300 kB:
 * more than everything else it holds of the C library.  Made here, in a
 * process that exits at once, a lookup leaves behind only the bound
 * address, which the fork copies.  Linking with -z now would bind every
 * function of every run at start-up instead, which costs a plain start a
 * third more instructions.  Where binding is immediate (musl, static
 * builds) this costs a few failing system calls, once.
 *
 * With _FORTIFY_SOURCE a call becomes the checking variant (__read_chk)
 * when the compiler knows the size of the buffer, and stays the plain
 * function when it does not; so each call on a buffer is made both ways.
 *
 * Keep the list in step with supervise.c, logpipe.c and what they call:
 * a respawn test checks that no page of the dynamic linker's code is
 * resident in the supervisor, in the builds CI makes.  fork is bound
 * already: it made this process.  Left out: what runs only as the
 * supervisor exits.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemonize.h"

/* Not constants, so that the compiler keeps every call. */
static volatile int bindahead_fd = -1;
static volatile size_t bindahead_len = 1;
/* Where results go, so that no call is dropped as having no effect. */
static void *volatile bindahead_sink;

/*
 * The calls that take a buffer, on buf of a size the compiler may know:
 * two bytes, len is 1.  No call's effect undoes another's, or the
 * compiler would drop it.
 */
static void
bindahead_buffer(char *buf, size_t len, int fd)
{
	(void)!read(fd, buf, len);
	(void)!write(fd, buf, len);
	(void)!pwrite(fd, buf, len, 0);
	bindahead_sink = memchr(buf, '\n', len);
	bindahead_sink = memrchr(buf, '\n', len);
	memmove(buf, buf + 1, len);
	memset(buf + 1, 0, len);
	bindahead_sink = buf;
}

void
bindahead_supervisor(void)
{
	char buf[2] = "\n", *unknown;
	size_t len = bindahead_len;
	int fd = bindahead_fd, fds[2], mask;
	struct pollfd pfd[1] = { { -1, 0, 0 } };
	struct sigaction sa;
	sigset_t set;

	bindahead_buffer(buf, len, fd);
	/* The same buffer, its size hidden behind the volatile sink. */
	unknown = bindahead_sink;
	bindahead_buffer(unknown, len, fd);
	/* An array, as the loop has, and a count the compiler cannot know. */
	(void)poll(pfd, (nfds_t)(len - 1), 0);
	/* The middle process has no child to reap: ECHILD. */
	(void)waitpid(-1, NULL, WNOHANG);
	(void)clock_ms();
	(void)kill(getpid(), 0);
	(void)!chdir("");
	(void)open("", O_RDONLY | O_CLOEXEC);
	(void)!pipe2(fds, -1);
	(void)fcntl(fd, F_GETFD);
	(void)!ftruncate(fd, 0);
	(void)dup2(fd, fd);
	(void)dup3(fd, fd, 0);
	(void)close(fd);
	(void)sigemptyset(&set);
	(void)sigprocmask(SIG_BLOCK, NULL, &set);
	(void)sigaction(SIGCHLD, NULL, &sa);
	/* Signal 0 is no signal: EINVAL. */
	(void)sigraw_default(0);
	bindahead_sink = strerror(EBADF);
	free(bindahead_sink = calloc(1, len));
	/* openlog only records its arguments; a masked priority logs nothing. */
	openlog(NULL, 0, 0);
	mask = setlogmask(LOG_MASK(LOG_EMERG));
	syslog(LOG_DEBUG, "%s", "");
	(void)setlogmask(mask);
	errno = 0;
}
