// SPDX-License-Identifier: Apache-2.0
// SIGINT/SIGTERM for long-running commands (collectors, rebuild): the signal sets a flag the
// command polls at its next safe point, so it can flush, release its lock and exit cleanly.
#pragma once

#include <atomic>
#include <csignal>

namespace pgopipe::cli {

// While alive, SIGINT and SIGTERM set stop_requested() instead of killing the process; the
// destructor restores the handlers that were installed before.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Set once SIGINT or SIGTERM arrived while a StopSignals was alive; cleared by the constructor.
  static const std::atomic<bool>& stop_requested();

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace pgopipe::cli
