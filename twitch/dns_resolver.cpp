#include "twitch/dns_resolver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace eventsubd::twitch {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

result<tcp_endpoints> system_lookup(const std::string& host, uint16_t port) {
  net::io_context ioc;
  tcp::resolver resolver{ioc};
  boost::system::error_code ec;
  auto found = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return fail(errc::unavailable, "cannot resolve " + host + ": " + ec.message());
  tcp_endpoints out;
  for (const auto& entry : found) out.push_back(entry.endpoint());
  if (out.empty()) return fail(errc::unavailable, "cannot resolve " + host);
  return out;
}

/// "127.0.0.1", "::1" or "[::1]" as an address; nullopt for a name.
std::optional<net::ip::address> ip_literal(std::string host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return address;
}

/// One lookup under way; its answer is set once, by its helper thread.
struct lookup {
  std::optional<result<tcp_endpoints>> answer;
};

}  // namespace

struct dns_resolver::state {
  explicit state(lookup_fn f) : fn(std::move(f)) {}
  const lookup_fn fn;
  std::mutex m;
  std::condition_variable answered;
  std::map<std::string, std::shared_ptr<lookup>> running;  // "host:port" -> lookup
};

dns_resolver::dns_resolver(lookup_fn lookup)
    : state_(std::make_shared<state>(lookup ? std::move(lookup) : system_lookup)) {}

std::shared_ptr<dns_resolver> dns_resolver::system() {
  static const auto instance = std::make_shared<dns_resolver>();
  return instance;
}

size_t dns_resolver::running() const {
  std::lock_guard lk(state_->m);
  return state_->running.size();
}

result<tcp_endpoints> dns_resolver::resolve(
    const std::string& host, uint16_t port,
    std::chrono::steady_clock::time_point deadline,
    const std::function<bool()>& cancelled) const {
  if (auto address = ip_literal(host))
    return tcp_endpoints{tcp::endpoint(*address, port)};

  const std::string key = host + ":" + std::to_string(port);
  std::unique_lock lk(state_->m);
  auto& slot = state_->running[key];
  if (!slot) {  // none under way: start one
    slot = std::make_shared<lookup>();
    try {
      std::thread([st = state_, job = slot, key, host, port] {
        auto answer = st->fn(host, port);
        {
          std::lock_guard done(st->m);
          job->answer.emplace(std::move(answer));
          if (auto it = st->running.find(key);
              it != st->running.end() && it->second == job)
            st->running.erase(it);
        }
        st->answered.notify_all();
      }).detach();
    } catch (const std::system_error& e) {
      state_->running.erase(key);
      return fail(errc::unavailable, "cannot resolve " + host + ": " + e.what());
    }
  }
  const auto job = slot;
  while (!job->answer) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      return fail(errc::upstream_timeout, "resolving " + host + " timed out");
    if (cancelled) {
      lk.unlock();  // a caller's check must never run under our lock
      bool stop = cancelled();
      lk.lock();
      if (stop) return fail(errc::unavailable, "cancelled");
      if (job->answer) break;
    }
    state_->answered.wait_for(lk, std::min<std::chrono::steady_clock::duration>(
                                      std::chrono::milliseconds(50), deadline - now));
  }
  return *job->answer;
}

}  // namespace eventsubd::twitch
