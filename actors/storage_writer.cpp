#include "actors/storage_writer.hpp"

#include "actors/errors.hpp"

#include <caf/all.hpp>

namespace eventsubd {
namespace {

/// Moves a load's value into `into`; false (with `error` set) when it failed.
template <class T>
bool take(result<T> loaded, T& into, caf::error& error) {
  if (!loaded) {
    error = to_caf_error(loaded.error());
    return false;
  }
  into = std::move(*loaded);
  return true;
}

caf::result<caf::ok_atom> done(const result<void>& r) {
  if (!r) return to_caf_error(r.error());
  return caf::ok_atom::value;
}

}  // namespace

storage_writer_actor::behavior_type storage_writer_fn(
    storage_writer_actor::stateful_pointer<storage_writer_state> self,
    std::shared_ptr<storage::backend> backend) {
  self->state.backend = std::move(backend);
  return {
      [=](load_atom) -> caf::result<storage::snapshot> {
        auto& b = *self->state.backend;
        storage::snapshot snap;
        caf::error error;
        if (take(b.load_streamers(), snap.streamers, error) &&
            take(b.load_statuses(), snap.statuses, error) &&
            take(b.load_events(storage::events_kept), snap.events, error) &&
            take(b.load_seen(), snap.seen, error) &&
            take(b.load_stream_memories(), snap.memories, error))
          return snap;
        return error;
      },
      [=](flush_atom, const storage::write_batch& batch) -> caf::result<caf::ok_atom> {
        return done(self->state.backend->apply(*batch));
      },
      [=](ping_atom) -> caf::result<caf::ok_atom> {
        return done(self->state.backend->ping());
      },
  };
}

}  // namespace eventsubd
