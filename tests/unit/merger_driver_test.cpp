// SPDX-License-Identifier: Apache-2.0
#include "merger/driver.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/fs.hpp"
#include "core/store/local_store.hpp"
#include "tests/unit/cpu_profiles.hpp"

namespace pgopipe::merge {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(PGOPIPE_SOURCE_DIR) / "tests" / "data" / "llvm";

// Detected as an LLVM text sample profile by its first line, but its body is not one.
const std::string kDamagedSample = "main:100:0\n this is not a sample line\n";

class MergeDriverTest : public ::testing::Test {
 protected:
  // Copies a fixture into the scratch dir under `name` and returns its path.
  std::string fixture(const std::string& file, const std::string& name) {
    auto bytes = read_file(kData / file);
    EXPECT_TRUE(bytes) << bytes.error().message;
    return write(name, bytes ? *bytes : std::string{});
  }
  std::string write(const std::string& name, const std::string& bytes) {
    fs::path p = dir_.path() / name;
    EXPECT_TRUE(write_file_atomic(p, bytes)) << p;
    return p.string();
  }
  MergeRequest request(const std::vector<std::string>& paths, const std::string& out) {
    MergeRequest req;
    auto sources = file_sources(paths);
    EXPECT_TRUE(sources) << sources.error().message;
    if (sources) req.sources = std::move(*sources);
    req.options.output_format = ProfileFormat::SampleText;
    req.output = dir_.path() / out;
    return req;
  }
  // Total samples of a sample profile file, read by the product's summary reader.
  static uint64_t total_of(const fs::path& path) {
    auto bytes = read_file(path);
    EXPECT_TRUE(bytes) << path;
    auto summary = summarize_profile(path.string(), bytes ? *bytes : "", 1);
    EXPECT_TRUE(summary) << summary.error().message;
    return summary ? summary->total : 0;
  }
  WarnFn collect() {
    return [this](const std::string& input, const std::string& message) {
      warnings_.emplace_back(input, message);
    };
  }

  ScratchDir dir_{"pgopipe-driver-test"};
  std::vector<std::pair<std::string, std::string>> warnings_;
};

TEST_F(MergeDriverTest, FailureModeNames) {
  EXPECT_EQ(parse_failure_mode("any").value(), FailureMode::Any);
  EXPECT_EQ(parse_failure_mode("all").value(), FailureMode::All);
  EXPECT_EQ(parse_failure_mode("warn").value(), FailureMode::Warn);
  auto bad = parse_failure_mode("some");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::Usage);
  EXPECT_NE(bad.error().message.find("'some'"), std::string::npos) << bad.error().message;
}

TEST_F(MergeDriverTest, FileSourcesDetectFormatsAndRefuseMissingFiles) {
  auto a = fixture("sample_a.txt", "a.txt");
  auto sources = file_sources({a});
  ASSERT_TRUE(sources) << sources.error().message;
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].name, a);
  EXPECT_EQ((*sources)[0].format, ProfileFormat::SampleText);
  EXPECT_FALSE((*sources)[0].collected_at);
  EXPECT_EQ((*sources)[0].load().value(), read_file(a).value());

  auto missing = file_sources({a, (dir_.path() / "nope.txt").string()});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::Input);
  EXPECT_NE(missing.error().message.find("nope.txt: no such file"), std::string::npos);
}

TEST_F(MergeDriverTest, MergedTotalIsTheSumOfTheInputs) {
  auto a = fixture("sample_a.txt", "a.txt");
  auto b = fixture("sample_b.txt", "b.txt");
  auto req = request({a, b}, "ab.txt");
  auto report = run_merge(req, collect());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->family, ProfileFamily::Sample);
  EXPECT_EQ(report->merged, 2u);
  EXPECT_TRUE(report->skipped.empty());
  EXPECT_EQ(total_of(req.output), total_of(a) + total_of(b));
}

TEST_F(MergeDriverTest, ExplicitWeightsScaleTheirInput) {
  auto a = fixture("sample_a.txt", "a.txt");
  auto b = fixture("sample_b.txt", "b.txt");
  auto req = request({a, b}, "weighted.txt");
  req.weights.explicit_weights[a] = 3;
  auto report = run_merge(req, collect());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(total_of(req.output), 3 * total_of(a) + total_of(b));

  // A weight naming no input is refused before anything is written.
  auto stray = request({a, b}, "stray.txt");
  stray.weights.explicit_weights[(dir_.path() / "other.txt").string()] = 2;
  auto refused = run_merge(stray, collect());
  ASSERT_FALSE(refused);
  EXPECT_FALSE(fs::exists(stray.output));
}

