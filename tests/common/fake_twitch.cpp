#include "tests/common/fake_twitch.hpp"

#include "tests/common/fake_twitch_server.hpp"

#include <algorithm>
#include <thread>
#include <utility>

namespace eventsubd::testing {

namespace {

using fake_twitch_detail::fault;
using fake_twitch_detail::rfc3339_now;
using fake_twitch_detail::starts_with;
using fake_twitch_detail::sub_entry;

std::string normalize_prefix(const std::string& prefix) {
  if (prefix.empty() || starts_with(prefix, "/helix")) return prefix;
  if (prefix.front() == '/') return "/helix" + prefix;
  return "/helix/" + prefix;
}

}  // namespace

struct fake_twitch::impl : fake_twitch_detail::server {
  using server::server;
};

fake_twitch::fake_twitch() : fake_twitch("fake-client-id", "fake-client-secret") {}

fake_twitch::fake_twitch(std::string client_id, std::string client_secret)
    : impl_(std::make_unique<impl>(std::move(client_id), std::move(client_secret))) {
  impl_->start();
}

fake_twitch::~fake_twitch() {
  impl_->stop();
}

uint16_t fake_twitch::port() const {
  return impl_->port;
}

std::string fake_twitch::api_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/helix";
}

std::string fake_twitch::auth_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/oauth2";
}

std::string fake_twitch::client_id() const {
  return impl_->client_id;
}

std::string fake_twitch::client_secret() const {
  return impl_->client_secret;
}

void fake_twitch::add_standard_users() {
  add_user({"1001", "shroud", "Shroud"});
  add_user({"1002", "ninja", "Ninja"});
  add_user({"1003", "pokimane", "Pokimane"});
  set_live({"s-1001",
            "1001",
            "shroud",
            "Shroud",
            "516575",
            "VALORANT",
            "ranked",
            25000,
            "2024-01-01T10:00:00Z",
            {"English"}});
}

void fake_twitch::add_user(fake_user u) {
  std::lock_guard lk(impl_->m);
  for (auto& existing : impl_->users) {
    if (existing.id == u.id) {
      existing = std::move(u);
      return;
    }
  }
  impl_->users.push_back(std::move(u));
}

void fake_twitch::set_live(fake_stream s) {
  std::lock_guard lk(impl_->m);
  if (const auto* u = impl_->user_by_id_locked(s.user_id)) {
    if (s.user_login.empty()) s.user_login = u->login;
    if (s.user_name.empty()) s.user_name = u->display_name;
  }
  if (s.id.empty()) s.id = std::to_string(impl_->next_stream_id++);
  if (s.started_at.empty()) s.started_at = rfc3339_now(false);
  auto& streams = impl_->streams;
  auto it = std::find_if(streams.begin(), streams.end(),
                         [&](const fake_stream& x) { return x.user_id == s.user_id; });
  if (it != streams.end()) {
    *it = std::move(s);
  } else {
    streams.push_back(std::move(s));
  }
}

void fake_twitch::set_offline(const std::string& user_id) {
  std::lock_guard lk(impl_->m);
  auto& streams = impl_->streams;
  streams.erase(
      std::remove_if(streams.begin(), streams.end(),
                     [&](const fake_stream& x) { return x.user_id == user_id; }),
      streams.end());
}

std::vector<fake_stream> fake_twitch::streams() const {
  std::lock_guard lk(impl_->m);
  return impl_->streams;
}

void fake_twitch::add_subscription(fake_subscription s) {
  std::lock_guard lk(impl_->m);
  impl_->add_subscription_locked(std::move(s));
}

std::vector<fake_subscription> fake_twitch::subscriptions() const {
  std::lock_guard lk(impl_->m);
  std::vector<fake_subscription> out;
  for (const auto& e : impl_->subs) out.push_back(e.sub);
  return out;
}

void fake_twitch::set_subscription_status(const std::string& id,
                                          const std::string& status) {
  std::lock_guard lk(impl_->m);
  if (auto* e = impl_->sub_by_id_locked(id)) e->sub.status = status;
}

void fake_twitch::remove_subscription(const std::string& id) {
  std::lock_guard lk(impl_->m);
  auto& subs = impl_->subs;
  subs.erase(std::remove_if(subs.begin(), subs.end(),
                            [&](const sub_entry& e) { return e.sub.id == id; }),
             subs.end());
}

bool fake_twitch::wait_for_subscription_status(const std::string& id,
                                               const std::string& status,
                                               std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lk(impl_->m);
      for (const auto& e : impl_->subs)
        if (e.sub.id == id && e.sub.status == status) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void fake_twitch::fail_next(int count, int status, const std::string& path_prefix,
                            int reset_in_seconds) {
  if (count <= 0) return;
  fault f;
  f.what = fault::kind::fail;
  f.remaining = count;
  f.status = status;
  f.prefix = normalize_prefix(path_prefix);
  f.reset_in = reset_in_seconds;
  std::lock_guard lk(impl_->m);
  impl_->faults.push_back(std::move(f));
}

void fake_twitch::garbage_next(int count, const std::string& path_prefix) {
  if (count <= 0) return;
  fault f;
  f.what = fault::kind::garbage;
  f.remaining = count;
  f.status = 200;
  f.prefix = normalize_prefix(path_prefix);
  std::lock_guard lk(impl_->m);
  impl_->faults.push_back(std::move(f));
}

void fake_twitch::delay_next(int count, std::chrono::milliseconds delay,
                             const std::string& path_prefix) {
  if (count <= 0) return;
  fault f;
  f.what = fault::kind::delay;
  f.remaining = count;
  f.delay = delay;
  f.prefix = normalize_prefix(path_prefix);
  std::lock_guard lk(impl_->m);
  impl_->faults.push_back(std::move(f));
}

void fake_twitch::clear_faults() {
  std::lock_guard lk(impl_->m);
  impl_->faults.clear();
}

void fake_twitch::revoke_tokens() {
  std::lock_guard lk(impl_->m);
  impl_->tokens.clear();
}

void fake_twitch::set_subscription_page_size(size_t n) {
  std::lock_guard lk(impl_->m);
  impl_->page_size = std::max<size_t>(n, 1);
}

void fake_twitch::set_verify_callbacks(bool on) {
  std::lock_guard lk(impl_->m);
  impl_->verify = on;
}

void fake_twitch::set_verification_timeout(std::chrono::milliseconds timeout) {
  std::lock_guard lk(impl_->m);
  impl_->verify_timeout = timeout;
}

std::string fake_twitch::issue_token() {
  std::lock_guard lk(impl_->m);
  return impl_->new_token_locked();
}

int fake_twitch::calls(const std::string& method, const std::string& path) const {
  std::lock_guard lk(impl_->m);
  return static_cast<int>(std::count_if(
      impl_->log.begin(), impl_->log.end(),
      [&](const recorded_request& r) { return r.method == method && r.path == path; }));
}

std::vector<recorded_request> fake_twitch::requests() const {
  std::lock_guard lk(impl_->m);
  return impl_->log;
}

void fake_twitch::reset_requests() {
  std::lock_guard lk(impl_->m);
  impl_->log.clear();
}

std::vector<std::string> fake_twitch::token_values() const {
  std::lock_guard lk(impl_->m);
  return impl_->every_token;
}

int fake_twitch::tokens_issued() const {
  std::lock_guard lk(impl_->m);
  return impl_->issued;
}

int fake_twitch::verifications_done() const {
  std::lock_guard lk(impl_->m);
  return impl_->verifications;
}

}  // namespace eventsubd::testing
