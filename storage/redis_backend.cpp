#include "storage/redis_backend.hpp"

#include "core/json_codec.hpp"
#include "core/logging.hpp"

#include <hiredis/hiredis.h>

#include <cstdio>
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

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

void build_argv(std::initializer_list<std::string_view> args,
                std::vector<const char*>& argv, std::vector<size_t>& lens) {
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
}

std::string error_text(const redisReply* r) {
  return r && r->str ? std::string(r->str, r->len) : "error";
}

}  // namespace

redis_backend::redis_backend(redis_endpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

redis_backend::~redis_backend() {
  drop();
}

void redis_backend::drop() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
}

failure redis_backend::connect() {
  if (ctx_) return {};
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) return std::string("Redis is disconnected");
  next_attempt_ = now + std::chrono::seconds(1);
  ctx_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port,
                                 to_timeval(timeout_));
  if (!ctx_ || ctx_->err) {
    std::string why = ctx_ ? ctx_->errstr : "out of memory";
    drop();
    return "cannot connect to Redis at " + endpoint_.host + ":" +
           std::to_string(endpoint_.port) + ": " + why;
  }
  redisSetTimeout(ctx_, to_timeval(timeout_));
  reply r;
  if (!endpoint_.password.empty()) {
    failure f = endpoint_.user.empty()
                    ? run({"AUTH", endpoint_.password}, r)
                    : run({"AUTH", endpoint_.user, endpoint_.password}, r);
    if (f) return "Redis AUTH failed: " + *f;
  }
  if (endpoint_.db != 0) {
    auto db = std::to_string(endpoint_.db);
    if (auto f = run({"SELECT", db}, r)) return "Redis SELECT failed: " + *f;
  }
  log_for("storage")->info("storage: connected to Redis at {}:{} (db {})", endpoint_.host,
                           endpoint_.port, endpoint_.db);
  return {};
}

failure redis_backend::run(std::initializer_list<std::string_view> args, reply& out) {
  if (auto f = connect()) return f;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  build_argv(args, argv, lens);
  if (out.r) freeReplyObject(out.r);
  out.r = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!out.r) {
    std::string why = ctx_->errstr;
    drop();  // the context is unusable after an I/O error
    return "Redis connection lost: " + why;
  }
  if (out.r->type == REDIS_REPLY_ERROR) return "Redis error: " + error_text(out.r);
  return {};
}

failure redis_backend::run_pipeline(
    std::initializer_list<std::initializer_list<std::string_view>> commands) {
  if (auto f = connect()) return f;
  for (auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    build_argv(args, argv, lens);
    if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(),
                               lens.data()) != REDIS_OK) {
      drop();
      return std::string("Redis pipeline failed");
    }
  }
  failure result;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK) {
      std::string why = ctx_->errstr;
      drop();
      return "Redis connection lost: " + why;
    }
    reply r;
    r.r = static_cast<redisReply*>(raw);
    if (r.r && r.r->type == REDIS_REPLY_ERROR && !result)
      result = "Redis error: " + error_text(r.r);
  }
  return result;
}

bool redis_backend::connected() {
  reply r;
  return !run({"PING"}, r);
}

failure redis_backend::put_streamer(const streamer_record& s) {
  reply r;
  return run({"HSET", streamers_key, s.username, to_json(s)}, r);
}

failure redis_backend::remove_streamer(std::string_view username, bool& existed) {
  reply r;
  if (auto f = run({"HDEL", streamers_key, username}, r)) return f;
  existed = r.r->type == REDIS_REPLY_INTEGER && r.r->integer > 0;
  if (!existed) return {};
  return remove_status(username);
}

failure redis_backend::remove_status(std::string_view username) {
  reply r;
  return run({"HDEL", statuses_key, username}, r);
}

failure redis_backend::put_status(const stream_status& s) {
  reply r;
  return run({"HSET", statuses_key, s.username, to_json(s)}, r);
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
  return load_hash(streamers_key, parse_streamer, out);
}

failure redis_backend::load_statuses(std::vector<stream_status>& out) {
  return load_hash(statuses_key, parse_status, out);
}

failure redis_backend::append_event(const event_record& e, size_t keep) {
  char score[64];
  std::snprintf(score, sizeof score, "%.6f", e.score);
  auto json = to_json(e);
  auto trim_to = std::string("-").append(std::to_string(keep + 1));
  return run_pipeline(
      {{"ZADD", events_key, score, json}, {"ZREMRANGEBYRANK", events_key, "0", trim_to}});
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
