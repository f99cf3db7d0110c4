/*
 * setsid(2) for systems without it: the old BSD way of leaving the
 * caller's terminal.  Make the process a process group leader of its own,
 * then give up the controlling terminal with TIOCNOTTY.  The process stays
 * in the caller's session; it just has no terminal and no foreground job
 * control ties.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "daemonize.h"

pid_t
setsid(void)
{
	int fd;

	if (setpgid(0, 0) == -1)
		return -1;
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) != -1) {
		/* Failing to detach from a terminal we have is an error. */
		if (ioctl(fd, TIOCNOTTY, 0) == -1) {
			(void)close(fd);
			return -1;
		}
		(void)close(fd);
	} else if (errno != ENXIO && errno != ENOENT)
		return -1;
	return getpid();
}
