#include "storage/backend.hpp"
#include "storage/memory_backend.hpp"

namespace eventsubd::storage {

backend_choice make_backend(const config& cfg) {
  switch (cfg.storage) {
    case storage_kind::memory:
      return {std::make_unique<memory_backend>(), {}};
    case storage_kind::redis:
      return {
          nullptr,
          "STORAGE_TYPE=redis is not supported by this build yet (the Redis backend is "
          "tracked as its own issue); use STORAGE_TYPE=memory"};
  }
  return {nullptr, "unknown STORAGE_TYPE"};
}

}  // namespace eventsubd::storage
