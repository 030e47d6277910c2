// SPDX-License-Identifier: Apache-2.0
// Where the in-process collector puts each interval's profile. Exactly one implementation is
// linked: sink_spool.cpp (the installed pgopipe::collector: a local spool directory drained by
// `pgopipe collect spool`, no network code in the service) or sink_upload.cpp (the in-tree
// pgopipe_collector_upload: straight to the store, spooling while it is unreachable).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "collector/instr_collector.hpp"
#include "core/metadata.hpp"

namespace pgopipe::collector {

// Receives one log line: level ("info", "warning", "error") and message.
using CollectorLog = std::function<void(std::string_view level, const std::string& message)>;

class Sink {
 public:
  virtual ~Sink() = default;
  // Delivers profile number `seq` of this process; failures are logged, never thrown.
  virtual void deliver(const ProfileMeta& meta, std::string_view bytes, uint64_t seq) = 0;
  // Called for an idle interval (nothing ran): a chance to retry earlier failures.
  virtual void idle() = 0;
  // Where profiles go, for the start message.
  [[nodiscard]] virtual std::string describe() const = 0;
};

// The linked implementation, configured from `settings` (spool_dir already defaulted).
Result<std::unique_ptr<Sink>> make_sink(const InstrSettings& settings, CollectorLog log);

}  // namespace pgopipe::collector
