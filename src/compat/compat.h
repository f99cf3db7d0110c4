/*
 * Declarations for the replacements in this directory.  configure decides
 * which are built (AC_REPLACE_FUNCS); the rest of the program calls the
 * standard names and never tests for them.
 */
#ifndef COMPAT_H
#define COMPAT_H

#ifndef HAVE_CLOSE_RANGE
int	close_range(unsigned int, unsigned int, int);
#endif

#ifndef HAVE_CLEARENV
int	clearenv(void);
#endif

#ifndef HAVE_PIDFD_OPEN
#include <sys/types.h>
int	pidfd_open(pid_t, unsigned int);
#endif

#ifndef HAVE_PIDFD_SEND_SIGNAL
#include <signal.h>
int	pidfd_send_signal(int, int, siginfo_t *, unsigned int);
#endif

#ifndef HAVE_SETSID
#include <sys/types.h>
pid_t	setsid(void);
#endif

#endif /* COMPAT_H */
