/*
 * The command line, as options.c reads it: for options.c, daemonize.c
 * and the caller's steps it calls, and plan.c.  No subsystem includes
 * this: each is told what it needs by its settings struct (plan.c).
 */
#ifndef OPTIONS_H
#define OPTIONS_H

/* After daemonize.h, whose types it uses. */

/* One -E NAME=VALUE or --env-file FILE, applied in command-line order. */
struct envitem {
	const char *value;	/* NAME=VALUE, or the file's path */
	bool file;		/* --env-file */
	bool optional;		/* --env-file -FILE: a missing file is fine */
};

/* What the command line asked for; filled by options_parse(). */
struct options {
	int argc;		/* words on the command line */
	char **argv;		/* program and its arguments */
	const char *chdir;	/* working directory of the daemon */
	const char *chroot;	/* --chroot, or NULL */
	const char *stdout_path;
	const char *stderr_path;
	const char *pidfile;
	const char *lockfile;
	const char *user;	/* USER[:GROUP] */
	const char *group;	/* --group */
	struct envitem *env;	/* -E and --env-file, in order */
	size_t nenv;
	struct limit *limits;	/* --limit, in order */
	size_t nlimits;
	int *keep_fds;		/* --keep-fd */
	size_t nkeep_fds;
	struct waitfor *waitfor; /* --wait-for */
	size_t nwaitfor;
	long wait_ms;		/* --wait timeout; 0 when not waiting */
	long restart_delay_ms;	/* --restart-delay */
	long restart_window_ms;	/* --restart-window */
	long stop_timeout_ms;	/* --stop-timeout */
	int max_restarts;	/* --max-restarts; -1 for no limit */
	const char *child_pidfile; /* --child-pidfile */
	const char *syslog_tag;	/* --syslog=TAG, or NULL */
	int syslog_facility;
	off_t output_max_size;	/* --output-max-size; 0 for no rotation */
	int output_keep;	/* --output-keep */
	enum stamp stamp;	/* --timestamp */
	const char *runtime_dir; /* --runtime-dir */
	struct settings set;	/* --oom-score-adj, --ionice, --sched, ... */
	enum restart restart;	/* --restart */
	bool restart_spec;	/* --restart given */
	const char *success_spec; /* --success-exit-status as given */
	uint8_t success_exit[32]; /* clean exit statuses, as bits */
	uint64_t success_sig;	/* clean signals, bit N-1 for signal N */
	enum control control;	/* --status, --signal, --stop */
	const char *caps_unread;	/* why --cap's names could not be read */
	int signal;		/* --signal */
	int notify_fd;		/* --notify-fd, or -1 */
	int nice;
	mode_t umask;
	bool nice_set;
	bool append;
	bool clear_env;
	bool foreground;
	bool notify;		/* --notify */
	bool respawn;		/* -r */
	bool syslog;		/* --syslog */
	bool kill;		/* --kill */
	bool kill_process;	/* --kill-mode=process: the main pid alone */
	bool kill_all;		/* --kill-whom=all: --signal to the whole daemon */
	bool init;		/* --init */
	bool wait_bare;		/* --wait without its =seconds */
	bool stamp_bare;	/* --timestamp without its =format */
	bool help;		/* -h */
	bool version;		/* -V */
	bool verbose;
};

/* Is there a supervisor (-r or --init), which carries the output? */
static inline bool
options_supervised(const struct options *o)
{
	return o->respawn || o->init;
}

/* Is readiness a condition (--notify, --notify-fd, --wait-for)? */
static inline bool
options_has_ready(const struct options *o)
{
	return o->notify || o->notify_fd != -1 || o->nwaitfor > 0;
}

/* options.c */
void	 options_parse(struct options *, int, char **);
void	 options_free(struct options *);
int	 options_usage(void);
int	 options_version(void);
int	 options_parse_umask(const char *, mode_t *);
int	 options_parse_duration(const char *, long *);
int	 options_parse_waitfor(const char *, struct waitfor *);
int	 options_parse_size(const char *, off_t *);

#endif /* OPTIONS_H */
