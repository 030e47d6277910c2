// SPDX-License-Identifier: Apache-2.0
#include "collector/perf_sampler.hpp"

#include <elf.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <cstring>
#include <map>
#include <thread>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"

namespace pgopipe::collector {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string paranoid_level() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  std::string v;
  if (!(in >> v)) return "unknown";
  return v;
}

// Runs `perf args...`, handing each stdout line to `on_line`; Tool error with stderr's tail.
Result<void> perf_lines(const std::vector<std::string>& args, const LineCallback& on_line) {
  std::vector<std::string> argv{"perf"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto ran = spawn_and_wait(argv, {.on_stdout = on_line, .stderr_tail = 1500, .stdin_null = true,
                                   .log = false});
  if (!ran) return make_error(ErrorCode::Tool, "cannot run perf {}: {}", args[0], ran.error().message);
  if (ran->exit_code != 0) {
    return make_error(ErrorCode::Tool, "perf {} failed (exit code {}): {}", args[0], ran->exit_code,
                      ran->stderr_tail);
  }
  return success();
}

// The GNU build ID (lower-case hex) from a 64-bit ELF file's PT_NOTE segments; "" if none.
std::string elf_build_id(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) || std::string_view(reinterpret_cast<char*>(eh.e_ident), 4) != ELFMAG ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256) {
    return {};
  }
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    in.seekg(static_cast<std::streamoff>(eh.e_phoff + i * sizeof ph));
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph)) return {};
    if (ph.p_type != PT_NOTE || ph.p_filesz > (1 << 16)) continue;
    std::string notes(ph.p_filesz, '\0');
    in.seekg(static_cast<std::streamoff>(ph.p_offset));
    if (!in.read(notes.data(), static_cast<std::streamsize>(notes.size()))) return {};
    size_t pos = 0;
    auto align = [&](size_t n) { return (n + (ph.p_align > 4 ? 7 : 3)) & ~size_t(ph.p_align > 4 ? 7 : 3); };
    while (pos + sizeof(Elf64_Nhdr) <= notes.size()) {
      Elf64_Nhdr nh{};
      std::memcpy(&nh, notes.data() + pos, sizeof nh);
      size_t name_at = pos + sizeof nh, desc_at = name_at + align(nh.n_namesz);
      if (desc_at + nh.n_descsz > notes.size()) break;
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && notes.compare(name_at, 3, "GNU") == 0) {
        std::string hex;
        for (size_t k = 0; k < nh.n_descsz; ++k) hex += fmt::format("{:02x}", static_cast<uint8_t>(notes[desc_at + k]));
        return hex;
      }
      pos = desc_at + align(nh.n_descsz);
    }
  }
  return {};
}

bool pid_alive(int pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t rp = line.rfind(')');
  return rp != std::string::npos && rp + 2 < line.size() && line[rp + 2] != 'Z';
}

// One recording of `pid` into `data`; cut short (SIGINT to perf) when `stop` or the target ends.
Result<void> record(const PerfSettings& s, int pid, const fs::path& data,
                    const std::function<bool()>& target_alive, const std::atomic<bool>& stop) {
  auto secs = std::chrono::duration<double>(s.duration).count();
  std::vector<std::string> argv{"perf", "record", "-e", "cpu-clock", "-F", std::to_string(s.frequency),
                                "-g", "-p", std::to_string(pid), "-o", data.string(), "-q", "--",
                                "sleep", fmt::format("{:.3f}", secs)};
  auto ran = spawn_and_wait(argv, {.discard_stdout = true, .stderr_tail = 1500, .stdin_null = true,
                                   .interrupt = [&] { return stop || !target_alive(); }});
  if (!ran) return make_error(ErrorCode::Tool, "cannot run perf record: {}", ran.error().message);
  int code = ran->exit_code;
  const std::string& msg = ran->stderr_tail;
  if (code != 0 && !(fs::exists(data) && fs::file_size(data) > 0 && (stop || !target_alive()))) {
    if (msg.find("ermission") != std::string::npos || msg.find("paranoid") != std::string::npos ||
        msg.find("EACCES") != std::string::npos || msg.find("EPERM") != std::string::npos) {
      return make_error(ErrorCode::Tool,
                        "perf record on pid {} not permitted (kernel.perf_event_paranoid = {} in "
                        "/proc/sys/kernel/perf_event_paranoid; run as root, grant CAP_PERFMON, "
                        "or lower it): {}", pid, paranoid_level(), msg);
    }
    return make_error(ErrorCode::Tool, "perf record on pid {} failed (exit code {}): {}", pid, code, msg);
  }
  return success();
}

