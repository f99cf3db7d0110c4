/*
 * Readiness (--wait): the caller does not return until the program is
 * ready, has died, or has run out of time.
 *
 * The daemon is fully detached while the caller waits; the caller only
 * watches it.  It made itself a child subreaper before forking, so when
 * the middle process exits the daemon is re-parented to the caller, which
 * can then wait(2) for it and tell exactly how it died.  When the caller
 * exits, the daemon passes on to init as usual.
 *
 * Ready means every condition given holds: READY=1 over the systemd
 * notify protocol (--notify), a line on a descriptor (--notify-fd, the s6
 * convention), a TCP port accepting or a file existing (--wait-for).  With
 * none of them, ready means still alive when the time is up.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemonize.h"
#include "ready.h"

/* How often conditions are checked and death noticed. */
#define READY_TICK_MS	10
/* How long a connect to a --wait-for port may take before retrying. */
#define READY_CONNECT_MS	200
/* After TERM, how long the program has before KILL. */
#define READY_STOP_MS	5000

/* A condition the program must meet: --notify, --notify-fd, --wait-for. */
bool
ready_has_conditions(const struct ready_settings *rs)
{
	return rs->notify || rs->notify_fd != -1 || rs->nwaitfor > 0;
}

/* The caller's one wait, in static storage. */
static struct ready ready_state;

struct ready *
ready_init(void)
{
	struct ready *r = &ready_state;

	memset(r, 0, sizeof *r);
	r->sock = r->pipe_rd = r->pipe_wr = -1;
	return r;
}

/* The descriptors of readiness, -1 for those not made: kept open. */
size_t
ready_keep(const struct ready *r, int fds[3])
{
	fds[0] = r->sock;
	fds[1] = r->pipe_rd;
	fds[2] = r->pipe_wr;
	return 3;
}

/* The daemon's end of the --notify-fd pipe, or -1. */
int
ready_daemon_end(const struct ready *r)
{
	return r->pipe_wr;
}

/*
 * The notify socket: a datagram socket in the abstract namespace, named by
 * the kernel (autobind), so it needs no directory and cannot collide.
 * SO_PASSCRED makes the kernel attach each sender's pid.
 */
static int
ready_socket(struct ready *r)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sa_family_t);
	char name[sizeof sun.sun_path + 1];
	int one = 1;

	r->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->sock == -1)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (setsockopt(r->sock, SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof one) == -1 ||
	    bind(r->sock, (struct sockaddr *)&sun, len) == -1)
		return -1;
	len = sizeof sun;
	if (getsockname(r->sock, (struct sockaddr *)&sun, &len) == -1)
		return -1;
	len -= (socklen_t)offsetof(struct sockaddr_un, sun_path);
	if (len < 2 || sun.sun_path[0] != '\0') {
		errno = EAFNOSUPPORT;
		return -1;
	}
	name[0] = '@';
	memcpy(name + 1, sun.sun_path + 1, len - 1);
	name[len] = '\0';
	return setenv("NOTIFY_SOCKET", name, 1);
}

/*
 * Resolve each --wait-for host once, now: a lookup on every check would
 * let a slow resolver overrun the deadline, and a name that cannot be
 * resolved is a mistake to report before anything starts.
 */
static void
ready_resolve(const struct ready_settings *o)
{
	struct addrinfo hints;
	struct waitfor *w;
	size_t i;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < o->nwaitfor; i++) {
		w = &o->waitfor[i];
		if (w->host == NULL)
			continue;
		rc = getaddrinfo(w->host, w->port, &hints, &w->ai);
		if (rc == EAI_SYSTEM)
			die_errno(STATUS_FAILED, errno, "--wait-for %s", w->spec);
		if (rc != 0)
			die(STATUS_FAILED, "--wait-for %s: %s", w->spec,
			    gai_strerror(rc));
	}
}

/* In the caller, before forking. */
int
ready_prepare(const struct ready_settings *o, struct ready *r)
{
	int fds[2];

	if (o->wait_ms == 0)
		return 0;
	ready_resolve(o);
	if (subreaper_become() == -1)
		return -1;
	if (o->notify && ready_socket(r) == -1)
		return -1;
	if (o->notify_fd != -1) {
		if (pipe2(fds, O_CLOEXEC) == -1)
			return -1;
		r->pipe_rd = fds[0];
		r->pipe_wr = fds[1];
	}
	return 0;
}

