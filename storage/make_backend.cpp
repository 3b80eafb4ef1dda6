#include "storage/backend.hpp"
#include "storage/memory_backend.hpp"
#include "storage/redis_backend.hpp"
#include "storage/redis_url.hpp"

namespace eventsubd::storage {

result<std::unique_ptr<backend>> make_backend(const config& cfg) {
  switch (cfg.storage) {
    case storage_kind::memory:
      return std::unique_ptr<backend>(std::make_unique<memory_backend>());
    case storage_kind::redis: {
      auto endpoint = parse_redis_url(cfg.redis_url);
      if (!endpoint) return endpoint.error();
      redis_options options;
      options.endpoint = std::move(*endpoint);
      options.sentinels.sentinels = cfg.redis_sentinels;
      options.sentinels.master_name = cfg.redis_master_name;
      options.sentinels.password = cfg.redis_sentinel_password;
      options.min_replicas = cfg.redis_min_replicas;
      options.wait_timeout = std::chrono::milliseconds(cfg.redis_wait_timeout_ms);
      return std::unique_ptr<backend>(
          std::make_unique<redis_backend>(std::move(options)));
    }
  }
  return fail(errc::unprocessable, "unknown STORAGE_TYPE");
}

}  // namespace eventsubd::storage
