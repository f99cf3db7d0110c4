/*
 * daemonize: run a program as a correct Unix daemon.
 *
 * What crosses file boundaries, in blocks named after the file that
 * defines it.  Kept apart: the command line (options.h, for the files
 * that read it), the log's, readiness's and the supervisor's state
 * (logpipe.h, ready.h, supervise.h, each for its own files).
 */
#ifndef DAEMONIZE_H
#define DAEMONIZE_H

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/compat.h"

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif
#define printflike(a, b) __attribute__((__format__(__printf__, a, b)))

/* Room for a long's digits, its sign and the NUL (decimal.c). */
#define DECIMAL_LEN	21

/*
 * Exit statuses.  126 and 127 are the values POSIX shells use for "found
 * but not executable" and "not found", so callers can treat daemonize like
 * the shell's own exec.
 */
enum status {
	STATUS_OK = 0,		/* the program is running */
	STATUS_RUNNING = 1,	/* the lock is held by a live instance */
	STATUS_USAGE = 2,	/* bad command line */
	STATUS_FAILED = 125,	/* daemonize itself failed */
	STATUS_NOEXEC = 126,	/* program found but cannot be executed */
	STATUS_NOTFOUND = 127,	/* program not found */
};

/* One --limit: a resource and its soft and hard values. */
struct limit {
	const char *spec;	/* as given, for messages */
	int resource;
	rlim_t soft;
	rlim_t hard;
};

struct addrinfo;

/* The most --wait-for conditions: each may be a socket to poll. */
#define WAITFOR_MAX	16

/* One --wait-for condition. */
struct waitfor {
	const char *spec;	/* as given, for messages */
	char *host;		/* tcp: */
	char *port;		/* tcp: */
	const char *path;	/* path: */
	struct addrinfo *ai;	/* tcp:, resolved once, before forking */
	bool met;
};

/* --restart: when the supervisor starts the program again. */
enum restart {
	RESTART_ALWAYS,
	RESTART_ON_FAILURE,
};

/* The settings of a service manager, applied by the daemon (settings.c). */
struct settings {
	const char *oom_spec;	/* --oom-score-adj as given, or NULL */
	char oom_text[8];	/* what goes into /proc/self/oom_score_adj */
	size_t oom_len;		/* its length, known before the fork */
	const char *ionice_spec; /* --ionice as given, or NULL */
	int ioprio;		/* class << 13 | level */
	const char *sched_spec;	/* --sched as given, or NULL */
	int sched_policy;
	int sched_priority;
	const char *cpus_spec;	/* --cpu-affinity as given, or NULL */
	cpu_set_t cpus;
	const char *caps_spec;	/* --cap as given, or NULL */
	uint64_t caps;		/* capability numbers, as bits */
	bool no_new_privs;	/* --no-new-privs */
};

/* --timestamp: what starts each line of a log file (logstamp.c). */
enum stamp {
	STAMP_NONE,
	STAMP_UTC,		/* 2026-11-29T17:38:50.123Z */
	STAMP_LOCAL,		/* 2026-11-29T18:38:50.123+01:00 */
	STAMP_TAI64N,		/* @4000000069... as daemontools writes it */
};

/* The longest stamp, with the space after it. */
#define STAMP_LEN	32

/* What to do, when it is not starting a program. */
enum control {
	CONTROL_NONE,
	CONTROL_STATUS,
	CONTROL_SIGNAL,
	CONTROL_STOP,
};

/*
 * What the command line asked for (options.h): read by options.c, by the
 * caller's own steps and by plan.c, which tells the subsystems what they
 * need of it.  Other files see only the name.
 */
struct options;

/* A locked pidfile or lock file. */
struct pidfile {
	const char *path;
	int fd;			/* holds the lock; read-only, kept by the daemon */
	int wfd;		/* write side, closed before exec; -1 for -l */
	dev_t dev;
	ino_t ino;
	const char *given;	/* as the command line named it, for messages */
	bool owned;		/* we created or truncated it: remove on failure */
	bool handed;		/* the lock left to the daemon (pidfile_hand_over) */
	const char *why;	/* reason for a failure errno cannot say */
};

