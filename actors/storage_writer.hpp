#pragma once

#include "actors/interfaces.hpp"
#include "storage/backend.hpp"

#include <memory>

namespace eventsubd {

struct storage_writer_state {
  static inline const char* name = "storage-writer";
  std::shared_ptr<storage::backend> backend;
};

/// The only caller of the backend. It holds no policy: the storage actor decides what to
/// write, when to retry and what to answer; this actor just runs the (possibly blocking)
/// calls, so the storage actor keeps serving reads while Redis is slow or down.
storage_writer_actor::behavior_type storage_writer_fn(
    storage_writer_actor::stateful_pointer<storage_writer_state> self,
    std::shared_ptr<storage::backend> backend);

}  // namespace eventsubd
