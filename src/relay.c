/*
 * Readiness relayed to a service manager.  Run in the foreground by a
 * manager that set NOTIFY_SOCKET (systemd's Type=notify), with --notify,
 * --notify-fd or --wait-for, daemonize stays as the program's supervisor
 * (restarting it only with -r) and tells the manager "READY=1" with its
 * own pid as MAINPID= once the program is ready, and "STOPPING=1" when it
 * is asked to stop.  So a program that does not speak the protocol becomes
 * a Type=notify service all the same.
 *
 * The supervisor never blocks outside its one poll: the notify socket and
 * pipe are polled with the rest, a --wait-for port is tried with a
 * non-blocking connect whose socket is polled too, and a file is looked
 * for at each tick.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemonize.h"
#include "ready.h"

/* How often conditions are looked at while the program is not ready. */
#define RELAY_TICK_MS		50
/* How long a connect to a --wait-for port may take before a new try. */
#define RELAY_CONNECT_MS	200

/*
 * The manager's address: a path, or '@' for Linux's abstract namespace.
 * -1 for anything else (systemd's "vsock:" among them).
 */
static int
relay_address(struct relay *rl, const char *name)
{
	size_t len = strlen(name);

	memset(&rl->addr, 0, sizeof rl->addr);
	rl->addr.sun_family = AF_UNIX;
	if ((name[0] != '/' && name[0] != '@') || len < 2 ||
	    len + (name[0] == '/') > sizeof rl->addr.sun_path)
		return -1;
	memcpy(rl->addr.sun_path, name, len);
	if (name[0] == '@')
		rl->addr.sun_path[0] = '\0';
	rl->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    len + (name[0] == '/'));
	return 0;
}

/*
 * In the caller, before the readiness channels are made: is there a
 * manager to tell?  Its NOTIFY_SOCKET is then kept from the program,
 * which talks to daemonize, if to anyone (--notify gives it ours).
 */
static struct relay relay_state;

struct relay *
relay_capture(const struct ready_settings *o)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct relay *rl = &relay_state;

	memset(rl, 0, sizeof *rl);
	rl->sock = -1;
	if (!o->foreground || !ready_has_conditions(o) || name == NULL ||
	    *name == '\0')
		return rl;
	if (relay_address(rl, name) == -1)
		die(STATUS_FAILED, "NOTIFY_SOCKET=%s: not a unix socket address",
		    name);
	rl->active = true;
	if (unsetenv("NOTIFY_SOCKET") == -1)
		die_errno(STATUS_FAILED, errno, "environment");
	return rl;
}

/* Is there a manager to tell? */
bool
relay_active(const struct relay *rl)
{
	return rl->active;
}

