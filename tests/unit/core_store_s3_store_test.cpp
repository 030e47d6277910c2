// SPDX-License-Identifier: Apache-2.0
#include "core/store/s3_store.hpp"

#include <gtest/gtest.h>

#include "core/store/key_layout.hpp"

namespace pgopipe {
namespace {

TimePoint at(std::string_view t) { return *parse_time(t, now()); }

TEST(S3Store, ShortWindowsUseThePartitionPrefixes) {
  Window w{at("2026-03-04T10:30:00Z"), at("2026-03-05T02:00:00Z")};
  EXPECT_EQ(store::s3_listing_prefixes("svc", w), store::partition_prefixes("svc", w));
}

TEST(S3Store, LongWindowsUseMonthsYearsOrTheWholeApp) {
  EXPECT_EQ(store::s3_listing_prefixes("svc", Window{at("2026-01-01T00:00:00Z"), at("2026-03-20T00:00:00Z")}),
            (std::vector<std::string>{"svc/2026/01/", "svc/2026/02/", "svc/2026/03/"}));
  EXPECT_EQ(store::s3_listing_prefixes("svc", Window{at("2024-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z")}),
            (std::vector<std::string>{"svc/2024/", "svc/2025/", "svc/2026/"}));
  EXPECT_EQ(store::s3_listing_prefixes("svc", Window{at("2000-01-01T00:00:00Z"), at("2026-03-02T00:00:00Z")}),
            (std::vector<std::string>{"svc/"}));
}

TEST(S3Store, UrlErrorsAreConfigErrors) {
  store::StoreOptions o;
  o.s3.endpoint = "http://127.0.0.1:1";
  for (const char* bad : {"s3://", "s3://ab", "s3://Upper", "s3://b..b/x", "s3://bucket/../x",
                          "s3://bucket/a//b"}) {
    auto s = store::open_store(bad, o);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::Config) << s.error().message;
  }
}

}  // namespace
}  // namespace pgopipe
