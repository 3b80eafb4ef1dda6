#include "core/logging.hpp"
#include "storage/redis_backend.hpp"
#include "storage/redis_reply.hpp"

#include <algorithm>
#include <utility>
#include <vector>

// redis_backend's connection: connecting (directly or through the sentinels), AUTH,
// SELECT, the ROLE check, one command at a time, and ping. The commands themselves are
// in redis_backend.cpp.

namespace eventsubd::storage {

using namespace redis_detail;

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
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

result<void> redis_backend::connect() {
  if (ctx_) return {};
  if (opts_.sentinels.enabled()) return connect_via_sentinels();
  if (auto opened = open({opts_.endpoint.host, opts_.endpoint.port}); !opened)
    return opened;
  log_for("storage")->info("storage: connected to Redis at {} (db {})", node_.text(),
                           opts_.endpoint.db);
  return {};
}

result<void> redis_backend::connect_via_sentinels() {
  const auto& sentinels = opts_.sentinels.sentinels;
  std::string why;
  std::vector<host_port> tried;  // masters named by several sentinels are tried once
  for (size_t i = 0; i < sentinels.size(); ++i) {
    const size_t at = (first_sentinel_ + i) % sentinels.size();
    const auto& sentinel = sentinels[at];
    auto master = ask_sentinel(sentinel, opts_.sentinels, opts_.sentinel_timeout);
    std::string failed;
    if (!master) {
      failed = master.error().detail;
    } else if (std::find(tried.begin(), tried.end(), *master) != tried.end()) {
      continue;
    } else {
      tried.push_back(*master);
      auto opened = open(*master);
      if (opened) {
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
      failed = "sentinel " + sentinel.text() + " named " + master->text() + ": " +
               opened.error().detail;
    }
    why += (why.empty() ? "" : "; ") + failed;
  }
  return unavailable("no sentinel named a usable Redis master '" +
                     opts_.sentinels.master_name + "': " + why);
}

result<void> redis_backend::open(const host_port& node) {
  ctx_ = redisConnectWithTimeout(node.host.c_str(), node.port, to_timeval(opts_.timeout));
  if (!ctx_ || ctx_->err) {
    std::string why = ctx_ ? ctx_->errstr : "out of memory";
    drop();
    return unavailable("cannot connect to Redis at " + node.text() + ": " + why);
  }
  // A WAIT holds its reply for up to wait_timeout on top of the usual answer time.
  auto read_timeout = opts_.timeout;
  if (opts_.min_replicas > 0) read_timeout += opts_.wait_timeout;
  redisSetTimeout(ctx_, to_timeval(read_timeout));
  node_ = node;
  // A connection whose AUTH or SELECT failed would work as the default user or in db 0:
  // it is closed, so every later call starts again with AUTH and SELECT. One to a node
  // that is not the master (a sentinel out of date) would have its writes refused.
  auto ready = handshake();
  if (ready && opts_.sentinels.enabled()) ready = check_master();
  if (!ready) drop();
  return ready;
}

result<void> redis_backend::handshake() {
  const auto& endpoint = opts_.endpoint;
  if (!endpoint.password.empty()) {
    // The reply names neither the user's password nor ours; only Redis's text is kept.
    auto authed = endpoint.user.empty()
                      ? send({"AUTH", endpoint.password})
                      : send({"AUTH", endpoint.user, endpoint.password});
    if (!authed)
      return unavailable("Redis AUTH" +
                         (endpoint.user.empty() ? "" : " as " + endpoint.user) +
                         " failed: " + authed.error().detail);
  }
  if (endpoint.db != 0) {
    auto db = std::to_string(endpoint.db);
    if (auto selected = send({"SELECT", db}); !selected)
      return unavailable("Redis SELECT " + db + " failed: " + selected.error().detail);
  }
  return {};
}

result<void> redis_backend::check_master() {
  if (role_refused_) return {};
  auto r = send({"ROLE"});
  if (!r) {
    std::string_view why = r.error().detail;
    // An error reply (not a lost connection) is `send`'s prefix and Redis's text.
    const bool refused = ctx_ && why.substr(0, error_prefix.size()) == error_prefix;
    if (refused && is_noperm(why.substr(error_prefix.size()))) {
      // ROLE is an @admin command an ACL may deny: the sentinels' word is taken, and a
      // node that is no longer the master is still left on its READONLY refusal or
      // when the sentinels name another one.
      role_refused_ = true;
      log_for("storage")->warn(
          "storage: the Redis user may not run ROLE ({}); trusting the sentinels "
          "that {} is the master (allow +role to have it checked)",
          why.substr(error_prefix.size()), node_.text());
      return {};
    }
    return unavailable("Redis ROLE at " + node_.text() + ": " + r.error().detail);
  }
  const auto* role =
      r->r->type == REDIS_REPLY_ARRAY && r->r->elements > 0 ? r->r->element[0] : nullptr;
  if (!role || !role->str)
    return unavailable("Redis ROLE at " + node_.text() + ": unexpected reply");
  std::string_view name(role->str, role->len);
  if (name != "master")
    return unavailable("Redis at " + node_.text() + " is a " + std::string(name) +
                       ", not the master");
  return {};
}

result<redis_backend::reply> redis_backend::run(const command& args) {
  if (auto connected = connect(); !connected) return connected.error();
  return send(args);
}

result<redis_backend::reply> redis_backend::send(const command& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  reply out(static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (!out.r) {
    std::string why = ctx_->errstr;
    drop();  // the context is unusable after an I/O error
    return unavailable("Redis connection lost: " + why);
  }
  if (out.r->type != REDIS_REPLY_ERROR) return out;
  auto text = error_text(out.r);
  if (is_readonly(text)) drop();  // demoted: the next call finds the master again
  return unavailable(std::string(error_prefix) + text);
}

bool redis_backend::connected() {
  return ping().ok();
}

result<void> redis_backend::ping() {
  if (auto reached = reach_master(); !reached) return reached;
  // Redis is "up" only while a write could be acknowledged: with too few replicas, the
  // barrier and WAIT of an empty batch come short as a write's would.
  if (opts_.min_replicas > 0) return run_pipeline({});
  return {};
}

result<void> redis_backend::reach_master() {
  if (!opts_.sentinels.enabled()) {
    if (auto pong = run({"PING"}); !pong) return pong.error();
    return {};
  }
  // A master the sentinels replaced may not know it yet (cut off from them, it still
  // says master and takes writes): the sentinels are asked whom they name now.
  if (ctx_ && sentinels_name_another()) {
    log_for("storage")->info(
        "storage: the sentinels no longer name {} as Redis master '{}'; reconnecting",
        node_.text(), opts_.sentinels.master_name);
    drop();
  }
  // ROLE rather than PING: a master demoted by a failover still answers PING.
  if (auto connected = connect(); !connected) return connected;
  auto master = check_master();
  if (!master) drop();
  return master;
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

}  // namespace eventsubd::storage
