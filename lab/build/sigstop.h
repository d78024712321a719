/* SPDX-License-Identifier: MIT */
/*
 * The signals that stop a build or a run (SIGINT, SIGTERM, SIGHUP).  Callers
 * block them and poll: a build can then roll back instead of dying midway.
 */
#ifndef REUSELAB_SIGSTOP_H
#define REUSELAB_SIGSTOP_H

#include <signal.h>

/* *set = exactly the stop signals. */
void sigstop_set(sigset_t *set);

/* Block the stop signals in this thread. */
void sigstop_block(void);

/* The lowest stop signal pending for this thread or process, or 0. */
int sigstop_pending(void);

#endif