/*
 * In the daemon, after closing inherited descriptors: put the pipe at N.
 * r is not changed: after a vfork it is the caller's memory too, and the
 * caller must still close its own end.
 */
int
ready_daemon_fd(const struct ready_settings *o, const struct ready *r)
{
	if (r->pipe_wr == -1)
		return 0;
	if (dup2(r->pipe_wr, o->notify_fd) == -1)
		return -1;
	return close(r->pipe_wr);
}

/*
 * Has pid ended?  1 with how in *si, 0 while it runs.  It is left
 * unreaped (WNOWAIT): for as long as it is, the number of its process
 * group cannot be given to anything else.
 */
int
ready_ended(pid_t pid, siginfo_t *si)
{
	memset(si, 0, sizeof *si);
	while (waitid(P_PID, (id_t)pid, si, WEXITED | WNOHANG | WNOWAIT) == -1)
		if (errno != EINTR)
			return 0;
	return si->si_pid == pid ? 1 : 0;
}

/*
 * --notify-fd closed without a line at closed (0: not closed): by the
 * program, which then never will be ready, or by its exit, which closes
 * its descriptors a moment before it can be waited for, and is to be
 * told as a death.  The task flags tell which; where they cannot be read,
 * a tick after the close does.
 */
bool
ready_closed_early(pid_t pid, long closed, long now, long tick)
{
	siginfo_t si;
	int ending;

	if (closed == 0 || ready_ended(pid, &si) == 1)
		return false;
	if ((ending = procs_ending(pid)) != -1)
		return ending == 0;
	return now - closed >= tick;
}

/*
 * Is a process other than pid, and not a zombie, still in process group
 * pgid?  Read from /proc; where it cannot be, assume so.
 */
static bool
ready_group_lives(pid_t pgid, pid_t pid)
{
	struct procmatch m = { pgid, 0, false, 0, 0, pid };

	return procs_each(&m, NULL, NULL) != 0;
}

/*
 * Stop the daemon and whatever it started: TERM to the process group
 * setsid made for it, then, once the daemon has ended and nothing else of
 * the group lives, or after a grace period, KILL to what is left; then
 * reap the daemon, last, so that its group stays its own until then.
 * Without a group of its own (none could be found), the daemon alone.
 */
static void
ready_stop(pid_t pid, pid_t pgid)
{
	long deadline = clock_ms() + READY_STOP_MS;
	struct timespec tick = { 0, READY_TICK_MS * 1000000L };
	pid_t target = pgid > 1 ? -pgid : pid;
	siginfo_t si;
	int status;

	(void)kill(target, SIGTERM);
	while (clock_ms() < deadline) {
		if (ready_ended(pid, &si) &&
		    (target == pid || !ready_group_lives(pgid, pid)))
			break;
		(void)nanosleep(&tick, NULL);
	}
	(void)kill(target, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
}

/* The number of ERRNO=, which the datagram does not NUL-terminate. */
static int
ready_errno(const char *value, size_t len)
{
	char num[16];

	if (len > sizeof num - 1)
		len = sizeof num - 1;
	memcpy(num, value, len);
	num[len] = '\0';
	return atoi(num);
}

/*
 * One line of a notify message: KEY=VALUE.  Returns 1, with *err the
 * ERRNO= value or 0, when the program gives up before it is ready.
 */
static int
ready_notify_line(const struct ready_settings *o, struct ready *r,
    const char *line, size_t len, int *err)
{
	if (len == 7 && memcmp(line, "READY=1", 7) == 0)
		r->notified = true;
	else if (len > 7 && memcmp(line, "STATUS=", 7) == 0)
		verbose(o->verbose, "%s: %.*s", o->program, (int)(len - 7),
		    line + 7);
	else if (len > 6 && memcmp(line, "ERRNO=", 6) == 0 && !r->notified) {
		*err = ready_errno(line + 6, len - 6);
		return 1;
	} else if (len == 10 && memcmp(line, "STOPPING=1", 10) == 0 &&
	    !r->notified) {
		*err = 0;
		return 1;
	}
	return 0;
}

/*
 * Read the datagrams waiting; only those sent by the daemon count.
 * 1 when the program gave up, -1 on error.
 */
int
ready_read_socket(const struct ready_settings *o, struct ready *r, pid_t pid,
    int *err)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr msg;
	struct cmsghdr *c;
	struct ucred cred;
	const char *p, *nl, *end;
	ssize_t n;

	for (;;) {
		memset(&msg, 0, sizeof msg);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof cbuf;
		if ((n = recvmsg(r->sock, &msg, MSG_DONTWAIT)) == -1)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c = CMSG_FIRSTHDR(&msg);
		if (c == NULL || c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_CREDENTIALS)
			continue;
		memcpy(&cred, CMSG_DATA(c), sizeof cred);
		if (cred.pid != pid) {
			verbose(o->verbose, "ignoring a notification from pid "
			    "%ld", (long)cred.pid);
			continue;
		}
		for (p = buf, end = buf + n; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			if (ready_notify_line(o, r, p, (size_t)(nl - p),
			    err) == 1)
				return 1;
		}
	}
}