/* The user and groups the daemon runs as (-u). */
struct user {
	const char *spec;	/* -u USER[:GROUP] or --group as given */
	bool changes_user;	/* -u: not only the groups */
	char *name;		/* NULL for --group alone, or a uid of no
				   passwd entry */
	char *home;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
};

/* Descriptors to keep open: two lists, either may be empty (fds.c). */
struct keep {
	const int *fds;		/* any order; negative entries mean nothing */
	size_t n;
	const int *more;
	size_t nmore;
};

/* The most descriptors of daemonize's own a program keeps (spawn.c). */
#define SPAWN_KEEP	6

/* A descriptor moved into place for the program: dup2(from, to). */
struct spawn_move {
	int from;
	int to;
};

/*
 * What the last steps before exec need, prepared completely by the caller
 * (spawn.c says in which order they are taken).
 */
struct spawn {
	int announce;		/* write our pid here first (--wait), or -1 */
	bool own_group;		/* setpgid(0, 0): the supervisor's children */
	const char *chroot;	/* --chroot, or NULL */
	const char *chdir;
	int pidfile;		/* write our pid here, or -1 */
	int stdio[3];		/* to become 0, 1 and 2 */
	struct spawn_move moves[1]; /* --notify-fd */
	size_t nmoves;
	int keep[SPAWN_KEEP];	/* ours, left open above 2, any order */
	size_t nkeep;
	const int *inherit;	/* --keep-fd: left open, and across the exec */
	size_t ninherit;
	const struct limit *limits;
	size_t nlimits;
	bool nice_set;
	int nice;
	const struct user *user; /* -u or --group, or NULL */
	const struct settings *set;
	char **paths;		/* candidates, tried in order */
	char *path[1];		/* paths, when the caller found the program */
	size_t npaths;
	char **argv;
	char **envp;
};


/* What readiness is told (plan.c). */
struct ready_settings {
	const char *program;	/* for messages */
	bool notify;		/* --notify */
	int notify_fd;		/* --notify-fd, or -1 */
	struct waitfor *waitfor;	/* --wait-for; whether each is met */
	size_t nwaitfor;
	long wait_ms;		/* --wait; 0 for none */
	bool foreground;	/* -f, --init */
	bool verbose;		/* -v */
};

/* Descriptors and resolved names the caller prepares before forking. */
struct launch {
	const char *path;	/* absolute path of the program */
	const char *search;	/* the caller's PATH, for lookups by the daemon */
	int null_rd;		/* /dev/null for stdin */
	int null_wr;		/* /dev/null for stdout and stderr */
	int out_fd;		/* -o, or -1 */
	int err_fd;		/* -e, or -1 */
	const char *out_path;	/* -o, absolute, for reopening (-r) */
	const char *err_path;	/* -e, likewise */
	struct pidfile pid;	/* -p */
	struct pidfile lock;	/* -l */
	struct pidfile child;	/* --child-pidfile */
	struct user *user;	/* -u, or NULL */
	struct ready *ready;	/* --wait (ready.c) */
	struct spawn spawn;	/* the daemon's last steps */
	struct relay *relay;	/* a manager's NOTIFY_SOCKET (relay.c) */
	const char *rundir;	/* --runtime-dir, once made or checked */
	bool rundir_made;	/* this start created it */
};

/* Steps of the daemon side that can fail, reported through the pipe. */
enum step {
	STEP_STARTED = 0,	/* not a failure: arg is the daemon's pid */
	STEP_SETSID = 1,
	STEP_GROUP,		/* setpgid: a supervisor's child */
	STEP_FORK,
	STEP_REPORT,		/* telling the caller the daemon's pid */
	STEP_PIPE,		/* the supervisor's own pipes */
	STEP_CHROOT,
	STEP_CHDIR,
	STEP_PIDFILE,
	STEP_STDIO,
	STEP_CLOSE,
	STEP_KEEP_FD,
	STEP_NOTIFY_FD,
	STEP_SIGNALS,
	STEP_LIMIT,
	STEP_NICE,
	STEP_PRIVS,
	STEP_OOM,
	STEP_IONICE,
	STEP_SCHED,
	STEP_CPUS,
	STEP_CAPS,
	STEP_NO_NEW_PRIVS,
	STEP_EXEC,
	STEP_LOST,		/* killed before it could report; err: signal */
	STEP_CHILD_PIDFILE,	/* the supervisor writing the child's pid */
};

