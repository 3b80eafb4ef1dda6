#include "storage/bodies.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

namespace eventsubd::storage {
namespace {

/// The "status" and "storage" members of a health body.
std::pair<std::string, std::string> members(const body_ptr& body) {
  EXPECT_NE(body, nullptr);
  if (!body) return {};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(*body).get(doc), simdjson::SUCCESS) << *body;
  std::string_view status;
  std::string_view storage;
  EXPECT_EQ(doc["status"].get(status), simdjson::SUCCESS) << *body;
  EXPECT_EQ(doc["storage"].get(storage), simdjson::SUCCESS) << *body;
  return {std::string(status), std::string(storage)};
}

TEST(HealthBody, SaysWhetherTheBackendIsConnected) {
  EXPECT_EQ(*health_body(true), R"({"status":"healthy","storage":"connected"})");
  EXPECT_EQ(*health_body(false), R"({"status":"unhealthy","storage":"disconnected"})");
  EXPECT_EQ(members(health_body(true)),
            (std::pair<std::string, std::string>{"healthy", "connected"}));
  EXPECT_EQ(members(health_body(false)),
            (std::pair<std::string, std::string>{"unhealthy", "disconnected"}));
}

TEST(HealthBody, WhileStartingSaysStartingWithTheBackendsState) {
  EXPECT_EQ(*starting_health_body(true),
            R"({"status":"starting","storage":"connected"})");
  EXPECT_EQ(*starting_health_body(false),
            R"({"status":"starting","storage":"disconnected"})");
  EXPECT_EQ(members(starting_health_body(false)),
            (std::pair<std::string, std::string>{"starting", "disconnected"}));
}

TEST(HealthBody, IsBuiltOnceAndShared) {
  EXPECT_EQ(health_body(true), health_body(true));
  EXPECT_EQ(health_body(false), health_body(false));
  EXPECT_NE(health_body(true), health_body(false));
  EXPECT_EQ(starting_health_body(true), starting_health_body(true));
  EXPECT_NE(starting_health_body(true), starting_health_body(false));
}

}  // namespace
}  // namespace eventsubd::storage
