// SPDX-License-Identifier: Apache-2.0
#include "core/key_table.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <map>

#include "core/fs.hpp"

namespace pgopipe {
namespace {

const KeyAt kAt{"pgo.yaml:4", "gate.max_slowdown"};

TEST(KeyTable, NumbersOutsideTheirRangeOrWithTrailingTextAreNamedErrors) {
  EXPECT_EQ(*parse_number<int>("20", kAt, 0, 20), 20);
  for (const char* text : {"21", "-1", "2x", "", "1.5"}) {
    auto r = parse_number<int>(text, kAt, 0, 20);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::Config);
    EXPECT_EQ(r.error().message, fmt::format("pgo.yaml:4: gate.max_slowdown: '{}' is not valid: "
                                             "expected an integer from 0 to 20", text));
  }
  EXPECT_DOUBLE_EQ(*parse_number<double>("0.05", kAt, 0.0, 1.0), 0.05);
}

TEST(KeyTable, BooleansAndDurations) {
  EXPECT_TRUE(*parse_bool("yes", kAt));
  EXPECT_FALSE(*parse_bool("off", kAt));
  EXPECT_FALSE(parse_bool("maybe", kAt).ok());
  EXPECT_EQ(*parse_positive_duration("6h", kAt, "6h"), std::chrono::hours{6});
  auto zero = parse_positive_duration("0s", kAt, "30s");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("a duration such as 30s"), std::string::npos);
}

TEST(KeyTable, WalkGivesDottedKeysWithLinesAndRefusesNonStringKeys) {
  ScratchDir dir("pgopipe-key-table");
  auto file = dir.path() / "c.yaml";
  ASSERT_TRUE(write_file_atomic(file, "app: a\ns3:\n  retries: 2\n  timeout: 3s\n").ok());
  auto root = load_yaml_mapping(file, "the test file");
  ASSERT_TRUE(root.ok()) << root.error().message;
  std::map<std::string, std::string> seen;
  auto walked = walk_yaml_mapping(*root, file, [&](const YAML::Node& v, const KeyAt& at) -> Result<bool> {
    if (at.key == "s3") return true;
    PGO_TRY_ASSIGN(std::string text, yaml_scalar(v, at));
    seen[at.key] = at.where.substr(at.where.rfind(':') + 1) + "=" + text;
    return false;
  });
  ASSERT_TRUE(walked.ok()) << walked.error().message;
  EXPECT_EQ(seen, (std::map<std::string, std::string>{{"app", "1=a"}, {"s3.retries", "3=2"},
                                                      {"s3.timeout", "4=3s"}}));

  ASSERT_TRUE(write_file_atomic(file, "? [a, b]\n: 1\n").ok());
  root = load_yaml_mapping(file, "the test file");
  ASSERT_TRUE(root.ok());
  auto bad = walk_yaml_mapping(*root, file, [](const YAML::Node&, const KeyAt&) -> Result<bool> { return false; });
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("c.yaml:1: keys must be strings"), std::string::npos) << bad.error().message;

  ASSERT_TRUE(write_file_atomic(file, "- a\n- b\n").ok());
  auto list = load_yaml_mapping(file, "the test file");
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.error().message.find("c.yaml:1: the test file must be a mapping of keys"), std::string::npos);
  std::filesystem::remove_all(file.parent_path());
}

}  // namespace
}  // namespace pgopipe
