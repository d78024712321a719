// SPDX-License-Identifier: MIT
/*
 * fanout_run: the same job on items 0..n-1 from a few threads at once.  For
 * work that mostly waits in the kernel (an unmount waits for an RCU grace
 * period), where concurrent waiters share one wait instead of queueing.
 * fanout_run_lazy: the same, for work that waits only sometimes; the caller
 * starts alone and calls for the others once a call of its own has waited.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lab/util/util.h"

/* Each worker does little more than a few syscalls deep. */
#define FANOUT_STACK (256 * 1024)

/* fanout_run_lazy: a call longer than this is waiting, not working. */
#define FANOUT_SLOW_NS (1000 * 1000)

struct fanout {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next; /* the next item nobody has taken */
	pthread_t tid[FANOUT_MAX_THREADS];
	size_t threads; /* wanted, the caller's among them */
	size_t started; /* helpers running */
};

static void *work(void *arg)
{
	struct fanout *f = arg;
	size_t i;

	while ((i = atomic_fetch_add(&f->next, 1)) < f->n)
		f->fn(f->ctx, i);
	return NULL;
}

/* A helper that cannot start leaves its share to the rest. */
static void start_helpers(struct fanout *f)
{
	pthread_attr_t attr;

	if (f->threads < 2 || pthread_attr_init(&attr) != 0)
		return;
	(void)pthread_attr_setstacksize(&attr, FANOUT_STACK);
	while (f->started + 1 < f->threads &&
	       pthread_create(&f->tid[f->started], &attr, work, f) == 0)
		f->started++;
	pthread_attr_destroy(&attr);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void run(size_t n, size_t threads, bool lazy, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct fanout f = {.fn = fn, .ctx = ctx, .n = n};
	size_t i;

	atomic_init(&f.next, 0);
	f.threads = threads > FANOUT_MAX_THREADS ? FANOUT_MAX_THREADS : threads;
	if (f.threads > n)
		f.threads = n;
	if (!lazy)
		start_helpers(&f);
	/* The caller is a worker too. */
	while ((i = atomic_fetch_add(&f.next, 1)) < n) {
		int64_t t0 = lazy && !f.started ? now_ns() : 0;

		fn(ctx, i);
		if (t0 && now_ns() - t0 > FANOUT_SLOW_NS)
			start_helpers(&f);
	}
	for (size_t k = 0; k < f.started; k++)
		pthread_join(f.tid[k], NULL);
}

void fanout_run(size_t n, size_t threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
	run(n, threads, false, fn, ctx);
}

void fanout_run_lazy(size_t n, size_t threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
	run(n, threads, true, fn, ctx);
}
