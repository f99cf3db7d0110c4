/*
 * The supervisor's log, inside: its streams and buffers, shared by
 * logpipe.c (the pipes, the lines, the files) and logrotate.c (rotation
 * by size) alone.  Every other file sees struct logpipe only by pointer
 * (daemonize.h).
 */
#ifndef LOGPIPE_H
#define LOGPIPE_H

/* One of the --respawn children's output streams (logpipe.c). */
struct logstream {
	int rd;			/* the supervisor's end of the pipe */
	int wr;			/* the children's end */
	int fd;			/* destination file, or -1 */
	const char *path;	/* the file's absolute path, for messages */
	int dirfd;		/* its directory, held: reopened and rotated in it */
	const char *name;	/* the file's name in that directory */
	bool regular;		/* a regular file: rotated (not a device) */
	int priority;		/* syslog priority */
	char last;		/* the last byte written to fd */
	bool bol;		/* what is handed on next starts a line */
	off_t size;		/* bytes in the file, as far as we know */
	int lost;		/* errno of a write that lost lines; 0 if none */
	size_t len;		/* a partial line waiting in buf */
	char buf[16384];
};

struct logpipe {
	struct logstream out;
	struct logstream err;
	bool shared;		/* stdout and stderr to one file, one pipe */
	bool syslog;
	bool tostderr;		/* in the foreground, without a log: stderr */
	enum stamp stamp;	/* --timestamp */
	off_t max_size;		/* --output-max-size; 0 for none */
	int keep;		/* --output-keep */
	int rules;		/* fds_open_log() rules to reopen with */
	char stamp_text[STAMP_LEN];
	size_t staged;		/* stamped lines waiting in stage[] */
	char stage[16384 + 4 * STAMP_LEN];
};

/* logpipe.c */
void	 logpipe_note(struct logpipe *, struct logstream *, int,
	     const char *, ...) __attribute__((__sentinel__));
int	 logpipe_dirfd(const struct logstream *);
void	 logpipe_stream_size(struct logstream *);

/* logrotate.c */
bool	 logrotate_due(const struct logpipe *, struct logstream *, size_t,
	    size_t);
void	 logrotate_rotate(struct logpipe *, struct logstream *);

#endif
