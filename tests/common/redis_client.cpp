#include "tests/common/redis_client.hpp"

#include <hiredis/hiredis.h>

#include <sstream>
#include <stdexcept>

namespace eventsubd::testing {

redis_client::redis_client(uint16_t port) {
  timeval tv{5, 0};
  ctx_ = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (!ctx_ || ctx_->err) {
    if (ctx_) redisFree(ctx_);
    throw std::runtime_error("the test redis-server is unreachable");
  }
  redisSetTimeout(ctx_, tv);
}

redis_client::~redis_client() {
  redisFree(ctx_);
}

redis_client::answer redis_client::run(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!r)
    throw std::runtime_error(std::string("redis connection failed: ") + ctx_->errstr);
  answer out;
  out.error = r->type == REDIS_REPLY_ERROR;
  out.integer = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
  if (r->str) out.text.assign(r->str, r->len);
  if (r->type == REDIS_REPLY_ARRAY)
    for (size_t i = 0; i < r->elements; ++i)
      out.items.emplace_back(r->element[i]->str ? r->element[i]->str : "",
                             r->element[i]->str ? r->element[i]->len : 0);
  freeReplyObject(r);
  return out;
}

std::vector<long long> redis_client::keys_per_db() {
  auto databases = run({"CONFIG", "GET", "databases"});
  if (databases.items.size() != 2)
    throw std::runtime_error("CONFIG GET databases failed");
  std::vector<long long> out;
  for (int db = 0; db < std::stoi(databases.items[1]); ++db) {
    run({"SELECT", std::to_string(db)});
    out.push_back(run({"DBSIZE"}).integer);
  }
  run({"SELECT", "0"});
  return out;
}

std::string redis_client::info(const std::string& section, const std::string& field) {
  std::istringstream in(run({"INFO", section}).text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
  }
  return {};
}

}  // namespace eventsubd::testing
