#pragma once

#include "core/model.hpp"
#include "core/stream_state.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace eventsubd {

/// JSON text of the records, in the old service's shapes (keys in its order). Strings are
/// escaped by RapidJSON; raw JSON members (`stream_data`, `data`) are embedded as they
/// are.
/// The REST shape (`GET /streamers`): the old keys plus `offline_subscription_id`.
std::string to_json(const streamer_record& s);

/// Exactly the old service's `twitch:streamers` value: `subscription_id` is the
/// stream.online subscription; the per-type ids live in `subscription_ids_json`.
std::string to_stored_json(const streamer_record& s);

/// `{"stream.online": id|null, "stream.offline": id|null}` (`twitch:subscription_ids`).
std::string subscription_ids_json(const streamer_record& s);

/// The status object; with `source` non-empty a `"source"` key is appended (the REST
/// shape).
std::string to_json(const stream_status& s, std::string_view source = {});

std::string to_json(const event_record& e);

/// What a broadcaster's state machine remembers (`twitch:recent_streams` value):
/// `{"phase", "live_id", "started_at", "online_sent_at", "ended": [{"id", "by", "at"}]}`.
std::string to_json(const stream_memory& m);

/// `{"detail": "<text>"}`, the FastAPI-style error body.
std::string detail_json(std::string_view detail);

/// `{"<key>": "<value>"}` for small fixed answers such as `{"message": ...}`.
std::string single_field_json(std::string_view key, std::string_view value);

}  // namespace eventsubd

namespace eventsubd {

// Reading the records back (Redis values, including the old service's: Python's
// `json.dumps` spacing, missing keys, naive timestamps kept as they are). Each returns
// nullopt when the text is not a JSON object or lacks the key that identifies it.

std::optional<streamer_record> parse_streamer(std::string_view json);
std::optional<stream_status> parse_status(std::string_view json);
/// `score` is the sorted-set score (unix seconds).
std::optional<event_record> parse_event(std::string_view json, double score);
std::optional<stream_memory> parse_stream_memory(std::string_view json);
/// Sets the per-type subscription ids of `s` from `subscription_ids_json` text (ids
/// missing there are kept); false when the text is not such an object.
bool read_subscription_ids(std::string_view json, streamer_record& s);

}  // namespace eventsubd
