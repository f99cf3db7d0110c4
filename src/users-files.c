/*
 * Users and groups for the static build (--enable-static-binary): read
 * from /etc/passwd and /etc/group directly.  A statically linked glibc
 * must load NSS modules (systemd, LDAP, ...) with dlopen, which is not
 * safe there, so the static build knows only the local files, and says so
 * in its documentation.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "daemonize.h"

/* The entry named name, or with uid when name is NULL. */
static struct passwd *
users_scan(const char *name, uid_t uid)
{
	struct passwd *pw;
	FILE *f;

	if ((f = fopen("/etc/passwd", "re")) == NULL)
		return NULL;
	while ((pw = fgetpwent(f)) != NULL)
		if (name != NULL ? strcmp(pw->pw_name, name) == 0 :
		    pw->pw_uid == uid)
			break;
	(void)fclose(f);
	return pw;
}

struct passwd *
users_byname(const char *name)
{
	return users_scan(name, 0);
}

struct passwd *
users_byuid(uid_t uid)
{
	return users_scan(NULL, uid);
}

struct group *
users_group_byname(const char *name)
{
	struct group *gr;
	FILE *f;

	if ((f = fopen("/etc/group", "re")) == NULL)
		return NULL;
	while ((gr = fgetgrent(f)) != NULL)
		if (strcmp(gr->gr_name, name) == 0)
			break;
	(void)fclose(f);
	return gr;
}

static bool
users_member(const struct group *gr, const char *name)
{
	char **m;

	for (m = gr->gr_mem; *m != NULL; m++)
		if (strcmp(*m, name) == 0)
			return true;
	return false;
}

/* As getgrouplist(3): gid, then every group listing name as a member. */
int
users_grouplist(const char *name, gid_t gid, gid_t *groups, int *n)
{
	struct group *gr;
	int count = 0;
	FILE *f;

	if (*n > 0)
		groups[0] = gid;
	count = 1;
	if ((f = fopen("/etc/group", "re")) != NULL) {
		while ((gr = fgetgrent(f)) != NULL) {
			if (gr->gr_gid == gid || !users_member(gr, name))
				continue;
			if (count < *n)
				groups[count] = gr->gr_gid;
			count++;
		}
		(void)fclose(f);
	}
	if (count > *n) {
		*n = count;
		return -1;
	}
	*n = count;
	return count;
}
