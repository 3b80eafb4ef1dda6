// The HTTP request edge: raw bytes through Beast's parser (the server's limits), the
// router (with the API key required, so the guard is exercised too) and the response
// serializer, against a service that answers every call at once as the actors would.
#include "http/limits.hpp"
#include "http/responses.hpp"
#include "http/router.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

using namespace eventsubd;
namespace bh = boost::beast::http;

namespace {

class answering_service final : public http::service {
 public:
  void health(reply_once r) override { r(ok(R"({"status":"healthy"})")); }
  void list_streamers(reply_once r) override { r(ok("[]")); }
  void add_streamer(std::string login, reply_once r) override { r(echo(login)); }
  void remove_streamer(std::string login, reply_once r) override { r(echo(login)); }
  void streamer_status(std::string login, reply_once r) override {
    r(query_result::failure(errc::not_found, "No status stored for " + login));
  }
  void live_streams(reply_once r) override { r(ok(R"({"live_streams":[],"count":0})")); }
  void recent_events(uint32_t limit, reply_once r) override {
    if (limit < 1 || limit > 1000) __builtin_trap();  // the router validated it
    r(ok(R"({"events":[]})"));
  }
  void webhook(webhook_request d, reply_once r) override {
    r(ok(d.body.empty() ? "{}" : R"({"status":"success"})"));
  }

 private:
  static query_result ok(const char* body) {
    return query_result::success(make_body(body));
  }
  static query_result echo(const std::string& login) {
    if (login.empty()) __builtin_trap();  // the router validated it
    return query_result::success(make_body(R"({"message":"ok"})"));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static answering_service service;
  static http::router router{service, http::api_key_guard{true, "fuzz-api-key"}, {}};
  const http::server_limits limits;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  // Pipelined requests, as a session reads them, until the bytes or the parser give out.
  for (int requests = 0; !rest.empty() && requests < 8; ++requests) {
    bh::request_parser<bh::string_body> parser;
    parser.body_limit(limits.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.eager(true);
    boost::beast::error_code ec;
    auto used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec || !parser.is_done()) return 0;
    rest.remove_prefix(used);
    bool answered = false;
    router.route(parser.release(), [&](http::response res) {
      if (answered) __builtin_trap();  // exactly once
      answered = true;
      std::ostringstream wire;
      wire << res;
      if (wire.str().rfind("HTTP/1.", 0) != 0) __builtin_trap();
    });
    if (!answered) __builtin_trap();  // this service answers synchronously
  }
  return 0;
}
