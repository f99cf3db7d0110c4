/*
 * The benchmark driver: launches the probe through each daemonizing tool,
 * round-robin, and prints a markdown report.
 *
 * For every launch it measures
 *   run:    from just before posix_spawn() of the tool until the probe's
 *           main() read CLOCK_MONOTONIC (the probe stores that reading);
 *   return: from the same instant until the tool's caller has control
 *           back: waitpid() on the tool returned (for the bare posix_spawn
 *           floor, posix_spawn() returned).
 * Every tool is spawned with an empty environment and absolute paths.  The
 * driver is a child subreaper, so each daemon, once orphaned, becomes its
 * child again: after each launch it reaps every descendant before the next
 * one, and at the end it checks that no process it started is left.
 *
 * Scenarios:
 *   1. RLIMIT_NOFILE soft limit 1024;
 *   2. soft limit at the hard limit, and 1000 extra descriptors open in
 *      the caller without close-on-exec, inherited by the tool;
 *   3. launches back to back (scenario 1's limits): the caller launches
 *      the next one as soon as the previous tool returned.
 * Launches of scenarios 1 and 2 are interleaved: for each iteration, each
 * scenario, each tool in a freshly shuffled order.
 *
 * With valgrind available it also counts user-space instructions per
 * launch for the whole process tree, with callgrind.  A forked child's
 * profile repeats its parent's counts up to the fork, and a process that
 * execs leaves no profile of what ran before the exec; so callgrind dumps
 * (and zeroes) the counters on entry to any function whose name contains
 * "fork", "clone" or "execve".  Each instruction then lands in exactly one
 * dump file, give or take the few in fork() after the dump, and the sum
 * of all the files' totals is the tree's count.  This holds as long as
 * the program a tool execs (the probe) neither forks nor execs itself,
 * because its own dumps would reuse the names of the pre-exec ones.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { SC_LOW, SC_HIGH, NSCEN };
#define EXTRA_FDS 1000
#define MAXARGS 16

enum tool_id {
	T_FLOOR, T_SETSID, T_OURS, T_OURS_STATIC, T_DEBIAN, T_LIBSLACK,
	T_SSD, NTOOLS
};
#define MAXEXTRA 4
#define MAXTOOLS (NTOOLS + MAXEXTRA)

struct tool {
	const char *name;		/* label in the tables */
	const char *path;		/* absolute path, NULL: not there */
	const char *tmpl[MAXARGS];	/* argv after argv[0]; see build_argv */
	const char *fallback[MAXARGS];	/* tmpl to try if tmpl fails */
	const char *note;		/* said under the tables */
	const char *why;		/* why it is left out, if it is */
	/* samples, in nanoseconds */
	uint64_t *run[NSCEN], *ret[NSCEN];
	size_t n[NSCEN];
	unsigned long failed;
	double b2b_run, b2b_ret;	/* per launch, median over rounds */
	uint64_t *b2b_runs, *b2b_rets;
	size_t nb2b;
	unsigned long long ir[NSCEN];	/* median instructions per launch */
	unsigned long nproc[NSCEN];	/* processes in that launch's tree */
};

/* "@P": the probe; "@A": the probe's two arguments; "@N": no pidfile. */
static size_t ntools = NTOOLS;
static struct tool tools[MAXTOOLS] = {
	[T_FLOOR] = { .name = "posix_spawn (floor)",
	    .tmpl = { "@A", NULL } },
	[T_SETSID] = { .name = "setsid -f",
	    .tmpl = { "-f", "@P", "@A", NULL } },
	[T_OURS] = { .name = "daemonize (this)",
	    .tmpl = { "@P", "@A", NULL } },
	[T_OURS_STATIC] = { .name = "daemonize (this, static)",
	    .tmpl = { "@P", "@A", NULL } },
	[T_DEBIAN] = { .name = "Debian daemonize",
	    .tmpl = { "@P", "@A", NULL } },
	/* It refuses a program in a group- or world-writable directory. */
	[T_LIBSLACK] = { .name = "libslack daemon",
	    .tmpl = { "--", "@P", "@A", NULL },
	    .fallback = { "-U", "--", "@P", "@A", NULL },
	    .note = "run with -U (--unsafe): it refused the probe without, "
	    "as a directory above it is group- or world-writable" },
	[T_SSD] = { .name = "start-stop-daemon -b",
	    .tmpl = { "--start", "--background", "--pidfile", "@N", "--exec",
	      "@P", "--", "@A", NULL } },
};

static const char *scen_name[NSCEN] = {
	"RLIMIT_NOFILE 1024",
	"RLIMIT_NOFILE at hard limit, 1000 extra descriptors open",
};

static struct {
	unsigned long n, warmup, batch, rounds, cgreps, timeout, seed;
	const char *probe, *valgrind;
	int check;		/* --check: exit 3 if a gated target is unmet */
} opt = { 500, 20, 500, 5, 3, 20, 1, NULL, NULL, 0 };

/* Gated targets (see report()) that were not met. */
static int unmet;