// The pid to record: the given one if it runs, else that of `target`, started from the command.
Result<int> target_pid(const PerfSettings& s, bp::child& target) {
  if (s.pid) {
    int pid = *s.pid;
    if (pid <= 0 || !pid_alive(pid)) {
      return make_error(ErrorCode::Input, "target pid {} not found (no running process /proc/{})",
                        pid, pid);
    }
    return pid;
  }
  if (s.command.empty()) return make_error(ErrorCode::Usage, "give --pid PID or -- CMD ARGS...");
  boost::filesystem::path exe = find_program(s.command[0]).string();
  if (exe.empty()) return make_error(ErrorCode::Input, "command '{}' not found on PATH", s.command[0]);
  try {
    target = bp::child(exe, bp::args(std::vector<std::string>(s.command.begin() + 1, s.command.end())));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Input, "cannot start '{}': {}", s.command[0], e.what());
  }
  spdlog::info("started {} as pid {}", s.command[0], target.id());
  return target.id();
}

// Reads the perf.data into pprof bytes; `main_build_id` gets the build ID of `main_exe`.
Result<std::string> convert(const fs::path& data, const PerfSettings& s,
                            const std::string& main_exe, const std::string& proc_root, TimePoint started, Duration took,
                            std::string& main_build_id) {
  std::map<std::string, std::string> build_ids;
  PGO_TRY(perf_lines({"buildid-list", "-i", data.string()}, [&](std::string_view l) {
    auto sp = l.find(' ');
    if (sp == std::string_view::npos || sp + 1 >= l.size() || l[sp + 1] == '[') return;
    build_ids[std::string(l.substr(sp + 1))] = std::string(l.substr(0, sp));
  }));
  // perf lists only DSOs with hits: the rest come from the files' ELF notes, read through
  // the target's root while it runs, else at the same path here.
  auto from_elf = [&](const std::string& file) {
    std::string id = elf_build_id(proc_root + file);
    return id.empty() ? elf_build_id(file) : id;
  };
  if (!build_ids.contains(main_exe)) build_ids[main_exe] = from_elf(main_exe);
  main_build_id = build_ids[main_exe];
  perf::AddressSamples samples;
  perf::FrameSymbols symbols;
  auto parser = perf::make_perf_script_parser(samples, build_ids, &symbols);
  PGO_TRY(perf_lines({"script", "-i", data.string(), "--show-mmap-events", "-F",
                      "comm,pid,tid,event,ip,sym,dso"},
                     [&](std::string_view l) { parser->line(l); }));
  if (parser->finish() == 0) {
    return make_error(ErrorCode::Input, "{}: the recording holds no samples", data.string());
  }
  std::map<std::string, std::string> more_ids;
  for (const auto& m : samples.mappings())
    if (m.build_id.empty() && !m.file.empty() && m.file[0] == '/' && !more_ids.contains(m.file))
      more_ids[m.file] = from_elf(m.file);
  return perf_samples_to_pprof(samples, symbols, s.frequency, started, took, more_ids);
}

}  // namespace

Result<void> check_perf_available() {
  if (find_program("perf").empty()) {
    return make_error(ErrorCode::Tool, "perf not found: install linux-perf");
  }
  if (::geteuid() != 0) {
    std::string level = paranoid_level();
    // 2 still allows user-space sampling of one's own processes (perf then falls back to
    // :u events); above 2 (Debian's 3) unprivileged perf is off entirely.
    if (level != "unknown" && std::atoi(level.c_str()) > 2) {
      return make_error(ErrorCode::Tool,
                        "perf not permitted: kernel.perf_event_paranoid = {} "
                        "(/proc/sys/kernel/perf_event_paranoid) forbids perf for non-root users; "
                        "set it to 2 or lower, or run as root / with CAP_PERFMON", level);
    }
  }
  return success();
}

