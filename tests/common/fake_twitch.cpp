#include "tests/common/fake_twitch.hpp"

#include "twitch/signature.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <initializer_list>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <utility>

namespace eventsubd::testing {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;
using params = std::vector<std::pair<std::string, std::string>>;
using response = http::response<http::string_body>;

constexpr int kRateLimit = 800;
constexpr int kExpiresIn = 5011271;
constexpr int kMaxTotalCost = 10000;
constexpr const char* kPending = "webhook_callback_verification_pending";
constexpr const char* kEnabled = "enabled";
constexpr const char* kFailed = "webhook_callback_verification_failed";

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Percent-decoding as for application/x-www-form-urlencoded (`+` is a space); a
/// malformed escape is kept literally.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

params parse_params(std::string_view text) {
  params out;
  while (!text.empty()) {
    auto amp = text.find('&');
    auto part = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(percent_decode(part), std::string{});
    } else {
      out.emplace_back(percent_decode(part.substr(0, eq)),
                       percent_decode(part.substr(eq + 1)));
    }
  }
  return out;
}

std::vector<std::string> values_of(const params& p, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : p)
    if (k == key) out.push_back(v);
  return out;
}

std::optional<std::string> value_of(const params& p, std::string_view key) {
  for (const auto& [k, v] : p)
    if (k == key) return v;
  return std::nullopt;
}

bool has_key(const params& p, std::string_view key) {
  return value_of(p, key).has_value();
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// RFC 3339 UTC with nanoseconds and `Z`, as Twitch writes `created_at` and timestamps.
std::string rfc3339_now(bool with_fraction = true) {
  auto t = std::chrono::system_clock::now();
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf);
  if (with_fraction) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(ns % 1000000000));
    out += frac;
  }
  return out + "Z";
}

