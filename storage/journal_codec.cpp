#include "storage/journal_codec.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <optional>

namespace eventsubd::storage {
namespace {

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr auto crc_table = make_crc_table();

// The tags are the format: never renumber one; a new op gets a new tag.
enum class tag : uint8_t {
  put_streamer = 1,
  remove_streamer = 2,
  put_status = 3,
  remove_status = 4,
  append_event = 5,
  mark_seen = 6,
  put_stream_memory = 7,
  remove_stream_memory = 8,
};
static_assert(std::variant_size_v<write_op> == 8,
              "a new write op needs a tag and its fields in the journal codec");

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

/// Writes the fields of ops.
struct encoder {
  std::string& out;

  void u8(uint8_t v) { out.push_back(static_cast<char>(v)); }
  void u64(uint64_t v) { put_u64(out, v); }
  void i64(int64_t v) { put_u64(out, static_cast<uint64_t>(v)); }
  void str(std::string_view s) {
    put_u32(out, static_cast<uint32_t>(s.size()));
    out.append(s);
  }
  void time(sys_time t) { i64(t.time_since_epoch().count()); }
  void start(tag t) { u8(static_cast<uint8_t>(t)); }

  void operator()(const put_streamer_op& op) {
    const auto& s = op.streamer;
    start(tag::put_streamer);
    str(s.user_id);
    str(s.username);
    str(s.display_name);
    str(s.online_subscription_id);
    str(s.offline_subscription_id);
    u8(s.is_active ? 1 : 0);
  }
  void operator()(const remove_streamer_op& op) {
    start(tag::remove_streamer);
    str(op.username);
  }
  void operator()(const put_status_op& op) {
    const auto& s = op.status;
    start(tag::put_status);
    str(s.user_id);
    str(s.username);
    str(s.display_name);
    u8(s.is_live ? 1 : 0);
    str(s.stream_data);
    str(s.last_updated);
    str(s.last_event_type);
  }
  void operator()(const remove_status_op& op) {
    start(tag::remove_status);
    str(op.username);
  }
  void operator()(const append_event_op& op) {
    const auto& e = op.event;
    start(tag::append_event);
    str(e.id);
    str(e.event_type);
    str(e.broadcaster_id);
    str(e.broadcaster_login);
    str(e.broadcaster_name);
    str(e.timestamp);
    u64(std::bit_cast<uint64_t>(e.score));
    str(e.data);
    str(e.source);
    u64(op.keep);
  }
  void operator()(const mark_seen_op& op) {
    start(tag::mark_seen);
    str(op.message_id);
    i64(op.ttl.count());
  }
  void operator()(const put_stream_memory_op& op) {
    const auto& m = op.memory;
    start(tag::put_stream_memory);
    str(op.user_id);
    u8(static_cast<uint8_t>(m.current));
    str(m.live_id);
    time(m.started_at);
    time(m.online_sent_at);
    put_u32(out, static_cast<uint32_t>(m.ended.size()));
    for (const auto& e : m.ended) {
      str(e.id);
      u8(static_cast<uint8_t>(e.cause));
      time(e.at);
    }
  }
  void operator()(const remove_stream_memory_op& op) {
    start(tag::remove_stream_memory);
    str(op.user_id);
  }
};

/// Reads the fields back; every read is bounds-checked, and `ok` turns false for good
/// at the first one that does not fit.
struct decoder {
  std::string_view in;
  size_t at = 0;
  bool ok = true;

