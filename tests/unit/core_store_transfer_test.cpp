// SPDX-License-Identifier: Apache-2.0
#include "core/store/transfer.hpp"

#include <gtest/gtest.h>

#include "core/fs.hpp"
#include "core/store/local_store.hpp"

namespace pgopipe {
namespace {

namespace fs = std::filesystem;

// A real local store whose get() of one key first removes that object, as a gc running
// between pull's listing and its download would.
class GcBeforeGet final : public store::Store {
 public:
  GcBeforeGet(std::unique_ptr<store::Store> inner, std::string victim)
      : inner_(std::move(inner)), victim_(std::move(victim)) {}
  Result<std::string> put(const ProfileMeta& m, std::string_view b) override { return inner_->put(m, b); }
  Result<void> put_at(std::string_view k, const ProfileMeta& m, std::string_view b) override {
    return inner_->put_at(k, m, b);
  }
  using store::Store::list;
  Result<std::vector<store::StoredObject>> list(const store::Query& q, std::vector<store::DamagedObject>* d) override {
    return inner_->list(q, d);
  }
  Result<store::Blob> get(std::string_view key) override {
    if (key == victim_) PGO_TRY(inner_->remove(key));
    return inner_->get(key);
  }
  Result<void> remove(std::string_view key) override { return inner_->remove(key); }
  Result<void> put_raw(std::string_view k, std::string_view b, bool e) override { return inner_->put_raw(k, b, e); }
  Result<std::string> get_raw(std::string_view k) override { return inner_->get_raw(k); }
  Result<std::vector<std::string>> list_raw(std::string_view p) override { return inner_->list_raw(p); }
  Result<void> remove_raw(std::string_view k) override { return inner_->remove_raw(k); }
  [[nodiscard]] std::string describe() const override { return inner_->describe(); }

 private:
  std::unique_ptr<store::Store> inner_;
  std::string victim_;
};

TEST(PullWindow, AnObjectRemovedAfterTheListingIsSkippedAndNamed) {
  ScratchDir scratch("pgopipe-transfer");
  const fs::path& root = scratch.path();
  auto local = store::make_local_store(root / "store", {});
  ASSERT_TRUE(local) << local.error().message;
  ProfileMeta m;
  m.app = "web";
  m.collected_at = now() - std::chrono::minutes{5};
  std::vector<std::string> keys;
  for (std::string bytes : {"first", "second", "third"}) {
    auto key = (*local)->put(m, bytes);
    ASSERT_TRUE(key) << key.error().message;
    keys.push_back(*key);
  }
  std::sort(keys.begin(), keys.end());
  GcBeforeGet store(std::move(*local), keys[1]);
  store::Query q;
  q.app = "web";
  q.window = {now() - std::chrono::hours{1}, now()};
  auto pulled = store::pull_window(store, q, root / "out", 2);
  ASSERT_TRUE(pulled) << pulled.error().message;
  EXPECT_EQ(pulled->files.size(), 2u);
  ASSERT_EQ(pulled->vanished.size(), 1u);
  EXPECT_EQ(pulled->vanished[0], keys[1]);
  for (const auto& f : pulled->files) EXPECT_TRUE(fs::exists(f)) << f;
}

}  // namespace
}  // namespace pgopipe
