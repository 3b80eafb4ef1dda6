#pragma once

#include <caf/atom.hpp>

// Atoms used in the typed interfaces (at most 10 characters in CAF 0.17). CAF's own
// get_atom, put_atom, delete_atom and ok_atom are used where they fit.
namespace eventsubd {

using status_atom = caf::atom_constant<caf::atom("status")>;
using live_atom = caf::atom_constant<caf::atom("live")>;
using events_atom = caf::atom_constant<caf::atom("events")>;
using streamers_atom = caf::atom_constant<caf::atom("streamers")>;
using health_atom = caf::atom_constant<caf::atom("health")>;
using record_atom = caf::atom_constant<caf::atom("record")>;
using revoked_atom = caf::atom_constant<caf::atom("revoked")>;
using webhook_atom = caf::atom_constant<caf::atom("webhook")>;
using forget_atom = caf::atom_constant<caf::atom("forget")>;
using stored_atom = caf::atom_constant<caf::atom("stored")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using observe_atom = caf::atom_constant<caf::atom("observe")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using by_id_atom = caf::atom_constant<caf::atom("by_id")>;
using users_atom = caf::atom_constant<caf::atom("users")>;
using streams_atom = caf::atom_constant<caf::atom("streams")>;
using unsub_atom = caf::atom_constant<caf::atom("unsub")>;
using reconcile_atom = caf::atom_constant<caf::atom("reconcile")>;
using validate_atom = caf::atom_constant<caf::atom("validate")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using startup_atom = caf::atom_constant<caf::atom("startup")>;
using defaults_atom = caf::atom_constant<caf::atom("defaults")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using watched_atom = caf::atom_constant<caf::atom("watched")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using targets_atom = caf::atom_constant<caf::atom("targets")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using reset_atom = caf::atom_constant<caf::atom("reset")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using seen_atom = caf::atom_constant<caf::atom("seen")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using streamer_atom = caf::atom_constant<caf::atom("streamer")>;

}  // namespace eventsubd
