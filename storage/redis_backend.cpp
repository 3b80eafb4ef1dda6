#include "storage/redis_backend.hpp"

#include "core/json_codec.hpp"
#include "core/logging.hpp"
#include "storage/redis_errors.hpp"
#include "storage/redis_reply.hpp"

#include <cstdio>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

// redis_backend's commands: the writes (pipelined batches, with WAIT when replicas must
// confirm) and the loads. Connecting and the one-command round trip are in
// redis_connection.cpp.

namespace eventsubd::storage {

using namespace redis_detail;

namespace {

/// Written (to no one) before each WAIT when replicas must confirm: it always moves the
/// replication offset, so the WAIT covers everything written before it, also writes of
/// an earlier connection whose confirmation was lost (WAIT counts from this
/// connection's last propagated write; a replayed batch may change nothing).
constexpr std::string_view barrier_channel = "twitch:replication_barrier";

std::string score_text(double score) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", score);
  return text;
}

}  // namespace

/// Commands for one pipeline, with the strings they point into.
struct redis_backend::batch {
  std::deque<std::string> arena;  // a deque: pushing keeps earlier strings in place
  std::vector<command> commands;
  bool trim_events = false;
  size_t keep = 0;

  std::string_view own(std::string text) { return arena.emplace_back(std::move(text)); }

  void add(const write_op& op) {
    std::visit([this](const auto& o) { add_op(o); }, op);
  }
  void add_op(const put_streamer_op& op) {
    const auto& s = op.streamer;
    commands.push_back({"HSET", streamers_key, s.username, own(to_stored_json(s))});
    commands.push_back(
        {"HSET", subscription_ids_key, s.username, own(subscription_ids_json(s))});
  }
  void add_op(const remove_streamer_op& op) {
    commands.push_back({"HDEL", streamers_key, op.username});
    commands.push_back({"HDEL", subscription_ids_key, op.username});
    commands.push_back({"HDEL", statuses_key, op.username});
  }
  void add_op(const put_status_op& op) {
    commands.push_back(
        {"HSET", statuses_key, op.status.username, own(to_json(op.status))});
  }
  void add_op(const remove_status_op& op) {
    commands.push_back({"HDEL", statuses_key, op.username});
  }
  void add_op(const append_event_op& op) {
    commands.push_back(
        {"ZADD", events_key, own(score_text(op.event.score)), own(to_json(op.event))});
    trim_events = true;
    keep = op.keep;
  }
  void add_op(const put_stream_memory_op& op) {
    commands.push_back({"HSET", recent_streams_key, op.user_id, own(to_json(op.memory))});
  }
  void add_op(const remove_stream_memory_op& op) {
    commands.push_back({"HDEL", recent_streams_key, op.user_id});
  }
  void add_op(const mark_seen_op& op) {
    commands.push_back({"SET", own(std::string(seen_prefix).append(op.message_id)), "1",
                        "NX", "EX", own(std::to_string(op.ttl.count()))});
  }
  /// One trim after all appends of the batch instead of one per event.
  void finish() {
    if (!trim_events) return;
    commands.push_back(
        {"ZREMRANGEBYRANK", events_key, "0", own("-" + std::to_string(keep + 1))});
  }
};

