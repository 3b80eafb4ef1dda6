#pragma once

#include "actors/storage_actor.hpp"

#include <caf/error.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

// The storage actor's way to its backend: replaying the journal and loading at start,
// the ordered write queue, group commit through the writer, outage detection, backoff,
// the journal while the backend is down, and replay. Split from storage_actor.cpp, which
// holds the handlers (what a request does to the read model).
namespace eventsubd::storage_queue {

using self_ptr = storage_actor::stateful_pointer<storage_state>;

/// Why requests fail until the backend's data is loaded.
inline const std::string not_loaded =
    "Storage is not available yet (the backend could not be loaded)";

/// Start-up: sends what the journal held to the backend, then loads the read model
/// through the writer; each step retried every second until it succeeds.
void start(self_ptr self);

/// The probe timer: pings the backend (or replays the queue while it is down).
void probe(self_ptr self);

/// Why a write cannot be accepted now, if it cannot.
std::optional<caf::error> cannot_write(self_ptr self);

/// Queues an accepted write (already applied to the read model). `on_stored` runs when
/// the backend has it or, while the backend is down, when the journal has it (without a
/// journal: at once).
void enqueue(self_ptr self, std::vector<storage::write_op> ops,
             std::function<void()> on_stored = nullptr);

// Shared with storage_journal.cpp.

/// Moves writes on: to the journal, and the next batch to the backend.
void pump(self_ptr self);

/// Loads the read model through the writer, retrying every second until it succeeds.
void load(self_ptr self);

/// The detail of the writer's (or journal writer's) error (actors/errors.hpp).
std::string reason(self_ptr self, const caf::error& err);

/// Loaded, the backend up and the journal working: what /health reports.
bool healthy(const storage_state& st);

/// The figures /metrics shows about storage; cheap, so refreshed on every change.
void publish_gauges(const storage_state& st);

}  // namespace eventsubd::storage_queue
