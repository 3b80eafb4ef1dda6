#pragma once

#include "actors/storage_queue.hpp"

#include <string>

// The storage actor's journal side: what goes to the journal and when, when the journal
// is emptied, which batches may reach the backend meanwhile, and the replay at start.
// The rules, and why they make a replay correct, are at the top of storage_journal.cpp.
namespace eventsubd::storage_queue {

/// Where the journal is, for logs.
std::string journal_path(const storage_state& st);

/// Whether the first `n` queue entries may go to the backend now: always without a
/// journal; with one, journaled entries, or memory-only ones while the journal is empty
/// and no append covers them.
bool may_send(const storage_state& st, size_t n);

/// The journal's next step, if any: append the memory-only writes while the backend is
/// down (acknowledging them once synced), reset once the backend has everything in it.
/// One journal call outstanding at a time; a failed one is retried after a second.
void journal_step(self_ptr self);

/// Start-up: sends what the journal held (`opts.replay`) to the backend, in order and
/// in chunks, then loads; a failure is retried every second from the chunk that failed.
void replay_journal(self_ptr self);

}  // namespace eventsubd::storage_queue
