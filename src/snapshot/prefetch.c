// SPDX-License-Identifier: GPL-2.0-or-later
#include "prefetch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

enum pf_state { PF_IDLE, PF_ASKED, PF_DONE, PF_QUIT };

struct prefetch {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	enum pf_state state;
	/* The request, then its result. */
	uint8_t *buf;
	size_t len;
	uint64_t off;
	ptrdiff_t got;
	int error;
	bool busy; /* a request is out: read and written by the caller's thread only */
};

static ptrdiff_t read_fully(int fd, uint8_t *buf, size_t len, uint64_t off, int *error)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error = errno;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ptrdiff_t)got;
}

static void *worker(void *arg)
{
	struct prefetch *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->state != PF_ASKED && p->state != PF_QUIT)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->state == PF_QUIT)
			break;
		pthread_mutex_unlock(&p->mu);
		p->got = read_fully(p->fd, p->buf, p->len, p->off, &p->error);
		pthread_mutex_lock(&p->mu);
		p->state = PF_DONE;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct prefetch *prefetch_new(int fd, struct mp_err *err)
{
	struct prefetch *p = mp_calloc(1, sizeof(*p), err);
	int rc;

	if (!p)
		return NULL;
	p->fd = fd;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	rc = pthread_create(&p->thread, NULL, worker, p);
	if (rc) {
		errno = rc;
		mp_fail_errno(err, "starting the read-ahead thread");
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

void prefetch_free(struct prefetch *p)
{
	int error;

	if (!p)
		return;
	if (p->busy)
		prefetch_wait(p, &error);
	pthread_mutex_lock(&p->mu);
	p->state = PF_QUIT;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void prefetch_start(struct prefetch *p, void *buf, size_t len, uint64_t off)
{
	pthread_mutex_lock(&p->mu);
	p->buf = buf;
	p->len = len;
	p->off = off;
	p->state = PF_ASKED;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	p->busy = true;
}

bool prefetch_pending(const struct prefetch *p, uint64_t *off)
{
	if (!p || !p->busy)
		return false;
	*off = p->off; /* written by the caller's thread only */
	return true;
}

ptrdiff_t prefetch_wait(struct prefetch *p, int *error)
{
	ptrdiff_t got;

	if (!p->busy) {
		*error = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->mu);
	while (p->state != PF_DONE)
		pthread_cond_wait(&p->cv, &p->mu);
	p->state = PF_IDLE;
	got = p->got;
	*error = p->error;
	pthread_mutex_unlock(&p->mu);
	p->busy = false;
	return got;
}
