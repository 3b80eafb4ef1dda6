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
      redis_options options;
      options.endpoint = std::move(*endpoint);
      options.sentinels.sentinels = cfg.redis_sentinels;
      options.sentinels.master_name = cfg.redis_master_name;
      options.sentinels.password = cfg.redis_sentinel_password;
      options.min_replicas = cfg.redis_min_replicas;
      options.wait_timeout = std::chrono::milliseconds(cfg.redis_wait_timeout_ms);
      return {std::make_unique<redis_backend>(std::move(options)), {}};
    }
  }
  return {nullptr, "unknown STORAGE_TYPE"};
}

}  // namespace eventsubd::storage
