// SPDX-License-Identifier: MIT
/*
 * fanout_run: the same job on items 0..n-1 from a few threads at once.  For
 * work that mostly waits in the kernel (an unmount waits for an RCU grace
 * period), where concurrent waiters share one wait instead of queueing.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "lab/util/util.h"

/* Each worker does little more than a few syscalls deep. */
#define FANOUT_STACK (256 * 1024)

struct fanout {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next; /* the next item nobody has taken */
};

static void *work(void *arg)
{
	struct fanout *f = arg;
	size_t i;

	while ((i = atomic_fetch_add(&f->next, 1)) < f->n)
		f->fn(f->ctx, i);
	return NULL;
}

void fanout_run(size_t n, size_t threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct fanout f = {.fn = fn, .ctx = ctx, .n = n};
	pthread_t tid[FANOUT_MAX_THREADS];
	pthread_attr_t attr;
	size_t started = 0;
	bool attr_ok;

	atomic_init(&f.next, 0);
	if (threads > FANOUT_MAX_THREADS)
		threads = FANOUT_MAX_THREADS;
	if (threads > n)
		threads = n;
	attr_ok = threads > 1 && pthread_attr_init(&attr) == 0;
	if (attr_ok)
		(void)pthread_attr_setstacksize(&attr, FANOUT_STACK);
	/* The caller is a worker too: a thread that cannot start leaves its share to the rest. */
	while (attr_ok && started + 1 < threads &&
	       pthread_create(&tid[started], &attr, work, &f) == 0)
		started++;
	work(&f);
	for (size_t k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	if (attr_ok)
		pthread_attr_destroy(&attr);
}