/* A failure sent from the daemon side to the waiting caller. */
struct failure {
	int step;		/* enum step */
	int err;		/* errno */
	int arg;		/* which --limit or --keep-fd; exit status */
	int which;		/* the candidate path exec tried, or -1 */
};

/* What a failure's message says: WHAT in parts, errno for REASON. */
struct words {
	const char *what[3];	/* NULL where unused */
	int err;		/* 0: no REASON */
	char num[DECIMAL_LEN];	/* a number in WHAT */
};

/* The close-on-exec pipe between the caller and the daemon. */
struct report {
	int rd;
	int wr;
	pid_t daemon;		/* the daemon's pid, when it sent it */
};


/* daemonize.c: main, the checklist in order. */

/* clock.c */
long	 clock_ms(void);

/* control.c */
/* What --status, --signal and --stop are told (plan.c). */
struct control_settings {
	enum control control;	/* which */
	const char *pidfile;	/* -p */
	int signal;		/* --signal's */
	bool kill;		/* --kill */
	bool kill_all;		/* --kill-whom all */
	bool kill_process;	/* --kill-mode process */
	long stop_timeout_ms;	/* --stop-timeout */
	bool verbose;		/* -v */
};
int	 control_run(const struct control_settings *);
pid_t	 control_holder(const char *, pid_t);

/* coverage-gcov.c, coverage-none.c */
void	 coverage_flush(void);

/* decimal.c */
char	*decimal(char [DECIMAL_LEN], long);
char	*decimal_seconds(char [DECIMAL_LEN], long);
char	*decimal_duration(char [DECIMAL_LEN], long);

/* detach.c */
pid_t	 detach_fork(const struct report *);
pid_t	 detach_vfork(const struct report *, const struct spawn *);

/* caps-libcap.c, caps-none.c */
int	 caps_parse(const char *, uint64_t *, const char **, const char **);
int	 caps_keep(uint64_t);
int	 caps_raise(uint64_t);

/* capname-dlopen.c, capname-linked.c */
int	 capname_value(const char *, int *, const char **);

/* env.c */
int	 env_apply(const struct options *, const struct user *);

/* envfile.c */
int	 envfile_apply(const char *, bool);

/* error.c */
__dead void die(int, const char *, ...) printflike(2, 3);
__dead void die_errno(int, int, const char *, ...) printflike(3, 4);
void	 warn_errno(int, const char *, ...) printflike(2, 3);
void	 verbose(bool, const char *, ...) printflike(2, 3);

/* fds.c */
void	 fds_sanitize_std(void);
int	 fds_open_null(struct launch *);
int	 fds_open_outputs(const struct options *, struct launch *,
	     const char **, const char **);
/* fds_open_log() rules. */
#define FDS_APPEND	1	/* do not empty it */
#define FDS_SUPERVISED	2	/* a supervisor's: appended, regular only */
#define FDS_DEVICES	4	/* and character devices too (--init) */
int	 fds_open_log(int, const char *, int, const char **);
struct stat;
const char *fds_hardlinked(const struct stat *);
int	 fds_log_rules(const struct options *);
bool	 fds_kept(const struct keep *, int);
int	 fds_close_except(const struct keep *);
int	 fds_check_kept(const struct options *, size_t *);
int	 fds_reserve(int);
void	 fds_close_launch(struct launch *);

/* fdwalk-linux.c, fdwalk-none.c */
int	 fdwalk_close(const struct keep *);

/* kernelfs-linux.c, kernelfs-none.c */
const char *kernelfs_refused(int);

