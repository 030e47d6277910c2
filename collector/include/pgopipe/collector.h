/* SPDX-License-Identifier: Apache-2.0 */
/* pgopipe in-process collector for binaries built with -fprofile-instr-generate or
 * -fprofile-generate. Link the CMake target pgopipe::collector; then either
 *   - set PGOPIPE_STORE and PGOPIPE_APP in the environment (optional: PGOPIPE_INTERVAL,
 *     PGOPIPE_LABELS "k=v,k=v", PGOPIPE_SPOOL_DIR, PGOPIPE_SPOOL_MAX_BYTES) and the collector
 *     starts by itself before main(); without PGOPIPE_STORE it does nothing, or
 *   - call pgopipe_collector_start() yourself.
 * Every interval a background thread uploads the counters accumulated since the previous
 * interval (one raw profile per interval) to the store; on exit and on SIGTERM the last
 * partial interval is flushed. The application's threads are never blocked. */
#ifndef PGOPIPE_COLLECTOR_H
#define PGOPIPE_COLLECTOR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pgopipe_collector_options {
  const char* store;                  /* store URL (file:///dir, /dir, s3://bucket/prefix); required */
  const char* app;                    /* application name; required */
  double interval_seconds;            /* upload period; <= 0: 300 */
  const char* labels;                 /* "k=v,k=v" added to every profile; may be NULL */
  const char* spool_dir;              /* where profiles wait while the store is down; NULL: default */
  unsigned long long spool_max_bytes; /* spool bound; 0: 256 MiB */
  int handle_sigterm;                 /* nonzero: flush on SIGTERM, then terminate (only if
                                         SIGTERM still has its default action) */
} pgopipe_collector_options;

/* Starts the collector thread. Returns 0, or -1 with a message in pgopipe_collector_error()
 * (not instrumented, already running, bad option). */
int pgopipe_collector_start(const pgopipe_collector_options* options);

/* Flushes the current partial interval and stops the thread; safe to call more than once. */
void pgopipe_collector_stop(void);

/* The last start error, or "" (valid until the next start call). */
const char* pgopipe_collector_error(void);

#ifdef __cplusplus
}
#endif

#endif /* PGOPIPE_COLLECTOR_H */
