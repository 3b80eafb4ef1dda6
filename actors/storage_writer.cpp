#include "actors/storage_writer.hpp"

#include <caf/all.hpp>

namespace eventsubd {
namespace {

caf::error storage_error(const storage::failure& f) {
  return caf::make_error(caf::sec::runtime_error, *f);
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
        storage::failure f = b.load_streamers(snap.streamers);
        if (!f) f = b.load_statuses(snap.statuses);
        if (!f) f = b.load_events(storage::events_kept, snap.events);
        if (!f) f = b.load_seen(snap.seen);
        if (!f) f = b.load_stream_memories(snap.memories);
        if (f) return storage_error(f);
        return snap;
      },
      [=](flush_atom, const storage::write_batch& batch) -> caf::result<caf::ok_atom> {
        if (auto f = self->state.backend->apply(*batch)) return storage_error(f);
        return caf::ok_atom::value;
      },
      [=](ping_atom) -> caf::result<caf::ok_atom> {
        if (auto f = self->state.backend->ping()) return storage_error(f);
        return caf::ok_atom::value;
      },
  };
}

}  // namespace eventsubd