/* Short enough that every path made from it fits in PATH_MAX. */
static char workdir[PATH_MAX / 2], slotfile[PATH_MAX], nopidfile[PATH_MAX];
static char errlog[PATH_MAX];
static volatile uint64_t *slots;
static size_t nslots;
static int out_fd = -1, diag_fd = -1;
static FILE *out;
static struct rlimit hard_lim;
static rlim_t low_lim;
static int extra[EXTRA_FDS];
static int extra_open;
static char *const empty_env[] = { NULL };
static volatile sig_atomic_t timed_out, stopping;

static void
diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	(void)!write(diag_fd, buf, (size_t)n);
}

static void cleanup(void);

static void
fatal(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	diag("bench: %s\n", buf);
	cleanup();
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* SIGINT, SIGTERM, SIGHUP, SIGPIPE: stop, kill what runs, clean up. */
static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
check_stop(void)
{
	if (stopping)
		fatal("interrupted");
}

/* Our direct children, including orphans reparented to us. */
static size_t
list_children(pid_t *pids, size_t max)
{
	char path[64];
	FILE *f;
	size_t n = 0;
	long p;

	(void)snprintf(path, sizeof path, "/proc/self/task/%ld/children",
	    (long)getpid());
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (n < max && fscanf(f, "%ld", &p) == 1)
		pids[n++] = (pid_t)p;
	(void)fclose(f);
	return n;
}

/* Kill and reap every descendant, by pid; used after a timeout. */
static void
kill_descendants(void)
{
	pid_t pids[256];
	size_t i, n;
	int tries;

	for (tries = 0; tries < 500; tries++) {
		n = list_children(pids, sizeof pids / sizeof pids[0]);
		for (i = 0; i < n; i++)
			(void)kill(pids[i], SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (n == 0 && waitpid(-1, NULL, WNOHANG) == -1 &&
		    errno == ECHILD)
			return;
		(void)usleep(10000);
	}
}

/* waitpid with the per-launch timeout; -1 and timed_out set on expiry. */
static pid_t
wait_timed(pid_t pid, int *status)
{
	pid_t r;

	timed_out = 0;
	(void)alarm((unsigned)opt.timeout);
	do
		r = waitpid(pid, status, 0);
	while (r == -1 && errno == EINTR && !timed_out && !stopping);
	(void)alarm(0);
	return r;
}

/* Reap every descendant; 0 when none is left, -1 on timeout. */
static int
reap_all(void)
{
	int status;

	for (;;) {
		if (wait_timed(-1, &status) == -1) {
			if (errno == ECHILD)
				return 0;
			if (timed_out) {
				kill_descendants();
				return -1;
			}
			check_stop();
			fatal("waitpid: %s", strerror(errno));
		}
	}
}

static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	(void)(flag == FTW_DP ? rmdir(path) : unlink(path));
	return 0;
}

static void
cleanup(void)
{
	kill_descendants();
	/* Only what we created: the directory made by mkdtemp. */
	if (workdir[0] != '\0')
		(void)nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	workdir[0] = '\0';
}

static void
build_argv(const struct tool *t, size_t slot, char *slotbuf, size_t len,
    const char **argv)
{
	size_t i, n = 0;

	(void)snprintf(slotbuf, len, "%zu", slot);
	argv[n++] = t->path;
	for (i = 0; t->tmpl[i] != NULL; i++) {
		if (strcmp(t->tmpl[i], "@P") == 0)
			argv[n++] = opt.probe;
		else if (strcmp(t->tmpl[i], "@N") == 0)
			argv[n++] = nopidfile;
		else if (strcmp(t->tmpl[i], "@A") == 0) {
			argv[n++] = slotfile;
			argv[n++] = slotbuf;
		} else
			argv[n++] = t->tmpl[i];
	}
	argv[n] = NULL;
}

static pid_t
spawn(const char *path, const char **argv)
{
	pid_t pid;
	int e;

	/* posix_spawn takes char *const[]; nothing writes to the strings. */
	e = posix_spawn(&pid, path, NULL, NULL, (char *const *)(void *)argv,
	    empty_env);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return pid;
}

static void
set_nofile(rlim_t soft)
{
	struct rlimit rl = { soft, hard_lim.rlim_max };

	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("setrlimit(RLIMIT_NOFILE, %llu): %s",
		    (unsigned long long)soft, strerror(errno));
}

static void
enter_scenario(int sc)
{
	int i;

	if (sc == SC_LOW) {
		for (i = 0; i < extra_open; i++)
			(void)close(extra[i]);
		extra_open = 0;
		set_nofile(low_lim);
		return;
	}
	set_nofile(hard_lim.rlim_max);
	/* Without O_CLOEXEC: a real caller's descriptors are inherited. */
	while (extra_open < EXTRA_FDS) {
		if ((extra[extra_open] = open("/dev/null", O_RDONLY)) == -1)
			fatal("open /dev/null: %s", strerror(errno));
		extra_open++;
	}
}

/*
 * One launch, waited for to the end: returns 0 and the two times, or -1
 * when the tool failed or the probe did not run.
 */
static int
launch_one(struct tool *t, uint64_t *run, uint64_t *ret)
{
	const char *argv[MAXARGS + 2];
	char slotbuf[32];
	uint64_t t0, tb;
	pid_t pid;
	int status, ok = 1;

	check_stop();
	build_argv(t, 0, slotbuf, sizeof slotbuf, argv);
	slots[0] = 0;
	t0 = now_ns();
	if ((pid = spawn(t->path, argv)) == -1) {
		diag("bench: %s: %s\n", t->path, strerror(errno));
		return -1;
	}
	if (t == &tools[T_FLOOR])
		tb = now_ns();
	else {
		if (wait_timed(pid, &status) == -1) {
			diag("bench: %s: %s\n", t->name, timed_out ?
			    "timed out" : strerror(errno));
			kill_descendants();
			return -1;
		}
		tb = now_ns();
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			diag("bench: %s: exit status 0x%x\n", t->name, status);
			ok = 0;
		}
	}
	if (reap_all() == -1) {
		diag("bench: %s: the daemon did not exit in %lus\n", t->name,
		    opt.timeout);
		return -1;
	}
	if (slots[0] == 0) {
		diag("bench: %s: the probe did not run\n", t->name);
		return -1;
	}
	*run = slots[0] - t0;
	*ret = tb - t0;
	return ok ? 0 : -1;
}

