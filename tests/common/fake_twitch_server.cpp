#include "tests/common/fake_twitch_server.hpp"

#include <boost/beast/core/flat_buffer.hpp>

#include <sys/socket.h>
#include <utility>

namespace eventsubd::testing::fake_twitch_detail {

server::server(std::string id, std::string secret)
    : client_id(std::move(id)), client_secret(std::move(secret)) {}

std::string server::random_string(size_t n, std::string_view alphabet) {
  std::lock_guard lk(m);
  return random_string_locked(n, alphabet);
}

std::string server::random_string_locked(size_t n, std::string_view alphabet) {
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  for (size_t i = 0; i < n; ++i) out += alphabet[pick(rng)];
  return out;
}

std::string server::uuid_locked() {
  constexpr std::string_view hex = "0123456789abcdef";
  return random_string_locked(8, hex) + "-" + random_string_locked(4, hex) + "-" +
         random_string_locked(4, hex) + "-" + random_string_locked(4, hex) + "-" +
         random_string_locked(12, hex);
}

const fake_user* server::user_by_id_locked(const std::string& id) const {
  for (const auto& u : users)
    if (u.id == id) return &u;
  return nullptr;
}

response server::json_response(int status, std::string body) {
  response res{http::int_to_status(static_cast<unsigned>(status)), 11};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.body() = std::move(body);
  return res;
}

// ---- HTTP plumbing ----

void server::start() {
  tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
  acceptor.open(ep.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen();
  port = acceptor.local_endpoint().port();
  accept_thread = std::thread([this] { accept_loop(); });
}

void server::accept_loop() {
  for (;;) {
    auto c = std::make_shared<connection>(ioc);
    beast::error_code ec;
    acceptor.accept(c->socket, ec);
    std::vector<std::shared_ptr<connection>> finished;
    {
      std::lock_guard lk(m);
      if (stopping) {
        c->socket.close(ec);
        return;
      }
      for (auto it = conns.begin(); it != conns.end();) {
        if ((*it)->done) {
          finished.push_back(*it);
          it = conns.erase(it);
        } else {
          ++it;
        }
      }
      if (!ec) {
        c->socket.set_option(tcp::no_delay(true), ec);
        c->thread = std::thread([this, c] { serve(c); });
        conns.push_back(c);
      }
    }
    for (auto& f : finished) f->thread.join();
    if (ec) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void server::serve(const std::shared_ptr<connection>& c) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    beast::error_code ec;
    http::read(c->socket, buffer, parser, ec);
    if (ec) break;
    auto req = parser.release();
    reply r = handle(req);
    r.res.version(req.version());
    r.res.keep_alive(req.keep_alive());
    r.res.set(http::field::server, "fake-twitch");
    r.res.prepare_payload();
    http::write(c->socket, r.res, ec);
    // Like Twitch: the challenge is sent after the create call has been answered.
    for (auto& s : r.to_verify) start_verification(std::move(s));
    if (ec || !r.res.keep_alive()) break;
  }
  {
    std::lock_guard lk(m);
    beast::error_code ec;
    c->socket.shutdown(tcp::socket::shutdown_both, ec);
    c->socket.close(ec);
    c->open = false;
  }
  c->done = true;
}

void server::stop() {
  {
    std::lock_guard lk(m);
    stopping = true;
    for (auto& c : conns)
      if (c->open) ::shutdown(c->socket.native_handle(), SHUT_RDWR);
  }
  stop_cv.notify_all();
  if (acceptor.is_open()) ::shutdown(acceptor.native_handle(), SHUT_RDWR);
  if (accept_thread.joinable()) accept_thread.join();
  std::list<std::shared_ptr<connection>> cs;
  {
    std::lock_guard lk(m);
    cs = conns;
  }
  for (auto& c : cs)
    if (c->thread.joinable()) c->thread.join();
  std::list<worker> ws;
  {
    std::lock_guard lk(m);
    ws.swap(workers);
  }
  for (auto& w : ws)
    if (w.thread.joinable()) w.thread.join();
  beast::error_code ec;
  acceptor.close(ec);
}

reply server::handle(const request& req) {
  std::string target(req.target());
  auto qpos = target.find('?');
  recorded_request rec;
  rec.method = std::string(req.method_string());
  rec.path = target.substr(0, qpos);
  rec.query = qpos == std::string::npos ? std::string{} : target.substr(qpos + 1);
  rec.body = req.body();
  rec.authorization = std::string(req[http::field::authorization]);
  rec.client_id = std::string(req["Client-Id"]);

  reply r;
  if (starts_with(rec.path, "/oauth2/")) {
    r = handle_oauth(req, rec);
  } else if (rec.path == "/helix" || starts_with(rec.path, "/helix/")) {
    r = handle_helix(req, rec);
  } else {
    r.res = json_response(404, helix_error_body(404, "Not Found"));
  }
  rec.status = static_cast<int>(r.res.result_int());
  std::lock_guard lk(m);
  log.push_back(std::move(rec));
  return r;
}

}  // namespace eventsubd::testing::fake_twitch_detail
