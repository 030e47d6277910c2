// SPDX-License-Identifier: Apache-2.0
#include "merger/provenance.hpp"

#include <gtest/gtest.h>

#include "core/fs.hpp"

namespace pgopipe::merge {
namespace {

namespace fs = std::filesystem;

class ProvenanceTest : public ::testing::Test {
 protected:
  fs::path profile() const { return dir_.path() / "merged.profdata"; }
  ScratchDir dir_{"pgopipe-provenance-test"};
};

TEST_F(ProvenanceTest, LivesBesideTheProfile) {
  EXPECT_EQ(provenance_path(profile()), dir_.path() / "merged.profdata.pgopipe.json");
}

TEST_F(ProvenanceTest, RoundTripsEveryField) {
  TimePoint t0 = parse_time("2026-03-01T10:00:00Z", TimePoint{}).value();
  Provenance p;
  p.store = "s3://bucket/prefix";
  p.app = "web";
  p.window = Window{t0, t0 + std::chrono::hours{6}};
  p.first_collected = t0 + std::chrono::minutes{5};
  p.last_collected = t0 + std::chrono::minutes{355};
  p.merged = 17;
  p.skipped = 2;
  p.weighting = "half-life 6h";
  ASSERT_TRUE(write_provenance(profile(), p));
  auto back = read_provenance(profile());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->store, p.store);
  EXPECT_EQ(back->app, p.app);
  ASSERT_TRUE(back->window);
  EXPECT_EQ(back->window->since, p.window->since);
  EXPECT_EQ(back->window->until, p.window->until);
  EXPECT_EQ(back->first_collected, p.first_collected);
  EXPECT_EQ(back->last_collected, p.last_collected);
  EXPECT_EQ(back->merged, 17u);
  EXPECT_EQ(back->skipped, 2u);
  EXPECT_EQ(back->weighting, "half-life 6h");
}

TEST_F(ProvenanceTest, FileMergesHaveNoWindowOrTimes) {
  Provenance p;
  p.merged = 3;
  ASSERT_TRUE(write_provenance(profile(), p));
  auto back = read_provenance(profile());
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->window);
  EXPECT_FALSE(back->first_collected);
  EXPECT_FALSE(back->last_collected);
  EXPECT_EQ(back->merged, 3u);
  EXPECT_EQ(back->store, "");
}

TEST_F(ProvenanceTest, RemovedAndMissingProvenanceReadsAsNone) {
  EXPECT_FALSE(read_provenance(profile()));
  ASSERT_TRUE(write_provenance(profile(), Provenance{}));
  EXPECT_TRUE(read_provenance(profile()));
  remove_provenance(profile());
  EXPECT_FALSE(fs::exists(provenance_path(profile())));
  EXPECT_FALSE(read_provenance(profile()));
  remove_provenance(profile());  // nothing to remove is not an error
}

TEST_F(ProvenanceTest, MalformedProvenanceIsIgnored) {
  for (const std::string& text : {std::string("not json"), std::string("[1, 2]"),
                                  std::string(R"({"merged": "many"})"),
                                  std::string(R"({"app": 7})"),
                                  std::string(R"({"skipped": -1})"), std::string(R"({"merged": 1.5})")}) {
    ASSERT_TRUE(write_file_atomic(provenance_path(profile()), text));
    std::optional<Provenance> read;
    EXPECT_NO_THROW(read = read_provenance(profile())) << text;
    EXPECT_FALSE(read) << text;
  }
  // A time that does not parse is left out; the rest is kept.
  ASSERT_TRUE(write_file_atomic(provenance_path(profile()),
                                R"({"app": "web", "since": "yesterday-ish", "until": "2026-03-01T10:00:00Z"})"));
  auto partial = read_provenance(profile());
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->app, "web");
  EXPECT_FALSE(partial->window);
}

}  // namespace
}  // namespace pgopipe::merge
