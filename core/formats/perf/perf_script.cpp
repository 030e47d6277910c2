// SPDX-License-Identifier: Apache-2.0
#include "core/formats/perf/perf_script.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <span>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <unordered_map>
#include <vector>

#include "core/text_lines.hpp"

namespace pgopipe::perf {
namespace {

using text::for_each_line;
using text::kMaxLineBytes;
using text::split_ws;
using text::trim;

constexpr uint64_t kKernelStart = 0xffff800000000000ULL;

std::optional<uint64_t> parse_hex(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<long> parse_dec(std::string_view s) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "addr [sym] [(dso)]": the address, the symbol and the dso in the last parentheses, if any.
bool parse_frame(std::string_view s, uint64_t& addr, std::string_view& dso, std::string_view& sym) {
  s = trim(s);
  size_t sp = 0;
  while (sp < s.size() && s[sp] != ' ' && s[sp] != '\t') ++sp;
  if (sp == s.size()) sp = std::string_view::npos;
  auto a = parse_hex(s.substr(0, sp));
  if (!a) return false;
  addr = *a;
  dso = {};
  sym = {};
  if (sp == std::string_view::npos) return true;
  std::string_view rest = s.substr(sp);
  if (s.back() == ')') {
    size_t open = s.rfind('(');
    if (open != std::string_view::npos && open > sp) {
      dso = s.substr(open + 1, s.size() - open - 2);
      rest = s.substr(sp, open - sp);
    }
  }
  sym = trim(rest);
  if (sym == "[unknown]") sym = {};
  return true;
}

class Parser final : public PerfScriptParser {
 public:
  Parser(AddressSamples& out, std::map<std::string, std::string> build_ids, FrameSymbols* symbols)
      : out_(out), build_ids_(std::move(build_ids)), symbols_(symbols) {}

  void line(std::string_view text) override {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (!text.empty() && text[0] == '\t') {
      // perf indents call-chain lines with a tab (headers are padded with spaces): the
      // bulk of the input, so this path comes first.
      uint64_t addr = 0;
      std::string_view dso, sym;
      if (in_sample_ && parse_frame(text, addr, dso, sym)) {
        frame(addr, dso, sym);
        return;
      }
    }
    if (!header_prefix_.empty() && text.starts_with(header_prefix_) &&
        (text.size() == header_prefix_.size() || text[header_prefix_.size()] == ' ' ||
         text[header_prefix_.size()] == '\t')) {
      // Same "comm pid/tid [time:] event:" as the previous header (the IP-only case, one
      // line per sample; never so when a timestamp is printed): skip tokenizing it again.
      flush();
      in_sample_ = true;
      pid_ = header_pid_;
      uint64_t addr = 0;
      std::string_view dso, sym;
      if (parse_frame(text.substr(header_prefix_.size()), addr, dso, sym)) frame(addr, dso, sym);
      return;
    }
    if (trim(text).empty()) {
      flush();
      return;
    }
    if (text.find("PERF_RECORD_") != std::string_view::npos) {
      flush();
      if (text.find("PERF_RECORD_MMAP") != std::string_view::npos) mmap(text);
      return;
    }
    header(text);
  }

  uint64_t finish() override {
    flush();
    return samples_;
  }

 private:
  void mmap(std::string_view text) {
    // ... PERF_RECORD_MMAP2 PID/TID: [0xSTART(0xLEN) @ PGOFF ...]: PROT PATH
    size_t rec = text.find("PERF_RECORD_MMAP");
    auto rest = text.substr(rec);
    size_t sp = rest.find(' ');
    size_t lb = rest.find('[');
    size_t rb = rest.find("]: ");
    if (sp == std::string_view::npos || lb == std::string_view::npos || rb == std::string_view::npos)
      return;
    auto pid = parse_dec(rest.substr(sp + 1, rest.find_first_of("/:", sp + 1) - sp - 1));
    auto inner = rest.substr(lb + 1, rb - lb - 1);  // 0xSTART(0xLEN) @ PGOFF ...
    size_t paren = inner.find('(');
    size_t close = inner.find(')');
    size_t at = inner.find('@');
    if (!pid || *pid < 0 || paren == std::string_view::npos || close == std::string_view::npos ||
        at == std::string_view::npos)
      return;
    auto start = parse_hex(inner.substr(0, paren));
    auto len = parse_hex(inner.substr(paren + 1, close - paren - 1));
    auto offs = split_ws(inner.substr(at + 1));
    auto pgoff = offs.empty() ? std::nullopt : parse_hex(offs[0]);
    auto tail = trim(rest.substr(rb + 3));
    size_t psp = tail.find(' ');
    if (!start || !len || !pgoff || psp == std::string_view::npos) return;
    auto prot = tail.substr(0, psp);
    std::string path(trim(tail.substr(psp + 1)));
    if (prot.find('x') == std::string_view::npos || path.empty() || path[0] == '[') return;
    Mapping m{*start, *start + *len, *pgoff, {}, path};
    if (auto it = build_ids_.find(path); it != build_ids_.end()) m.build_id = it->second;
    uint32_t idx = out_.add_mapping(m);
    by_pid_[*pid].push_back(idx);
    by_path_[path].push_back(idx);
    pid_maps_ = nullptr;  // vectors may have moved: look them up again
    last_dso_.clear();
  }

  void header(std::string_view text) {
    flush();
    in_sample_ = true;
    pid_ = -1;
    std::array<std::string_view, 16> token_buf;
    std::span<const std::string_view> tokens(token_buf.data(), split_ws(text, token_buf.data(), token_buf.size()));
    size_t event = tokens.size();
    for (size_t i = 0; i < tokens.size(); ++i) {
      auto t = tokens[i];
      if (t.size() > 1 && t.back() == ':' && t.find_first_not_of("0123456789.:") != std::string_view::npos) {
        event = i;
        break;
      }
    }
    if (event == tokens.size()) {  // not a sample header (no "event:" token)
      in_sample_ = false;
      return;
    }
    for (size_t i = 0; i < event; ++i) {
      auto t = tokens[i];
      size_t slash = t.find('/');
      if (slash != std::string_view::npos && parse_dec(t.substr(0, slash)) &&
          parse_dec(t.substr(slash + 1))) {
        pid_ = *parse_dec(t.substr(0, slash));
        break;
      }
    }
    if (pid_ < 0)
      for (size_t i = 0; i < event; ++i)
        if (auto v = parse_dec(tokens[i])) {
          pid_ = *v;
          break;
        }
    header_prefix_.assign(text.substr(0, tokens[event].data() + tokens[event].size() - text.data()));
    header_pid_ = pid_;
    if (event + 1 < tokens.size()) {  // no call chain: "event: ip [sym] [(dso)]" on this line
      auto after = text.substr(tokens[event + 1].data() - text.data());
      uint64_t addr = 0;
      std::string_view dso, sym;
      if (parse_frame(after, addr, dso, sym)) frame(addr, dso, sym);
    }
  }

  void frame(uint64_t addr, std::string_view dso, std::string_view sym) {
    ++depth_seen_;
    if (addr >= kKernelStart) {
      ++out_.stats.kernel_frames;
      return;
    }
    stack_.push_back(Frame{addr, resolve(addr, dso)});
    if (symbols_) stack_syms_.resize(stack_.size()), stack_syms_.back().assign(sym);
    if (stack_.back().mapping == kNoMapping) ++out_.stats.unmapped_frames;
  }

  uint32_t resolve(uint64_t addr, std::string_view dso) {
    if (pid_maps_ == nullptr || pid_maps_pid_ != pid_) {
      auto it = by_pid_.find(pid_);
      pid_maps_ = it == by_pid_.end() ? &no_maps_ : &it->second;
      pid_maps_pid_ = pid_;
    }
    for (uint32_t idx : *pid_maps_) {
        const Mapping& m = out_.mappings()[idx];
        if (addr >= m.start && addr < m.limit) return idx;
      }
    if (dso.empty() || dso[0] == '[') return kNoMapping;
    // Call chains print addresses relative to the dso (file offsets): map them back.
    if (dso != last_dso_) {
      last_dso_.assign(dso);
      auto it = by_path_.find(last_dso_);
      dso_maps_ = it == by_path_.end() ? nullptr : &it->second;
    }
    if (dso_maps_) {
      for (uint32_t idx : *dso_maps_) {
        const Mapping& m = out_.mappings()[idx];
        if (addr >= m.offset && addr < m.offset + (m.limit - m.start)) {
          relative_.push_back(idx);
          return idx | kRelativeBit;
        }
      }
      return kNoMapping;
    }
    if (!by_path_.empty()) return kNoMapping;
    // No mmap events at all: treat the address as a file offset in the named dso.
    auto [it, inserted] = whole_file_.try_emplace(last_dso_, 0);
    if (inserted) {
      Mapping m{0, std::numeric_limits<uint64_t>::max(), 0, {}, last_dso_};
      if (auto bit = build_ids_.find(last_dso_); bit != build_ids_.end()) m.build_id = bit->second;
      it->second = out_.add_mapping(m);
    }
    relative_.push_back(it->second);
    return it->second | kRelativeBit;
  }

  void flush() {
    if (!in_sample_) return;
    in_sample_ = false;
    ++samples_;
    ++out_.stats.samples;
    // Relative addresses become runtime addresses of their mapping.
    for (Frame& f : stack_)
      if (f.mapping != kNoMapping && (f.mapping & kRelativeBit)) {
        f.mapping &= ~kRelativeBit;
        const Mapping& m = out_.mappings()[f.mapping];
        f.address = f.address - m.offset + m.start;
      }
    if (symbols_)
      for (size_t i = 0; i < stack_.size() && i < stack_syms_.size(); ++i)
        if (!stack_syms_[i].empty())
          symbols_->try_emplace({stack_[i].mapping, stack_[i].address}, stack_syms_[i]);
    if (stack_.empty()) ++out_.stats.empty_samples;
    else out_.add(stack_, 1);
    stack_.clear();
    stack_syms_.clear();
    relative_.clear();
    depth_seen_ = 0;
  }

  static constexpr uint32_t kRelativeBit = 0x80000000u;
  AddressSamples& out_;
  std::map<std::string, std::string> build_ids_;
  FrameSymbols* symbols_ = nullptr;
  std::vector<std::string> stack_syms_;  // symbol of each frame of stack_ when symbols_ is set
  std::unordered_map<long, std::vector<uint32_t>> by_pid_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_path_;
  std::unordered_map<std::string, uint32_t> whole_file_;  // dso -> mapping without mmap events
  std::vector<Frame> stack_;
  std::vector<uint32_t> relative_;
  long pid_ = -1;
  // Lookup caches: the current pid's mappings and the last dso's mappings.
  const std::vector<uint32_t>* pid_maps_ = nullptr;
  long pid_maps_pid_ = -2;
  const std::vector<uint32_t> no_maps_;
  std::string last_dso_;
  const std::vector<uint32_t>* dso_maps_ = nullptr;
  bool in_sample_ = false;
  std::string header_prefix_;  // the last sample header up to its event name
  long header_pid_ = -1;
  uint64_t samples_ = 0;
  uint64_t depth_seen_ = 0;
};

}  // namespace

std::unique_ptr<PerfScriptParser> make_perf_script_parser(AddressSamples& out,
                                                          std::map<std::string, std::string> build_ids,
                                                          FrameSymbols* symbols) {
  return std::make_unique<Parser>(out, std::move(build_ids), symbols);
}

void feed_lines(PerfScriptParser& parser, std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    parser.line(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
}

Result<void> read_perf_script(std::string_view name, std::string_view text, AddressSamples& out) {
  auto parser = make_perf_script_parser(out);
  feed_lines(*parser, text);
  if (parser->finish() == 0)
    return make_error(ErrorCode::Input, "{}: no samples in this perf script output", name);
  return success();
}

Result<void> read_perf_script_file(const std::string& path, AddressSamples& out) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return make_error(ErrorCode::Input, "cannot open {}", path);
  auto parser = make_perf_script_parser(out);
  uint64_t too_long = 0;
  bool ok = for_each_line(
      [&](char* p, size_t n) -> long {
        size_t got = std::fread(p, 1, n, in.get());
        return got == 0 && std::ferror(in.get()) ? -1 : static_cast<long>(got);
      },
      [&](std::string_view l) { parser->line(l); }, &too_long);
  if (!ok) return make_error(ErrorCode::Input, "cannot read {}", path);
  if (too_long > 0) spdlog::warn("{}: skipped {} line(s) longer than {} bytes", path, too_long, kMaxLineBytes);
  out.stats.skipped_lines += too_long;
  if (parser->finish() == 0)
    return make_error(ErrorCode::Input, "{}: no samples in this perf script output", path);
  return success();
}

}  // namespace pgopipe::perf
