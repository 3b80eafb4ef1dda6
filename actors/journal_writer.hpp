#pragma once

#include "actors/interfaces.hpp"
#include "storage/journal.hpp"

#include <memory>

namespace eventsubd {

struct journal_writer_state {
  static inline const char* name = "journal-writer";
  std::shared_ptr<storage::journal> journal;
};

/// The only user of the journal file once the actors run. Like the storage writer it
/// holds no policy: the storage actor decides what to append and when to reset; this
/// actor runs the blocking calls (write, fdatasync) on a thread of its own, so neither
/// the scheduler's threads nor a Redis call that hangs ever wait for the disk.
journal_writer_actor::behavior_type journal_writer_fn(
    journal_writer_actor::stateful_pointer<journal_writer_state> self,
    std::shared_ptr<storage::journal> journal);

}  // namespace eventsubd
