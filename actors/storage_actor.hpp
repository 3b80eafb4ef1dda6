#pragma once

#include "actors/interfaces.hpp"
#include "storage/backend.hpp"
#include "storage/read_model.hpp"

#include <memory>

namespace eventsubd {

struct storage_state {
  static inline const char* name = "storage";
  std::shared_ptr<storage::backend> backend;
  storage::read_model model;
};

/// The single writer. Loads the read model from the backend at start, then applies every
/// write to the backend first and the read model second, so a read never shows what the
/// backend has not taken. Reads are served from the read model's cached bodies.
storage_actor::behavior_type storage_fn(
    storage_actor::stateful_pointer<storage_state> self,
    std::shared_ptr<storage::backend> backend);

}  // namespace eventsubd
