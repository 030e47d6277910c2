// SPDX-License-Identifier: Apache-2.0
#include "collector/value_profile.hpp"

#include <cstring>

namespace pgopipe::collector {
namespace {

// ValueProfData: {uint32 TotalSize, uint32 NumValueKinds}, then per kind a ValueProfRecord:
// {uint32 Kind, uint32 NumValueSites, uint8 SiteCountArray[NumValueSites]} padded to 8 bytes,
// then InstrProfValueData {uint64 Value, uint64 Count} for every value of every site
// (compiler-rt/include/profile/InstrProfData.inc, LLVM 19).
constexpr uint64_t kDataHeader = 8;
constexpr uint64_t kRecordHeader = 8;
constexpr uint64_t kValueBytes = 16;
constexpr uint32_t kMaxKinds = 16;

uint64_t record_header_size(uint64_t num_sites) {
  return (kRecordHeader + num_sites + 7) / 8 * 8;
}

template <typename T>
T load(std::string_view b, uint64_t off) {
  T v{};
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

template <typename T>
void store(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Reads one ValueProfRecord at `off` (bounded by `end`) into `kind`/`sites`; returns its size.
Result<uint64_t> read_record(std::string_view b, uint64_t off, uint64_t end, uint32_t& kind,
                             std::vector<ValueSite>& sites) {
  if (off + kRecordHeader > end) return make_error(ErrorCode::Input, "value record header truncated");
  kind = load<uint32_t>(b, off);
  uint32_t num_sites = load<uint32_t>(b, off + 4);
  uint64_t header = record_header_size(num_sites);
  if (kind >= kMaxKinds || off + header > end) {
    return make_error(ErrorCode::Input, "value record of kind {} with {} sites is malformed",
                      kind, num_sites);
  }
  sites.assign(num_sites, {});
  uint64_t values = off + header;
  for (uint32_t s = 0; s < num_sites; ++s) {
    uint8_t n = load<uint8_t>(b, off + kRecordHeader + s);
    if (values + n * kValueBytes > end) {
      return make_error(ErrorCode::Input, "value data of site {} runs past its record", s);
    }
    for (uint8_t i = 0; i < n; ++i, values += kValueBytes) {
      sites[s].push_back({load<uint64_t>(b, values), load<uint64_t>(b, values + 8)});
    }
  }
  return values - off;
}

// Reads the ValueProfData of data record `record` at `off`; advances `off` past it.
Result<FunctionValues> read_function(std::string_view b, const RawLayout& l, uint64_t record,
                                     uint64_t& off) {
  if (off + kDataHeader > b.size()) {
    return make_error(ErrorCode::Input, "value data of function record {} is missing", record);
  }
  uint32_t total = load<uint32_t>(b, off);
  uint32_t num_kinds = load<uint32_t>(b, off + 4);
  uint64_t end = off + total;
  if (total < kDataHeader || end > b.size() || num_kinds > kMaxKinds) {
    return make_error(ErrorCode::Input, "value data of function record {} is malformed", record);
  }
  FunctionValues f;
  f.record = record;
  uint64_t at = off + kDataHeader;
  for (uint32_t k = 0; k < num_kinds; ++k) {
    uint32_t kind = 0;
    std::vector<ValueSite> sites;
    PGO_TRY_ASSIGN(uint64_t size, read_record(b, at, end, kind, sites));
    if (kind >= l.value_kinds || sites.size() != value_sites(b, l, record, kind)) {
      return make_error(ErrorCode::Input,
                        "value data of function record {} does not match its declared sites",
                        record);
    }
    f.kinds.push_back(kind);
    f.sites.push_back(std::move(sites));
    at += size;
  }
  off = end;
  return f;
}

// The increase of `now` over `before` per value; values that did not grow are left out.
ValueSite site_delta(const ValueSite& now, const ValueSite& before, uint64_t& total,
                     uint64_t& decreases) {
  ValueSite out;
  for (const ValueCount& v : now) {
    uint64_t base = 0;
    for (const ValueCount& b : before) {
      if (b.value == v.value) base = b.count;
    }
    if (v.count > base) {
      out.push_back({v.value, v.count - base});
      total += v.count - base;
    } else if (v.count < base) {
      ++decreases;
    }
  }
  return out;
}

}  // namespace

Result<std::vector<FunctionValues>> read_value_data(std::string_view b, const RawLayout& l) {
  std::vector<FunctionValues> out;
  uint64_t off = l.value_data_offset;
  for (uint64_t d = 0; d < l.num_data; ++d) {
    bool declares = false;
    for (uint64_t k = 0; k < l.value_kinds; ++k) declares |= value_sites(b, l, d, k) != 0;
    if (!declares) continue;
    PGO_TRY_ASSIGN(FunctionValues f, read_function(b, l, d, off));
    out.push_back(std::move(f));
  }
  if (off != b.size()) {
    return make_error(ErrorCode::Input, "{} bytes follow the value-profile section",
                      b.size() - off);
  }
  return out;
}

std::string write_value_data(const std::vector<FunctionValues>& functions) {
  std::string out;
  for (const FunctionValues& f : functions) {
    uint64_t total = kDataHeader;
    for (const auto& sites : f.sites) {
      total += record_header_size(sites.size());
      for (const ValueSite& s : sites) total += s.size() * kValueBytes;
    }
    store<uint32_t>(out, static_cast<uint32_t>(total));
    store<uint32_t>(out, static_cast<uint32_t>(f.kinds.size()));
    for (size_t k = 0; k < f.kinds.size(); ++k) {
      const auto& sites = f.sites[k];
      store<uint32_t>(out, f.kinds[k]);
      store<uint32_t>(out, static_cast<uint32_t>(sites.size()));
      for (const ValueSite& s : sites) out.push_back(static_cast<char>(s.size()));
      out.append(record_header_size(sites.size()) - kRecordHeader - sites.size(), '\0');
      for (const ValueSite& s : sites) {
        for (const ValueCount& v : s) {
          store<uint64_t>(out, v.value);
          store<uint64_t>(out, v.count);
        }
      }
    }
  }
  return out;
}

Result<uint64_t> ValueDelta::apply(std::string& buffer, const RawLayout& layout) {
  PGO_TRY_ASSIGN(std::vector<FunctionValues> now, read_value_data(buffer, layout));
  if (!first_ && now.size() != baseline_.size()) {
    return make_error(ErrorCode::Internal, "value-profiled functions changed from {} to {}",
                      baseline_.size(), now.size());
  }
  uint64_t total = 0;
  std::vector<FunctionValues> delta = now;
  for (size_t f = 0; f < now.size(); ++f) {
    if (!first_ && (baseline_[f].record != now[f].record || baseline_[f].kinds != now[f].kinds)) {
      return make_error(ErrorCode::Internal, "value-profiled function record {} changed shape",
                        now[f].record);
    }
    for (size_t k = 0; k < now[f].sites.size(); ++k) {
      for (size_t s = 0; s < now[f].sites[k].size(); ++s) {
        static const ValueSite kNone;
        const ValueSite& before = first_ ? kNone : baseline_[f].sites[k][s];
        delta[f].sites[k][s] = site_delta(now[f].sites[k][s], before, total, decreases_);
      }
    }
  }
  buffer.resize(layout.value_data_offset);
  buffer += write_value_data(delta);
  baseline_ = std::move(now);
  first_ = false;
  return total;
}

}  // namespace pgopipe::collector
