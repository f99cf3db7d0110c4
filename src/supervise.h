/*
 * The supervisor's state, shared by its files alone: supervise.c (the
 * state table and the poll loop), supervise-child.c (starting each
 * child), supervise-restart.c (the restart policy and its accounting),
 * supervise-tree.c (the child's process tree) and supervise-signals.c
 * (the self-pipe).  Nothing outside them sees it: supervise() is their
 * one entry point (daemonize.h).
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

/* --max-restarts within --restart-window, in fixed memory. */
#define RESTARTS_SLOTS	1024
struct restarts {
	int max;		/* -1 for no limit */
	long slot_ms;		/* the length of a slot */
	long nslots;		/* how many cover the window */
	long last;		/* the slot of the last restart */
	unsigned long total;	/* restarts in the slots of the window */
	uint32_t count[RESTARTS_SLOTS];
};

/* A child that lived this long was not dying young: the delay resets. */
#define SUPERVISE_YOUNG_MS	10000
/* The delay doubles up to this, or up to --restart-delay if that is more. */
#define SUPERVISE_MAX_DELAY_MS	60000
/* After KILL, how long what a child left may take to go. */
#define SUPERVISE_KILL_WAIT_MS	5000

enum state { STARTING, RUNNING, WAITING, STOPPING, CLEANING, DONE, NSTATES };
enum event {
	EXEC_OK, EXEC_FAILED, CHILD_EXITED, TIMER, STOP, FORWARD, TREE_GONE,
	NEVENTS
};

struct supervisor {
	const struct supervise_settings *set;
	struct launch *l;
	const struct report *r;	/* to the caller, until the first exec */
	struct spawn plan;	/* the children's last steps */
	enum state state;
	pid_t child;
	int status;		/* the last child's wait status */
	int sig;		/* the signal behind STOP or FORWARD */
	int stop_sig;		/* STOP while STARTING, passed on at exec */
	sigset_t forward;	/* FORWARD while STARTING, likewise */
	int execrd;		/* the child's exec report, while STARTING */
	struct failure failure;	/* why the last start failed */
	bool failed;		/* the last start failed: no status to say */
	long started;		/* when the child was started */
	long timer;		/* when TIMER fires; -1 for never */
	long delay;		/* the next restart delay */
	struct restarts restarts;	/* --max-restarts */
	pid_t left;		/* CLEANING: the last child's process group */
	bool left_killed;	/* CLEANING: KILL sent */
	bool stopping;		/* CLEANING: then done, not a restart */
	bool unexec;		/* the starting child died before its exec */
	int cpf_err;		/* why the child's pid is not in its pidfile */
	int exit_status;
	bool late;		/* not ready in time for the manager: 125 */
	int child_status;	/* the last child's, as a shell would say it */
	int sigrd;		/* self-pipe */
	sigset_t caught;	/* the signals above, blocked across fork */
	struct logpipe *log;	/* logpipe.c's */
};

/* supervise.c: the events a starting child passes on to */
enum state on_exit_running(struct supervisor *);
enum state on_exit_stopping(struct supervisor *);

/* supervise-child.c */
void	 supervise_say_status(struct supervisor *);
__dead void supervise_exit(struct supervisor *, int);
void	 supervise_first(struct supervisor *, bool);
void	 supervise_say_failure(struct supervisor *);
enum state supervise_start(struct supervisor *);
int	 supervise_exec_outcome(struct supervisor *);
bool	 supervise_cpf_failed(struct supervisor *);
__dead void supervise_fail(struct launch *, const struct report *,
	    struct failure *);
void	 supervise_settle(const struct supervise_settings *, struct launch *,
	    const struct report *);
int	 supervise_plan(struct supervisor *);
enum state on_exec_ok(struct supervisor *);
enum state on_exec_failed(struct supervisor *);
enum state on_exit_starting(struct supervisor *);
enum state on_stop_starting(struct supervisor *);
enum state on_forward_starting(struct supervisor *);

/* supervise-restart.c */
enum state supervise_schedule(struct supervisor *);
void	 supervise_note_status(struct supervisor *);
enum state supervise_after(struct supervisor *);

/* supervise-tree.c */
void	 supervise_kill_tree(struct supervisor *, int);
bool	 supervise_tree_lives(const struct supervisor *);
enum state supervise_clean(struct supervisor *, bool);

/* supervise-signals.c */
int	 supervise_block_all(void);
int	 supervise_selfpipe(struct supervisor *);
int	 supervise_signals_catch(struct supervisor *);

/* supervise-restart.c: the accounting */
void	 restarts_init(struct restarts *, int, long);
bool	 restarts_too_many(struct restarts *, long);

#endif
