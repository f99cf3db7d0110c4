/*
 * --timestamp: the stamp at the start of each line of a log file, taken
 * when the supervisor read the line.  ISO 8601 with milliseconds, in UTC
 * or in local time with its offset, or TAI64N as daemontools' tai64n
 * writes it (so that tai64nlocal reads our logs).  Built by hand, without
 * stdio, for the reason decimal.c gives; the part that changes once a
 * second is made once a second.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "daemonize.h"

/* "YYYY-MM-DDTHH:MM:SS", the part of an ISO stamp that changes each second. */
#define LOGSTAMP_SECOND_LEN	19

/* The second last formatted, for each ISO format. */
static struct {
	time_t sec;
	bool valid;
	char text[LOGSTAMP_SECOND_LEN];
	long offset;		/* seconds east of UTC, for local time */
} logstamp_cache[2];

/* n as exactly width decimal digits, ending just before end. */
static void
logstamp_digits(char *p, int width, long n)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

/* n as exactly width lowercase hex digits. */
static void
logstamp_hex(char *p, int width, unsigned long long n)
{
	static const char hex[] = "0123456789abcdef";

	while (width-- > 0) {
		p[width] = hex[n & 0xf];
		n >>= 4;
	}
}

/* The calendar second of sec, in UTC or local time; -1 if unknown. */
static int
logstamp_second(enum stamp stamp, time_t sec)
{
	int i = stamp == STAMP_LOCAL;
	struct tm tm;
	char *p = logstamp_cache[i].text;

	if (logstamp_cache[i].valid && logstamp_cache[i].sec == sec)
		return i;
	if ((stamp == STAMP_LOCAL ? localtime_r(&sec, &tm) :
	    gmtime_r(&sec, &tm)) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		return -1;
	logstamp_digits(p, 4, tm.tm_year + 1900L);
	p[4] = '-';
	logstamp_digits(p + 5, 2, tm.tm_mon + 1L);
	p[7] = '-';
	logstamp_digits(p + 8, 2, tm.tm_mday);
	p[10] = 'T';
	logstamp_digits(p + 11, 2, tm.tm_hour);
	p[13] = ':';
	logstamp_digits(p + 14, 2, tm.tm_min);
	p[16] = ':';
	logstamp_digits(p + 17, 2, tm.tm_sec);
	logstamp_cache[i].offset = stamp == STAMP_LOCAL ? tm.tm_gmtoff : 0;
	logstamp_cache[i].sec = sec;
	logstamp_cache[i].valid = true;
	return i;
}

/* "2026-11-29T17:38:50.123Z " or "...123+01:00 "; its length, 0 if none. */
static size_t
logstamp_iso(enum stamp stamp, const struct timespec *ts, char *buf)
{
	long off;
	size_t n = LOGSTAMP_SECOND_LEN;
	int i;

	if ((i = logstamp_second(stamp, ts->tv_sec)) == -1)
		return 0;
	memcpy(buf, logstamp_cache[i].text, n);
	buf[n++] = '.';
	logstamp_digits(buf + n, 3, ts->tv_nsec / 1000000);
	n += 3;
	if (stamp == STAMP_UTC)
		buf[n++] = 'Z';
	else {
		off = logstamp_cache[i].offset;
		buf[n++] = off < 0 ? '-' : '+';
		if (off < 0)
			off = -off;
		logstamp_digits(buf + n, 2, off / 3600);
		buf[n + 2] = ':';
		logstamp_digits(buf + n + 3, 2, off / 60 % 60);
		n += 5;
	}
	buf[n++] = ' ';
	return n;
}

/*
 * TAI64N: '@', then the TAI64 label of the second and the nanoseconds, in
 * hex.  Like daemontools, TAI is taken as UTC + 10 s, the offset of 1970;
 * tai64nlocal takes the same ten seconds back off.
 */
static size_t
logstamp_tai64n(const struct timespec *ts, char *buf)
{
	buf[0] = '@';
	logstamp_hex(buf + 1, 16, (1ULL << 62) + 10 +
	    (unsigned long long)ts->tv_sec);
	logstamp_hex(buf + 17, 8, (unsigned long long)ts->tv_nsec);
	buf[25] = ' ';
	return 26;
}

/* The stamp of this moment, with a space after it, in buf; its length. */
size_t
logstamp_format(enum stamp stamp, char buf[STAMP_LEN])
{
	struct timespec ts;

	if (stamp == STAMP_NONE || clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	if (stamp == STAMP_TAI64N)
		return logstamp_tai64n(&ts, buf);
	return logstamp_iso(stamp, &ts, buf);
}
