#include "core/json_codec.hpp"

#include "core/json_read.hpp"
#include "core/time.hpp"

#include <rapidjson/writer.h>

namespace eventsubd {
namespace {

/// RapidJSON output straight into a std::string: no StringBuffer to grow and then copy
/// (a status or event body is written on every change, ~12% of a webhook's actor time).
class string_sink {
 public:
  using Ch = char;
  explicit string_sink(std::size_t expected) { out_.reserve(expected); }
  void Put(char c) { out_.push_back(c); }
  void Flush() {}
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

using writer_t = rapidjson::Writer<string_sink>;

void key(writer_t& w, std::string_view k) {
  w.Key(k.data(), static_cast<unsigned>(k.size()));
}

void str(writer_t& w, std::string_view v) {
  w.String(v.data(), static_cast<unsigned>(v.size()));
}

void str_or_null(writer_t& w, std::string_view v) {
  if (v.empty())
    w.Null();
  else
    str(w, v);
}

void raw_or_null(writer_t& w, std::string_view raw) {
  if (raw.empty())
    w.Null();
  else
    w.RawValue(raw.data(), raw.size(), rapidjson::kObjectType);
}

void write_streamer(writer_t& w, const streamer_record& s, bool with_offline_id) {
  w.StartObject();
  key(w, "user_id");
  str(w, s.user_id);
  key(w, "username");
  str(w, s.username);
  key(w, "display_name");
  str(w, s.display_name);
  key(w, "subscription_id");
  str_or_null(w, s.online_subscription_id);
  key(w, "is_active");
  w.Bool(s.is_active);
  if (with_offline_id) {
    key(w, "offline_subscription_id");
    str_or_null(w, s.offline_subscription_id);
  }
  w.EndObject();
}

}  // namespace

std::string to_json(const streamer_record& s) {
  string_sink buf(256);
  writer_t w(buf);
  write_streamer(w, s, true);
  return buf.take();
}

std::string to_stored_json(const streamer_record& s) {
  string_sink buf(256);
  writer_t w(buf);
  write_streamer(w, s, false);
  return buf.take();
}

std::string subscription_ids_json(const streamer_record& s) {
  string_sink buf(128);
  writer_t w(buf);
  w.StartObject();
  key(w, "stream.online");
  str_or_null(w, s.online_subscription_id);
  key(w, "stream.offline");
  str_or_null(w, s.offline_subscription_id);
  w.EndObject();
  return buf.take();
}

std::string to_json(const stream_status& s, std::string_view source) {
  // Keys, punctuation and nulls take at most ~130 bytes: sized so that the body kept in
  // memory neither grows while written nor carries much spare capacity.
  string_sink buf(130 + s.user_id.size() + s.username.size() + s.display_name.size() +
                  s.stream_data.size() + s.last_updated.size() +
                  s.last_event_type.size() + source.size());
  writer_t w(buf);
  w.StartObject();
  key(w, "user_id");
  str(w, s.user_id);
  key(w, "username");
  str(w, s.username);
  key(w, "display_name");
  str(w, s.display_name);
  key(w, "is_live");
  w.Bool(s.is_live);
  key(w, "stream_data");
  raw_or_null(w, s.stream_data);
  key(w, "last_updated");
  str_or_null(w, s.last_updated);
  key(w, "last_event_type");
  str_or_null(w, s.last_event_type);
  if (!source.empty()) {
    key(w, "source");
    str(w, source);
  }
  w.EndObject();
  return buf.take();
}

std::string to_json(const event_record& e) {
  // As for a status: keys, punctuation and nulls take at most ~140 bytes.
  string_sink buf(140 + e.id.size() + e.event_type.size() + e.broadcaster_id.size() +
                  e.broadcaster_login.size() + e.broadcaster_name.size() +
                  e.timestamp.size() + e.data.size() + e.source.size());
  writer_t w(buf);
  w.StartObject();
  key(w, "id");
  str(w, e.id);
  key(w, "event_type");
  str(w, e.event_type);
  key(w, "broadcaster_id");
  str(w, e.broadcaster_id);
  key(w, "broadcaster_login");
  str(w, e.broadcaster_login);
  key(w, "broadcaster_name");
  str(w, e.broadcaster_name);
  key(w, "timestamp");
  str(w, e.timestamp);
  key(w, "data");
  raw_or_null(w, e.data);
  if (!e.source.empty()) {
    key(w, "source");
    str(w, e.source);
  }
  w.EndObject();
  return buf.take();
}

namespace {

constexpr std::string_view phase_names[] = {"unknown", "offline", "live"};
constexpr std::string_view cause_names[] = {"offline", "replaced", "polling"};

void time_or_null(writer_t& w, sys_time t) {
  if (t == sys_time{})
    w.Null();
  else
    str(w, format_rfc3339(t));
}

}  // namespace

std::string to_json(const stream_memory& m) {
  string_sink buf(160 + m.live_id.size() + 80 * m.ended.size());
  writer_t w(buf);
  w.StartObject();
  key(w, "phase");
  str(w, phase_names[static_cast<int>(m.current)]);
  key(w, "live_id");
  str_or_null(w, m.live_id);
  key(w, "started_at");
  time_or_null(w, m.started_at);
  key(w, "online_sent_at");
  time_or_null(w, m.online_sent_at);
  key(w, "ended");
  w.StartArray();
  for (const auto& e : m.ended) {
    w.StartObject();
    key(w, "id");
    str(w, e.id);
    key(w, "by");
    str(w, cause_names[static_cast<int>(e.cause)]);
    key(w, "at");
    time_or_null(w, e.at);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.take();
}

std::string detail_json(std::string_view detail) {
  return single_field_json("detail", detail);
}

std::string single_field_json(std::string_view k, std::string_view value) {
  string_sink buf(128);
  writer_t w(buf);
  w.StartObject();
  key(w, k);
  str(w, value);
  w.EndObject();
  return buf.take();
}

}  // namespace eventsubd

namespace eventsubd {
namespace {

using simdjson::dom::object;

bool flag(object o, std::string_view key, bool fallback) {
  bool b;
  if (o[key].get(b) == simdjson::SUCCESS) return b;
  return fallback;
}

/// A nested object as compact JSON text; empty for null, absent or not an object.
std::string raw_object(object o, std::string_view key) {
  object inner;
  if (o[key].get(inner)) return {};
  return simdjson::minify(inner);
}

}  // namespace

std::optional<streamer_record> parse_streamer(std::string_view json) {
  object o;
  if (!parse_json_object(json, o)) return std::nullopt;
  streamer_record s;
  s.user_id = string_field(o, "user_id", true);
  s.username = string_field(o, "username", true);
  s.display_name = string_field(o, "display_name", true);
  s.online_subscription_id = string_field(o, "subscription_id", true);
  s.offline_subscription_id = string_field(o, "offline_subscription_id", true);
  s.is_active = flag(o, "is_active", true);
  if (s.username.empty()) return std::nullopt;
  return s;
}

std::optional<stream_status> parse_status(std::string_view json) {
  object o;
  if (!parse_json_object(json, o)) return std::nullopt;
  stream_status s;
  s.user_id = string_field(o, "user_id", true);
  s.username = string_field(o, "username", true);
  s.display_name = string_field(o, "display_name", true);
  s.is_live = flag(o, "is_live", false);
  s.stream_data = raw_object(o, "stream_data");
  s.last_updated = string_field(o, "last_updated", true);
  s.last_event_type = string_field(o, "last_event_type", true);
  if (s.username.empty()) return std::nullopt;
  return s;
}

std::optional<event_record> parse_event(std::string_view json, double score) {
  object o;
  if (!parse_json_object(json, o)) return std::nullopt;
  event_record e;
  e.id = string_field(o, "id", true);
  e.event_type = string_field(o, "event_type", true);
  e.broadcaster_id = string_field(o, "broadcaster_id", true);
  e.broadcaster_login = string_field(o, "broadcaster_login", true);
  e.broadcaster_name = string_field(o, "broadcaster_name", true);
  e.timestamp = string_field(o, "timestamp", true);
  e.data = raw_object(o, "data");
  e.source = string_field(o, "source", true);
  e.score = score;
  if (e.event_type.empty()) return std::nullopt;
  return e;
}

namespace {

template <class Enum, size_t N>
std::optional<Enum> enum_named(const std::string_view (&names)[N],
                               std::string_view name) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

sys_time time_field(object o, std::string_view key) {
  return parse_rfc3339(string_field(o, key)).value_or(sys_time{});
}

}  // namespace

std::optional<stream_memory> parse_stream_memory(std::string_view json) {
  object o;
  if (!parse_json_object(json, o)) return std::nullopt;
  auto phase = enum_named<stream_memory::phase>(phase_names, string_field(o, "phase"));
  if (!phase) return std::nullopt;
  stream_memory m;
  m.current = *phase;
  m.live_id = string_field(o, "live_id", true);
  m.started_at = time_field(o, "started_at");
  m.online_sent_at = time_field(o, "online_sent_at");
  simdjson::dom::array ended;
  if (o["ended"].get(ended) == simdjson::SUCCESS) {
    for (auto item : ended) {
      object e;
      if (item.get(e)) continue;
      auto cause = enum_named<end_cause>(cause_names, string_field(e, "by"));
      if (!cause) continue;
      m.ended.push_back({string_field(e, "id", true), *cause, time_field(e, "at")});
      if (m.ended.size() > stream_memory::ended_kept) m.ended.erase(m.ended.begin());
    }
  }
  return m;
}

bool read_subscription_ids(std::string_view json, streamer_record& s) {
  object o;
  if (!parse_json_object(json, o)) return false;
  if (auto online = string_field(o, "stream.online"); !online.empty())
    s.online_subscription_id = std::move(online);
  if (auto offline = string_field(o, "stream.offline"); !offline.empty())
    s.offline_subscription_id = std::move(offline);
  return true;
}

}  // namespace eventsubd