result<void> redis_backend::run_pipeline(const std::vector<command>& commands) {
  if (auto connected = connect(); !connected) return connected;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  auto append = [&](const command& args) {
    argv.clear();
    lens.clear();
    for (auto a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    return redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(),
                                  lens.data()) == REDIS_OK;
  };
  const bool wait = opts_.min_replicas > 0;
  const auto replicas = std::to_string(opts_.min_replicas);
  const auto wait_ms = std::to_string(opts_.wait_timeout.count());
  bool appended = true;
  for (const auto& args : commands) appended = appended && append(args);
  if (wait)
    appended = appended && append({"PUBLISH", barrier_channel, ""}) &&
               append({"WAIT", replicas, wait_ms});
  if (!appended) {
    drop();
    return unavailable("Redis pipeline failed");
  }
  std::string refused;       // the first reason the batch must go again, if any
  bool demoted = false;      // READONLY: a failover made this node a replica
  bool unconfirmed = false;  // WAIT counted too few replicas
  std::vector<std::string> dropped;
  const size_t replies = commands.size() + (wait ? 2 : 0);
  for (size_t i = 0; i < replies; ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK) {
      std::string why = ctx_->errstr;
      drop();
      return unavailable("Redis connection lost: " + why);
    }
    reply r(static_cast<redisReply*>(raw));
    if (i == commands.size() + 1 && r.r && r.r->type == REDIS_REPLY_INTEGER) {
      // WAIT's answer: how many replicas have everything written so far.
      unconfirmed = r.r->integer < opts_.min_replicas;
      if (unconfirmed && refused.empty())
        refused = "Redis WAIT: " + std::to_string(r.r->integer) + " of " + replicas +
                  " replicas confirmed the writes within " + wait_ms + " ms";
      continue;
    }
    if (!r.r || r.r->type != REDIS_REPLY_ERROR) continue;
    auto text = error_text(r.r);
    demoted = demoted || is_readonly(text);
    if (i < commands.size() && redis_error_is_permanent(text)) {
      const auto& c = commands[i];
      dropped.push_back(text + " (" + std::string(c.empty() ? "" : c[0]) + " " +
                        std::string(c.size() > 1 ? c[1] : "") + ")");
    } else if (refused.empty()) {
      // The whole batch goes again later (every write is idempotent).
      refused = "Redis refused a write: " + text;
    }
  }
  // The next attempt asks the sentinels again: after READONLY, and after a WAIT that
  // came short (this node may be a master the sentinels replaced while it was cut off
  // from them and its replicas: it still takes writes, which no one else will see).
  if (demoted || unconfirmed) drop();
  if (!refused.empty())
    return unavailable(refused);  // a dropped command is judged again with the batch
  // Sending these again cannot help (see redis_errors.hpp): say so loudly and go on, so
  // one bad command cannot hold every later write.
  for (const auto& d : dropped)
    log_for("storage")->error(
        "storage: Redis refused a write for good; it is dropped: {}", d);
  return {};
}

result<void> redis_backend::apply(const std::vector<write_op>& ops) {
  batch b;
  for (const auto& op : ops) b.add(op);
  b.finish();
  if (b.commands.empty()) return {};
  return run_pipeline(b.commands);
}

result<void> redis_backend::put_streamer(const streamer_record& s) {
  return apply({put_streamer_op{s}});
}

result<bool> redis_backend::remove_streamer(std::string_view username) {
  auto r = run({"HDEL", streamers_key, username});
  if (!r) return r.error();
  if (r->r->type != REDIS_REPLY_INTEGER || r->r->integer <= 0) return false;
  if (auto removed = apply({remove_streamer_op{std::string(username)}}); !removed)
    return removed.error();
  return true;
}

result<void> redis_backend::remove_status(std::string_view username) {
  return apply({remove_status_op{std::string(username)}});
}

result<void> redis_backend::put_status(const stream_status& s) {
  return apply({put_status_op{s}});
}

result<void> redis_backend::append_event(const event_record& e, size_t keep) {
  return apply({append_event_op{e, keep}});
}

result<void> redis_backend::mark_seen(std::string_view message_id,
                                      std::chrono::seconds ttl) {
  return apply({mark_seen_op{std::string(message_id), ttl}});
}

result<void> redis_backend::put_stream_memory(std::string_view user_id,
                                              const stream_memory& m) {
  return apply({put_stream_memory_op{std::string(user_id), m}});
}

result<void> redis_backend::remove_stream_memory(std::string_view user_id) {
  return apply({remove_stream_memory_op{std::string(user_id)}});
}