/* launch.c */
void	 launch_init(struct launch *);
__dead void launch_abandon(struct launch *, int);

/*
 * logpipe.c: the supervisor's log.  What it is told comes from the
 * options (plan.c) and from the files the caller opened for it (the
 * supervisor fills those in); struct logpipe itself is logpipe.h's, for
 * logpipe.c and logrotate.c alone.
 */
struct logpipe;
struct logsettings {
	int out_fd, err_fd;	/* the -o and -e files, or -1 */
	const char *out_path;	/* their absolute paths, for messages */
	const char *err_path;
	bool syslog;		/* --syslog */
	const char *tag;	/* its tag: --syslog=TAG or the program */
	int facility;		/* --syslog-facility */
	bool foreground;	/* without a log, the supervisor's lines go to
				   stderr */
	enum stamp stamp;	/* --timestamp */
	off_t max_size;		/* --output-max-size; 0 for none */
	int keep;		/* --output-keep */
	int rules;		/* fds_open_log() rules to reopen with */
};
int	 logpipe_facility(const char *);
struct logpipe *logpipe_open(const struct logsettings *);
void	 logpipe_child_stdio(const struct logpipe *, int [3]);
size_t	 logpipe_pollfds(const struct logpipe *, struct pollfd *);
void	 logpipe_drain(struct logpipe *, const struct pollfd *, size_t);
void	 logpipe_flush(struct logpipe *);
void	 logpipe_say(struct logpipe *, int, const char *, ...)
	     __attribute__((__sentinel__));
void	 logpipe_reopen(struct logpipe *);

/* logstamp.c */
size_t	 logstamp_format(enum stamp, char [STAMP_LEN]);

/* pathdir.c */
const char	*path_base(const char *);
void	 path_dir_real(const char *, char *);
bool	 path_same_place(const char *, const char *);

/* lognames.c */
void	 lognames_check(const struct options *);

/* limits.c */
int	 limits_parse(const char *, struct limit *);

/* pidfile.c */
void	 pidfile_init(struct pidfile *, const char *, const char *);
int	 pidfile_lock(struct pidfile *, struct pidfile *);
int	 pidfile_open_write(struct pidfile *);
int	 pidfile_rewrite(const struct pidfile *, pid_t);
int	 pidfile_create(struct pidfile *);
void	 pidfile_remove(const struct pidfile *);
void	 pidfile_abandon(struct pidfile *);
void	 pidfile_hand_over(struct pidfile *);
pid_t	 pidfile_read(const char *);

/* rundir.c */
int	 rundir_make(const struct options *, const struct user *, bool *);
void	 rundir_abandon(const char *, bool);

/* settings.c */
int	 settings_parse_ionice(const char *, int *);
int	 settings_parse_sched(const char *, int *, int *);
int	 settings_parse_cpus(const char *, cpu_set_t *);
int	 settings_parse_statuses(const char *, uint8_t [32], uint64_t *);
int	 settings_apply(const struct settings *, struct failure *);
int	 settings_secure(const struct settings *, struct failure *);

/* privs.c */
#define PRIVS_NOUSER	1
#define PRIVS_NOGROUP	2
int	 privs_check_self(void);
int	 privs_lookup(const char *, const char *, struct user **);
int	 privs_drop(const struct user *);
void	 privs_free(struct user *);

/* program.c */
const char *program_resolve(const char *, const char *);
const char *program_absolute(const char *);
int	 program_candidates(const char *, const char *, bool, char ***,
	     size_t *);

/*
 * ready.c and relay.c: readiness, waited for by the caller (--wait) or
 * relayed to a service manager.  Their state is ready.h's, for those two
 * files alone; everything else holds pointers.
 */
struct ready;
struct relay;
bool	 ready_has_conditions(const struct ready_settings *);
struct ready *ready_init(void);
int	 ready_prepare(const struct ready_settings *, struct ready *);
int	 ready_wait(const struct ready_settings *, struct ready *, pid_t);
size_t	 ready_keep(const struct ready *, int [3]);
int	 ready_daemon_end(const struct ready *);