  bool take(size_t n) {
    if (!ok || in.size() - at < n) return ok = false;
    return true;
  }
  uint8_t u8() {
    if (!take(1)) return 0;
    return static_cast<uint8_t>(in[at++]);
  }
  uint64_t u64() {
    if (!take(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t{static_cast<unsigned char>(in[at + i])} << (8 * i);
    at += 8;
    return v;
  }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  bool flag() {
    auto v = u8();
    if (v > 1) ok = false;
    return v == 1;
  }
  std::string str() {
    if (!take(4)) return {};
    auto n = get_u32(in.data() + at);
    at += 4;
    if (!take(n)) return {};
    std::string s(in.substr(at, n));
    at += n;
    return s;
  }
  sys_time time() { return sys_time{std::chrono::nanoseconds{i64()}}; }

  std::optional<write_op> op() {
    write_op out;
    switch (static_cast<tag>(u8())) {
      case tag::put_streamer: {
        streamer_record s;
        s.user_id = str();
        s.username = str();
        s.display_name = str();
        s.online_subscription_id = str();
        s.offline_subscription_id = str();
        s.is_active = flag();
        out = put_streamer_op{std::move(s)};
        break;
      }
      case tag::remove_streamer:
        out = remove_streamer_op{str()};
        break;
      case tag::put_status: {
        stream_status s;
        s.user_id = str();
        s.username = str();
        s.display_name = str();
        s.is_live = flag();
        s.stream_data = str();
        s.last_updated = str();
        s.last_event_type = str();
        out = put_status_op{std::move(s)};
        break;
      }
      case tag::remove_status:
        out = remove_status_op{str()};
        break;
      case tag::append_event: {
        append_event_op op;
        auto& e = op.event;
        e.id = str();
        e.event_type = str();
        e.broadcaster_id = str();
        e.broadcaster_login = str();
        e.broadcaster_name = str();
        e.timestamp = str();
        e.score = std::bit_cast<double>(u64());
        e.data = str();
        e.source = str();
        op.keep = static_cast<size_t>(u64());
        out = std::move(op);
        break;
      }
      case tag::mark_seen: {
        mark_seen_op op;
        op.message_id = str();
        op.ttl = std::chrono::seconds{i64()};
        out = std::move(op);
        break;
      }
      case tag::put_stream_memory: {
        put_stream_memory_op op;
        op.user_id = str();
        auto& m = op.memory;
        auto phase = u8();
        if (phase > static_cast<uint8_t>(stream_memory::phase::live)) ok = false;
        m.current = static_cast<stream_memory::phase>(phase);
        m.live_id = str();
        m.started_at = time();
        m.online_sent_at = time();
        if (!take(4)) return std::nullopt;
        auto n = get_u32(in.data() + at);
        at += 4;
        for (uint32_t i = 0; ok && i < n; ++i) {
          ended_stream e;
          e.id = str();
          auto cause = u8();
          if (cause > static_cast<uint8_t>(end_cause::polling)) ok = false;
          e.cause = static_cast<end_cause>(cause);
          e.at = time();
          m.ended.push_back(std::move(e));
        }
        out = std::move(op);
        break;
      }
      case tag::remove_stream_memory:
        out = remove_stream_memory_op{str()};
        break;
      default:
        ok = false;
    }
    if (!ok) return std::nullopt;
    return out;
  }
};

}  // namespace

uint32_t crc32c(std::string_view data) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : data) c = crc_table[(c ^ byte) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void append_record(std::string& out, std::span<const write_op> ops) {
  const size_t header_at = out.size();
  out.append(record_header_size, '\0');
  encoder enc{out};
  for (const auto& op : ops) std::visit(enc, op);
  std::string_view payload(out.data() + header_at + record_header_size,
                           out.size() - header_at - record_header_size);
  std::string header;
  put_u32(header, static_cast<uint32_t>(payload.size()));
  put_u32(header, crc32c(payload));
  std::memcpy(out.data() + header_at, header.data(), record_header_size);
}

journal_scan scan_records(std::string_view data) {
  journal_scan scan;
  size_t at = 0;
  while (at < data.size()) {
    auto rest = data.size() - at;
    if (rest < record_header_size) break;
    auto length = get_u32(data.data() + at);
    auto checksum = get_u32(data.data() + at + 4);
    if (length > record_payload_limit || rest - record_header_size < length) break;
    auto payload = data.substr(at + record_header_size, length);
    if (crc32c(payload) != checksum) break;
    // Intact: every op in it must read back, or the format is not ours.
    decoder dec{payload};
    std::vector<write_op> ops;
    while (dec.at < payload.size()) {
      auto op = dec.op();
      if (!op) {
        scan.error = "record " + std::to_string(scan.records + 1) + " (at byte " +
                     std::to_string(at) +
                     " of the records) has a valid checksum but ops this version "
                     "cannot read";
        return scan;
      }
      ops.push_back(std::move(*op));
    }
    for (auto& op : ops) scan.ops.push_back(std::move(op));
    ++scan.records;
    at += record_header_size + length;
    scan.valid_bytes = at;
  }
  scan.torn_bytes = data.size() - scan.valid_bytes;
  return scan;
}

}  // namespace eventsubd::storage