/*
 * A batch of launches back to back; returns 0 with the per-launch times,
 * run = until the last probe ran, ret = until the last tool returned.
 */
static int
launch_batch(struct tool *t, double *run, double *ret)
{
	const char *argv[MAXARGS + 2];
	char slotbuf[32];
	uint64_t start, last_ret, last = 0;
	size_t i;
	pid_t pid;
	int status, ok = 1;

	memset((void *)slots, 0, nslots * sizeof slots[0]);
	start = now_ns();
	for (i = 0; i < opt.batch; i++) {
		check_stop();
		build_argv(t, i, slotbuf, sizeof slotbuf, argv);
		if ((pid = spawn(t->path, argv)) == -1) {
			diag("bench: %s: %s\n", t->path, strerror(errno));
			ok = 0;
			break;
		}
		if (t != &tools[T_FLOOR]) {
			if (wait_timed(pid, &status) == -1) {
				kill_descendants();
				diag("bench: %s: timed out\n", t->name);
				return -1;
			}
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				ok = 0;
		}
		/* Keep the zombies down; the next launch is not yet. */
		while (waitpid(-1, &status, WNOHANG) > 0)
			;
	}
	last_ret = now_ns();
	if (reap_all() == -1)
		return -1;
	for (i = 0; ok && i < opt.batch; i++) {
		if (slots[i] == 0) {
			diag("bench: %s: probe %zu of the batch did not run\n",
			    t->name, i);
			ok = 0;
		} else if (slots[i] > last)
			last = slots[i];
	}
	if (!ok)
		return -1;
	*run = (double)(last - start) / (double)opt.batch;
	*ret = (double)(last_ret - start) / (double)opt.batch;
	return 0;
}

/*
 * Sum "summary:" (or "totals:") over every callgrind file in dir, and
 * count the distinct processes ("pid:") the files came from.
 */
static int
sum_callgrind(const char *dir, unsigned long long *sum, unsigned long *nproc)
{
	char path[PATH_MAX * 2], line[512];
	struct dirent *de;
	DIR *d;
	FILE *f;
	unsigned long long v, summary, totals;
	long pid, pids[256];
	size_t npids = 0, i;
	int has_summary, has_totals;

	*sum = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "cg.", 3) != 0)
			continue;
		(void)snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		summary = totals = 0;
		has_summary = has_totals = 0;
		pid = -1;
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, "summary: %llu", &v) == 1) {
				summary = v;
				has_summary = 1;
			} else if (sscanf(line, "totals: %llu", &v) == 1) {
				totals = v;
				has_totals = 1;
			} else if (pid == -1)
				(void)sscanf(line, "pid: %ld", &pid);
		}
		(void)fclose(f);
		if (!has_summary && !has_totals) {
			(void)closedir(d);
			return -1;
		}
		*sum += has_summary ? summary : totals;
		for (i = 0; i < npids && pids[i] != pid; i++)
			;
		if (i == npids && npids < sizeof pids / sizeof pids[0])
			pids[npids++] = pid;
	}
	(void)closedir(d);
	*nproc = (unsigned long)npids;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One callgrind run of tool t; returns its instruction count or 0. */
