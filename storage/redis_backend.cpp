#include "storage/redis_backend.hpp"

#include "core/json_codec.hpp"
#include "core/logging.hpp"
#include "storage/redis_errors.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

namespace eventsubd::storage {

/// Owns one hiredis reply.
struct redis_backend::reply {
  redisReply* r = nullptr;
  ~reply() {
    if (r) freeReplyObject(r);
  }
};

namespace {

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

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string error_text(const redisReply* r) {
  return r && r->str ? std::string(r->str, r->len) : "error";
}

}  // namespace

namespace {

/// Written (to no one) before each WAIT when replicas must confirm: it always moves the
/// replication offset, so the WAIT covers everything written before it, also writes of
/// an earlier connection whose confirmation was lost (WAIT counts from this
/// connection's last propagated write; a replayed batch may change nothing).
constexpr std::string_view barrier_channel = "twitch:replication_barrier";

/// A node that was demoted (failover) refuses writes with READONLY.
bool is_readonly(std::string_view error) {
  return error.substr(0, 8) == "READONLY";
}

/// An ACL refusal.
bool is_noperm(std::string_view error) {
  return error.substr(0, 6) == "NOPERM";
}

redis_options direct(redis_endpoint endpoint, std::chrono::milliseconds timeout) {
  redis_options o;
  o.endpoint = std::move(endpoint);
  o.timeout = timeout;
  return o;
}

}  // namespace

redis_backend::redis_backend(redis_endpoint endpoint, std::chrono::milliseconds timeout)
    : redis_backend(direct(std::move(endpoint), timeout)) {}

redis_backend::redis_backend(redis_options options) : opts_(std::move(options)) {}

redis_backend::~redis_backend() {
  drop();
}

void redis_backend::drop() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
}

failure redis_backend::connect() {
  if (ctx_) return {};
  if (opts_.sentinels.enabled()) return connect_via_sentinels();
  if (auto f = open({opts_.endpoint.host, opts_.endpoint.port})) return f;
  log_for("storage")->info("storage: connected to Redis at {} (db {})", node_.text(),
                           opts_.endpoint.db);
  return {};
}

failure redis_backend::connect_via_sentinels() {
  const auto& sentinels = opts_.sentinels.sentinels;
  std::string why;
  std::vector<host_port> tried;  // masters named by several sentinels are tried once
  for (size_t i = 0; i < sentinels.size(); ++i) {
    const size_t at = (first_sentinel_ + i) % sentinels.size();
    const auto& sentinel = sentinels[at];
    auto master = ask_sentinel(sentinel, opts_.sentinels, opts_.sentinel_timeout);
    failure f;
    if (!master) {
      f = master.error().detail;
    } else if (std::find(tried.begin(), tried.end(), *master) != tried.end()) {
      continue;
    } else {
      tried.push_back(*master);
      f = open(*master);
      if (!f) {
        first_sentinel_ = at;
        // Said once per master: a retry that reconnects to the same one is no news.
        if (!std::exchange(connected_before_, true) || !(*master == last_master_))
          log_for("storage")->info(
              "storage: connected to Redis master '{}' at {} (db {}), named by "
              "sentinel {}",
              opts_.sentinels.master_name, node_.text(), opts_.endpoint.db,
              sentinel.text());
        last_master_ = *master;
        return {};
      }
      f = "sentinel " + sentinel.text() + " named " + master->text() + ": " + *f;
    }
    why += (why.empty() ? "" : "; ") + *f;
  }
  return "no sentinel named a usable Redis master '" + opts_.sentinels.master_name +
         "': " + why;
}

