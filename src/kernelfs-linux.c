/*
 * Linux: is a file on one of the kernel's own file systems?  Files in
 * /proc and /sys claim to be regular files, yet writing a pid or a log
 * line into one is an order to the kernel: -p /proc/sys/kernel/hostname
 * would set the host's name.  Pidfiles, lock files and outputs are never
 * written there.
 */
#include "config.h"

#include <sys/vfs.h>

#ifdef HAVE_LINUX_MAGIC_H
#include <linux/magic.h>
#endif

#include "daemonize.h"

/* The kernel's values, for a C library without its headers. */
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC	0x9fa0
#define SYSFS_MAGIC		0x62656572
#define DEBUGFS_MAGIC		0x64626720
#define TRACEFS_MAGIC		0x74726163
#define SECURITYFS_MAGIC	0x73636673
#define CGROUP_SUPER_MAGIC	0x27e0eb
#define CGROUP2_SUPER_MAGIC	0x63677270
#define BPF_FS_MAGIC		0xcafe4a11
#endif

#define KERNELFS_WHY(fs) \
	"on the kernel's " fs " file system, refusing to write to it"

static const struct {
	unsigned long magic;
	const char *why;
} kernelfs_types[] = {
	{ PROC_SUPER_MAGIC, KERNELFS_WHY("proc") },
	{ SYSFS_MAGIC, KERNELFS_WHY("sysfs") },
	{ DEBUGFS_MAGIC, KERNELFS_WHY("debugfs") },
	{ TRACEFS_MAGIC, KERNELFS_WHY("tracefs") },
	{ SECURITYFS_MAGIC, KERNELFS_WHY("securityfs") },
	{ CGROUP_SUPER_MAGIC, KERNELFS_WHY("cgroup") },
	{ CGROUP2_SUPER_MAGIC, KERNELFS_WHY("cgroup") },
	{ BPF_FS_MAGIC, KERNELFS_WHY("bpf") },
};

/* Why not, when fd is on one of the kernel's file systems; NULL if not. */
const char *
kernelfs_refused(int fd)
{
	struct statfs sf;
	size_t i;

	if (fstatfs(fd, &sf) == -1)
		return NULL;
	for (i = 0; i < sizeof kernelfs_types / sizeof kernelfs_types[0]; i++)
		if ((unsigned long)sf.f_type == kernelfs_types[i].magic)
			return kernelfs_types[i].why;
	return NULL;
}
