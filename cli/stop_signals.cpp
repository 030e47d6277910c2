// SPDX-License-Identifier: Apache-2.0
#include "cli/stop_signals.hpp"

namespace pgopipe::cli {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler stores to g_stop");

extern "C" void pgopipe_on_stop_signal(int) { g_stop.store(true); }

}  // namespace

StopSignals::StopSignals() {
  g_stop = false;
  struct sigaction action {};
  action.sa_handler = pgopipe_on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &old_int_);
  ::sigaction(SIGTERM, &action, &old_term_);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
}

const std::atomic<bool>& StopSignals::stop_requested() { return g_stop; }

}  // namespace pgopipe::cli
