/* SPDX-License-Identifier: Apache-2.0 */
/* pgopipe in-process collector for binaries built with clang's -fprofile-instr-generate or
 * -fprofile-generate. Link libpgopipe-collector.a (CMake: find_package(pgopipe) and
 * enable_pgo(app COLLECT) or pgopipe::collector; pkg-config: pgopipe-collector); then either
 *   - set PGOPIPE_APP and PGOPIPE_SPOOL_DIR in the environment (optional: PGOPIPE_INTERVAL,
 *     PGOPIPE_LABELS "k=v,k=v", PGOPIPE_SPOOL_MAX_BYTES; PGOPIPE_STORE alone also turns it on,
 *     spooling to the default directory) and the collector starts by itself before main();
 *     with neither PGOPIPE_SPOOL_DIR nor PGOPIPE_STORE set it does nothing, or
 *   - call pgopipe_collector_start() yourself.
 * Every interval a background thread writes the counters accumulated since the previous
 * interval (one raw profile per interval) atomically into the spool directory, bounded by
 * the spool size (the oldest are dropped, and counted, beyond it); `pgopipe collect spool
 * --dir DIR --store URL`, a separate process, uploads them. On exit and on SIGTERM the last
 * partial interval is flushed. The application's threads are never blocked, nothing is
 * thrown into them, and a bad setting is logged once on stderr while the collector stays off.
 * After fork() a child that keeps running collects its own counters under its own pid. */
#ifndef PGOPIPE_COLLECTOR_H
#define PGOPIPE_COLLECTOR_H

#ifdef __cplusplus
extern "C" {
#endif

/* The only symbols the library exports; everything else in it is local. */
#define PGOPIPE_COLLECTOR_API __attribute__((visibility("default")))

typedef struct pgopipe_collector_options {
  const char* store;                  /* store URL the spool is meant for (shown in the start
                                         message); may be NULL */
  const char* app;                    /* application name; required */
  double interval_seconds;            /* period; <= 0: 300 */
  const char* labels;                 /* "k=v,k=v" (UTF-8) added to every profile; may be NULL */
  const char* spool_dir;              /* the spool; NULL: $XDG_CACHE_HOME or ~/.cache/pgopipe/spool/<app> */
  unsigned long long spool_max_bytes; /* spool bound; 0: 256 MiB */
  int handle_sigterm;                 /* nonzero: flush on SIGTERM, then terminate (only if
                                         SIGTERM still has its default action) */
} pgopipe_collector_options;

/* Starts the collector thread. Returns 0, or -1 with a message in pgopipe_collector_error()
 * (not instrumented, already running, bad option). */
PGOPIPE_COLLECTOR_API int pgopipe_collector_start(const pgopipe_collector_options* options);

/* Flushes the current partial interval and stops the thread; safe to call more than once. */
PGOPIPE_COLLECTOR_API void pgopipe_collector_stop(void);

/* The last start error, or "" (valid until the next start call). */
PGOPIPE_COLLECTOR_API const char* pgopipe_collector_error(void);

#ifdef __cplusplus
}
#endif

#endif /* PGOPIPE_COLLECTOR_H */