result<stream_memories> redis_backend::load_stream_memories() {
  auto r = run({"HGETALL", recent_streams_key});
  if (!r) return r.error();
  const redisReply* all = r->r;
  stream_memories out;
  for (size_t i = 0; i + 1 < all->elements; i += 2) {
    std::string user_id(all->element[i]->str, all->element[i]->len);
    std::string_view value(all->element[i + 1]->str, all->element[i + 1]->len);
    if (auto m = parse_stream_memory(value))
      out.emplace_back(std::move(user_id), std::move(*m));
    else
      log_for("storage")->warn("storage: skipping an unreadable {} entry",
                               recent_streams_key);
  }
  return out;
}

result<std::vector<std::string>> redis_backend::load_seen() {
  std::vector<std::string> out;
  auto pattern = std::string(seen_prefix) + "*";
  std::string cursor = "0";
  do {
    auto r = run({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!r) return r.error();
    const redisReply* page = r->r;
    if (page->type != REDIS_REPLY_ARRAY || page->elements != 2)
      return unavailable("Redis SCAN: unexpected reply");
    cursor.assign(page->element[0]->str, page->element[0]->len);
    const auto* keys = page->element[1];
    for (size_t i = 0; i < keys->elements; ++i)
      out.emplace_back(keys->element[i]->str + seen_prefix.size(),
                       keys->element[i]->len - seen_prefix.size());
  } while (cursor != "0");
  return out;
}

/// Every value of a hash, parsed; unreadable entries are logged and skipped (one bad
/// value from another writer must not stop the service from loading).
template <class Record, class Parse>
result<std::vector<Record>> redis_backend::load_hash(const char* key, Parse parse) {
  auto r = run({"HGETALL", key});
  if (!r) return r.error();
  const redisReply* all = r->r;
  std::vector<Record> out;
  for (size_t i = 0; i + 1 < all->elements; i += 2) {
    std::string_view value(all->element[i + 1]->str, all->element[i + 1]->len);
    if (auto record = parse(value))
      out.push_back(std::move(*record));
    else
      log_for("storage")->warn("storage: skipping an unreadable {} entry", key);
  }
  return out;
}

result<std::vector<streamer_record>> redis_backend::load_streamers() {
  auto out = load_hash<streamer_record>(streamers_key, parse_streamer);
  if (!out) return out;
  auto r = run({"HGETALL", subscription_ids_key});
  if (!r) return r.error();
  const redisReply* all = r->r;
  std::unordered_map<std::string_view, std::string_view> ids;  // login -> JSON
  for (size_t i = 0; i + 1 < all->elements; i += 2)
    ids.emplace(std::string_view(all->element[i]->str, all->element[i]->len),
                std::string_view(all->element[i + 1]->str, all->element[i + 1]->len));
  for (auto& s : *out)
    if (auto it = ids.find(s.username); it != ids.end())
      if (!read_subscription_ids(it->second, s))
        log_for("storage")->warn("storage: skipping unreadable subscription ids of {}",
                                 s.username);
  return out;
}

result<std::vector<stream_status>> redis_backend::load_statuses() {
  return load_hash<stream_status>(statuses_key, parse_status);
}

result<std::vector<event_record>> redis_backend::load_events(size_t limit) {
  std::vector<event_record> out;
  if (limit == 0) return out;
  auto last = std::to_string(limit - 1);
  auto r = run({"ZREVRANGE", events_key, "0", last, "WITHSCORES"});
  if (!r) return r.error();
  const redisReply* all = r->r;
  for (size_t i = 0; i + 1 < all->elements; i += 2) {
    std::string_view member(all->element[i]->str, all->element[i]->len);
    double score = std::atof(all->element[i + 1]->str);
    if (auto e = parse_event(member, score))
      out.push_back(std::move(*e));
    else
      log_for("storage")->warn("storage: skipping an unreadable {} member", events_key);
  }
  return out;
}

}  // namespace eventsubd::storage
