// SPDX-License-Identifier: Apache-2.0
// The spool sink: each interval is written atomically into a local spool directory
// (collector/spool.hpp) and nothing else; `pgopipe collect spool --dir D --store URL`, a
// separate process, delivers the entries. The service therefore contains no network, TLS or
// credential code, and a slow or unreachable store cannot touch it.
#include <unistd.h>

#include "collector/sink.hpp"
#include "collector/spool.hpp"

namespace pgopipe::collector {
namespace {

class SpoolSink : public Sink {
 public:
  SpoolSink(const InstrSettings& s, CollectorLog log)
      : spool_(s.spool_dir, s.spool_max_bytes), store_(s.store_url), log_(std::move(log)) {}

  void deliver(const ProfileMeta& meta, std::string_view bytes, uint64_t seq) override {
    std::string name =
        fmt::format("{}-{}-{:08}", format_compact(meta.collected_at), ::getpid(), seq);
    ProfileMeta m = meta;
    m.size = bytes.size();  // the sha256 is added by the process that uploads it
    auto added = spool_.add(name, m, bytes);
    if (!added) {
      ++lost_;
      log_("error", fmt::format("profile of {} LOST ({} so far): cannot spool it: {}",
                                format_rfc3339(meta.collected_at), lost_, added.error().message));
    } else if (*added > 0) {
      log_("warning", fmt::format("spool {} full: dropped {} oldest profile(s) ({} dropped so far)",
                                  spool_.dir().string(), *added, spool_.dropped()));
    }
  }

  void idle() override {}

  [[nodiscard]] std::string describe() const override {
    return fmt::format("spool {} (at most {} bytes; `pgopipe collect spool --dir {} --store {}` "
                       "uploads it)", spool_.dir().string(), spool_.max_bytes(),
                       spool_.dir().string(), store_.empty() ? "URL" : store_);
  }

 private:
  Spool spool_;
  std::string store_;
  CollectorLog log_;
  uint64_t lost_ = 0;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_sink(const InstrSettings& settings, CollectorLog log) {
  return std::unique_ptr<Sink>(std::make_unique<SpoolSink>(settings, std::move(log)));
}

}  // namespace pgopipe::collector
