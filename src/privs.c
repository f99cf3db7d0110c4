/*
 * Privileges: who daemonize refuses to run as, and the user and groups the
 * daemon becomes with -u.  Users and groups are looked up in the caller,
 * before forking, so an unknown name is reported at once and the name
 * service is never consulted between fork and exec.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

/*
 * daemonize is not meant to be installed setuid or setgid: it would let
 * any user run anything, as anyone, with -u.  Refuse when the ids differ or
 * the executable carries either bit (a setuid-root binary run by root has
 * equal ids, but is still a mistake to be told about).
 */
int
privs_check_self(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	struct stat sb;

	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		return -1;
	if (ruid != euid || rgid != egid ||
	    (stat("/proc/self/exe", &sb) == 0 &&
	    (sb.st_mode & (S_ISUID | S_ISGID)) != 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * A decimal id, 0 up to UINT_MAX - 1: (uid_t)-1 is what setresuid(2)
 * takes for "unchanged", never an id.  -1 if s is not one.
 */
static int
privs_number(const char *s, id_t *id)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v >= (uid_t)-1 || v >= (gid_t)-1)
		return -1;
	*id = (id_t)v;
	return 0;
}

static int
privs_group(const char *name, gid_t *gid)
{
	struct group *gr;
	id_t n;

	if ((gr = users_group_byname(name)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (privs_number(name, &n) == -1)
		return PRIVS_NOGROUP;
	*gid = (gid_t)n;
	return 0;
}

/* The supplementary groups of name, as initgroups(3) would set them. */
static int
privs_grouplist(struct user *u)
{
	int n = 32;

	for (;;) {
		free(u->groups);
		if ((u->groups = calloc((size_t)n, sizeof *u->groups)) == NULL)
			return -1;
		u->ngroups = n;
		if (users_grouplist(u->name, u->gid, u->groups,
		    &u->ngroups) != -1)
			return 0;
		if (u->ngroups <= n)
			n *= 2;
		else
			n = u->ngroups;
	}
}

/*
 * The passwd entry of name (or of a numeric uid).  A numeric uid with no
 * entry is accepted only when a group is given: there is no primary group
 * or name to take from anywhere else.
 */
static int
privs_passwd(struct user *u, const char *name, bool have_group)
{
	struct passwd *pw;
	id_t n;
	bool number = privs_number(name, &n) == 0;

	if ((pw = users_byname(name)) == NULL && number)
		pw = users_byuid((uid_t)n);
	if (pw == NULL) {
		if (!number || !have_group)
			return PRIVS_NOUSER;
		u->uid = (uid_t)n;
		return 0;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if ((u->name = strdup(pw->pw_name)) == NULL ||
	    (u->home = strdup(pw->pw_dir)) == NULL)
		return -1;
	return 0;
}

/* GROUP as the primary and only group. */
static int
privs_only_group(struct user *u, const char *group)
{
	int rc;

	if ((rc = privs_group(group, &u->gid)) != 0)
		return rc;
	if ((u->groups = malloc(sizeof *u->groups)) == NULL)
		return -1;
	u->groups[0] = u->gid;
	u->ngroups = 1;
	return 0;
}

/*
 * Resolve -u USER[:GROUP] and --group GROUP (either may be NULL).  USER
 * alone takes the user's primary group and its supplementary groups, as
 * initgroups(3) would; a GROUP, from either place, is the primary and only
 * group; --group alone keeps the user id and changes only the groups.
 * Returns 0, PRIVS_NOUSER, PRIVS_NOGROUP, or -1 with errno.
 */
int
privs_lookup(const char *spec, const char *group, struct user **up)
{
	struct user *u;
	char *copy = NULL, *colon;
	int rc = -1;

	if ((u = calloc(1, sizeof *u)) == NULL)
		return -1;
	u->uid = getuid();
	u->spec = spec != NULL ? spec : group;
	u->changes_user = spec != NULL;
	if (spec != NULL) {
		if ((copy = strdup(spec)) == NULL)
			goto out;
		if ((colon = strchr(copy, ':')) != NULL) {
			*colon = '\0';
			group = colon + 1;
		}
		if ((rc = privs_passwd(u, copy, group != NULL)) != 0)
			goto out;
	}
	if (group != NULL)
		rc = privs_only_group(u, group);
	else
		rc = privs_grouplist(u);
out:
	free(copy);
	if (rc == 0)
		*up = u;
	else
		privs_free(u);
	return rc;
}

void
privs_free(struct user *u)
{
	int saved = errno;

	if (u == NULL)
		return;
	free(u->groups);
	free(u->name);
	free(u->home);
	free(u);
	errno = saved;
}

/*
 * Become the user for good: groups first (they need root), then the group
 * id, then the user id, real, effective and saved alike (setuid as root
 * sets all three).  Then make sure root cannot be regained.
 */
int
privs_drop(const struct user *u)
{
	if (setgroups((size_t)u->ngroups, u->groups) == -1 ||
	    setgid(u->gid) == -1 || setuid(u->uid) == -1)
		return -1;
	if (getuid() != u->uid || geteuid() != u->uid ||
	    getgid() != u->gid || getegid() != u->gid) {
		errno = EPERM;
		return -1;
	}
	if (u->uid != 0 && setuid(0) != -1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
