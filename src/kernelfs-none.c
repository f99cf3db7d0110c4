/*
 * Systems without Linux's statfs magic numbers: no file system is known
 * to be the kernel's own.
 */
#include "config.h"

#include "daemonize.h"

const char *
kernelfs_refused(int fd)
{
	(void)fd;
	return NULL;
}
