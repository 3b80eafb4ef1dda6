#pragma once

#include "core/body.hpp"

// The REST bodies the storage side serves that are not the read model's state: what
// `GET /health` says about the backend. The read model (storage/read_model.hpp) builds
// and caches the bodies of what is stored (statuses, live streams, events, streamers).
namespace eventsubd::storage {

/// `GET /health` once serving: `{"status":"healthy","storage":"connected"}` while the
/// backend is reachable, `{"status":"unhealthy","storage":"disconnected"}` otherwise.
/// Built once and shared.
body_ptr health_body(bool connected);

/// `GET /health` while the server is still starting (answered 503 either way):
/// `{"status":"starting","storage":"connected"}` or `..."disconnected"}`.
body_ptr starting_health_body(bool connected);

}  // namespace eventsubd::storage
