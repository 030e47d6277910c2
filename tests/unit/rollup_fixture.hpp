// SPDX-License-Identifier: Apache-2.0
// A real local store with small CPU profiles in it, for the rollup tests (compaction,
// window listing, gc).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "core/fs.hpp"
#include "core/store/local_store.hpp"
#include "core/store/store.hpp"
#include "tests/unit/cpu_profiles.hpp"

namespace pgopipe::testing {

inline TimePoint at(const char* text) { return *parse_time(text, TimePoint{}); }

class RollupStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::make_local_store(scratch_.path() / "store", {});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  // Stores a CPU profile of "svc" collected at `when` with env=`env`; returns its key.
  std::string put(const char* when, const std::map<std::string, int64_t>& flat, const std::string& env = "prod") {
    ProfileMeta m;
    m.app = "svc";
    m.host = "h";
    m.collected_at = at(when);
    m.labels = {{"env", env}};
    auto key = store_->put(m, cpu_profile(flat));
    EXPECT_TRUE(key) << key.error().message;
    return key ? *key : "";
  }
  store::Query query(const char* since, const char* until) const {
    store::Query q;
    q.app = "svc";
    q.window = {at(since), at(until)};
    return q;
  }

  ScratchDir scratch_{"pgopipe-rollup"};
  std::unique_ptr<store::Store> store_;
};

}  // namespace pgopipe::testing