/*
 * Read the --notify-fd pipe: a newline means ready; end-of-file before it
 * means it never can be (1, with *err -1).
 */
int
ready_read_pipe(struct ready *r, int *err)
{
	ssize_t n;

	n = read(r->pipe_rd, r->line, sizeof r->line);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		*err = -1;
		return 1;
	}
	if (memchr(r->line, '\n', (size_t)n) != NULL)
		r->notified = true;
	return 0;
}

/* Does a TCP connect to one of w's addresses succeed now? */
static bool
ready_tcp(const struct waitfor *w)
{
	struct addrinfo *ai;
	struct pollfd pfd;
	socklen_t len;
	bool ok = false;
	int s, soerr;

	for (ai = w->ai; ai != NULL && !ok; ai = ai->ai_next) {
		s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (s == -1)
			continue;
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0)
			ok = true;
		else if (errno == EINPROGRESS) {
			pfd.fd = s;
			pfd.events = POLLOUT;
			len = sizeof soerr;
			ok = poll(&pfd, 1, READY_CONNECT_MS) == 1 &&
			    getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr,
			    &len) == 0 && soerr == 0;
		}
		(void)close(s);
	}
	return ok;
}

/*
 * Are all the conditions met now?  A port is asked of tcp(w, i, arg); a
 * condition once met stays met.
 */
bool
ready_conditions_met(const struct ready_settings *o, const struct ready *r,
    bool (*tcp)(const struct waitfor *, size_t, void *), void *arg)
{
	struct stat sb;
	size_t i;
	bool all = true;

	if ((o->notify || o->notify_fd != -1) && !r->notified)
		all = false;
	for (i = 0; i < o->nwaitfor; i++) {
		struct waitfor *w = &o->waitfor[i];

		if (!w->met)
			w->met = w->path != NULL ? stat(w->path, &sb) == 0 :
			    tcp(w, i, arg);
		all = all && w->met;
	}
	return all;
}

static bool
ready_tcp_now(const struct waitfor *w, size_t i, void *arg)
{
	(void)i;
	(void)arg;
	return ready_tcp(w);
}

/*
 * Wait for input on the notification channels, at most ms.  1 when the
 * program gave up (see *err), -1 on error.
 */
static int
ready_poll(const struct ready_settings *o, struct ready *r, pid_t pid, long ms,
    int *err)
{
	struct pollfd pfd[2];
	nfds_t n = 0;
	int rc = 0;

	if (r->sock != -1)
		pfd[n++] = (struct pollfd){ r->sock, POLLIN, 0 };
	if (r->pipe_rd != -1)
		pfd[n++] = (struct pollfd){ r->pipe_rd, POLLIN, 0 };
	if (poll(pfd, n, (int)ms) == -1 && errno != EINTR)
		return -1;
	if (r->sock != -1 && (pfd[0].revents & POLLIN))
		rc = ready_read_socket(o, r, pid, err);
	if (rc == 0 && r->pipe_rd != -1 &&
	    (pfd[n - 1].revents & (POLLIN | POLLHUP)))
		rc = ready_read_pipe(r, err);
	return rc;
}

