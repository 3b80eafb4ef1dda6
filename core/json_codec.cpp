#include "core/json_codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace eventsubd {
namespace {

using writer_t = rapidjson::Writer<rapidjson::StringBuffer>;

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

std::string take(rapidjson::StringBuffer& buf) {
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

std::string to_json(const streamer_record& s) {
  rapidjson::StringBuffer buf;
  writer_t w(buf);
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
  key(w, "offline_subscription_id");
  str_or_null(w, s.offline_subscription_id);
  w.EndObject();
  return take(buf);
}

std::string to_json(const stream_status& s, std::string_view source) {
  rapidjson::StringBuffer buf;
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
  return take(buf);
}

std::string to_json(const event_record& e) {
  rapidjson::StringBuffer buf;
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
  return take(buf);
}

std::string detail_json(std::string_view detail) {
  return single_field_json("detail", detail);
}

std::string single_field_json(std::string_view k, std::string_view value) {
  rapidjson::StringBuffer buf;
  writer_t w(buf);
  w.StartObject();
  key(w, k);
  str(w, value);
  w.EndObject();
  return take(buf);
}

}  // namespace eventsubd

#include <simdjson.h>

namespace eventsubd {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

bool parse_object(std::string_view json, object& out) {
  element doc;
  if (parser().parse(json.data(), json.size()).get(doc)) return false;
  return doc.get(out) == simdjson::SUCCESS;
}

/// A string field; numbers are accepted too (as their text), null and absent are empty.
std::string text(object o, std::string_view key) {
  element v;
  if (o[key].get(v)) return {};
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return std::string(s);
  int64_t i;
  if (v.get(i) == simdjson::SUCCESS) return std::to_string(i);
  return {};
}

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
  if (!parse_object(json, o)) return std::nullopt;
  streamer_record s;
  s.user_id = text(o, "user_id");
  s.username = text(o, "username");
  s.display_name = text(o, "display_name");
  s.online_subscription_id = text(o, "subscription_id");
  s.offline_subscription_id = text(o, "offline_subscription_id");
  s.is_active = flag(o, "is_active", true);
  if (s.username.empty()) return std::nullopt;
  return s;
}

std::optional<stream_status> parse_status(std::string_view json) {
  object o;
  if (!parse_object(json, o)) return std::nullopt;
  stream_status s;
  s.user_id = text(o, "user_id");
  s.username = text(o, "username");
  s.display_name = text(o, "display_name");
  s.is_live = flag(o, "is_live", false);
  s.stream_data = raw_object(o, "stream_data");
  s.last_updated = text(o, "last_updated");
  s.last_event_type = text(o, "last_event_type");
  if (s.username.empty()) return std::nullopt;
  return s;
}

std::optional<event_record> parse_event(std::string_view json, double score) {
  object o;
  if (!parse_object(json, o)) return std::nullopt;
  event_record e;
  e.id = text(o, "id");
  e.event_type = text(o, "event_type");
  e.broadcaster_id = text(o, "broadcaster_id");
  e.broadcaster_login = text(o, "broadcaster_login");
  e.broadcaster_name = text(o, "broadcaster_name");
  e.timestamp = text(o, "timestamp");
  e.data = raw_object(o, "data");
  e.source = text(o, "source");
  e.score = score;
  if (e.event_type.empty()) return std::nullopt;
  return e;
}

}  // namespace eventsubd
