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
  bool loaded =
      false;  // nothing is served or written before the backend's data is loaded
};

/// The single writer. Loads the read model from the backend at start (retrying every
/// second while the backend is unreachable; until then every request fails with 503, so
/// nothing acts on an empty picture, e.g. deletes subscriptions it would think orphaned),
/// then applies every
/// write to the backend first and the read model second, so a read never shows what the
/// backend has not taken. Reads are served from the read model's cached bodies.
storage_actor::behavior_type storage_fn(
    storage_actor::stateful_pointer<storage_state> self,
    std::shared_ptr<storage::backend> backend);

}  // namespace eventsubd
