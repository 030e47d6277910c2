// SPDX-License-Identifier: Apache-2.0
#include "merger/pprof/pprof_engine.hpp"
#include "merger/pprof/pprof_tables.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

struct Frame {
  std::string function;
  int64_t line;
};

// Builds CPU-like profiles; each location is (address, inline frames innermost first).
class Builder {
 public:
  explicit Builder(uint64_t map_start = 0x400000, std::vector<std::string> junk = {}) : strings_(p_) {
    for (const auto& j : junk) strings_.intern(j);  // shifts string indices between inputs
    add_type("samples", "count");
    add_type("cpu", "nanoseconds");
    p_.mutable_period_type()->set_type(strings_.intern("cpu"));
    p_.mutable_period_type()->set_unit(strings_.intern("nanoseconds"));
    p_.set_period(10'000'000);
    auto* m = p_.add_mapping();
    m->set_id(7);
    m->set_memory_start(map_start);
    m->set_memory_limit(map_start + 0x100000);
    m->set_filename(strings_.intern("/srv/app"));
    m->set_build_id(strings_.intern("feedface"));
    m->set_has_functions(true);
    start_ = map_start;
  }
  void add_type(const std::string& type, const std::string& unit) {
    auto* st = p_.add_sample_type();
    st->set_type(strings_.intern(type));
    st->set_unit(strings_.intern(unit));
  }
  uint64_t location(uint64_t offset, const std::vector<Frame>& frames) {
    auto* l = p_.add_location();
    l->set_id(100 + p_.location_size());
    l->set_mapping_id(7);
    l->set_address(start_ + offset);
    for (const auto& fr : frames) {
      auto* line = l->add_line();
      line->set_function_id(function(fr.function));
      line->set_line(fr.line);
    }
    return l->id();
  }
  uint64_t function(const std::string& name) {
    for (const auto& f : p_.function()) {
      if (pprof::string_at(p_, f.name()) == name) return f.id();
    }
    auto* f = p_.add_function();
    f->set_id(1000 + p_.function_size());
    f->set_name(strings_.intern(name));
    f->set_system_name(f->name());
    f->set_filename(strings_.intern("app.go"));
    f->set_start_line(static_cast<int64_t>(name.size()));
    return f->id();
  }
  void sample(std::vector<uint64_t> stack, int64_t count, std::vector<std::pair<std::string, std::string>> labels = {}) {
    auto* s = p_.add_sample();
    for (uint64_t id : stack) s->add_location_id(id);
    s->add_value(count);
    s->add_value(count * 10'000'000);
    for (auto& [k, v] : labels) {
      auto* l = s->add_label();
      l->set_key(strings_.intern(k));
      l->set_str(strings_.intern(v));
    }
  }
  pprof::Profile& profile() { return p_; }
  std::string bytes(bool gz = true) { return *pprof::serialize(p_, gz); }

 private:
  pprof::Profile p_;
  pprof::StringTable strings_;
  uint64_t start_ = 0;
};

std::unique_ptr<merge::MergeEngine> engine(ProfileFormat out = ProfileFormat::Unknown) {
  merge::MergeOptions o;
  o.output_format = out;
  o.limits.max_decompressed_bytes = 16u << 20;
  return std::move(pprof_merge::make_pprof_engine(o, nullptr).value());
}

pprof::Profile written(merge::MergeEngine& e) {
  ScratchDir scratch("pprof-engine");
  const fs::path& dir = scratch.path();
  EXPECT_TRUE(e.write(dir / "out.pb.gz").ok());
  auto p = pprof::read_file(dir / "out.pb.gz");
  EXPECT_TRUE(p.ok()) << p.error().message;
  return *p;
}

// Flat sample counts per leaf function name.
std::map<std::string, int64_t> flat(const pprof::Profile& p) {
  std::map<uint64_t, std::string> fn;
  for (const auto& f : p.function()) fn[f.id()] = pprof::string_at(p, f.name());
  std::map<uint64_t, std::string> leaf;
  for (const auto& l : p.location()) leaf[l.id()] = fn[l.line(0).function_id()];
  std::map<std::string, int64_t> out;
  for (const auto& s : p.sample()) out[leaf[s.location_id(0)]] += s.value(0);
  return out;
}

Builder profile_a(uint64_t start = 0x400000, std::vector<std::string> junk = {}) {
  Builder b(start, std::move(junk));
  auto work = b.location(0x10, {{"inlined_helper", 5}, {"work", 12}});
  auto main = b.location(0x80, {{"main", 3}});
  b.sample({work, main}, 3);
  b.sample({main}, 1);
  return b;
}