/* relay.c */
struct relay *relay_capture(const struct ready_settings *);
bool	 relay_active(const struct relay *);
int	 relay_open(struct relay *, const struct ready_settings *);
void	 relay_stopping(struct relay *, struct logpipe *);
int	 relay_pipe(const struct relay *, struct ready *, struct spawn *);
void	 relay_child(struct relay *, const struct ready_settings *,
	     struct ready *);
size_t	 relay_pollfds(const struct relay *,
	     const struct ready_settings *, const struct ready *,
	     struct pollfd *);
long	 relay_check(struct relay *, const struct ready_settings *,
	     struct ready *, pid_t, const struct pollfd *, size_t,
	     struct logpipe *);
bool	 relay_late(const struct relay *);
void	 relay_say_late(const struct relay *, const struct ready_settings *,
	     struct logpipe *);

/* report.c */
int	 report_open(struct report *);
__dead void report_send(int, const struct failure *);
int	 report_wait(struct report *, pid_t, struct failure *);
int	 report_words(const struct failure *, const struct launch *,
	     struct words *);
int	 report_explain(const struct failure *, const struct launch *);
int	 report_not_started(const char *, int);

/* roles.c */
void	 roles_check(const struct options *);

/* signals.c */
int	 signals_defaults(void);
int	 signals_reset(void);
int	 signals_caller(void);
const char *signals_name(int, char [DECIMAL_LEN]);
int	 signals_number(const char *);

/* procs-linux.c, procs-none.c: the processes a scan looks for. */
struct procmatch {
	pid_t pgid;		/* members of this group, when > 0 */
	pid_t ppid;		/* children of this process, when > 0 */
	bool file;		/* holders of the file dev/ino */
	dev_t dev;
	ino_t ino;
	pid_t except;		/* never this one */
};
bool	 procs_live(pid_t);
int	 procs_holds(pid_t, dev_t, ino_t);
int	 procs_each(const struct procmatch *, void (*)(pid_t, void *), void *);
int	 procs_died_unexec(pid_t);
int	 procs_ending(pid_t);

/* pidsig.c */
int	 pidsig_holder(pid_t, dev_t, ino_t, int);

/* spawn.c */
void	 spawn_exec(const struct spawn *, struct failure *);

/* subreaper-linux.c, subreaper-none.c */
int	 subreaper_become(void);

/* supervise.c: -r and --init. */
struct supervise_settings {
	const char *program;	/* argv[0], for messages */
	bool respawn;		/* -r: started again; else --init, once */
	bool init;		/* --init */
	bool foreground;	/* -f: stdout and stderr stay the caller's */
	enum restart restart;	/* --restart */
	uint8_t success_exit[32]; /* --success-exit-status: statuses, */
	uint64_t success_sig;	/* and signals (bit N-1 for signal N) */
	long restart_delay_ms;	/* --restart-delay */
	long restart_window_ms;	/* --restart-window */
	int max_restarts;	/* --max-restarts; -1 for no limit */
	long stop_timeout_ms;	/* --stop-timeout */
	int notify_fd;		/* --notify-fd, or -1 */
	const struct logsettings *log;	/* what it tells its log, */
	const struct ready_settings *ready; /* and the relay */
};
__dead void supervise(const struct supervise_settings *, struct launch *,
	     const struct report *);

/*
 * plan.c: what each subsystem is told, filled from the options there and
 * nowhere else.  Past it, only the caller's own steps (daemonize.c and
 * what it calls directly) read struct options.
 */
struct plan {
	struct control_settings control;
	struct ready_settings ready;
	struct logsettings log;
	struct supervise_settings supervise;
};
void	 plan_settings(const struct options *, struct plan *);
void	 plan_spawn(const struct options *, struct launch *,
	     const struct report *);

/* users-nss.c, users-files.c */
struct group;
struct passwd;
struct passwd	*users_byname(const char *);
struct passwd	*users_byuid(uid_t);
struct group	*users_group_byname(const char *);
int	 users_grouplist(const char *, gid_t, gid_t *, int *);

#endif /* DAEMONIZE_H */
