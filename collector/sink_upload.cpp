// SPDX-License-Identifier: Apache-2.0
// The upload sink (pgopipe_collector_upload, built in-tree only): each interval goes straight
// to the store from the collector thread, into the spool while the store does not answer.
// It links the whole store client (libcurl, OpenSSL, yaml-cpp, spdlog); a stalled store
// stalls the collector thread (never the application's) for up to the S3 timeout per try.
#include <spdlog/spdlog.h>

#include "collector/sink.hpp"
#include "collector/uploader.hpp"
#include "core/config.hpp"
#include "core/digest.hpp"

namespace pgopipe::collector {
namespace {

class UploadSink : public Sink {
 public:
  UploadSink(std::unique_ptr<Uploader> uploader, CollectorLog log)
      : uploader_(std::move(uploader)), log_(std::move(log)) {}

  void deliver(const ProfileMeta& meta, std::string_view bytes, uint64_t seq) override {
    if (auto delivered = uploader_->deliver(meta, bytes, seq); !delivered) {
      log_("error", fmt::format("interval {} dropped: {}", format_rfc3339(meta.collected_at),
                                delivered.error().message));
    }
  }

  void idle() override { uploader_->drain(); }

  [[nodiscard]] std::string describe() const override { return uploader_->store_url(); }

 private:
  std::unique_ptr<Uploader> uploader_;
  CollectorLog log_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_sink(const InstrSettings& s, CollectorLog log) {
  if (s.store_url.empty()) {
    return make_error(ErrorCode::Config, "this collector uploads to a store: set PGOPIPE_STORE");
  }
  // Libraries that clean up in atexit handlers (OpenSSL, spdlog) initialize now, before the
  // collector's handler is registered, so they are still usable during the final flush.
  (void)sha256_hex("");
  spdlog::default_logger();
  ConfigSources sources;  // S3 settings (endpoint, region, credentials profile) as the CLI has them
  sources.env = process_environment();
  sources.overrides.push_back({"store", s.store_url, "the collector's store (PGOPIPE_STORE)"});
  PGO_TRY_ASSIGN(Config config, load_config(sources));
  if (config.log_level.origin != "default") {
    // Only on request (PGOPIPE_LOG_LEVEL=debug shows every S3 request and retry): the
    // application may use spdlog's default logger itself.
    spdlog::set_level(spdlog::level::from_str(config.log_level.value));
  }
  store::StoreOptions options = config.store_options();
  options.s3.retries = std::min(options.s3.retries, 2);  // keep shutdown flushes short
  options.s3.timeout = std::min(options.s3.timeout, std::chrono::milliseconds{10000});
  auto uploader = std::make_unique<Uploader>(s.store_url, options, s.spool_dir, s.spool_max_bytes,
                                             log);
  if (auto opened = uploader->open(); !opened) {
    log("warning", fmt::format("store {} not available yet: {}", s.store_url,
                                                opened.error().message));
  }
  return std::unique_ptr<Sink>(std::make_unique<UploadSink>(std::move(uploader), std::move(log)));
}

}  // namespace pgopipe::collector