TEST(PprofEngine, UnifiesAcrossInputsWithShiftedStringsAndMappings) {
  auto e = engine();
  ASSERT_TRUE(e->add("a.pb.gz", profile_a().bytes(), 1.0).ok());
  // Same program, another process: ASLR moved the mapping, string table in another order.
  ASSERT_TRUE(e->add("b.pb", profile_a(0x7f0000, {"zzz", "work"}).bytes(false), 1.0).ok());
  auto p = written(*e);
  EXPECT_TRUE(pprof::validate("out", p).ok());
  EXPECT_EQ(p.mapping_size(), 1);
  EXPECT_EQ(p.location_size(), 2);
  EXPECT_EQ(p.function_size(), 3);
  EXPECT_EQ(p.sample_size(), 2);
  EXPECT_EQ(flat(p), (std::map<std::string, int64_t>{{"inlined_helper", 6}, {"main", 2}}));
  // Kept: build id, start lines, both inline frames of the first location, period.
  EXPECT_EQ(pprof::string_at(p, p.mapping(0).build_id()), "feedface");
  EXPECT_EQ(p.location(0).line_size(), 2);
  EXPECT_EQ(pprof::string_at(p, p.function(0).name()), "inlined_helper");
  EXPECT_EQ(p.function(0).start_line(), 14);
  EXPECT_EQ(p.period(), 10'000'000);
  EXPECT_EQ(pprof::string_at(p, p.sample_type(1).unit()), "nanoseconds");
}

TEST(PprofEngine, WeightsScaleEveryValue) {
  auto e = engine();
  ASSERT_TRUE(e->add("a", profile_a().bytes(), 2.0).ok());
  auto p = written(*e);
  EXPECT_EQ(flat(p), (std::map<std::string, int64_t>{{"inlined_helper", 6}, {"main", 2}}));
  EXPECT_EQ(p.sample(0).value(1), 60'000'000);
  auto half = engine();
  ASSERT_TRUE(half->add("a", profile_a().bytes(), 0.5).ok());
  EXPECT_EQ(flat(written(*half)), (std::map<std::string, int64_t>{{"inlined_helper", 2}, {"main", 1}}));
  EXPECT_EQ(engine()->add("a", profile_a().bytes(), 0.0).error().code, ErrorCode::Usage);
}

TEST(PprofEngine, LabelsSeparateSamplesAndSurvive) {
  Builder b;
  auto main = b.location(0x80, {{"main", 3}});
  b.sample({main}, 1, {{"region", "eu"}, {"tier", "web"}});
  b.sample({main}, 2, {{"tier", "web"}, {"region", "eu"}});  // same label set, other order
  b.sample({main}, 4, {{"region", "us"}});
  auto e = engine();
  ASSERT_TRUE(e->add("labels", b.bytes(), 1.0).ok());
  auto p = written(*e);
  ASSERT_EQ(p.sample_size(), 2);
  EXPECT_EQ(p.sample(0).value(0), 3);
  EXPECT_EQ(p.sample(0).label_size(), 2);
  EXPECT_EQ(p.sample(1).value(0), 4);
  EXPECT_EQ(pprof::string_at(p, p.sample(1).label(0).str()), "us");
}

TEST(PprofEngine, HeaderCombination) {
  auto a = profile_a();
  a.profile().set_time_nanos(2000);
  a.profile().set_duration_nanos(10);
  auto b = profile_a();
  b.profile().set_time_nanos(1000);
  b.profile().set_duration_nanos(5);
  b.profile().set_period(20'000'000);
  auto e = engine();
  ASSERT_TRUE(e->add("a", a.bytes(), 1.0).ok());
  ASSERT_TRUE(e->add("b", b.bytes(), 1.0).ok());
  auto p = written(*e);
  EXPECT_EQ(p.time_nanos(), 1000);
  EXPECT_EQ(p.duration_nanos(), 15);
  EXPECT_EQ(p.period(), 20'000'000);
}

