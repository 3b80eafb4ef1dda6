#include "actors/storage_journal.hpp"

#include "core/logging.hpp"
#include "storage/journal_codec.hpp"

#include <caf/all.hpp>

#include <algorithm>

// The journal (when there is one; storage/journal.hpp). A write is acknowledged once
// the backend has it or, while the backend is down, once the journal has it on disk.
// The queue is always, from its front:
//
//   [ in the journal: `journaled` ] [ being appended: `journaling` ] [ in memory only ]
//
// What makes a replay at start correct: while the journal holds records, no write that
// is not in it reaches the backend. So the journal holds, in order, every write the
// backend may have received since its first record, and replaying it (every op is
// idempotent: the same bytes, ZADD of the same member) ends in the state its last record
// leaves. Hence:
// - a batch never mixes journaled and memory-only entries;
// - a memory-only batch goes only while the journal is empty and no append covers it:
//   once the journaled entries are stored, the journal is reset first;
// - an append (which covers the entries from `journaled` on) waits for a memory-only
//   batch on its way to come back: stored, it leaves the queue; refused, it is appended.
// A stop or crash between storing journaled writes and the reset replays them again
// at the next start: harmless, as nothing reached the backend after them.
namespace eventsubd::storage_queue {

namespace {

constexpr auto journal_retry = std::chrono::seconds(1);
constexpr auto replay_retry = std::chrono::seconds(1);
constexpr size_t replay_chunk = 2048;  // ops per pipeline when replaying the journal

/// A journal call failed: logged once until one succeeds, retried after a while.
void journal_failed(self_ptr self, const caf::error& err, const char* consequence) {
  auto& st = self->state;
  st.journal_busy = false;
  st.journal_retry_at = std::chrono::steady_clock::now() + journal_retry;
  if (!std::exchange(st.journal_failed, true))
    log_for("storage")->error("storage: {}; {} (retrying every second)",
                              reason(self, err), consequence);
  publish_gauges(st);
}

void journal_works(self_ptr self) {
  auto& st = self->state;
  st.journal_busy = false;
  if (std::exchange(st.journal_failed, false))
    log_for("storage")->info("storage: the journal {} works again", journal_path(st));
}

/// Appends every memory-only write to the journal (one record each, one sync for all:
/// group commit) and acknowledges them once it is on disk.
void append_to_journal(self_ptr self) {
  auto& st = self->state;
  std::string records;
  size_t i = st.journaled;
  if (st.in_flight && st.in_flight_entries > i) {
    // A memory-only batch the backend refused (`journaled` is 0 then): its ops are in
    // the batch now, and go in as one record.
    storage::append_record(records, *st.in_flight);
    i = st.in_flight_entries;
  }
  for (; i < st.queue.size(); ++i) storage::append_record(records, st.queue[i].ops);
  st.journaling = st.queue.size() - st.journaled;
  st.journal_busy = true;
  self->request(st.journal, caf::infinite, append_atom::value, std::move(records))
      .then(
          [=](caf::ok_atom) {
            auto& st = self->state;
            journal_works(self);
            st.journal_dirty = true;
            // With answer_when_queued off (REDIS_MIN_REPLICAS) the journal only keeps
            // them: they are answered once the backend (and its replicas) have them.
            if (st.opts.answer_when_queued)
              for (size_t k = st.journaled; k < st.journaled + st.journaling; ++k)
                st.queue[k].acknowledge();
            st.journaled += std::exchange(st.journaling, 0);
            publish_gauges(st);
            pump(self);
          },
          [=](const caf::error& err) {
            self->state.journaling = 0;
            journal_failed(self, err,
                           "the writes waiting for the backend stay unacknowledged, and "
                           "new ones are refused while it is down");
          });
}

/// Empties the journal once the backend has every write in it.
void reset_journal(self_ptr self) {
  auto& st = self->state;
  st.journal_busy = true;
  self->request(st.journal, caf::infinite, reset_atom::value)
      .then(
          [=](caf::ok_atom) {
            journal_works(self);
            self->state.journal_dirty = false;
            publish_gauges(self->state);
            pump(self);
          },
          [=](const caf::error& err) {
            journal_failed(self, err,
                           "writes not in the journal wait until it can be emptied");
          });
}

}  // namespace

std::string journal_path(const storage_state& st) {
  return st.opts.journal ? st.opts.journal->path() : std::string("(journal)");
}

bool may_send(const storage_state& st, size_t n) {
  if (!st.journal || n <= st.journaled) return true;
  return st.journaled == 0 && st.journaling == 0 && !st.journal_dirty;
}

void journal_step(self_ptr self) {
  auto& st = self->state;
  if (!st.journal || st.journal_busy || !st.loaded) return;
  if (st.journal_failed && std::chrono::steady_clock::now() < st.journal_retry_at) return;
  const bool memory_only = st.journaled + st.journaling < st.queue.size();
  const bool batch_on_its_way = st.sending && st.in_flight_entries > st.journaled;
  if (!st.backend_up && memory_only && !batch_on_its_way) return append_to_journal(self);
  if (st.journal_dirty && st.journaled == 0) reset_journal(self);
}

void replay_journal(self_ptr self) {
  auto& st = self->state;
  const auto& ops = st.opts.replay;
  if (st.replayed == 0 && !st.replay_started) {
    st.replay_started = true;
    log_for("storage")->info(
        "storage: replaying {} write ops left in the journal {} to the {} backend before "
        "loading and serving",
        ops.size(), journal_path(st), st.opts.backend_name);
  }
  const auto from = st.replayed;
  const auto to = from + std::min(replay_chunk, ops.size() - from);
  auto chunk = std::make_shared<std::vector<storage::write_op>>(
      ops.begin() + static_cast<std::ptrdiff_t>(from),
      ops.begin() + static_cast<std::ptrdiff_t>(to));
  self->request(st.writer, caf::infinite, flush_atom::value,
                storage::write_batch{std::move(chunk)})
      .then(
          [=](caf::ok_atom) {
            auto& st = self->state;
            st.replayed = to;
            if (to < st.opts.replay.size()) return replay_journal(self);
            log_for("storage")->info("storage: the {} backend has the journal's {} ops",
                                     st.opts.backend_name, st.opts.replay.size());
            st.opts.replay = std::vector<storage::write_op>{};  // frees it
            st.replayed = 0;
            // Emptied once loaded, before any other write can reach the backend.
            st.journal_dirty = true;
            load(self);
          },
          [=](const caf::error& err) {
            auto& st = self->state;
            if (!std::exchange(st.replay_failure_logged, true))
              log_for("storage")->error(
                  "storage: replaying the journal to the {} backend failed, retrying "
                  "every second: {}",
                  st.opts.backend_name, reason(self, err));
            self->delayed_send(self, replay_retry, load_atom::value);
          });
}

}  // namespace eventsubd::storage_queue
