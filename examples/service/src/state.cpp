// SPDX-License-Identifier: Apache-2.0
#include "state.hpp"

namespace svc {

namespace {

constexpr std::string_view kFirst[] = {"ada", "alan", "grace", "linus", "barbara", "ken",
                                       "dennis", "margaret", "edsger", "frances", "john", "radia"};
constexpr std::string_view kLast[] = {"lovelace", "turing", "hopper", "torvalds", "liskov",
                                      "thompson", "ritchie", "hamilton", "dijkstra", "allen",
                                      "backus", "perlman"};
constexpr std::string_view kCountries[] = {"de", "fr", "us", "jp", "br", "in", "ng", "se"};
constexpr std::string_view kTags[] = {"premium", "beta", "staff", "trial", "vip", "churned"};
constexpr std::string_view kAdjectives[] = {"blue", "red", "steel", "quiet", "rapid", "tiny",
                                            "giant", "smart", "eco", "vintage"};
constexpr std::string_view kNouns[] = {"widget", "lamp", "kettle", "router", "chair", "drone",
                                       "pen", "backpack", "speaker", "camera", "bottle"};

template <typename T, std::size_t N>
std::string_view pick(Rng& rng, const T (&arr)[N]) {
  return arr[rng.below(N)];
}

}  // namespace

const Program* ProgramCache::get(std::string_view source, std::string& error) {
  auto it = programs_.find(std::string(source));
  if (it != programs_.end()) {
    ++hits_;
    return &it->second;
  }
  ++misses_;
  Program program;
  if (!compile_expression(source, program, error)) return nullptr;
  if (programs_.size() >= kCapacity) programs_.clear();
  return &programs_.emplace(std::string(source), std::move(program)).first->second;
}

void AppState::populate() {
  Rng rng(0x5eed);
  users.clear();
  for (std::int64_t id = 1; id <= 5000; ++id) {
    User u;
    u.id = id;
    // One random draw per statement: the order operands are evaluated in is unspecified,
    // and every compiler must build the same data.
    std::string_view first = pick(rng, kFirst);
    u.name = std::string(first) + " " + std::string(pick(rng, kLast));
    u.email = u.name.substr(0, u.name.find(' ')) + std::to_string(id) + "@example.org";
    u.country = pick(rng, kCountries);
    u.age = static_cast<int>(rng.range(18, 90));
    u.balance_cents = rng.range(-5000, 2000000);
    for (int t = static_cast<int>(rng.below(4)); t > 0; --t) u.tags.emplace_back(pick(rng, kTags));
    std::int64_t number = rng.range(1, 250);
    u.street = std::to_string(number) + " " + std::string(pick(rng, kLast)) + " street";
    u.city = std::string(pick(rng, kAdjectives)) + "ville";
    u.postcode = std::to_string(rng.range(10000, 99999));
    u.newsletter = rng.chance(300);
    u.locale = std::string(u.country) + "_" + (rng.chance(500) ? "EN" : "XX");
    users.push_back(std::move(u));
  }
  catalog.clear();
  for (int i = 0; i < 400; ++i) {
    std::string_view adjective = pick(rng, kAdjectives);
    std::string_view noun = pick(rng, kNouns);
    catalog.push_back(std::string(adjective) + " " + std::string(noun) + " " +
                      std::to_string(100 + rng.below(900)));
  }
  kv.clear();
  for (int i = 0; i < 200; ++i) kv["key" + std::to_string(i)] = "seed-value-" + std::to_string(i);
}

std::vector<Order> AppState::orders_of(std::int64_t user_id) {
  Rng rng(static_cast<std::uint64_t>(user_id) * 0x9E3779B97F4A7C15ULL);
  std::vector<Order> orders(static_cast<std::size_t>(rng.range(8, 40)));
  std::int64_t day = rng.range(0, 300);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    Order& o = orders[i];
    o.id = user_id * 1000 + static_cast<std::int64_t>(i);
    o.amount = rng.chance(900) ? rng.range(100, 9999) : rng.range(10000, 500000);
    o.qty = rng.chance(800) ? 1 : rng.range(2, 12);
    o.status = rng.chance(850) ? 2 : rng.range(0, 4);
    day += rng.range(0, 20);
    o.day = day;
  }
  return orders;
}

void AppState::count(std::string_view metric) {
  auto it = counters.find(metric);
  if (it == counters.end()) it = counters.emplace(std::string(metric), 0).first;
  ++it->second;
}

}  // namespace svc