TEST(PprofEngine, NormalizeDurationCountsEachProfileAsOneMinuteAndKeepsTheInputsTotal) {
  merge::MergeOptions o;
  o.normalize_duration = true;
  auto e = std::move(pprof_merge::make_pprof_engine(o, nullptr).value());
  auto a = profile_a();
  a.profile().set_duration_nanos(120'000'000'000);  // 2 minutes: halved
  auto b = profile_a();
  b.profile().set_duration_nanos(30'000'000'000);  // 30 s: doubled
  ASSERT_TRUE(e->add("a", a.bytes(), 1.0).ok());
  ASSERT_TRUE(e->add("b", b.bytes(), 1.0).ok());
  // Weighted: inlined_helper 3 * 0.5 = 1.5 -> 2, plus 3 * 2 = 6; main 0.5 -> 1, plus 2: 8 and 3.
  // Rescaled to the inputs' own 8 samples: 8 * 8/11 -> 6 and 3 * 8/11 -> 2.
  pprof::Profile merged = written(*e);
  EXPECT_EQ(flat(merged), (std::map<std::string, int64_t>{{"inlined_helper", 6}, {"main", 2}}));
  int64_t cpu = 0;
  for (const auto& s : merged.sample()) cpu += s.value(1);
  EXPECT_EQ(cpu, 8 * 10'000'000);  // the second sample type keeps its total too
  EXPECT_EQ(merged.duration_nanos(), 150'000'000'000);  // the inputs' durations summed
}

TEST(PprofEngine, AbsorbEqualsSequentialMerge) {
  auto seq = engine();
  auto left = engine();
  auto right = engine();
  std::vector<std::string> inputs = {profile_a().bytes(), profile_a(0x500000, {"x"}).bytes(),
                                     profile_a(0x600000).bytes()};
  for (const auto& in : inputs) ASSERT_TRUE(seq->add("in", in, 1.0).ok());
  ASSERT_TRUE(left->add("in0", inputs[0], 1.0).ok());
  ASSERT_TRUE(right->add("in1", inputs[1], 1.0).ok());
  ASSERT_TRUE(right->add("in2", inputs[2], 1.0).ok());
  ASSERT_TRUE(left->absorb(*right).ok());
  EXPECT_EQ(written(*left).SerializeAsString(), written(*seq).SerializeAsString());
  EXPECT_EQ(left->family(), ProfileFamily::Pprof);
}

// Large outputs are written in parts on several threads; the parts in order must be the
// profile, byte for byte, however many there are (more parts than items included).
TEST(PprofEngine, EncodedPartsConcatenateToTheWholeProfile) {
  Builder b;
  std::vector<uint64_t> locations;
  for (int i = 0; i < 40; ++i) {
    locations.push_back(b.location(0x10 * (i + 1), {{"fn" + std::to_string(i % 9), i}, {"outer", 1}}));
  }
  for (int i = 0; i < 200; ++i) {
    b.sample({locations[i % 40], locations[(i * 7) % 40], locations[(i * 13) % 40]}, i + 1,
             {{"worker", std::to_string(i % 3)}});
  }
  std::string raw = b.bytes(false);
  pprof_merge::Tables t;
  ASSERT_TRUE(pprof_merge::decode_tables("in", raw, t).ok());
  const std::string whole = pprof_merge::encode(t);
  ASSERT_GT(whole.size(), 1000u);
  for (size_t parts : {2u, 3u, 7u, 1000u}) {
    const std::vector<size_t> bounds = pprof_merge::split_items(t, parts);
    ASSERT_EQ(bounds.size(), parts + 1);
    std::string joined;
    size_t nonempty = 0;
    for (size_t k = 0; k < parts; ++k) {
      std::string piece = pprof_merge::encode(t, bounds[k], bounds[k + 1]);
      nonempty += !piece.empty();
      joined += piece;
    }
    EXPECT_EQ(joined, whole) << parts << " parts";
    EXPECT_GE(nonempty, std::min<size_t>(parts, 3)) << parts << " parts: the work was not shared";
  }
}

// Locations are mapped a batch at a time ahead of the samples: more than a batch, input
// locations that are the same location, and one that only an all-zero sample references (pprof
// drops such samples, and nothing else references it, so it must not appear).
TEST(PprofEngine, LocationsMappedAheadAreUnifiedAndOnlyWhatKeptSamplesReference) {
  Builder b;
  std::vector<uint64_t> locations;
  for (int i = 0; i < 40; ++i) locations.push_back(b.location(0x10 * (i + 1), {{"fn" + std::to_string(i), i}}));
  uint64_t twin = b.location(0x10, {{"fn0", 0}});  // the same as locations[0] under another id
  uint64_t only_zero = b.location(0x9990, {{"zero_only", 1}});
  for (int i = 0; i < 40; ++i) b.sample({locations[i], locations[(i + 1) % 40]}, 1);
  b.sample({twin, locations[5]}, 2);
  b.sample({only_zero, locations[6]}, 0);
  auto e = engine();
  ASSERT_TRUE(e->add("a", b.bytes(), 1.0).ok());
  ASSERT_TRUE(e->add("b", b.bytes(), 1.0).ok());
  pprof::Profile out = written(*e);
  EXPECT_EQ(out.location_size(), 40);
  for (const auto& f : out.function()) EXPECT_NE(pprof::string_at(out, f.name()), "zero_only");
  auto totals = flat(out);
  EXPECT_EQ(totals["fn0"], 2 * (1 + 2));  // its own sample and the twin's, from both inputs
  EXPECT_EQ(totals["fn1"], 2);
}

TEST(PprofEngine, IncompatibleSampleTypesNameBoth) {
  Builder heap;
  heap.profile().clear_sample_type();
  heap.add_type("alloc_space", "bytes");
  auto e = engine();
  ASSERT_TRUE(e->add("cpu.pb.gz", profile_a().bytes(), 1.0).ok());
  auto r = e->add("heap.pb.gz", heap.bytes(), 1.0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  const auto& msg = r.error().message;
  EXPECT_NE(msg.find("heap.pb.gz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cpu.pb.gz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("alloc_space/bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("samples/count cpu/nanoseconds"), std::string::npos) << msg;
}

TEST(PprofEngine, BadInputsAreNamedAndLeaveStateUnchanged) {
  auto e = engine();
  ASSERT_TRUE(e->add("good", profile_a().bytes(), 1.0).ok());
  auto before = written(*e).SerializeAsString();
  std::string gz = profile_a().bytes();
  std::string bomb = *pprof::gzip(std::string(64u << 20, 'x'), 9);
  auto bad_ref = profile_a();
  bad_ref.profile().mutable_sample(0)->set_location_id(0, 999);
  struct Case {
    std::string name, bytes, expect;
  } cases[] = {
      {"zero.pb.gz", "", "zero bytes"},
      {"cut.pb.gz", gz.substr(0, gz.size() / 2), "truncated"},
      {"cut.pb", profile_a().bytes(false).substr(0, 40), "zero.pb.gz"},
      {"bomb.pb.gz", bomb, "gzip bomb"},
      {"junk.bin", "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", "not a valid pprof"},
      {"dangling.pb.gz", bad_ref.bytes(), "unknown location id 999"},
  };
  cases[2].expect = "cut.pb";
  for (const auto& c : cases) {
    auto r = e->add(c.name, c.bytes, 1.0);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, ErrorCode::Input) << c.name;
    EXPECT_NE(r.error().message.find(c.name), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(written(*e).SerializeAsString(), before);
}

TEST(PprofEngine, OutputFormatsAndAtomicWrite) {
  ScratchDir scratch("pprof-engine");
  const fs::path& dir = scratch.path();
  auto plain = engine(ProfileFormat::Pprof);
  ASSERT_TRUE(plain->add("a", profile_a().bytes(), 1.0).ok());
  ASSERT_TRUE(plain->write(dir / "out.pb").ok());
  auto bytes = read_file(dir / "out.pb");
  ASSERT_TRUE(bytes.ok());
  EXPECT_FALSE(pprof::is_gzip(*bytes));
  EXPECT_TRUE(pprof::parse("out.pb", *bytes).ok());
  // Nothing merged: an error and no output file.
  auto empty = engine();
  EXPECT_EQ(empty->write(dir / "none.pb.gz").error().code, ErrorCode::NotFound);
  EXPECT_FALSE(fs::exists(dir / "none.pb.gz"));
  merge::MergeOptions wrong;
  wrong.output_format = ProfileFormat::LlvmIndexed;
  EXPECT_EQ(pprof_merge::make_pprof_engine(wrong, nullptr).error().code, ErrorCode::Usage);
}

TEST(PprofEngine, SummaryCountsLeafFunctions) {
  auto s = pprof_merge::summarize_pprof("a.pb.gz", profile_a().bytes(), 1);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->format, ProfileFormat::PprofGzip);
  EXPECT_EQ(s->total, 4u);
  EXPECT_EQ(s->functions, 3u);
  ASSERT_EQ(s->hottest.size(), 1u);
  EXPECT_EQ(s->hottest[0].name, "inlined_helper");
  EXPECT_EQ(s->hottest[0].count, 3u);
  EXPECT_EQ(s->sample_types, (std::vector<std::string>{"samples/count", "cpu/nanoseconds"}));
  EXPECT_EQ(s->build_ids, (std::vector<std::string>{"feedface"}));
  EXPECT_FALSE(pprof_merge::summarize_pprof("z", "", 5).ok());
  // Through the family dispatch, each hot function also carries its share of the total.
  auto any = merge::summarize_profile("a.pb.gz", profile_a().bytes(), 1);
  ASSERT_TRUE(any.ok()) << any.error().message;
  ASSERT_EQ(any->hottest.size(), 1u);
  EXPECT_DOUBLE_EQ(any->hottest[0].share, 0.75);
}

// `n` empty sample records after a valid profile: 2 bytes each, decoding to n samples.
std::string amplified(size_t n) {
  std::string raw = profile_a().bytes(false);
  for (size_t i = 0; i < n; ++i) raw += std::string("\x12\x00", 2);
  return raw;
}

TEST(PprofEngine, DecodedSizeLimitsNameTheInputAndTheLimit) {
  merge::MergeOptions o;
  o.limits.max_samples = 1000;
  auto e = std::move(pprof_merge::make_pprof_engine(o, nullptr).value());
  auto r = e->add("amplified.pb", amplified(5000), 1.0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Input);
  EXPECT_NE(r.error().message.find("amplified.pb"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("limits.max_samples"), std::string::npos) << r.error().message;
  EXPECT_TRUE(e->add("a", profile_a().bytes(), 1.0).ok());  // the engine is still usable

  for (auto [member, key] : {std::pair{&InputLimits::max_locations, "limits.max_locations"},
                             std::pair{&InputLimits::max_functions, "limits.max_functions"},
                             std::pair{&InputLimits::max_strings, "limits.max_strings"},
                             std::pair{&InputLimits::max_records, "limits.max_records"}}) {
    merge::MergeOptions tight;
    tight.limits.*member = 1;
    auto t = std::move(pprof_merge::make_pprof_engine(tight, nullptr).value());
    auto bad = t->add("a.pb.gz", profile_a().bytes(), 1.0);
    ASSERT_FALSE(bad) << key;
    EXPECT_NE(bad.error().message.find(key), std::string::npos) << bad.error().message;
  }
  auto summary = pprof_merge::summarize_pprof("amplified.pb", amplified(5000), 10, o.limits);
  ASSERT_FALSE(summary);
  EXPECT_NE(summary.error().message.find("limits.max_samples"), std::string::npos);
}

TEST(PprofEngine, DefaultLimitsAcceptServiceSizedProfiles) {
  Builder b;
  std::vector<uint64_t> locations;
  for (int i = 0; i < 4000; ++i) locations.push_back(b.location(0x10 + i, {{"fn" + std::to_string(i), i}}));
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint64_t> stack;
    for (int d = 0; d < 32; ++d) stack.push_back(locations[(i * 7 + d * 13) % locations.size()]);
    b.sample(stack, 1);
  }
  auto e = engine();
  auto r = e->add("service.pb.gz", b.bytes(), 1.0);
  EXPECT_TRUE(r) << r.error().message;
}

TEST(PprofEngine, TinyDurationsAreClampedAndWarned) {
  merge::MergeOptions o;
  o.normalize_duration = true;
  std::vector<std::string> warnings;
  auto e = std::move(pprof_merge::make_pprof_engine(o, [&](const std::string& in, const std::string& msg) {
                       warnings.push_back(in + ": " + msg);
                     }).value());
  auto a = profile_a();
  a.profile().set_duration_nanos(1);  // would weigh 6e10 unclamped and leave nothing of `cold`
  ASSERT_TRUE(e->add("tiny", a.bytes(), 1.0).ok());
  Builder minute;
  minute.sample({minute.location(0x20, {{"cold", 1}})}, 23996);
  minute.profile().set_duration_nanos(60'000'000'000);
  ASSERT_TRUE(e->add("minute", minute.bytes(), 1.0).ok());
  // Taken as 10 ms: weight 6000, so 18000 + 6000 against cold's 23996, then rescaled to the
  // inputs' 24000 samples (factor 24000 / 47996).
  EXPECT_EQ(flat(written(*e)),
            (std::map<std::string, int64_t>{{"cold", 11999}, {"inlined_helper", 9001}, {"main", 3000}}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("tiny: duration_nanos 1 is below 10 ms"), std::string::npos) << warnings[0];
}

TEST(PprofEngine, ScaledValuesSaturateInsteadOfOverflowing) {
  std::vector<std::string> warnings;
  auto e = std::move(pprof_merge::make_pprof_engine(merge::MergeOptions{}, [&](const std::string&, const std::string& msg) {
                       warnings.push_back(msg);
                     }).value());
  Builder b;
  auto loc = b.location(0x10, {{"hot", 1}});
  b.sample({loc}, int64_t{1} << 38);  // times 1e9 is far beyond int64
  ASSERT_TRUE(e->add("huge", b.bytes(), 1e9).ok());
  EXPECT_EQ(flat(written(*e)), (std::map<std::string, int64_t>{{"hot", INT64_MAX}}));
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("clamped"), std::string::npos);
}

}  // namespace
}  // namespace pgopipe