static unsigned long long
callgrind_one(struct tool *t, unsigned rep, int sc, unsigned long *nproc)
{
	const char *argv[MAXARGS + 16];
	char slotbuf[32], dir[PATH_MAX + 64], outopt[PATH_MAX + 128];
	char logopt[PATH_MAX + 128];
	const char *targv[MAXARGS + 2];
	unsigned long long sum;
	size_t i, n = 0;
	pid_t pid;
	int status;

	check_stop();
	(void)snprintf(dir, sizeof dir, "%s/cg-%d-%d-%u", workdir,
	    (int)(t - tools), sc, rep);
	if (mkdir(dir, 0700) == -1)
		fatal("mkdir %s: %s", dir, strerror(errno));
	(void)snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s/cg.%%p",
	    dir);
	(void)snprintf(logopt, sizeof logopt, "--log-file=%s/log.%%p", dir);
	argv[n++] = opt.valgrind;
	argv[n++] = "--tool=callgrind";
	argv[n++] = "--trace-children=yes";
	argv[n++] = "--dump-before=*fork*";
	argv[n++] = "--dump-before=*clone*";
	argv[n++] = "--dump-before=*execve*";
	argv[n++] = outopt;
	argv[n++] = logopt;
	build_argv(t, 0, slotbuf, sizeof slotbuf, targv);
	if (t == &tools[T_FLOOR])
		targv[0] = opt.probe;
	for (i = 0; targv[i] != NULL; i++)
		argv[n++] = targv[i];
	argv[n] = NULL;
	slots[0] = 0;
	if ((pid = spawn(opt.valgrind, argv)) == -1)
		fatal("%s: %s", opt.valgrind, strerror(errno));
	if (wait_timed(pid, &status) == -1) {
		kill_descendants();
		diag("bench: callgrind of %s timed out\n", t->name);
		return 0;
	}
	if (reap_all() == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || slots[0] == 0) {
		diag("bench: callgrind of %s failed (logs in %s)\n", t->name,
		    dir);
		return 0;
	}
	if (sum_callgrind(dir, &sum, nproc) == -1) {
		diag("bench: cannot read callgrind files in %s\n", dir);
		return 0;
	}
	return sum;
}

static void
run_callgrind(void)
{
	unsigned long long v[64];
	unsigned long nf;
	unsigned rep, k;
	size_t i;
	int sc;

	for (sc = 0; sc < NSCEN; sc++) {
		enter_scenario(sc);
		for (i = 0; i < ntools; i++) {
			struct tool *t = &tools[i];

			if (t->why != NULL)
				continue;
			diag("bench: callgrind, scenario %d, %s\n", sc + 1,
			    t->name);
			for (rep = k = 0; rep < opt.cgreps && k < 64; rep++)
				if ((v[k] = callgrind_one(t, rep, sc, &nf)) >
				    0) {
					k++;
					t->nproc[sc] = nf;
				}
			if (k == 0)
				continue;
			qsort(v, k, sizeof v[0], cmp_u64);
			t->ir[sc] = v[k / 2];
		}
	}
	enter_scenario(SC_LOW);
}

static uint64_t
median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof v[0], cmp_u64);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Nearest rank; v must be sorted. */
static uint64_t
p90(const uint64_t *v, size_t n)
{
	size_t r = (n * 9 + 9) / 10;

	return v[r == 0 ? 0 : r - 1];
}

static double
us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static void
shuffle(size_t *order, size_t n)
{
	size_t i, j, tmp;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		j = (size_t)random() % i;
		tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
}

static const char *
first_exec(const char *const *cands)
{
	for (; *cands != NULL; cands++)
		if (access(*cands, X_OK) == 0)
			return *cands;
	return NULL;
}

static const char *
absolute(const char *path, const char *what)
{
	if (path == NULL || path[0] != '/')
		fatal("%s must be an absolute path", what);
	return path;
}

static void
usage(void)
{
	diag("usage: driver --probe PATH --ours PATH [--ours-static PATH]\n"
	    "              [--setsid PATH] [--debian-daemonize PATH]\n"
	    "              [--libslack-daemon PATH] [--start-stop-daemon PATH]\n"
	    "              [--valgrind PATH | --no-callgrind] [--check]\n"
	    "              [--extra NAME=PATH]...\n"
	    "              [-n N] [-w N] [-b N] [-r N] [-c N] [-t SEC] "
	    "[-s SEED]\n");
	exit(2);
}

/* --extra NAME=PATH: one more tool, run as PATH PROBE ARGS. */
static void
add_extra(char *arg)
{
	struct tool *t;
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || ntools == MAXTOOLS)
		usage();
	*eq = '\0';
	t = &tools[ntools++];
	t->name = arg;
	t->path = absolute(eq + 1, "--extra");
	t->tmpl[0] = "@P";
	t->tmpl[1] = "@A";
	t->tmpl[2] = NULL;
}

