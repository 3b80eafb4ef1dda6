#include "storage/redis_sentinel.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <memory>

namespace eventsubd::storage {
namespace {

struct context_free {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct reply_free {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using context_ptr = std::unique_ptr<redisContext, context_free>;
using reply_ptr = std::unique_ptr<redisReply, reply_free>;

reply_ptr command(redisContext* c, std::initializer_list<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return reply_ptr(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

std::string text_of(const redisReply* r) {
  return r->str ? std::string(r->str, r->len) : std::string{};
}

}  // namespace

result<host_port> ask_sentinel(const host_port& sentinel,
                               const sentinel_settings& settings,
                               std::chrono::milliseconds timeout) {
  auto unavailable = [&](const std::string& why) {
    return fail(errc::unavailable, "sentinel " + sentinel.text() + ": " + why);
  };
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  context_ptr c(redisConnectWithTimeout(sentinel.host.c_str(), sentinel.port, tv));
  if (!c) return unavailable("out of memory");
  if (c->err) return unavailable(std::string("cannot connect: ") + c->errstr);
  redisSetTimeout(c.get(), tv);
  if (!settings.password.empty()) {
    // Redis's text names no password; ours is never put in the message.
    auto r = command(c.get(), {"AUTH", settings.password});
    if (!r) return unavailable(std::string("connection lost: ") + c->errstr);
    if (r->type == REDIS_REPLY_ERROR)
      return unavailable("AUTH failed: " + text_of(r.get()));
  }
  auto r =
      command(c.get(), {"SENTINEL", "get-master-addr-by-name", settings.master_name});
  if (!r) return unavailable(std::string("connection lost: ") + c->errstr);
  if (r->type == REDIS_REPLY_ERROR) return unavailable(text_of(r.get()));
  if (r->type == REDIS_REPLY_NIL)
    return unavailable("monitors no master named '" + settings.master_name + "'");
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || !r->element[0]->str ||
      !r->element[1]->str)
    return unavailable("unexpected answer to SENTINEL get-master-addr-by-name");
  host_port master;
  master.host = text_of(r->element[0]);
  auto port = text_of(r->element[1]);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value < 1 ||
      value > 65535 || master.host.empty())
    return unavailable("unexpected master address '" + master.host + ":" + port + "'");
  master.port = static_cast<uint16_t>(value);
  return master;
}

}  // namespace eventsubd::storage