/* In the supervisor: the socket to the manager, and the ports' state. */
int
relay_open(struct relay *rl, const struct ready_settings *o)
{
	size_t i;

	if (!rl->active)
		return 0;
	if ((rl->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (o->nwaitfor > 0 && (rl->tcp = calloc(o->nwaitfor,
	    sizeof *rl->tcp)) == NULL)
		return -1;
	for (i = 0; i < o->nwaitfor; i++)
		rl->tcp[i].fd = -1;
	rl->deadline = clock_ms() + o->wait_ms;
	return 0;
}

/*
 * One message to the manager; never waits.  False if it could not be
 * sent, said once for each reason; not a full queue (EAGAIN), which is
 * no failure: the message is sent again at the next tick.
 */
static bool
relay_send(struct relay *rl, struct logpipe *log, const char *msg)
{
	if (sendto(rl->sock, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&rl->addr, rl->addrlen) != -1)
		return true;
	if (errno != rl->failed && errno != EAGAIN && errno != EWOULDBLOCK)
		logpipe_say(log, LOG_WARNING, "telling the service manager: ",
		    strerror(errno), (char *)NULL);
	rl->failed = errno;
	return false;
}

/*
 * The program is ready: READY=1, with the supervisor as the main pid.
 * One the manager's full queue refused is sent again at the next tick.
 */
static void
relay_ready(struct relay *rl, struct logpipe *log)
{
	char msg[64], num[DECIMAL_LEN];
	const char *pid = decimal(num, (long)getpid());
	size_t n = strlen("READY=1\nMAINPID=");

	memcpy(msg, "READY=1\nMAINPID=", n);
	memcpy(msg + n, pid, strlen(pid) + 1);
	rl->ready = relay_send(rl, log, msg);
	rl->met = !rl->ready;
}

/* Asked to stop: STOPPING=1, once. */
void
relay_stopping(struct relay *rl, struct logpipe *log)
{
	if (!rl->active || rl->stopping)
		return;
	(void)relay_send(rl, log, "STOPPING=1");
	rl->stopping = true;
}

/*
 * Before a child is made: a --notify-fd pipe of its own, into the plan.
 * The supervisor keeps no write end once the child has it (relay_child),
 * so that a program that closes the descriptor without a line is seen to
 * (end-of-file), as a daemon's --wait sees it.  The first child's pipe is
 * the one the caller made.
 */
int
relay_pipe(const struct relay *rl, struct ready *r, struct spawn *plan)
{
	int fds[2];

	if (!rl->active || plan->nmoves == 0 || r->pipe_wr != -1)
		return 0;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if (r->pipe_rd != -1)
		(void)close(r->pipe_rd);
	r->pipe_rd = fds[0];
	r->pipe_wr = fds[1];
	plan->moves[0].from = fds[1];
	return 0;
}

/* A new child: its conditions start over, and its pipe is its own. */
void
relay_child(struct relay *rl, const struct ready_settings *o, struct ready *r)
{
	size_t i;

	if (!rl->active)
		return;
	r->notified = false;
	rl->closed = 0;
	rl->met = false;
	if (r->pipe_wr != -1)
		(void)close(r->pipe_wr);
	r->pipe_wr = -1;
	for (i = 0; i < o->nwaitfor; i++)
		o->waitfor[i].met = false;
}

/*
 * The --notify-fd pipe: read it; at end-of-file it is closed, and the
 * time noted if no line came.
 */
static void
relay_read_pipe(struct relay *rl, struct ready *r)
{
	int err;

	if (ready_read_pipe(r, &err) != 1)
		return;
	(void)close(r->pipe_rd);
	r->pipe_rd = -1;
	if (!r->notified)
		rl->closed = clock_ms();
}

/* The descriptors to poll: the channels, and ports being connected to. */
size_t
relay_pollfds(const struct relay *rl, const struct ready_settings *o,
    const struct ready *r, struct pollfd *pfd)
{
	size_t i, n = 0;

	if (!rl->active)
		return 0;
	if (r->sock != -1)
		pfd[n++] = (struct pollfd){ r->sock, POLLIN, 0 };
	if (r->pipe_rd != -1)
		pfd[n++] = (struct pollfd){ r->pipe_rd, POLLIN, 0 };
	for (i = 0; i < o->nwaitfor; i++)
		if (rl->tcp[i].fd != -1)
			pfd[n++] = (struct pollfd){ rl->tcp[i].fd, POLLOUT, 0 };
	return n;
}

/* The revents poll gave fd, among the n in pfd; 0 if it is not there. */
static short
relay_revents(const struct pollfd *pfd, size_t n, int fd)
{
	size_t i;

	for (i = 0; fd != -1 && i < n; i++)
		if (pfd[i].fd == fd)
			return pfd[i].revents;
	return 0;
}

/* Close port i's connecting socket, if any. */
static void
relay_tcp_close(struct relay *rl, size_t i)
{
	if (rl->tcp[i].fd != -1)
		(void)close(rl->tcp[i].fd);
	rl->tcp[i].fd = -1;
}

/*
 * Port i: a connect in progress that poll found writable has an answer;
 * one that took too long, or none, starts a new one.  True once it
 * connected.
 */
static bool
relay_tcp(struct relay *rl, const struct waitfor *w, size_t i, short revents,
    long now)
{
	socklen_t len = sizeof(int);
	struct addrinfo *ai;
	int soerr = 1, fd;

	if (rl->tcp[i].fd != -1 && revents != 0) {
		if (getsockopt(rl->tcp[i].fd, SOL_SOCKET, SO_ERROR, &soerr,
		    &len) == -1)
			soerr = 1;
		relay_tcp_close(rl, i);
		if (soerr == 0)
			return true;
	}
	if (rl->tcp[i].fd != -1 && now - rl->tcp[i].since < RELAY_CONNECT_MS)
		return false;
	relay_tcp_close(rl, i);
	/* Each of the name's addresses in turn, one per try. */
	ai = rl->tcp[i].ai != NULL && rl->tcp[i].ai->ai_next != NULL ?
	    rl->tcp[i].ai->ai_next : w->ai;
	if ((rl->tcp[i].ai = ai) == NULL || (fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol)) == -1)
		return false;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		(void)close(fd);
		return true;
	}
	if (errno != EINPROGRESS) {
		(void)close(fd);
		return false;
	}
	rl->tcp[i].fd = fd;
	rl->tcp[i].since = now;
	return false;
}