/* What ready_conditions_met() asks of a port once the program is gone. */
static bool
ready_tcp_gone(const struct waitfor *w, size_t i, void *arg)
{
	(void)w;
	(void)i;
	(void)arg;
	return false;
}

/*
 * The program died first: what it left running of its group is stopped
 * too (it holds the lock the pidfile names), then why is said.  What it
 * said before it went is read first: a program that was ready and then
 * died is told apart from one that never was, though both failed.
 */
static int
ready_died(const struct ready_settings *o, struct ready *r, pid_t pid,
    pid_t pgid, const siginfo_t *si)
{
	char num[DECIMAL_LEN];
	const char *when;
	int err;

	(void)ready_poll(o, r, pid, 0, &err);
	when = ready_has_conditions(o) &&
	    ready_conditions_met(o, r, ready_tcp_gone, NULL) ?
	    "right after" : "before";
	ready_stop(pid, pgid);
	if (si->si_code == CLD_EXITED)
		warn_errno(0, "%s exited with status %d %s it was ready",
		    o->program, si->si_status, when);
	else
		warn_errno(0, "%s was killed by signal %s %s it was ready",
		    o->program, signals_name(si->si_status, num), when);
	return STATUS_FAILED;
}

/* The program said it failed, or can never say it is ready: stop it. */
static int
ready_refused(const struct ready_settings *o, pid_t pid, pid_t pgid, int err)
{
	ready_stop(pid, pgid);
	if (err == -1)
		warn_errno(0, "%s closed descriptor %d without writing a line",
		    o->program, o->notify_fd);
	else if (err > 0)
		warn_errno(err, "%s failed before it was ready", o->program);
	else
		warn_errno(0, "%s was stopping before it was ready",
		    o->program);
	return STATUS_FAILED;
}

static int
ready_timeout(const struct ready_settings *o, pid_t pid, pid_t pgid)
{
	char secs[DECIMAL_LEN];

	ready_stop(pid, pgid);
	warn_errno(0, "%s was not ready within %s second%s; stopped it",
	    o->program, decimal_duration(secs, o->wait_ms),
	    o->wait_ms == 1000 ? "" : "s");
	return STATUS_FAILED;
}

/*
 * In the caller, once the program has been executed: wait until it is
 * ready.  Returns the exit status, having said why on failure.
 */
int
ready_wait(const struct ready_settings *o, struct ready *r, pid_t pid)
{
	long deadline = clock_ms() + o->wait_ms, left, closed = 0;
	/* The group the middle process's setsid made, never the caller's. */
	pid_t pgid = getpgid(pid);
	siginfo_t si;
	int err = 0, rc;

	if (pgid == getpgrp())
		pgid = -1;
	if (r->pipe_wr != -1)
		(void)close(r->pipe_wr);
	r->pipe_wr = -1;
	for (;;) {
		if (ready_ended(pid, &si))
			return ready_died(o, r, pid, pgid, &si);
		if (ready_closed_early(pid, closed, clock_ms(), READY_TICK_MS))
			return ready_refused(o, pid, pgid, -1);
		if (ready_has_conditions(o) &&
		    ready_conditions_met(o, r, ready_tcp_now, NULL)) {
			verbose(o->verbose, "%s is ready", o->program);
			return STATUS_OK;
		}
		if ((left = deadline - clock_ms()) <= 0)
			break;
		rc = ready_poll(o, r, pid, left < READY_TICK_MS ? left :
		    READY_TICK_MS, &err);
		if (rc == 1 && err == -1) {
			/* Closed once its line is written: as it should. */
			(void)close(r->pipe_rd);
			r->pipe_rd = -1;
			if (!r->notified)
				closed = clock_ms();
		} else if (rc == 1)
			return ready_refused(o, pid, pgid, err);
		if (rc == -1) {
			warn_errno(errno, "waiting for %s", o->program);
			ready_stop(pid, pgid);
			return STATUS_FAILED;
		}
	}
	if (ready_has_conditions(o))
		return ready_timeout(o, pid, pgid);
	if (ready_ended(pid, &si))
		return ready_died(o, r, pid, pgid, &si);
	verbose(o->verbose, "%s is still running", o->program);
	return STATUS_OK;
}
