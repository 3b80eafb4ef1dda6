#include "app/healthcheck.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <fstream>
#include <optional>

namespace eventsubd {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr size_t body_limit = size_t{64} * 1024;
constexpr size_t shown_body = 200;

/// Runs asynchronous operations one after another, each to completion, all before one
/// deadline: blocking calls could not be bounded in time (connect above all).
class bounded_steps {
 public:
  explicit bounded_steps(std::chrono::milliseconds timeout)
      : deadline_(std::chrono::steady_clock::now() + timeout) {}

  asio::io_context& context() { return ioc_; }

  /// Starts an operation with `start(handler)` and waits for it; false on timeout (the
  /// handler is then never run: the context is not run again).
  template <class Start>
  bool run(Start start, error_code& ec) {
    bool done = false;
    start([&](error_code e, auto&&...) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    ioc_.run_until(deadline_);
    return done;
  }

 private:
  asio::io_context ioc_;
  std::chrono::steady_clock::time_point deadline_;
};

/// The port to probe: PORT, or with PORT=0 the one the server wrote to PORT_FILE.
std::optional<uint16_t> port_to_probe(const config& cfg, std::string& why) {
  if (cfg.port != 0) return cfg.port;
  if (cfg.port_file.empty()) {
    why = "PORT is 0 and no PORT_FILE says which port the server bound";
    return std::nullopt;
  }
  std::ifstream in(cfg.port_file);
  long port = 0;
  if (in >> port && port > 0 && port <= 65535) return static_cast<uint16_t>(port);
  why = "PORT is 0 and PORT_FILE (" + cfg.port_file + ") holds no port";
  return std::nullopt;
}

/// The body as one short printable line.
std::string one_line(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, shown_body))
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  if (body.size() > shown_body) out += "...";
  return out;
}

}  // namespace

std::string probe_host(const std::string& listen_host) {
  if (listen_host == "0.0.0.0") return "127.0.0.1";
  if (listen_host == "::" || listen_host == "[::]") return "::1";
  return listen_host;
}

health_probe probe_health(const config& cfg, std::chrono::milliseconds timeout) {
  std::string why;
  auto port = port_to_probe(cfg, why);
  if (!port) return {false, "unhealthy: " + why};
  std::string host = probe_host(cfg.host);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const bool ipv6 = host.find(':') != std::string::npos;
  const std::string authority =
      (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(*port);
  const std::string url = "http://" + authority + "/health";
  const auto limit = timeout.count() % 1000 == 0
                         ? std::to_string(timeout.count() / 1000) + " s"
                         : std::to_string(timeout.count()) + " ms";
  auto failed = [&](const char* step, const error_code& ec) -> health_probe {
    return {false,
            "unhealthy: " + std::string(step) + " " + url + " failed: " + ec.message()};
  };
  auto timed_out = [&](const char* step) -> health_probe {
    return {false,
            "unhealthy: " + std::string(step) + " " + url + " timed out after " + limit};
  };

  bounded_steps steps{timeout};
  tcp::resolver resolver{steps.context()};
  tcp::socket socket{steps.context()};
  error_code ec;
  tcp::resolver::results_type endpoints;
  bool done = steps.run(
      [&](auto handler) {
        resolver.async_resolve(host, std::to_string(*port),
                               [&, handler](error_code e, tcp::resolver::results_type r) {
                                 endpoints = std::move(r);
                                 handler(e);
                               });
      },
      ec);
  if (!done) return timed_out("resolving");
  if (ec) return failed("resolving", ec);

  done = steps.run([&](auto handler) { asio::async_connect(socket, endpoints, handler); },
                   ec);
  if (!done) return timed_out("connecting to");
  if (ec) return failed("connecting to", ec);

  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/health", 11};
  req.set(bhttp::field::host, authority);
  req.set(bhttp::field::user_agent, "eventsubd-healthcheck");
  req.set(bhttp::field::connection, "close");
  done = steps.run([&](auto handler) { bhttp::async_write(socket, req, handler); }, ec);
  if (!done) return timed_out("sending to");
  if (ec) return failed("sending to", ec);

  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_limit);
  done = steps.run(
      [&](auto handler) { bhttp::async_read(socket, buffer, parser, handler); }, ec);
  if (!done) return timed_out("waiting for");
  if (ec) return failed("reading from", ec);

  const auto& res = parser.get();
  const int status = static_cast<int>(res.result_int());
  std::string line = url + " answered " + std::to_string(status);
  if (!res.body().empty()) line += " " + one_line(res.body());
  if (status == 200) return {true, "healthy: " + line};
  return {false, "unhealthy: " + line};
}

int run_healthcheck(const config& cfg) {
  auto probe = probe_health(cfg);
  std::fprintf(probe.healthy ? stdout : stderr, "%s\n", probe.line.c_str());
  return probe.healthy ? 0 : 1;
}

}  // namespace eventsubd