/* What ready_conditions_met() asks of a port: a connect's progress. */
struct relay_poll {
	struct relay *rl;
	const struct pollfd *pfd;
	size_t n;
	long now;
};

static bool
relay_tcp_met(const struct waitfor *w, size_t i, void *arg)
{
	struct relay_poll *p = arg;

	return relay_tcp(p->rl, w, i, relay_revents(p->pfd, p->n,
	    p->rl->tcp[i].fd), p->now);
}

/*
 * After poll: read what the channels hold, look at the conditions, and
 * tell the manager the first time they all hold for the current child.
 * Returns how long until the next look, -1 when none is needed.
 */
long
relay_check(struct relay *rl, const struct ready_settings *o, struct ready *r,
    pid_t child, const struct pollfd *pfd, size_t n, struct logpipe *log)
{
	struct relay_poll p = { rl, pfd, n, 0 };
	size_t i;
	int err;

	if (!rl->active)
		return -1;
	/*
	 * Read always, so that a program's datagrams never fill the queue;
	 * ERRNO= or STOPPING=1 before READY=1 means it never will be.
	 */
	if ((relay_revents(pfd, n, r->sock) & POLLIN) &&
	    ready_read_socket(o, r, child, &err) == 1 && !rl->ready &&
	    !rl->stopping)
		rl->gave_up = err != 0 ? err : RELAY_STOPPING;
	if (relay_revents(pfd, n, r->pipe_rd) & (POLLIN | POLLHUP))
		relay_read_pipe(rl, r);
	if (rl->ready || rl->stopping || child == -1)
		return -1;
	p.now = clock_ms();
	/* A child that closed it by exiting is handled as any exit. */
	if (ready_closed_early(child, rl->closed, p.now, RELAY_TICK_MS)) {
		rl->gave_up = RELAY_CLOSED;
		return -1;
	}
	if (ready_conditions_met(o, r, relay_tcp_met, &p)) {
		for (i = 0; i < o->nwaitfor; i++)
			relay_tcp_close(rl, i);
		relay_ready(rl, log);
		return rl->ready ? -1 : RELAY_TICK_MS;
	}
	return RELAY_TICK_MS;
}

/* Has the time for the first readiness run out, or did the program give up? */
bool
relay_late(const struct relay *rl)
{
	return rl->active && !rl->ready && !rl->stopping &&
	    (rl->gave_up != 0 || clock_ms() >= rl->deadline);
}

/* Why the program is being stopped for lateness, in the log. */
void
relay_say_late(const struct relay *rl, const struct ready_settings *o,
    struct logpipe *log)
{
	char num[DECIMAL_LEN];
	int err = rl->gave_up;

	if (err > 0)
		logpipe_say(log, LOG_ERR, o->program, " failed before "
		    "it was ready: ", strerror(err), "; stopping it",
		    (char *)NULL);
	else if (err == RELAY_STOPPING)
		logpipe_say(log, LOG_ERR, o->program, " was stopping "
		    "before it was ready; stopping it", (char *)NULL);
	else if (err == RELAY_CLOSED)
		logpipe_say(log, LOG_ERR, o->program, " closed "
		    "descriptor ", decimal(num, o->notify_fd), " without "
		    "writing a line; stopping it", (char *)NULL);
	else if (rl->met)
		logpipe_say(log, LOG_ERR, o->program, " was ready, but "
		    "the service manager could not be told within ",
		    decimal_seconds(num, o->wait_ms), " s: ",
		    strerror(rl->failed), "; stopping it", (char *)NULL);
	else
		logpipe_say(log, LOG_ERR, o->program, " was not ready "
		    "within ", decimal_seconds(num, o->wait_ms),
		    " s; stopping it", (char *)NULL);
}