failure redis_backend::open(const host_port& node) {
  ctx_ = redisConnectWithTimeout(node.host.c_str(), node.port, to_timeval(opts_.timeout));
  if (!ctx_ || ctx_->err) {
    std::string why = ctx_ ? ctx_->errstr : "out of memory";
    drop();
    return "cannot connect to Redis at " + node.text() + ": " + why;
  }
  // A WAIT holds its reply for up to wait_timeout on top of the usual answer time.
  auto read_timeout = opts_.timeout;
  if (opts_.min_replicas > 0) read_timeout += opts_.wait_timeout;
  redisSetTimeout(ctx_, to_timeval(read_timeout));
  node_ = node;
  // A connection whose AUTH or SELECT failed would work as the default user or in db 0:
  // it is closed, so every later call starts again with AUTH and SELECT. One to a node
  // that is not the master (a sentinel out of date) would have its writes refused.
  failure f = handshake();
  if (!f && opts_.sentinels.enabled()) f = check_master();
  if (f) {
    drop();
    return f;
  }
  return {};
}

failure redis_backend::handshake() {
  reply r;
  const auto& endpoint = opts_.endpoint;
  if (!endpoint.password.empty()) {
    // The reply names neither the user's password nor ours; only Redis's text is kept.
    failure f = endpoint.user.empty()
                    ? send({"AUTH", endpoint.password}, r)
                    : send({"AUTH", endpoint.user, endpoint.password}, r);
    if (f)
      return "Redis AUTH" + (endpoint.user.empty() ? "" : " as " + endpoint.user) +
             " failed: " + *f;
  }
  if (endpoint.db != 0) {
    auto db = std::to_string(endpoint.db);
    if (auto f = send({"SELECT", db}, r)) return "Redis SELECT " + db + " failed: " + *f;
  }
  return {};
}

failure redis_backend::check_master() {
  if (role_refused_) return {};
  reply r;
  if (auto f = send({"ROLE"}, r)) {
    if (ctx_ && r.r && is_noperm(error_text(r.r))) {
      // ROLE is an @admin command an ACL may deny: the sentinels' word is taken, and a
      // node that is no longer the master is still left on its READONLY refusal or
      // when the sentinels name another one.
      role_refused_ = true;
      log_for("storage")->warn(
          "storage: the Redis user may not run ROLE ({}); trusting the sentinels "
          "that {} is the master (allow +role to have it checked)",
          error_text(r.r), node_.text());
      return {};
    }
    return "Redis ROLE at " + node_.text() + ": " + *f;
  }
  const auto* role =
      r.r->type == REDIS_REPLY_ARRAY && r.r->elements > 0 ? r.r->element[0] : nullptr;
  if (!role || !role->str) return "Redis ROLE at " + node_.text() + ": unexpected reply";
  std::string_view name(role->str, role->len);
  if (name != "master")
    return "Redis at " + node_.text() + " is a " + std::string(name) + ", not the master";
  return {};
}

failure redis_backend::run(const command& args, reply& out) {
  if (auto f = connect()) return f;
  return send(args, out);
}

failure redis_backend::send(const command& args, reply& out) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (out.r) freeReplyObject(out.r);
  out.r = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!out.r) {
    std::string why = ctx_->errstr;
    drop();  // the context is unusable after an I/O error
    return "Redis connection lost: " + why;
  }
  if (out.r->type != REDIS_REPLY_ERROR) return {};
  auto text = error_text(out.r);
  if (is_readonly(text)) drop();  // demoted: the next call finds the master again
  return "Redis error: " + text;
}

