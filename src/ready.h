/*
 * Readiness, inside: the state of the caller's wait (--wait) and of the
 * relay to a service manager, shared by ready.c and relay.c alone.  Every
 * other file sees them only by pointer (daemonize.h).
 */
#ifndef READY_H
#define READY_H

/* The caller's side of readiness waiting (--wait). */
struct ready {
	int sock;		/* --notify datagram socket, or -1 */
	int pipe_rd;		/* --notify-fd pipe, or -1 */
	int pipe_wr;		/* the daemon's end, moved to --notify-fd */
	bool notified;		/* READY=1 or a line on the pipe */
	char line[256];		/* partial input of --notify-fd */
	size_t linelen;
};

/* A --wait-for port being connected to by the relay (relay.c). */
struct relay_tcp {
	int fd;			/* connect in progress, or -1 */
	long since;
	struct addrinfo *ai;	/* the address tried last */
};

/* Why a program never will be ready, besides an ERRNO= it sent. */
#define RELAY_STOPPING	(-1)	/* it sent STOPPING=1 */
#define RELAY_CLOSED	(-2)	/* it closed --notify-fd without a line */

/* Readiness relayed to a service manager's NOTIFY_SOCKET (relay.c). */
struct relay {
	bool active;		/* foreground, conditions, NOTIFY_SOCKET */
	bool ready;		/* READY=1 sent */
	bool met;		/* the program is ready, READY=1 not yet sent */
	bool stopping;		/* STOPPING=1 sent */
	int gave_up;		/* ERRNO=, or RELAY_*, before READY=1 */
	int failed;		/* errno of the last send that failed */
	int sock;		/* to the manager */
	struct sockaddr_un addr;
	socklen_t addrlen;
	long deadline;		/* for the first readiness (--wait) */
	long closed;		/* when --notify-fd closed without a line */
	struct relay_tcp *tcp;	/* one per --wait-for */
};

/* ready.c, for relay.c */
int	 ready_read_socket(const struct ready_settings *, struct ready *,
	     pid_t, int *);
int	 ready_ended(pid_t, siginfo_t *);
bool	 ready_closed_early(pid_t, long, long, long);
int	 ready_read_pipe(struct ready *, int *);
bool	 ready_conditions_met(const struct ready_settings *,
	     const struct ready *,
	     bool (*)(const struct waitfor *, size_t, void *), void *);

#endif
