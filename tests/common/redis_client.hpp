#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct redisContext;

namespace eventsubd::testing {

/// A raw hiredis connection of the test's own, independent of eventsubd: sets Redis up
/// (ACL users, faults) and looks at what eventsubd wrote.
class redis_client {
 public:
  /// Connects to 127.0.0.1:`port`; throws when Redis does not answer.
  explicit redis_client(uint16_t port);
  ~redis_client();
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  struct answer {
    bool error = false;              // an error reply; `text` holds it
    std::string text;                // a string, status or error reply
    long long integer = 0;           // an integer reply
    std::vector<std::string> items;  // an array reply's string members
  };
  /// One command; throws when the connection fails.
  answer run(const std::vector<std::string>& args);

  /// How many keys each database holds (all of them, as `CONFIG GET databases` says).
  std::vector<long long> keys_per_db();

  /// One `field:value` line of `INFO section`, or "" when absent.
  std::string info(const std::string& section, const std::string& field);

 private:
  redisContext* ctx_ = nullptr;
};

}  // namespace eventsubd::testing
