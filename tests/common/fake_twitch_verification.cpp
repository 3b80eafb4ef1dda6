#include "tests/common/fake_twitch_server.hpp"
#include "twitch/signature.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace eventsubd::testing::fake_twitch_detail {

void server::start_verification(fake_subscription s) {
  std::lock_guard lk(m);
  if (stopping) return;
  for (auto it = workers.begin(); it != workers.end();) {
    if (*it->done && it->thread.joinable()) {
      it->thread.join();
      it = workers.erase(it);
    } else {
      ++it;
    }
  }
  workers.emplace_back();
  auto& w = workers.back();
  w.thread = std::thread([this, s = std::move(s), done = w.done] {
    verify_callback(s);
    *done = true;
  });
}

void server::verify_callback(const fake_subscription& s) {
  std::string challenge, message_id;
  std::chrono::milliseconds timeout;
  {
    std::lock_guard lk(m);
    challenge = uuid_locked();
    message_id = uuid_locked();
    timeout = verify_timeout;
  }
  const std::string timestamp = rfc3339_now();
  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  put(w, "challenge", challenge);
  w.Key("subscription");
  write_subscription(w, s);
  w.EndObject();
  const std::string body = sb.GetString();

  bool ok = false;
  if (auto url = parse_http_url(s.callback)) {
    twitch::signature_verifier signer(s.secret);
    http::request<http::string_body> req{http::verb::post, url->target, 11};
    req.set(http::field::host, url->host + ":" + url->port);
    req.set(http::field::user_agent, "Twitch-Eventsub-Webhooks/1.0 (fake)");
    req.set(http::field::content_type, "application/json");
    req.set("Twitch-Eventsub-Message-Id", message_id);
    req.set("Twitch-Eventsub-Message-Retry", "0");
    req.set("Twitch-Eventsub-Message-Type", "webhook_callback_verification");
    req.set("Twitch-Eventsub-Message-Signature",
            signer.sign(message_id, timestamp, body));
    req.set("Twitch-Eventsub-Message-Timestamp", timestamp);
    req.set("Twitch-Eventsub-Subscription-Type", s.type);
    req.set("Twitch-Eventsub-Subscription-Version", s.version);
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();
    auto res = post(*url, req, timeout);
    ok = res && res->result_int() == 200 && res->body() == challenge;
  }

  std::lock_guard lk(m);
  ++verifications;
  if (stopping) return;
  if (auto* e = sub_by_id_locked(s.id); e && e->sub.status == kPending)
    e->sub.status = ok ? kEnabled : kFailed;
}

std::optional<response> server::post(const http_url& url, request& req,
                                     std::chrono::milliseconds timeout) {
  net::io_context io;
  // No DNS: only IP literals and `localhost`, so a test never waits on a resolver.
  beast::error_code ec;
  auto address =
      net::ip::make_address(url.host == "localhost" ? "127.0.0.1" : url.host, ec);
  auto port = parse_int(url.port);
  if (ec || !port || *port <= 0 || *port > 65535) return std::nullopt;
  tcp::endpoint endpoint{address, static_cast<unsigned short>(*port)};
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  response res;
  bool ok = false;
  stream.expires_after(timeout);
  stream.async_connect(endpoint, [&](beast::error_code e) {
    if (e) return;
    http::async_write(stream, req, [&](beast::error_code e2, size_t) {
      if (e2) return;
      http::async_read(stream, buffer, res, [&](beast::error_code e3, size_t) {
        ok = !e3;
        stream.close();
      });
    });
  });
  bool cancelled = false;
  while (!io.stopped()) {
    io.run_for(std::chrono::milliseconds(20));
    if (stopping && !cancelled) {
      cancelled = true;
      net::post(io, [&] { stream.close(); });
    }
  }
  if (!ok || cancelled) return std::nullopt;
  return res;
}

}  // namespace eventsubd::testing::fake_twitch_detail
