/*
 * Users and groups through the C library's name service (NSS): files,
 * LDAP, whatever /etc/nsswitch.conf says.  The ordinary build.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>

#include "daemonize.h"

struct passwd *
users_byname(const char *name)
{
	return getpwnam(name);
}

struct passwd *
users_byuid(uid_t uid)
{
	return getpwuid(uid);
}

struct group *
users_group_byname(const char *name)
{
	return getgrnam(name);
}

int
users_grouplist(const char *name, gid_t gid, gid_t *groups, int *n)
{
	return getgrouplist(name, gid, groups, n);
}