TEST_F(MergeDriverTest, ADamagedInputFailsTheMergeByDefaultAndWritesNothing) {
  auto a = fixture("sample_a.txt", "a.txt");
  auto bad = write("bad.txt", kDamagedSample);
  auto b = fixture("sample_b.txt", "b.txt");
  auto req = request({a, bad, b}, "out.txt");
  ASSERT_EQ(req.sources[1].format, ProfileFormat::SampleText);
  auto report = run_merge(req, collect());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::Input);
  EXPECT_NE(report.error().message.find("bad.txt"), std::string::npos) << report.error().message;
  EXPECT_FALSE(fs::exists(req.output));
}

TEST_F(MergeDriverTest, SkippingADamagedInputMergesTheRestAndNamesIt) {
  auto a = fixture("sample_a.txt", "a.txt");
  auto bad = write("bad.txt", kDamagedSample);
  auto b = fixture("sample_b.txt", "b.txt");
  for (FailureMode mode : {FailureMode::Warn, FailureMode::All}) {
    warnings_.clear();
    auto req = request({a, bad, b}, "out.txt");
    req.failure_mode = mode;
    req.jobs = 2;
    auto report = run_merge(req, collect());
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->merged, 2u);
    ASSERT_EQ(report->skipped.size(), 1u);
    EXPECT_EQ(report->skipped[0].first, bad);
    ASSERT_EQ(warnings_.size(), 1u);
    EXPECT_EQ(warnings_[0].first, bad);
    EXPECT_EQ(warnings_[0].second.rfind("skipped: ", 0), 0u) << warnings_[0].second;
    EXPECT_EQ(total_of(req.output), total_of(a) + total_of(b));
  }
}

TEST_F(MergeDriverTest, WhenEveryInputIsDamagedNothingIsWritten) {
  auto bad1 = write("bad1.txt", kDamagedSample);
  auto bad2 = write("bad2.txt", kDamagedSample);
  auto req = request({bad1, bad2}, "out.txt");
  req.failure_mode = FailureMode::All;
  auto report = run_merge(req, collect());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::Input);
  EXPECT_NE(report.error().message.find("none of the 2 inputs could be merged"), std::string::npos)
      << report.error().message;
  EXPECT_FALSE(fs::exists(req.output));
}

TEST_F(MergeDriverTest, PairwiseFoldingGivesTheSameProfileAsOneWorker) {
  std::vector<std::string> inputs;
  const char* files[] = {"sample_a.txt", "sample_b.txt", "sample_c.txt", "sample_d.txt"};
  for (int i = 0; i < 7; ++i) {
    inputs.push_back(fixture(files[i % 4], "in" + std::to_string(i) + ".txt"));
  }
  std::map<int, std::string> outputs;
  for (int jobs : {1, 2, 3, 7}) {
    auto req = request(inputs, "jobs" + std::to_string(jobs) + ".txt");
    req.jobs = jobs;
    req.weights.explicit_weights[inputs[2]] = 5;
    auto report = run_merge(req, collect());
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->merged, inputs.size());
    outputs[jobs] = read_file(req.output).value();
  }
  ASSERT_FALSE(outputs[1].empty());
  for (int jobs : {2, 3, 7}) EXPECT_EQ(outputs[jobs], outputs[1]) << jobs << " workers";
  uint64_t expected = 0;
  for (size_t i = 0; i < inputs.size(); ++i) expected += (i == 2 ? 5 : 1) * total_of(inputs[i]);
  EXPECT_EQ(total_of(dir_.path() / "jobs1.txt"), expected);
}

TEST_F(MergeDriverTest, FamiliesAreDecidedOrRefused) {
  auto a = fixture("sample_a.txt", "a.txt");
  auto junk = write("junk.bin", std::string("\x01\x02\x03 not a profile"));
  auto unknown = request({junk}, "out.txt");
  auto none = run_merge(unknown, collect());
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no input is a recognised profile"), std::string::npos);

  auto perf = request({a}, "out.txt");
  perf.family = ProfileFamily::Perf;
  auto refused = run_merge(perf, collect());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Usage);

  // Formats are told by their magic bytes: a gzip stream is pprof, PERFILE2 is perf data.
  auto gz = write("profile.pb.gz", std::string("\x1f\x8b\x08\x00rest", 8));
  auto mixed = request({a, gz}, "out.txt");
  ASSERT_EQ(mixed.sources[1].format, ProfileFormat::PprofGzip);
  auto mix = run_merge(mixed, collect());
  ASSERT_FALSE(mix);
  EXPECT_EQ(mix.error().code, ErrorCode::Input);
  EXPECT_NE(mix.error().message.find("cannot merge different kinds of profile"), std::string::npos)
      << mix.error().message;
  EXPECT_NE(mix.error().message.find(gz), std::string::npos) << mix.error().message;
  EXPECT_FALSE(fs::exists(mixed.output));

  auto perf_data = write("perf.data", std::string("PERFILE2") + std::string(64, '\0'));
  auto convert = run_merge(request({perf_data}, "out.txt"), collect());
  ASSERT_FALSE(convert);
  EXPECT_EQ(convert.error().code, ErrorCode::Usage);
  EXPECT_NE(convert.error().message.find("pgopipe convert"), std::string::npos);

  // A forced family turns an input of another family into a per-input error.
  auto forced = request({a, gz}, "forced.txt");
  forced.family = ProfileFamily::Sample;
  forced.failure_mode = FailureMode::Warn;
  auto skipped = run_merge(forced, collect());
  ASSERT_TRUE(skipped) << skipped.error().message;
  ASSERT_EQ(skipped->skipped.size(), 1u);
  EXPECT_NE(skipped->skipped[0].second.find("is pprof-gzip, not a sample profile"), std::string::npos)
      << skipped->skipped[0].second;
  EXPECT_EQ(total_of(forced.output), total_of(a));

  EXPECT_EQ(run_merge(MergeRequest{}, collect()).error().code, ErrorCode::NotFound);
}