failure redis_backend::run_pipeline(const std::vector<command>& commands) {
  if (auto f = connect()) return f;
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
    return std::string("Redis pipeline failed");
  }
  failure result;
  bool demoted = false;      // READONLY: a failover made this node a replica
  bool unconfirmed = false;  // WAIT counted too few replicas
  std::vector<std::string> dropped;
  const size_t replies = commands.size() + (wait ? 2 : 0);
  for (size_t i = 0; i < replies; ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK) {
      std::string why = ctx_->errstr;
      drop();
      return "Redis connection lost: " + why;
    }
    reply r;
    r.r = static_cast<redisReply*>(raw);
    if (i == commands.size() + 1 && r.r && r.r->type == REDIS_REPLY_INTEGER) {
      // WAIT's answer: how many replicas have everything written so far.
      unconfirmed = r.r->integer < opts_.min_replicas;
      if (unconfirmed && !result)
        result = "Redis WAIT: " + std::to_string(r.r->integer) + " of " + replicas +
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
    } else if (!result) {
      // The whole batch goes again later (every write is idempotent).
      result = "Redis refused a write: " + text;
    }
  }
  // The next attempt asks the sentinels again: after READONLY, and after a WAIT that
  // came short (this node may be a master the sentinels replaced while it was cut off
  // from them and its replicas: it still takes writes, which no one else will see).
  if (demoted || unconfirmed) drop();
  if (result) return result;  // a dropped command is judged again with the batch
  // Sending these again cannot help (see redis_errors.hpp): say so loudly and go on, so
  // one bad command cannot hold every later write.
  for (const auto& d : dropped)
    log_for("storage")->error(
        "storage: Redis refused a write for good; it is dropped: {}", d);
  return {};
}

bool redis_backend::connected() {
  return !ping();
}

failure redis_backend::ping() {
  if (auto f = reach_master()) return f;
  // Redis is "up" only while a write could be acknowledged: with too few replicas, the
  // barrier and WAIT of an empty batch come short as a write's would.
  if (opts_.min_replicas > 0) return run_pipeline({});
  return {};
}

failure redis_backend::reach_master() {
  reply r;
  if (!opts_.sentinels.enabled()) return run({"PING"}, r);
  // A master the sentinels replaced may not know it yet (cut off from them, it still
  // says master and takes writes): the sentinels are asked whom they name now.
  if (ctx_ && sentinels_name_another()) {
    log_for("storage")->info(
        "storage: the sentinels no longer name {} as Redis master '{}'; reconnecting",
        node_.text(), opts_.sentinels.master_name);
    drop();
  }
  // ROLE rather than PING: a master demoted by a failover still answers PING.
  if (auto f = connect()) return f;
  if (auto f = check_master()) {
    drop();
    return f;
  }
  return {};
}

bool redis_backend::sentinels_name_another() {
  const auto& sentinels = opts_.sentinels.sentinels;
  for (size_t i = 0; i < sentinels.size(); ++i) {
    const size_t at = (first_sentinel_ + i) % sentinels.size();
    auto master = ask_sentinel(sentinels[at], opts_.sentinels, opts_.sentinel_timeout);
    if (master) return !(*master == node_);
  }
  return false;  // none answers: the connection is judged by its own answers
}

failure redis_backend::apply(const std::vector<write_op>& ops) {
  batch b;
  for (const auto& op : ops) b.add(op);
  b.finish();
  if (b.commands.empty()) return {};
  return run_pipeline(b.commands);
}

failure redis_backend::put_streamer(const streamer_record& s) {
  return apply({put_streamer_op{s}});
}

failure redis_backend::remove_streamer(std::string_view username, bool& existed) {
  reply r;
  if (auto f = run({"HDEL", streamers_key, username}, r)) return f;
  existed = r.r->type == REDIS_REPLY_INTEGER && r.r->integer > 0;
  if (!existed) return {};
  return apply({remove_streamer_op{std::string(username)}});
}

failure redis_backend::remove_status(std::string_view username) {
  return apply({remove_status_op{std::string(username)}});
}

failure redis_backend::put_status(const stream_status& s) {
  return apply({put_status_op{s}});
}

failure redis_backend::append_event(const event_record& e, size_t keep) {
  return apply({append_event_op{e, keep}});
}

failure redis_backend::mark_seen(std::string_view message_id, std::chrono::seconds ttl) {
  return apply({mark_seen_op{std::string(message_id), ttl}});
}

failure redis_backend::put_stream_memory(std::string_view user_id,
                                         const stream_memory& m) {
  return apply({put_stream_memory_op{std::string(user_id), m}});
}

failure redis_backend::remove_stream_memory(std::string_view user_id) {
  return apply({remove_stream_memory_op{std::string(user_id)}});
}

