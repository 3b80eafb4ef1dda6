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