// pprof inputs are decoded by every worker and folded in input order by whichever finds the
// engine free, so this runs many inputs through several workers: the output's bytes and the
// damaged input's fate must not depend on how the work was shared.
TEST_F(MergeDriverTest, PprofInputsDecodedApartMergeAsOneWorkerDoes) {
  std::vector<std::string> inputs;
  std::map<std::string, int64_t> expected;
  for (int i = 0; i < 60; ++i) {
    std::map<std::string, int64_t> flat{{"f" + std::to_string(i % 7), i + 1}, {"common", 2}};
    for (const auto& [fn, n] : flat) expected[fn] += n;
    inputs.push_back(write("in" + std::to_string(i) + ".pb.gz", testing::cpu_profile(flat)));
  }
  auto bad = write("bad.pb.gz", testing::cpu_profile({{"x", 1}}).substr(0, 40));  // truncated gzip
  for (int jobs : {1, 2, 3, 8}) {
    auto req = request(inputs, "jobs" + std::to_string(jobs) + ".pb.gz");
    req.options.output_format = ProfileFormat::PprofGzip;
    req.jobs = jobs;
    auto report = run_merge(req, collect());
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->merged, inputs.size()) << jobs;
    EXPECT_EQ(testing::flat_of(read_file(req.output).value()), expected) << jobs << " workers";
    EXPECT_EQ(read_file(req.output).value(), read_file(dir_.path() / "jobs1.pb.gz").value())
        << jobs << " workers: not the bytes one worker writes";

    auto with_bad = inputs;
    with_bad.insert(with_bad.begin() + 30, bad);
    warnings_.clear();
    req = request(with_bad, "warn" + std::to_string(jobs) + ".pb.gz");
    req.options.output_format = ProfileFormat::PprofGzip;
    req.jobs = jobs;
    req.failure_mode = FailureMode::Warn;
    report = run_merge(req, collect());
    ASSERT_TRUE(report) << report.error().message;
    ASSERT_EQ(report->skipped.size(), 1u) << jobs;
    EXPECT_EQ(report->skipped[0].first, bad);
    EXPECT_EQ(testing::flat_of(read_file(req.output).value()), expected) << jobs << " workers";

    req.failure_mode = FailureMode::Any;
    req.output = dir_.path() / ("any" + std::to_string(jobs) + ".pb.gz");
    report = run_merge(req, collect());
    ASSERT_FALSE(report) << jobs;
    EXPECT_NE(report.error().message.find(bad), std::string::npos) << report.error().message;
    EXPECT_FALSE(fs::exists(req.output));
  }
}

TEST_F(MergeDriverTest, StoreSourcesCarryTimesIntoTheReport) {
  auto local = store::make_local_store(dir_.path() / "store", {});
  ASSERT_TRUE(local) << local.error().message;
  auto& store = **local;
  TimePoint t0 = now() - std::chrono::hours{2};
  for (int i = 0; i < 3; ++i) {
    ProfileMeta m;
    m.app = "web";
    m.collected_at = t0 + std::chrono::minutes{10 * i};
    m.format = ProfileFormat::SampleText;
    ASSERT_TRUE(store.put(m, read_file(kData / "sample_a.txt").value()));
  }
  store::Query q;
  q.app = "web";
  q.window = {t0 - std::chrono::hours{1}, now()};
  auto objects = store.list(q);
  ASSERT_TRUE(objects) << objects.error().message;
  ASSERT_EQ(objects->size(), 3u);
  MergeRequest req;
  req.sources = store_sources(store, *objects);
  req.options.output_format = ProfileFormat::SampleText;
  req.output = dir_.path() / "window.txt";
  auto report = run_merge(req, collect());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->merged, 3u);
  ASSERT_TRUE(report->first_collected && report->last_collected);
  EXPECT_EQ(format_rfc3339(*report->first_collected), format_rfc3339(t0));
  EXPECT_EQ(format_rfc3339(*report->last_collected), format_rfc3339(t0 + std::chrono::minutes{20}));
  EXPECT_EQ(total_of(req.output), 3 * total_of(kData / "sample_a.txt"));
}

}  // namespace
}  // namespace pgopipe::merge