failure redis_backend::load_stream_memories(
    std::vector<std::pair<std::string, stream_memory>>& out) {
  out.clear();
  reply r;
  if (auto f = run({"HGETALL", recent_streams_key}, r)) return f;
  for (size_t i = 0; i + 1 < r.r->elements; i += 2) {
    std::string user_id(r.r->element[i]->str, r.r->element[i]->len);
    std::string_view value(r.r->element[i + 1]->str, r.r->element[i + 1]->len);
    if (auto m = parse_stream_memory(value))
      out.emplace_back(std::move(user_id), std::move(*m));
    else
      log_for("storage")->warn("storage: skipping an unreadable {} entry",
                               recent_streams_key);
  }
  return {};
}

failure redis_backend::load_seen(std::vector<std::string>& out) {
  out.clear();
  auto pattern = std::string(seen_prefix) + "*";
  std::string cursor = "0";
  do {
    reply r;
    if (auto f = run({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}, r)) return f;
    if (r.r->type != REDIS_REPLY_ARRAY || r.r->elements != 2)
      return std::string("Redis SCAN: unexpected reply");
    cursor.assign(r.r->element[0]->str, r.r->element[0]->len);
    const auto* keys = r.r->element[1];
    for (size_t i = 0; i < keys->elements; ++i)
      out.emplace_back(keys->element[i]->str + seen_prefix.size(),
                       keys->element[i]->len - seen_prefix.size());
  } while (cursor != "0");
  return {};
}

/// Every value of a hash, parsed; unreadable entries are logged and skipped (one bad
/// value from another writer must not stop the service from loading).
template <class Record, class Parse>
failure redis_backend::load_hash(const char* key, Parse parse, std::vector<Record>& out) {
  out.clear();
  reply r;
  if (auto f = run({"HGETALL", key}, r)) return f;
  for (size_t i = 0; i + 1 < r.r->elements; i += 2) {
    std::string_view value(r.r->element[i + 1]->str, r.r->element[i + 1]->len);
    if (auto record = parse(value))
      out.push_back(std::move(*record));
    else
      log_for("storage")->warn("storage: skipping an unreadable {} entry", key);
  }
  return {};
}

failure redis_backend::load_streamers(std::vector<streamer_record>& out) {
  if (auto f = load_hash(streamers_key, parse_streamer, out)) return f;
  reply r;
  if (auto f = run({"HGETALL", subscription_ids_key}, r)) return f;
  std::unordered_map<std::string_view, std::string_view> ids;  // login -> JSON
  for (size_t i = 0; i + 1 < r.r->elements; i += 2)
    ids.emplace(std::string_view(r.r->element[i]->str, r.r->element[i]->len),
                std::string_view(r.r->element[i + 1]->str, r.r->element[i + 1]->len));
  for (auto& s : out)
    if (auto it = ids.find(s.username); it != ids.end())
      if (!read_subscription_ids(it->second, s))
        log_for("storage")->warn("storage: skipping unreadable subscription ids of {}",
                                 s.username);
  return {};
}

failure redis_backend::load_statuses(std::vector<stream_status>& out) {
  return load_hash(statuses_key, parse_status, out);
}

failure redis_backend::load_events(size_t limit, std::vector<event_record>& out) {
  out.clear();
  if (limit == 0) return {};
  reply r;
  auto last = std::to_string(limit - 1);
  if (auto f = run({"ZREVRANGE", events_key, "0", last, "WITHSCORES"}, r)) return f;
  for (size_t i = 0; i + 1 < r.r->elements; i += 2) {
    std::string_view member(r.r->element[i]->str, r.r->element[i]->len);
    double score = std::atof(r.r->element[i + 1]->str);
    if (auto e = parse_event(member, score))
      out.push_back(std::move(*e));
    else
      log_for("storage")->warn("storage: skipping an unreadable {} member", events_key);
  }
  return {};
}

}  // namespace eventsubd::storage