static void
parse(int argc, char **argv)
{
	static const char *setsid_c[] = { "/usr/bin/setsid", "/bin/setsid",
	    NULL };
	static const char *debian_c[] = { "/usr/sbin/daemonize",
	    "/usr/bin/daemonize", NULL };
	static const char *libslack_c[] = { "/usr/bin/daemon", NULL };
	static const char *ssd_c[] = { "/usr/sbin/start-stop-daemon",
	    "/sbin/start-stop-daemon", NULL };
	static const char *vg_c[] = { "/usr/bin/valgrind", NULL };
	static const struct option lo[] = {
		{ "probe", required_argument, NULL, 'P' },
		{ "ours", required_argument, NULL, 'O' },
		{ "ours-static", required_argument, NULL, 'T' },
		{ "setsid", required_argument, NULL, 'F' },
		{ "debian-daemonize", required_argument, NULL, 'D' },
		{ "libslack-daemon", required_argument, NULL, 'L' },
		{ "start-stop-daemon", required_argument, NULL, 'S' },
		{ "valgrind", required_argument, NULL, 'G' },
		{ "no-callgrind", no_argument, NULL, 'X' },
		{ "check", no_argument, NULL, 'C' },
		{ "extra", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long *num;
	char *end;
	int c, nocg = 0;

	tools[T_SETSID].path = first_exec(setsid_c);
	tools[T_DEBIAN].path = first_exec(debian_c);
	tools[T_LIBSLACK].path = first_exec(libslack_c);
	tools[T_SSD].path = first_exec(ssd_c);
	opt.valgrind = first_exec(vg_c);
	while ((c = getopt_long(argc, argv, "n:w:b:r:c:t:s:", lo, NULL)) !=
	    -1) {
		switch (c) {
		case 'P': opt.probe = absolute(optarg, "--probe"); continue;
		case 'O': tools[T_OURS].path = absolute(optarg, "--ours");
			continue;
		case 'T': tools[T_OURS_STATIC].path =
			absolute(optarg, "--ours-static"); continue;
		case 'F': tools[T_SETSID].path = absolute(optarg, "--setsid");
			continue;
		case 'D': tools[T_DEBIAN].path =
			absolute(optarg, "--debian-daemonize"); continue;
		case 'L': tools[T_LIBSLACK].path =
			absolute(optarg, "--libslack-daemon"); continue;
		case 'S': tools[T_SSD].path =
			absolute(optarg, "--start-stop-daemon"); continue;
		case 'G': opt.valgrind = absolute(optarg, "--valgrind");
			continue;
		case 'X': nocg = 1; continue;
		case 'C': opt.check = 1; continue;
		case 'E': add_extra(optarg); continue;
		case 'n': num = &opt.n; break;
		case 'w': num = &opt.warmup; break;
		case 'b': num = &opt.batch; break;
		case 'r': num = &opt.rounds; break;
		case 'c': num = &opt.cgreps; break;
		case 't': num = &opt.timeout; break;
		case 's': num = &opt.seed; break;
		default: usage();
		}
		errno = 0;
		*num = strtoul(optarg, &end, 10);
		if (errno != 0 || *optarg == '\0' || *end != '\0')
			usage();
	}
	if (optind != argc || opt.probe == NULL || tools[T_OURS].path == NULL)
		usage();
	if (opt.n == 0 || opt.batch == 0 || opt.timeout == 0)
		usage();
	if (nocg)
		opt.valgrind = NULL;
	tools[T_FLOOR].path = opt.probe;
	if (tools[T_OURS_STATIC].path == NULL)
		tools[T_OURS_STATIC].why = "not built";
	for (c = 0; c < (int)ntools; c++)
		if (tools[c].why == NULL && (tools[c].path == NULL ||
		    access(tools[c].path, X_OK) != 0))
			tools[c].why = "not installed";
}

/* Standard descriptors of the tools: /dev/null, /dev/null, a log. */
static void
setup_fds(void)
{
	int fd;

	if ((out_fd = fcntl(1, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    (diag_fd = fcntl(2, F_DUPFD_CLOEXEC, 3)) == -1)
		exit(1);
	if ((out = fdopen(out_fd, "w")) == NULL)
		exit(1);
	if ((fd = open("/dev/null", O_RDWR)) == -1 || dup2(fd, 0) == -1 ||
	    dup2(fd, 1) == -1)
		fatal("/dev/null: %s", strerror(errno));
	if (fd > 2)
		(void)close(fd);
	if ((fd = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1 ||
	    dup2(fd, 2) == -1)
		fatal("%s: %s", errlog, strerror(errno));
	if (fd > 2)
		(void)close(fd);
}

static void
setup_workdir(void)
{
	const char *bases[] = { "/dev/shm", getenv("TMPDIR"), "/tmp" };
	size_t i;
	int fd;

	for (i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		if (bases[i] == NULL)
			continue;
		(void)snprintf(workdir, sizeof workdir, "%s/bench.XXXXXX",
		    bases[i]);
		if (mkdtemp(workdir) != NULL)
			break;
		workdir[0] = '\0';
	}
	if (workdir[0] == '\0')
		fatal("cannot create a work directory");
	(void)snprintf(slotfile, sizeof slotfile, "%s/slots", workdir);
	(void)snprintf(nopidfile, sizeof nopidfile, "%s/no-such.pid", workdir);
	(void)snprintf(errlog, sizeof errlog, "%s/stderr.log", workdir);
	nslots = opt.batch > 1 ? opt.batch : 1;
	fd = open(slotfile, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 || ftruncate(fd, (off_t)(nslots * sizeof slots[0])) == -1)
		fatal("%s: %s", slotfile, strerror(errno));
	slots = mmap(NULL, nslots * sizeof slots[0], PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (slots == MAP_FAILED)
		fatal("mmap %s: %s", slotfile, strerror(errno));
	(void)close(fd);
}

/* What the tools wrote on stderr, for the report of a failure. */
static void
show_errlog(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = open(errlog, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		(void)!write(diag_fd, buf, (size_t)n);
	(void)close(fd);
	if ((fd = open(errlog, O_WRONLY | O_TRUNC | O_CLOEXEC)) != -1)
		(void)close(fd);
}

static void
warm_up(void)
{
	uint64_t r, b;
	unsigned long i;
	size_t k, j;
	int sc;

	for (sc = 0; sc < NSCEN; sc++) {
		enter_scenario(sc);
		for (k = 0; k < ntools; k++) {
			struct tool *t = &tools[k];

			if (t->why != NULL)
				continue;
			for (i = 0; i < opt.warmup + 1; i++) {
				if (launch_one(t, &r, &b) == 0)
					continue;
				show_errlog();
				if (t->fallback[0] != NULL && i == 0 &&
				    sc == 0) {
					/* Once: the fallback has none. */
					for (j = 0; j < MAXARGS; j++)
						t->tmpl[j] = t->fallback[j];
					t->fallback[0] = NULL;
					t->why = NULL;
					diag("bench: retrying %s with its "
					    "fallback options\n", t->name);
					i = (unsigned long)-1;
					continue;
				}
				t->why = "failed to start the probe (see "
				    "stderr)";
				diag("bench: leaving out %s\n", t->name);
				break;
			}
			if (t->fallback[0] != NULL)
				t->note = NULL;
		}
	}
}

static void
run_interleaved(void)
{
	size_t order[MAXTOOLS], k;
	unsigned long it;
	uint64_t r, b;
	int sc;

	for (k = 0; k < ntools; k++)
		for (sc = 0; sc < NSCEN; sc++) {
			tools[k].run[sc] = calloc(opt.n, sizeof(uint64_t));
			tools[k].ret[sc] = calloc(opt.n, sizeof(uint64_t));
			if (tools[k].run[sc] == NULL ||
			    tools[k].ret[sc] == NULL)
				fatal("out of memory");
		}
	for (it = 0; it < opt.n; it++) {
		if (it % 50 == 0)
			diag("bench: scenarios 1 and 2, iteration %lu of %lu\n",
			    it + 1, opt.n);
		for (sc = 0; sc < NSCEN; sc++) {
			enter_scenario(sc);
			shuffle(order, ntools);
			for (k = 0; k < ntools; k++) {
				struct tool *t = &tools[order[k]];

				if (t->why != NULL)
					continue;
				if (launch_one(t, &r, &b) == -1) {
					t->failed++;
					continue;
				}
				t->run[sc][t->n[sc]] = r;
				t->ret[sc][t->n[sc]] = b;
				t->n[sc]++;
			}
		}
	}
	enter_scenario(SC_LOW);
}

static void
run_b2b(void)
{
	size_t order[MAXTOOLS], k;
	unsigned long r;
	double run, ret;

	for (k = 0; k < ntools; k++) {
		tools[k].b2b_runs = calloc(opt.rounds + 1, sizeof(uint64_t));
		tools[k].b2b_rets = calloc(opt.rounds + 1, sizeof(uint64_t));
		if (tools[k].b2b_runs == NULL || tools[k].b2b_rets == NULL)
			fatal("out of memory");
	}
	enter_scenario(SC_LOW);
	for (r = 0; r < opt.rounds; r++) {
		diag("bench: scenario 3, round %lu of %lu\n", r + 1,
		    opt.rounds);
		shuffle(order, ntools);
		for (k = 0; k < ntools; k++) {
			struct tool *t = &tools[order[k]];

			if (t->why != NULL)
				continue;
			if (launch_batch(t, &run, &ret) == -1) {
				t->failed++;
				continue;
			}
			t->b2b_runs[t->nb2b] = (uint64_t)run;
			t->b2b_rets[t->nb2b] = (uint64_t)ret;
			t->nb2b++;
		}
	}
	for (k = 0; k < ntools; k++)
		if (tools[k].nb2b > 0) {
			tools[k].b2b_run = (double)median(tools[k].b2b_runs,
			    tools[k].nb2b);
			tools[k].b2b_ret = (double)median(tools[k].b2b_rets,
			    tools[k].nb2b);
		}
}

static double
ratio(double x, double y)
{
	return y > 0 ? x / y : 0;
}

static void
fmt_ratio(char *buf, size_t len, double x, double y)
{
	if (x <= 0 || y <= 0)
		(void)snprintf(buf, len, "–");
	else
		(void)snprintf(buf, len, "%.2f", x / y);
}

/*
 * The launch targets that are gated: tool k's median time to running at
 * most setsid -f's, in scenarios 1 and 2 (mr: the medians of run).
 */
static void
report_gated(const char *what, size_t k, double mr[][NSCEN])
{
	int sc;

	for (sc = 0; sc < NSCEN; sc++) {
		double x;

		if (mr[k][sc] <= 0 || mr[T_SETSID][sc] <= 0)
			continue;
		x = mr[k][sc] / mr[T_SETSID][sc];
		unmet += x > 1.0;
		fprintf(out, "| %s, scenario %d (gated) | %.2f | %s |\n", what,
		    sc + 1, x, x <= 1.0 ? "yes" : "no");
	}
}

static void
report(void)
{
	struct tool *ss = &tools[T_SETSID], *fl = &tools[T_FLOOR];
	double mr[MAXTOOLS][NSCEN], mb[MAXTOOLS][NSCEN];
	double pr[MAXTOOLS][NSCEN], pb[MAXTOOLS][NSCEN];
	char r1[16], r2[16], r3[16];
	size_t k, notes;
	int sc;

	for (k = 0; k < ntools; k++)
		for (sc = 0; sc < NSCEN; sc++) {
			struct tool *t = &tools[k];

			mr[k][sc] = mb[k][sc] = pr[k][sc] = pb[k][sc] = 0;
			if (t->n[sc] == 0)
				continue;
			mr[k][sc] = us(median(t->run[sc], t->n[sc]));
			pr[k][sc] = us(p90(t->run[sc], t->n[sc]));
			mb[k][sc] = us(median(t->ret[sc], t->n[sc]));
			pb[k][sc] = us(p90(t->ret[sc], t->n[sc]));
		}

	fprintf(out, "Times in microseconds. *run*: from posix_spawn() of the "
	    "tool until the probe's main() ran. *return*: until the tool's "
	    "caller had control back (waitpid() returned; for the floor, "
	    "posix_spawn() returned). Medians and 90th percentiles of %lu "
	    "launches per tool and scenario, after %lu warm-up launches, "
	    "tools interleaved in a shuffled order, each launched with an "
	    "empty environment; the probe is statically linked. Ratios are "
	    "of medians.\n\n", opt.n, opt.warmup);
	for (sc = 0; sc < NSCEN; sc++) {
		fprintf(out, "### Scenario %d: %s (soft limit %llu)\n\n",
		    sc + 1, scen_name[sc], (unsigned long long)(sc == SC_LOW ?
		    low_lim : hard_lim.rlim_max));
		fprintf(out, "| tool | run median | run p90 | run ×setsid "
		    "| run ×floor | return median | return p90 | "
		    "return ×setsid |\n");
		fprintf(out, "|---|--:|--:|--:|--:|--:|--:|--:|\n");
		for (k = 0; k < ntools; k++) {
			if (tools[k].n[sc] == 0)
				continue;
			fmt_ratio(r1, sizeof r1, mr[k][sc], mr[T_SETSID][sc]);
			fmt_ratio(r2, sizeof r2, mr[k][sc], mr[T_FLOOR][sc]);
			fmt_ratio(r3, sizeof r3, mb[k][sc], mb[T_SETSID][sc]);
			fprintf(out, "| %s | %.1f | %.1f | %s | %s | %.1f | "
			    "%.1f | %s |\n", tools[k].name, mr[k][sc],
			    pr[k][sc], r1, r2, mb[k][sc], pb[k][sc], r3);
		}
		fprintf(out, "\n");
	}

	fprintf(out, "### Growth with RLIMIT_NOFILE and inherited "
	    "descriptors (scenario 2 / scenario 1, medians of run)\n\n");
	fprintf(out, "| tool | run, scenario 1 | run, scenario 2 | growth | "
	    "growth ÷ setsid's |\n|---|--:|--:|--:|--:|\n");
	for (k = 0; k < ntools; k++) {
		if (tools[k].n[SC_LOW] == 0 || tools[k].n[SC_HIGH] == 0)
			continue;
		fmt_ratio(r1, sizeof r1, mr[k][SC_HIGH], mr[k][SC_LOW]);
		fmt_ratio(r2, sizeof r2, ratio(mr[k][SC_HIGH], mr[k][SC_LOW]),
		    ratio(mr[T_SETSID][SC_HIGH], mr[T_SETSID][SC_LOW]));
		fprintf(out, "| %s | %.1f | %.1f | %s | %s |\n",
		    tools[k].name, mr[k][SC_LOW], mr[k][SC_HIGH], r1, r2);
	}
	fprintf(out, "\n");

	fprintf(out, "### Scenario 3: %lu launches back to back (RLIMIT_NOFILE "
	    "%llu)\n\n", opt.batch, (unsigned long long)low_lim);
	fprintf(out, "Per launch: the batch's time divided by %lu; *run* ends "
	    "when the last probe ran, *return* when the last tool returned. "
	    "Median of %lu rounds.\n\n", opt.batch, opt.rounds);
	fprintf(out, "| tool | run per launch | run ×setsid | run ×floor | "
	    "return per launch | total run, ms |\n|---|--:|--:|--:|--:|--:|\n");
	for (k = 0; k < ntools; k++) {
		struct tool *t = &tools[k];

		if (t->nb2b == 0)
			continue;
		fmt_ratio(r1, sizeof r1, t->b2b_run, ss->b2b_run);
		fmt_ratio(r2, sizeof r2, t->b2b_run, fl->b2b_run);
		fprintf(out, "| %s | %.1f | %s | %s | %.1f | %.1f |\n",
		    t->name, t->b2b_run / 1000.0, r1, r2, t->b2b_ret / 1000.0,
		    t->b2b_run * (double)opt.batch / 1e6);
	}
	fprintf(out, "\n");

	if (opt.valgrind != NULL) {
		fprintf(out, "### Instructions per launch, whole process tree "
		    "(callgrind)\n\n");
		fprintf(out, "User-space instructions (Ir) of every process "
		    "from the tool's start to the probe's exit, probe "
		    "included, each counted once; median of %lu runs. "
		    "*processes*: how many the tree had, probe "
		    "included.\n\n", opt.cgreps);
		fprintf(out, "| tool | Ir, scenario 1 | ×setsid | ×floor | "
		    "Ir, scenario 2 | ×setsid | processes |\n"
		    "|---|--:|--:|--:|--:|--:|--:|\n");
		for (k = 0; k < ntools; k++) {
			struct tool *t = &tools[k];

			if (t->ir[SC_LOW] == 0 && t->ir[SC_HIGH] == 0)
				continue;
			fmt_ratio(r1, sizeof r1, (double)t->ir[SC_LOW],
			    (double)ss->ir[SC_LOW]);
			fmt_ratio(r2, sizeof r2, (double)t->ir[SC_LOW],
			    (double)fl->ir[SC_LOW]);
			fmt_ratio(r3, sizeof r3, (double)t->ir[SC_HIGH],
			    (double)ss->ir[SC_HIGH]);
			fprintf(out, "| %s | %llu | %s | %s | %llu | %s | %lu "
			    "|\n", t->name, t->ir[SC_LOW], r1, r2,
			    t->ir[SC_HIGH], r3, t->nproc[SC_LOW]);
		}
		fprintf(out, "\n");
	}

	fprintf(out, "### Targets for daemonize (this)\n\n");
	fprintf(out, "Gated rows (marked so) decide the exit status of "
	    "`driver --check`, CI's launch gate.\n\n");
	fprintf(out, "| target | measured | met |\n|---|--:|:-:|\n");
	report_gated("run ≤ 1.00 × setsid -f", T_OURS, mr);
	report_gated("static build: run ≤ 1.00 × setsid -f",
	    T_OURS_STATIC, mr);
	if (mr[T_OURS][SC_LOW] > 0 && mr[T_SETSID][SC_LOW] > 0) {
		double g = mr[T_OURS][SC_HIGH] / mr[T_OURS][SC_LOW];
		double gs = mr[T_SETSID][SC_HIGH] / mr[T_SETSID][SC_LOW];

		fprintf(out, "| growth ≤ setsid's (%.2f) | %.2f | %s |\n", gs,
		    g, g <= gs ? "yes" : "no");
	}
	if (tools[T_OURS].ir[SC_LOW] > 0 && ss->ir[SC_LOW] > 0)
		fprintf(out, "| Ir per launch ≤ setsid's (%llu) | %llu | %s "
		    "|\n", ss->ir[SC_LOW], tools[T_OURS].ir[SC_LOW],
		    tools[T_OURS].ir[SC_LOW] <= ss->ir[SC_LOW] ? "yes" : "no");
	for (sc = 0; sc < NSCEN; sc++)
		if (mr[T_OURS_STATIC][sc] > 0 && mr[T_SETSID][sc] > 0) {
			double x = mr[T_OURS_STATIC][sc] / mr[T_SETSID][sc];

			fprintf(out, "| static build: run ≤ 0.8 × setsid -f, "
			    "scenario %d | %.2f | %s |\n", sc + 1, x,
			    x <= 0.8 ? "yes" : "no");
		}
	fprintf(out, "\n");

	for (k = 0, notes = 0; k < ntools; k++) {
		notes += tools[k].why != NULL || tools[k].note != NULL ||
		    tools[k].failed > 0;
		if (tools[k].why != NULL)
			fprintf(out, "- %s: left out, %s.\n", tools[k].name,
			    tools[k].why);
		else if (tools[k].note != NULL)
			fprintf(out, "- %s: %s.\n", tools[k].name,
			    tools[k].note);
		if (tools[k].failed > 0)
			fprintf(out, "- %s: %lu launches failed and are not "
			    "counted.\n", tools[k].name, tools[k].failed);
	}
	if (notes > 0)
		fprintf(out, "\n");
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	pid_t left[16];
	size_t k;

	diag_fd = 2;
	parse(argc, argv);
	srandom((unsigned)opt.seed);
	setup_workdir();
	setup_fds();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	(void)sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) == -1)
		fatal("sigaction: %s", strerror(errno));
	/* Handled, not ignored: exec resets them, so no tool inherits them. */
	sa.sa_handler = on_stop;
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1 ||
	    sigaction(SIGPIPE, &sa, NULL) == -1)
		fatal("sigaction: %s", strerror(errno));
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		fatal("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	if (getrlimit(RLIMIT_NOFILE, &hard_lim) == -1)
		fatal("getrlimit: %s", strerror(errno));
	low_lim = hard_lim.rlim_max < 1024 ? hard_lim.rlim_max : 1024;
	if (hard_lim.rlim_max < EXTRA_FDS + 64)
		fatal("the RLIMIT_NOFILE hard limit %llu is too low",
		    (unsigned long long)hard_lim.rlim_max);

	diag("bench: warming up\n");
	warm_up();
	for (k = 0; k < ntools; k++)
		if (k != T_OURS_STATIC && tools[k].why != NULL &&
		    (k == T_FLOOR || k == T_SETSID || k == T_OURS))
			fatal("%s: %s", tools[k].name, tools[k].why);
	if (opt.check && tools[T_OURS_STATIC].why != NULL)
		fatal("--check: the static build: %s",
		    tools[T_OURS_STATIC].why);
	run_interleaved();
	run_b2b();
	if (opt.valgrind != NULL)
		run_callgrind();
	show_errlog();

	if (list_children(left, sizeof left / sizeof left[0]) != 0 ||
	    waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		fatal("processes are left running");
	report();
	fprintf(out, "Every process the benchmark started has exited and "
	    "was reaped; none is left running.\n");
	if (fflush(out) == EOF)
		fatal("write: %s", strerror(errno));
	cleanup();
	return opt.check && unmet > 0 ? 3 : 0;
}
