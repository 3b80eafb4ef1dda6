#include "storage/backend.hpp"
#include "storage/memory_backend.hpp"
#include "storage/redis_backend.hpp"
#include "storage/redis_url.hpp"

namespace eventsubd::storage {

backend_choice make_backend(const config& cfg) {
  switch (cfg.storage) {
    case storage_kind::memory:
      return {std::make_unique<memory_backend>(), {}};
    case storage_kind::redis: {
      std::string error;
      auto endpoint = parse_redis_url(cfg.redis_url, error);
      if (!endpoint) return {nullptr, error};
      return {std::make_unique<redis_backend>(*endpoint), {}};
    }
  }
  return {nullptr, "unknown STORAGE_TYPE"};
}

}  // namespace eventsubd::storage
