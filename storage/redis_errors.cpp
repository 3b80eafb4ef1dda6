#include "storage/redis_errors.hpp"

namespace eventsubd::storage {

bool redis_error_is_permanent(std::string_view error) {
  // Whole error codes (the first word) and exact ERR message prefixes, never a bare
  // "ERR": that code also carries temporary refusals.
  if (error == "WRONGTYPE" || error.substr(0, 10) == "WRONGTYPE ") return true;
  for (std::string_view prefix :
       {"ERR wrong number of arguments", "ERR syntax error",
        "ERR value is not a valid float", "ERR value is not an integer or out of range",
        "ERR invalid expire time"})
    if (error.substr(0, prefix.size()) == prefix) return true;
  return false;
}

}  // namespace eventsubd::storage
