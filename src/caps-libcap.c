/*
 * --cap: capabilities kept across -u as ambient capabilities, so that a
 * program run as an unprivileged user can, say, bind port 80.  Their
 * names are libcap's (cap_from_name(3)), read in the caller; the daemon
 * then sets them with system calls alone, between fork and exec:
 * PR_SET_KEEPCAPS before the user changes, capset(2) and
 * PR_CAP_AMBIENT_RAISE after it.  libcap itself is reached through
 * capname_value(), which loads it only now (capname-dlopen.c) or has it
 * linked in (capname-linked.c).
 */
#include "config.h"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemonize.h"

/* Room for the longest name ("cap_" and the rest), and a NUL. */
#define CAPS_NAME_MAX	64

/*
 * One name, with or without its "cap_", in any case; -1 if libcap knows
 * no such capability or it does not fit in our 64 bits, or (with *why
 * set) libcap could not be loaded.
 */
static int
caps_one(const char *s, size_t len, uint64_t *mask, const char **why)
{
	char name[CAPS_NAME_MAX];
	size_t i, n = 0;
	int cap;

	if (len == 0 || len + 4 >= sizeof name)
		return -1;
	if (len < 4 || strncasecmp(s, "cap_", 4) != 0) {
		memcpy(name, "cap_", 4);
		n = 4;
	}
	for (i = 0; i < len; i++)
		name[n++] = (char)tolower((unsigned char)s[i]);
	name[n] = '\0';
	if (capname_value(name, &cap, why) == -1 || cap < 0 || cap >= 64)
		return -1;
	*mask |= 1ULL << cap;
	return 0;
}

/*
 * CAP[,CAP...] as bits; -1 with *bad set if one is unknown, and *why too
 * if no name could be read.
 */
int
caps_parse(const char *list, uint64_t *mask, const char **bad,
    const char **why)
{
	size_t len;

	*mask = 0;
	*why = NULL;
	for (;;) {
		len = strcspn(list, ",");
		if (caps_one(list, len, mask, why) == -1) {
			*bad = list;
			return -1;
		}
		if (list[len] == '\0')
			return 0;
		list += len + 1;
	}
}

/* Before the user changes: keep the permitted set across setuid. */
int
caps_keep(uint64_t mask)
{
	if (mask == 0)
		return 0;
	return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
}

/*
 * After it: permitted, effective and inheritable cut down to the mask,
 * then each one made ambient, which is what survives an exec of a plain
 * program by a user other than root.
 */
int
caps_raise(uint64_t mask)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned long cap;
	size_t i;

	if (mask == 0)
		return 0;
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		data[i].effective = data[i].permitted = data[i].inheritable =
		    (uint32_t)(mask >> (32 * i));
	if (syscall(SYS_capset, &hdr, data) == -1)
		return -1;
	for (cap = 0; cap < 64; cap++)
		if ((mask & 1ULL << cap) != 0 && prctl(PR_CAP_AMBIENT,
		    PR_CAP_AMBIENT_RAISE, cap, 0, 0) == -1)
			return -1;
	return 0;
}
