/*
 * The settings a service manager gives a service: the OOM killer's score
 * adjustment, the I/O and CPU scheduling, the CPU affinity and
 * no_new_privs.  Their values are parsed in the caller, before anything
 * is created; the daemon applies them between fork and exec, with system
 * calls alone (spawn.c says why), while it is still root: lowering the
 * OOM score, the realtime classes and policies need privileges the user
 * of -u may not have.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemonize.h"

/* ioprio_set(2): no C library has a wrapper or a header for it. */
#define SETTINGS_IOPRIO_WHO_PROCESS	1
#define SETTINGS_IOPRIO_CLASS_SHIFT	13

static const struct {
	const char *name;
	int value;
	bool levels;		/* takes :0 to :7 */
} settings_ioclasses[] = {
	{ "realtime", 1, true },
	{ "best-effort", 2, true },
	{ "idle", 3, false },
};

static const struct {
	const char *name;
	int policy;
	bool priority;		/* takes (and needs) :1 to :99 */
} settings_policies[] = {
	{ "other", SCHED_OTHER, false },
	{ "batch", SCHED_BATCH, false },
	{ "idle", SCHED_IDLE, false },
	{ "fifo", SCHED_FIFO, true },
	{ "rr", SCHED_RR, true },
};

/* A decimal number in [min, max] that ends at *end; -1 if none. */
static long
settings_number(const char *s, const char **end, long min, long max)
{
	long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > max)
			return -1;
	*end = s;
	return v < min ? -1 : v;
}

/* Does s start with name followed by a NUL or a ':'?  *rest is after it. */
static bool
settings_word(const char *s, const char *name, const char **rest)
{
	size_t n = strlen(name);

	if (strncmp(s, name, n) != 0 || (s[n] != '\0' && s[n] != ':'))
		return false;
	*rest = s + n;
	return true;
}

/*
 * --ionice CLASS[:LEVEL]: realtime or best-effort with a level from 0
 * (first) to 7, 4 by default as ionice(1) has it, or idle, which has none.
 */
int
settings_parse_ionice(const char *s, int *ioprio)
{
	const char *rest, *end;
	long level = 4;
	size_t i;

	for (i = 0; i < sizeof settings_ioclasses /
	    sizeof settings_ioclasses[0]; i++) {
		if (!settings_word(s, settings_ioclasses[i].name, &rest))
			continue;
		if (*rest == ':') {
			if (!settings_ioclasses[i].levels ||
			    (level = settings_number(rest + 1, &end, 0, 7)) ==
			    -1 || *end != '\0')
				return -1;
		}
		*ioprio = settings_ioclasses[i].value <<
		    SETTINGS_IOPRIO_CLASS_SHIFT | (int)level;
		return 0;
	}
	return -1;
}

/*
 * --sched POLICY[:PRIORITY]: other, batch and idle take no priority (or
 * 0); fifo and rr need one, from 1 to 99, as chrt(1) does.
 */
int
settings_parse_sched(const char *s, int *policy, int *priority)
{
	const char *rest, *end;
	long prio = 0;
	size_t i;

	for (i = 0; i < sizeof settings_policies /
	    sizeof settings_policies[0]; i++) {
		if (!settings_word(s, settings_policies[i].name, &rest))
			continue;
		if (*rest == ':' && ((prio = settings_number(rest + 1, &end,
		    settings_policies[i].priority, settings_policies[i].priority ?
		    99 : 0)) == -1 || *end != '\0'))
			return -1;
		if (settings_policies[i].priority && prio == 0)
			return -1;
		*policy = settings_policies[i].policy;
		*priority = (int)prio;
		return 0;
	}
	return -1;
}

/*
 * --cpu-affinity LIST, as taskset -c reads it: CPUs and ranges separated
 * by commas, a range with an optional stride ("0-7:2" is 0, 2, 4, 6).
 */
int
settings_parse_cpus(const char *s, cpu_set_t *set)
{
	long first, last, stride, cpu;
	const char *end;
	bool range;

	CPU_ZERO(set);
	for (;;) {
		if ((first = settings_number(s, &end, 0, CPU_SETSIZE - 1)) == -1)
			return -1;
		if ((range = *end == '-')) {
			if ((last = settings_number(end + 1, &end, first,
			    CPU_SETSIZE - 1)) == -1)
				return -1;
		} else
			last = first;
		if (*end == ':') {
			if (!range || (stride = settings_number(end + 1, &end, 1,
			    CPU_SETSIZE)) == -1)
				return -1;
		} else
			stride = 1;
		for (cpu = first; cpu <= last; cpu += stride)
			CPU_SET((size_t)cpu, set);
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

/*
 * --success-exit-status: exit statuses (0 to 255) and signal names, as
 * systemd's SuccessExitStatus= takes them, separated by commas or spaces.
 * Added to what is already there.
 */
int
settings_parse_statuses(const char *s, uint8_t exits[32], uint64_t *sigs)
{
	char word[32];
	const char *end;
	size_t n, words = 0;
	long v;
	int sig;

	for (;; words++) {
		s += strspn(s, ", \t");
		if ((n = strcspn(s, ", \t")) == 0)
			return words > 0 ? 0 : -1;
		if (n >= sizeof word)
			return -1;
		memcpy(word, s, n);
		word[n] = '\0';
		s += n;
		if ((v = settings_number(word, &end, 0, 255)) != -1) {
			if (*end != '\0')
				return -1;
			exits[v / 8] |= (uint8_t)(1U << (v % 8));
		} else if (word[0] >= '0' && word[0] <= '9')
			return -1;
		else if ((sig = signals_number(word)) == -1 || sig > 64)
			return -1;
		else
			*sigs |= 1ULL << (sig - 1);
	}
}

static int
settings_fail(struct failure *f, enum step step)
{
	*f = (struct failure){ (int)step, errno, 0, -1 };
	return -1;
}

/* The OOM score adjustment, into /proc/self/oom_score_adj. */
static int
settings_oom(const struct settings *set)
{
	size_t len = set->oom_len;
	ssize_t n;
	int fd, err;

	if ((fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC |
	    O_NOCTTY)) == -1)
		return -1;
	n = write(fd, set->oom_text, len);
	err = errno;
	(void)close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = n == -1 ? err : EIO;
	return -1;
}

/*
 * In the daemon, still as root: each setting given.  The scheduler is
 * set through syscall(2): musl's sched_setscheduler() refuses to, as
 * Linux applies it to the thread, not the process.
 */
int
settings_apply(const struct settings *set, struct failure *f)
{
	struct sched_param param;

	if (set->oom_spec != NULL && settings_oom(set) == -1)
		return settings_fail(f, STEP_OOM);
	if (set->ionice_spec != NULL && syscall(SYS_ioprio_set,
	    SETTINGS_IOPRIO_WHO_PROCESS, 0, set->ioprio) == -1)
		return settings_fail(f, STEP_IONICE);
	if (set->sched_spec != NULL) {
		memset(&param, 0, sizeof param);
		param.sched_priority = set->sched_priority;
		if (syscall(SYS_sched_setscheduler, 0, set->sched_policy,
		    &param) == -1)
			return settings_fail(f, STEP_SCHED);
	}
	if (set->cpus_spec != NULL &&
	    sched_setaffinity(0, sizeof set->cpus, &set->cpus) == -1)
		return settings_fail(f, STEP_CPUS);
	return 0;
}

/* In the daemon, the last step before exec: no_new_privs. */
int
settings_secure(const struct settings *set, struct failure *f)
{
	if (set->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return settings_fail(f, STEP_NO_NEW_PRIVS);
	return 0;
}
