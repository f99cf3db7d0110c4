/*
 * The benchmark's probe: the program every tool launches.
 *
 * Linked statically so that no tool pays for the dynamic loader on its
 * behalf.  The first thing main() does is read CLOCK_MONOTONIC; it then
 * stores the reading, in nanoseconds, as 8 bytes at offset 8 * SLOT of
 * FILE (a file in a tmpfs the driver has mapped), and exits at once.
 * The wrappers redirect or close standard input and output and close
 * inherited descriptors, so a path on the command line is the only way
 * back to the driver.
 *
 * usage: probe FILE SLOT
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec ts;
	uint64_t ns;
	long slot;
	char *end;
	int fd;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 1;
	if (argc != 3)
		return 2;
	slot = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || slot < 0)
		return 2;
	ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if ((fd = open(argv[1], O_WRONLY | O_CLOEXEC)) == -1)
		return 1;
	if (pwrite(fd, &ns, sizeof ns, (off_t)slot * (off_t)sizeof ns) !=
	    (ssize_t)sizeof ns)
		return 1;
	return close(fd) == -1;
}