Result<std::string> perf_samples_to_pprof(const perf::AddressSamples& samples,
                                          const perf::FrameSymbols& symbols, unsigned frequency,
                                          TimePoint started, Duration duration,
                                          const std::map<std::string, std::string>& build_ids) {
  pprof::Profile p;
  pprof::StringTable st(p);
  int64_t period = 1'000'000'000 / std::max(1u, frequency);
  auto* t0 = p.add_sample_type();
  t0->set_type(st.intern("samples"));
  t0->set_unit(st.intern("count"));
  auto* t1 = p.add_sample_type();
  t1->set_type(st.intern("cpu"));
  t1->set_unit(st.intern("nanoseconds"));
  p.mutable_period_type()->set_type(st.intern("cpu"));
  p.mutable_period_type()->set_unit(st.intern("nanoseconds"));
  p.set_period(period);
  p.set_time_nanos(started.time_since_epoch().count());
  p.set_duration_nanos(duration.count());
  for (size_t i = 0; i < samples.mappings().size(); ++i) {
    const auto& m = samples.mappings()[i];
    auto* pm = p.add_mapping();
    pm->set_id(i + 1);
    pm->set_memory_start(m.start);
    pm->set_memory_limit(m.limit);
    pm->set_file_offset(m.offset);
    pm->set_filename(st.intern(m.file));
    auto more = m.build_id.empty() ? build_ids.find(m.file) : build_ids.end();
    pm->set_build_id(st.intern(more != build_ids.end() ? more->second : m.build_id));
    pm->set_has_functions(true);
  }
  std::map<std::pair<uint32_t, uint64_t>, uint64_t> location_ids;
  std::map<std::string, uint64_t, std::less<>> function_ids;
  auto location = [&](const perf::Frame& f) {
    auto [it, added] = location_ids.try_emplace({f.mapping, f.address}, location_ids.size() + 1);
    if (!added) return it->second;
    auto* loc = p.add_location();
    loc->set_id(it->second);
    loc->set_address(f.address);
    if (f.mapping != perf::kNoMapping) loc->set_mapping_id(f.mapping + 1);
    if (auto sym = symbols.find({f.mapping, f.address}); sym != symbols.end()) {
      auto [fit, fadded] = function_ids.try_emplace(sym->second, function_ids.size() + 1);
      if (fadded) {
        auto* fn = p.add_function();
        fn->set_id(fit->second);
        fn->set_name(st.intern(sym->second));
        fn->set_system_name(fn->name());
      }
      loc->add_line()->set_function_id(fit->second);
    }
    return it->second;
  };
  for (const auto& s : samples.samples()) {
    auto* ps = p.add_sample();
    for (const auto& f : samples.stack(s)) ps->add_location_id(location(f));
    ps->add_value(static_cast<int64_t>(s.count));
    ps->add_value(static_cast<int64_t>(s.count) * period);
  }
  PGO_TRY(pprof::validate("perf profile", p));
  return pprof::serialize(p, true);
}

Result<PerfStats> run_perf_sampler(const PerfSettings& s, Uploader& uploader,
                                   const std::atomic<bool>& stop) {
  PGO_TRY(check_perf_available());
  PerfStats stats;
  bp::child target;
  PGO_TRY_ASSIGN(int pid, target_pid(s, target));
  std::function<bool()> alive = [&] { return s.pid ? pid_alive(pid) : target.running(); };
  std::error_code ec;
  std::string main_exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
  ScratchDir scratch("pgopipe-perf");
  const fs::path& dir = scratch.path();
  std::string host = host_name();
  Result<PerfStats> result = stats;
  auto next = Clock::now();
  while (!stop && alive() && (!s.count || stats.recordings < *s.count)) {
    while (!stop && alive() && Clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds{50});
    if (stop || !alive()) break;
    next += s.interval;
    ++stats.recordings;
    fs::path data = dir / "perf.data";
    fs::remove(data, ec);
    TimePoint started = now();
    auto t0 = Clock::now();
    if (auto r = record(s, pid, data, alive, stop); !r) {
      // A target that exits just as perf attaches makes perf fail with ESRCH: that is the end
      // of the target, not a sampler failure; what was stored before stays stored.
      if (!alive()) {
        spdlog::info("pid {} exited as recording {} started; stopping", pid, stats.recordings);
        --stats.recordings;
        break;
      }
      result = r.error();
      break;
    }
    // perf's own start-up and shutdown are not sampling time: a full recording counts as the
    // asked duration, one cut short as its wall time.
    Duration took = std::min<Duration>(std::chrono::duration_cast<Duration>(Clock::now() - t0), s.duration);
    std::string build_id;
    auto bytes = convert(data, s, main_exe, "/proc/" + std::to_string(pid) + "/root", started, took, build_id);
    if (!bytes) {
      spdlog::warn("profile {} of pid {} dropped: {}", stats.recordings, pid, bytes.error().message);
      continue;
    }
    ProfileMeta meta;
    meta.app = s.app;
    meta.format = ProfileFormat::PprofGzip;
    meta.collected_at = started;
    meta.duration = took;
    meta.build_id = build_id;
    meta.host = host;
    meta.labels = s.labels;
    auto key = uploader.deliver(meta, *bytes, stats.recordings);
    if (!key) {
      spdlog::error("profile of pid {} dropped: {}", pid, key.error().message);
      continue;
    }
    ++stats.delivered;
    if (!key->empty()) spdlog::info("perf profile of pid {} ({} bytes) -> {}", pid, bytes->size(), *key);
    if (Clock::now() > next) next = Clock::now();
  }
  if (!s.pid && target.valid() && target.running()) {
    ::kill(pid, SIGTERM);
    target.wait(ec);
  } else if (!s.pid && target.valid()) {
    target.wait(ec);
  }
  if (!stop) uploader.drain();
  if (result.ok()) result = stats;
  return result;
}

}  // namespace pgopipe::collector
