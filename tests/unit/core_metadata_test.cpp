// SPDX-License-Identifier: Apache-2.0
#include "core/metadata.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgopipe {
namespace {

ProfileMeta sample_meta() {
  ProfileMeta m;
  m.app = "checkout";
  m.format = ProfileFormat::LlvmRaw;
  m.collected_at = *parse_time("2026-01-31T12:00:00.5Z", TimePoint{});
  m.duration = std::chrono::seconds{60};
  m.build_id = "0123abcd";
  m.host = "web-1";
  m.labels = {{"region", "eu west=1,2%"}, {"pid", "42"}};
  m.sha256 = std::string(64, 'a');
  m.size = 1234;
  return m;
}

void expect_same(const ProfileMeta& a, const ProfileMeta& b) {
  EXPECT_EQ(a.app, b.app);
  EXPECT_EQ(a.format, b.format);
  EXPECT_EQ(a.collected_at, b.collected_at);
  EXPECT_EQ(a.duration, b.duration);
  EXPECT_EQ(a.build_id, b.build_id);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.size, b.size);
}

TEST(Metadata, JsonRoundTrip) {
  auto m = sample_meta();
  auto back = meta_from_json(to_json(m), "test");
  ASSERT_TRUE(back) << back.error().message;
  expect_same(m, *back);
  EXPECT_EQ(to_json(m)["kind"], "instr");
}

TEST(Metadata, HeaderRoundTripEscapesLabels) {
  auto m = sample_meta();
  auto headers = to_header_map(m);
  for (const auto& [k, v] : headers) {
    EXPECT_EQ(k.find('_'), std::string::npos) << k;  // header names never carry '_'
    for (char c : v) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << k;
  }
  auto back = meta_from_header_map(headers, "key");
  ASSERT_TRUE(back) << back.error().message;
  expect_same(m, *back);
}

TEST(Metadata, MissingOrHostileFieldsAreNamed) {
  auto j = to_json(sample_meta());
  j.erase("sha256");
  auto r = meta_from_json(j, "obj.meta.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("obj.meta.json"), std::string::npos);
  EXPECT_NE(r.error().message.find("sha256"), std::string::npos);
  auto hostile = to_json(sample_meta());
  hostile["app"] = "../../etc";
  EXPECT_FALSE(meta_from_json(hostile, "x"));
  auto headers = to_header_map(sample_meta());
  headers.erase("app");
  auto h = meta_from_header_map(headers, "some/key");
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message.find("x-amz-meta-app"), std::string::npos);
}

TEST(Metadata, ParseLabel) {
  auto kv = parse_label("region=eu-1");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->first, "region");
  EXPECT_EQ(kv->second, "eu-1");
  EXPECT_FALSE(parse_label("novalue"));
  EXPECT_FALSE(parse_label("../k=v"));
}

TEST(Metadata, ParseLabelsKeepsTheFirstValueOfAKeyAndNamesABadOne) {
  auto labels = parse_labels({"env=prod", "region=eu-1", "env=dev"});
  ASSERT_TRUE(labels);
  EXPECT_EQ(*labels, (Labels{{"env", "prod"}, {"region", "eu-1"}}));
  auto bad = parse_labels({"env=prod", "oops"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("label 'oops'"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace pgopipe
