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
 * address, which the fork copies.  Where binding is immediate (musl,
 * static builds) this costs a few failing system calls, once.
 *
 * Keep the list in step with supervise.c and logpipe.c: a respawn test
 * checks that no page of the dynamic linker's code is resident in the
 * supervisor.  Left out: what runs only as the supervisor exits.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

/* Not constants, so that the compiler keeps the calls. */
static volatile size_t bindahead_len = 1;
static volatile int bindahead_fd = -1;

void
bindahead_supervisor(void)
{
	char buf[2] = "\n";
	size_t len = bindahead_len;
	int fd = bindahead_fd;
	struct sigaction sa;
	void *p;

	/* The middle process has no child to reap: ECHILD. */
	(void)waitpid(-1, NULL, WNOHANG);
	(void)poll(NULL, 0, 0);
	(void)clock_ms();
	(void)getpid();
	(void)kill(getpid(), 0);
	(void)!chdir("");
	(void)!read(fd, buf, len);
	(void)!write(fd, buf, len);
	(void)!pwrite(fd, buf, len, 0);
	(void)!ftruncate(fd, 0);
	(void)dup2(fd, fd);
	(void)dup3(fd, fd, 0);
	(void)close(fd);
	(void)signals_reset();
	(void)sigaction(SIGCHLD, NULL, &sa);
	if (memchr(buf, '\n', len) != memrchr(buf, '\n', len))
		buf[0] = '\0';
	memmove(buf, buf + 1, len);
	memset(buf, 0, len);
	(void)strerror(EBADF);
	if ((p = calloc(1, len)) != NULL)
		free(p);
}
