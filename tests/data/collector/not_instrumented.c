// SPDX-License-Identifier: Apache-2.0
// Links the collector without -fprofile-instr-generate: starting it must fail clearly.
#include <stdio.h>

#include "pgopipe/collector.h"

int main(void) {
  pgopipe_collector_options options = {0};
  options.spool_dir = "/tmp/pgopipe-not-instrumented-spool";
  options.app = "plain";
  if (pgopipe_collector_start(&options) == 0) {
    printf("started\n");
    return 0;
  }
  printf("error: %s\n", pgopipe_collector_error());
  return 1;
}