// Cursors: base64url (no padding) of `{"o":N}`, opaque enough and safe in a query.
constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url_encode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kB64[(acc << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> b64url_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = kB64.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string encode_cursor(uint64_t n) {
  return b64url_encode("{\"o\":" + std::to_string(n) + "}");
}

std::optional<uint64_t> decode_cursor(std::string_view cursor) {
  auto text = b64url_decode(cursor);
  if (!text || !starts_with(*text, "{\"o\":") || text->back() != '}') return std::nullopt;
  std::string_view digits(text->data() + 5, text->size() - 6);
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || p != digits.data() + digits.size() || digits.empty())
    return std::nullopt;
  return n;
}

std::optional<int> parse_int(std::string_view s) {
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return n;
}

void put(json_writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put(json_writer& w, const char* key, int value) {
  w.Key(key);
  w.Int(value);
}

std::string reason_of(int status) {
  auto r = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
  return r == "<unknown-status>" ? std::string("Error") : std::string(r);
}

/// Helix error body `{"error":"Bad Request","status":400,"message":"..."}`.
std::string helix_error_body(int status, std::string_view message) {
  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  put(w, "error", reason_of(status));
  put(w, "status", status);
  put(w, "message", message);
  w.EndObject();
  return sb.GetString();
}

/// OAuth error body `{"status":400,"message":"..."}`.
std::string oauth_error_body(int status, std::string_view message) {
  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  put(w, "status", status);
  put(w, "message", message);
  w.EndObject();
  return sb.GetString();
}

void write_subscription(json_writer& w, const fake_subscription& s) {
  w.StartObject();
  put(w, "id", s.id);
  put(w, "status", s.status);
  put(w, "type", s.type);
  put(w, "version", s.version);
  w.Key("condition");
  w.StartObject();
  put(w, "broadcaster_user_id", s.broadcaster_user_id);
  w.EndObject();
  put(w, "created_at", s.created_at);
  w.Key("transport");
  w.StartObject();
  put(w, "method", "webhook");
  put(w, "callback", s.callback);
  w.EndObject();
  put(w, "cost", s.cost);
  w.EndObject();
}

struct http_url {
  std::string host;
  std::string port;
  std::string target;
};

/// `http://host[:port][/path][?query]`; nullopt for anything else (https included).
std::optional<http_url> parse_http_url(std::string_view url) {
  if (!starts_with(url, "http://")) return std::nullopt;
  url.remove_prefix(7);
  auto slash = url.find_first_of("/?");
  auto authority = url.substr(0, slash);
  http_url out;
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {  // [v6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    out.port = rest.empty() ? "80" : std::string(rest.substr(1));
  } else {
    auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    out.port =
        colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  }
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

struct fault {
  enum class kind { fail, garbage, delay } what;
  int remaining = 0;
  int status = 0;
  std::string prefix;
  int reset_in = 1;
  std::chrono::milliseconds delay{0};
};

std::string normalize_prefix(const std::string& prefix) {
  if (prefix.empty() || starts_with(prefix, "/helix")) return prefix;
  if (prefix.front() == '/') return "/helix" + prefix;
  return "/helix/" + prefix;
}

struct connection {
  explicit connection(net::io_context& ioc) : socket(ioc) {}
  tcp::socket socket;
  std::thread thread;
  bool open = true;  // guarded by impl::m; false once the socket is closed
  std::atomic<bool> done{false};
};

struct worker {
  std::thread thread;
  std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
};

struct sub_entry {
  fake_subscription sub;
  uint64_t seq = 0;
};

struct reply {
  response res;
  std::vector<fake_subscription> to_verify;
};

}  // namespace

struct fake_twitch::impl {
  impl(std::string id, std::string secret)
      : client_id(std::move(id)), client_secret(std::move(secret)) {}

  const std::string client_id;
  const std::string client_secret;

  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  uint16_t port = 0;
  std::thread accept_thread;

  mutable std::mutex m;
  std::condition_variable stop_cv;
  std::atomic<bool> stopping{false};
  std::list<std::shared_ptr<connection>> conns;
  std::list<worker> workers;

  // Everything below is guarded by m.
  std::vector<fake_user> users;
  std::vector<fake_stream> streams;
  std::vector<sub_entry> subs;
  uint64_t next_seq = 1;
  uint64_t next_stream_id = 40000000001;
  std::set<std::string> tokens;
  int issued = 0;
  std::vector<std::string> every_token;  // revoked ones too
  std::deque<fault> faults;
  size_t page_size = 100;
  bool verify = true;
  std::chrono::milliseconds verify_timeout{5000};
  int verifications = 0;
  std::vector<recorded_request> log;
  int rl_remaining = kRateLimit;
  int64_t rl_window_start = unix_now();
  std::mt19937_64 rng{std::random_device{}()};

  // ---- helpers (callers hold no lock unless stated) ----

  std::string random_string(size_t n, std::string_view alphabet) {
    std::lock_guard lk(m);
    return random_string_locked(n, alphabet);
  }
  std::string random_string_locked(size_t n, std::string_view alphabet) {
    std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
    std::string out;
    for (size_t i = 0; i < n; ++i) out += alphabet[pick(rng)];
    return out;
  }
  std::string uuid_locked() {
    constexpr std::string_view hex = "0123456789abcdef";
    return random_string_locked(8, hex) + "-" + random_string_locked(4, hex) + "-" +
           random_string_locked(4, hex) + "-" + random_string_locked(4, hex) + "-" +
           random_string_locked(12, hex);
  }
  std::string new_token_locked() {
    auto token = random_string_locked(30, "abcdefghijklmnopqrstuvwxyz0123456789");
    tokens.insert(token);
    every_token.push_back(token);
    ++issued;
    return token;
  }
  const fake_user* user_by_id_locked(const std::string& id) const {
    for (const auto& u : users)
      if (u.id == id) return &u;
    return nullptr;
  }
  sub_entry* sub_by_id_locked(const std::string& id) {
    for (auto& e : subs)
      if (e.sub.id == id) return &e;
    return nullptr;
  }
  void add_subscription_locked(fake_subscription s) {
    if (s.id.empty()) s.id = uuid_locked();
    if (s.status.empty()) s.status = kEnabled;
    if (s.created_at.empty()) s.created_at = rfc3339_now();
    if (s.version.empty()) s.version = "1";
    subs.push_back({std::move(s), next_seq++});
  }

  static response json_response(int status, std::string body) {
    response res{http::int_to_status(static_cast<unsigned>(status)), 11};
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.body() = std::move(body);
    return res;
  }

  // ---- server ----

  void start() {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    accept_thread = std::thread([this] { accept_loop(); });
  }

  void accept_loop() {
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

  void serve(const std::shared_ptr<connection>& c) {
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

  void stop() {
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

  // ---- request handling ----

  reply handle(const http::request<http::string_body>& req) {
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

  reply handle_oauth(const http::request<http::string_body>& req,
                     const recorded_request& rec) {
    reply r;
    if (rec.method == "POST" && rec.path == "/oauth2/token") {
      params p = parse_params(rec.query);
      std::string ctype = lower(req[http::field::content_type]);
      if (starts_with(ctype, "application/x-www-form-urlencoded") ||
          (ctype.empty() && !rec.body.empty())) {
        auto more = parse_params(rec.body);
        p.insert(p.end(), more.begin(), more.end());
      }
      if (value_of(p, "client_id").value_or("") != client_id) {
        r.res = json_response(400, oauth_error_body(400, "invalid client"));
      } else if (value_of(p, "client_secret").value_or("") != client_secret) {
        r.res = json_response(403, oauth_error_body(403, "invalid client secret"));
      } else if (value_of(p, "grant_type").value_or("") != "client_credentials") {
        r.res = json_response(400, oauth_error_body(400, "unsupported grant type"));
      } else {
        std::string token;
        {
          std::lock_guard lk(m);
          token = new_token_locked();
        }
        rapidjson::StringBuffer sb;
        json_writer w(sb);
        w.StartObject();
        put(w, "access_token", token);
        put(w, "expires_in", kExpiresIn);
        put(w, "token_type", "bearer");
        w.EndObject();
        r.res = json_response(200, sb.GetString());
      }
    } else if (rec.method == "GET" && rec.path == "/oauth2/validate") {
      auto token = token_of(rec.authorization, {"oauth", "bearer"});
      bool valid = false;
      {
        std::lock_guard lk(m);
        valid = token && tokens.count(*token) > 0;
      }
      if (!valid) {
        r.res = json_response(401, oauth_error_body(401, "invalid access token"));
      } else {
        rapidjson::StringBuffer sb;
        json_writer w(sb);
        w.StartObject();
        put(w, "client_id", client_id);
        w.Key("scopes");
        w.StartArray();
        w.EndArray();
        put(w, "expires_in", kExpiresIn);
        w.EndObject();
        r.res = json_response(200, sb.GetString());
      }
    } else {
      r.res = json_response(404, oauth_error_body(404, "Not Found"));
    }
    return r;
  }

  /// The token of `Authorization: <scheme> <token>` when the scheme is one of `schemes`
  /// (lowercase, compared case-insensitively).
  static std::optional<std::string> token_of(
      const std::string& header, std::initializer_list<std::string_view> schemes) {
    auto space = header.find(' ');
    if (space == std::string::npos) return std::nullopt;
    auto scheme = lower(std::string_view(header).substr(0, space));
    auto token = header.substr(space + 1);
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    if (token.empty()) return std::nullopt;
    for (auto s : schemes)
      if (scheme == s) return token;
    return std::nullopt;
  }

  reply handle_helix(const http::request<http::string_body>& req,
                     const recorded_request& rec) {
    reply r;
    const bool subs_path = rec.path == "/helix/eventsub/subscriptions";
    const bool known =
        (rec.method == "GET" &&
         (rec.path == "/helix/users" || rec.path == "/helix/streams" || subs_path)) ||
        (subs_path && (rec.method == "POST" || rec.method == "DELETE"));
    if (!known) {
      r.res = json_response(404, helix_error_body(404, "Not Found"));
      return r;
    }

    std::optional<fault> injected;
    std::chrono::milliseconds delay{0};
    int remaining = 0;
    int64_t reset = 0;
    {
      std::lock_guard lk(m);
      bool delay_taken = false;
      for (auto& f : faults) {
        if (f.remaining <= 0 || !starts_with(rec.path, f.prefix)) continue;
        if (f.what == fault::kind::delay) {
          if (delay_taken) continue;
          delay_taken = true;
          delay = f.delay;
          --f.remaining;
        } else if (!injected) {
          injected = f;
          --f.remaining;
        }
      }
      faults.erase(std::remove_if(faults.begin(), faults.end(),
                                  [](const fault& f) { return f.remaining <= 0; }),
                   faults.end());
      auto now = unix_now();
      if (now >= rl_window_start + 60) {
        rl_window_start = now;
        rl_remaining = kRateLimit;
      }
      if (rl_remaining > 0) --rl_remaining;
      remaining = rl_remaining;
      reset = rl_window_start + 60;
    }
    if (delay.count() > 0) {
      std::unique_lock lk(m);
      stop_cv.wait_for(lk, delay, [this] { return stopping.load(); });
    }

    if (injected && injected->what == fault::kind::garbage) {
      r.res = response{http::status::ok, 11};
      r.res.set(http::field::content_type, "application/json; charset=utf-8");
      r.res.body() = "<html><body>upstream garbage, not JSON {\"data\":[</body></html>";
    } else if (injected) {
      int status = injected->status;
      r.res = json_response(
          status, helix_error_body(
                      status, status == 429 ? "Too Many Requests" : "injected failure"));
      if (status == 429) {
        remaining = 0;
        reset = unix_now() + injected->reset_in;
      }
    } else if (!authorized(rec)) {
      r.res = json_response(401, helix_error_body(401, "Invalid OAuth token"));
    } else if (rec.path == "/helix/users") {
      r.res = get_users(parse_params(rec.query));
    } else if (rec.path == "/helix/streams") {
      r.res = get_streams(parse_params(rec.query));
    } else if (rec.method == "GET") {
      r.res = get_subscriptions(parse_params(rec.query));
    } else if (rec.method == "POST") {
      r = create_subscription(req.body());
    } else {
      r.res = delete_subscription(parse_params(rec.query));
    }
    r.res.set("Ratelimit-Limit", std::to_string(kRateLimit));
    r.res.set("Ratelimit-Remaining", std::to_string(remaining));
    r.res.set("Ratelimit-Reset", std::to_string(reset));
    return r;
  }

  bool authorized(const recorded_request& rec) {
    auto token = token_of(rec.authorization, {"bearer"});
    if (!token || rec.client_id != client_id) return false;
    std::lock_guard lk(m);
    return tokens.count(*token) > 0;
  }

  response bad_request(std::string_view message) {
    return json_response(400, helix_error_body(400, message));
  }

  response get_users(const params& p) {
    auto ids = values_of(p, "id");
    auto logins = values_of(p, "login");
    if (ids.empty() && logins.empty())
      return bad_request("Must provide an ID, Login or OAuth Token");
    if (ids.size() + logins.size() > 100)
      return bad_request("The sum of ID and login parameters must not exceed 100");
    std::set<std::string> id_set(ids.begin(), ids.end());
    std::set<std::string> login_set;
    for (const auto& l : logins) login_set.insert(lower(l));

    rapidjson::StringBuffer sb;
    json_writer w(sb);
    w.StartObject();
    w.Key("data");
    w.StartArray();
    {
      std::lock_guard lk(m);
      for (const auto& u : users) {
        if (!id_set.count(u.id) && !login_set.count(lower(u.login))) continue;
        w.StartObject();
        put(w, "id", u.id);
        put(w, "login", u.login);
        put(w, "display_name", u.display_name);
        put(w, "type", "");
        put(w, "broadcaster_type", "");
        put(w, "description", "");
        put(w, "profile_image_url", "");
        put(w, "offline_image_url", "");
        put(w, "view_count", 0);
        put(w, "created_at", "2020-01-01T00:00:00Z");
        w.EndObject();
      }
    }
    w.EndArray();
    w.EndObject();
    return json_response(200, sb.GetString());
  }

  response get_streams(const params& p) {
    auto ids = values_of(p, "user_id");
    auto logins = values_of(p, "user_login");
    if (ids.size() > 100) return bad_request("The number of user_id values exceeds 100");
    if (logins.size() > 100)
      return bad_request("The number of user_login values exceeds 100");
    int first = 20;
    if (auto f = value_of(p, "first")) {
      auto n = parse_int(*f);
      if (!n || *n < 1 || *n > 100)
        return bad_request(
            "The parameter \"first\" was malformed: the value must be "
            "between 1 and 100");
      first = *n;
    }
    uint64_t offset = 0;
    if (auto a = value_of(p, "after")) {
      auto n = decode_cursor(*a);
      if (!n) return bad_request("Invalid cursor");
      offset = *n;
    }
    std::set<std::string> id_set(ids.begin(), ids.end());
    std::set<std::string> login_set;
    for (const auto& l : logins) login_set.insert(lower(l));

    std::vector<fake_stream> matching;
    {
      std::lock_guard lk(m);
      for (const auto& s : streams) {
        if ((!id_set.empty() || !login_set.empty()) && !id_set.count(s.user_id) &&
            !login_set.count(lower(s.user_login)))
          continue;
        matching.push_back(s);
      }
    }
    std::stable_sort(matching.begin(), matching.end(),
                     [](const fake_stream& a, const fake_stream& b) {
                       return a.viewer_count > b.viewer_count;
                     });

    rapidjson::StringBuffer sb;
    json_writer w(sb);
    w.StartObject();
    w.Key("data");
    w.StartArray();
    uint64_t end = std::min<uint64_t>(matching.size(), offset + first);
    for (uint64_t i = offset; i < end; ++i) {
      const auto& s = matching[i];
      w.StartObject();
      put(w, "id", s.id);
      put(w, "user_id", s.user_id);
      put(w, "user_login", s.user_login);
      put(w, "user_name", s.user_name);
      put(w, "game_id", s.game_id);
      put(w, "game_name", s.game_name);
      put(w, "type", "live");
      put(w, "title", s.title);
      w.Key("tags");
      w.StartArray();
      for (const auto& t : s.tags)
        w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
      w.EndArray();
      put(w, "viewer_count", s.viewer_count);
      put(w, "started_at", s.started_at);
      put(w, "language", "en");
      put(w, "thumbnail_url",
          "https://static-cdn.jtvnw.net/previews-ttv/live_user_" + lower(s.user_login) +
              "-{width}x{height}.jpg");
      w.Key("tag_ids");
      w.StartArray();
      w.EndArray();
      w.Key("is_mature");
      w.Bool(false);
      w.EndObject();
    }
    w.EndArray();
    w.Key("pagination");
    w.StartObject();
    if (end < matching.size()) put(w, "cursor", encode_cursor(end));
    w.EndObject();
    w.EndObject();
    return json_response(200, sb.GetString());
  }

  static void write_totals_locked(json_writer& w, const std::vector<sub_entry>& all) {
    int cost = 0;
    for (const auto& e : all) cost += e.sub.cost;
    put(w, "total", static_cast<int>(all.size()));
    put(w, "total_cost", cost);
    put(w, "max_total_cost", kMaxTotalCost);
  }

  response get_subscriptions(const params& p) {
    int filters = 0;
    for (const char* key : {"status", "type", "user_id", "subscription_id"})
      if (has_key(p, key)) ++filters;
    if (filters > 1)
      return bad_request(
          "Only one of status, type, user_id or subscription_id may be "
          "specified");
    uint64_t after = 0;
    if (auto a = value_of(p, "after")) {
      auto n = decode_cursor(*a);
      if (!n) return bad_request("Invalid cursor");
      after = *n;
    }
    auto status = value_of(p, "status");
    auto type = value_of(p, "type");
    auto user_id = value_of(p, "user_id");
    auto sub_id = value_of(p, "subscription_id");

    rapidjson::StringBuffer sb;
    json_writer w(sb);
    std::lock_guard lk(m);
    w.StartObject();
    w.Key("data");
    w.StartArray();
    size_t emitted = 0;
    uint64_t last_seq = 0;
    bool more = false;
    for (const auto& e : subs) {
      const auto& s = e.sub;
      if (e.seq <= after) continue;
      if ((status && s.status != *status) || (type && s.type != *type) ||
          (user_id && s.broadcaster_user_id != *user_id) || (sub_id && s.id != *sub_id))
        continue;
      if (emitted == page_size) {
        more = true;
        break;
      }
      write_subscription(w, s);
      ++emitted;
      last_seq = e.seq;
    }
    w.EndArray();
    write_totals_locked(w, subs);
    w.Key("pagination");
    w.StartObject();
    if (more) put(w, "cursor", encode_cursor(last_seq));
    w.EndObject();
    w.EndObject();
    return json_response(200, sb.GetString());
  }

  reply create_subscription(const std::string& body) {
    reply r;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
      r.res = bad_request("The request body is not a valid JSON object");
      return r;
    }
    auto text =
        [&](std::initializer_list<const char*> keys) -> std::optional<std::string> {
      simdjson::dom::element e = root;
      for (const char* k : keys)
        if (e[k].get(e) != simdjson::SUCCESS) return std::nullopt;
      std::string_view v;
      if (e.get(v) != simdjson::SUCCESS) return std::nullopt;
      return std::string(v);
    };
    auto type = text({"type"});
    auto version = text({"version"});
    auto broadcaster = text({"condition", "broadcaster_user_id"});
    auto method = text({"transport", "method"});
    auto callback = text({"transport", "callback"});
    auto secret = text({"transport", "secret"});
    std::optional<std::string> error;
    if (!type || (*type != "stream.online" && *type != "stream.offline")) {
      error = "invalid subscription type and version";
    } else if (!version || *version != "1") {
      error = "invalid subscription type and version";
    } else if (!broadcaster || broadcaster->empty()) {
      error = "invalid condition: broadcaster_user_id is required";
    } else if (!method || *method != "webhook") {
      error = "invalid transport method";
    } else if (!callback || callback->empty()) {
      error = "invalid transport: callback is required";
    } else if (!secret || secret->size() < 10 || secret->size() > 100) {
      error = "invalid transport: secret must be between 10 and 100 characters";
    }
    if (error) {
      r.res = bad_request(*error);
      return r;
    }

    std::lock_guard lk(m);
    if (!user_by_id_locked(*broadcaster)) {
      r.res = bad_request("invalid condition: broadcaster_user_id is not a known user");
      return r;
    }
    for (const auto& e : subs) {
      if (e.sub.type == *type && e.sub.broadcaster_user_id == *broadcaster &&
          (e.sub.status == kEnabled || e.sub.status == kPending)) {
        r.res = json_response(409, helix_error_body(409, "subscription already exists"));
        return r;
      }
    }
    fake_subscription s;
    s.type = *type;
    s.version = *version;
    s.status = verify ? kPending : kEnabled;
    s.broadcaster_user_id = *broadcaster;
    s.callback = *callback;
    s.secret = *secret;
    s.cost = 1;
    add_subscription_locked(s);
    const auto& created = subs.back().sub;
    if (verify) r.to_verify.push_back(created);

    rapidjson::StringBuffer sb;
    json_writer w(sb);
    w.StartObject();
    w.Key("data");
    w.StartArray();
    write_subscription(w, created);
    w.EndArray();
    write_totals_locked(w, subs);
    w.EndObject();
    r.res = json_response(202, sb.GetString());
    return r;
  }

  response delete_subscription(const params& p) {
    auto id = value_of(p, "id");
    if (!id || id->empty()) return bad_request("Missing required parameter \"id\"");
    std::lock_guard lk(m);
    auto it = std::find_if(subs.begin(), subs.end(),
                           [&](const sub_entry& e) { return e.sub.id == *id; });
    if (it == subs.end())
      return json_response(404, helix_error_body(404, "subscription not found"));
    subs.erase(it);
    response res{http::status::no_content, 11};
    return res;
  }

  // ---- callback verification ----

  void start_verification(fake_subscription s) {
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

  void verify_callback(const fake_subscription& s) {
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

  /// One exchange with a deadline; gives up early when the fake is stopping.
  std::optional<response> post(const http_url& url, http::request<http::string_body>& req,
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
};

// ---- public API ----

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
