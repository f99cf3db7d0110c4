/*
 * Linux: close what /proc/self/fd lists, for a kernel without
 * close_range(2) or a seccomp profile that refuses it.
 *
 * The directory is read with the getdents64 system call into a buffer on
 * the stack, not with opendir(3), which allocates: this runs after vfork,
 * in the caller's memory.  Closing entries already read does not disturb
 * the reading: the position in /proc/self/fd is a descriptor number.
 */
#include "config.h"

#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "daemonize.h"

/* The kernel's struct linux_dirent64, which the C library may not name. */
struct fdwalk_dirent {
	uint64_t d_ino;		/* cppcheck-suppress unusedStructMember */
	int64_t d_off;		/* cppcheck-suppress unusedStructMember */
	unsigned short d_reclen;
	unsigned char d_type;	/* cppcheck-suppress unusedStructMember */
	char d_name[];
};

/* A descriptor number as /proc/self/fd names it; -1 for "." and "..". */
static int
fdwalk_number(const char *name)
{
	int fd = 0;

	if (*name == '\0')
		return -1;
	for (; *name != '\0'; name++) {
		if (*name < '0' || *name > '9' || fd > (INT32_MAX - 9) / 10)
			return -1;
		fd = fd * 10 + (*name - '0');
	}
	return fd;
}

int
fdwalk_close(const struct keep *k)
{
	char buf[4096] __attribute__((__aligned__(8)));
	const struct fdwalk_dirent *de;
	long got, off;
	int dfd, fd, saved;

	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1)
		return -1;
	while ((got = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0)
		for (off = 0; off < got; off += de->d_reclen) {
			de = (const struct fdwalk_dirent *)(buf + off);
			fd = fdwalk_number(de->d_name);
			if (fd > 2 && fd != dfd && !fds_kept(k, fd))
				(void)close(fd);
		}
	saved = errno;
	(void)close(dfd);
	errno = saved;
	return got == 0 ? 0 : -1;
}
