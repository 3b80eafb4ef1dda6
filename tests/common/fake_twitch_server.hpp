#pragma once
// The inside of the fake Twitch: its state (under one mutex) and every handler. Each
// concern is defined in the file named after it: fake_twitch_server.cpp (the HTTP
// plumbing: accept, serve, route, stop), fake_twitch_oauth.cpp (tokens),
// fake_twitch_helix.cpp (faults, the rate limit, users and streams),
// fake_twitch_subscriptions.cpp (EventSub subscriptions) and
// fake_twitch_verification.cpp (the callback challenge); fake_twitch.cpp is the public
// face tests control and observe it through.

#include "tests/common/fake_twitch.hpp"
#include "tests/common/fake_twitch_wire.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace eventsubd::testing::fake_twitch_detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

inline constexpr int kRateLimit = 800;
inline constexpr int kExpiresIn = 5011271;
inline constexpr int kMaxTotalCost = 10000;
inline constexpr const char* kPending = "webhook_callback_verification_pending";
inline constexpr const char* kEnabled = "enabled";
inline constexpr const char* kFailed = "webhook_callback_verification_failed";

struct fault {
  enum class kind { fail, garbage, delay } what;
  int remaining = 0;
  int status = 0;
  std::string prefix;
  int reset_in = 1;
  std::chrono::milliseconds delay{0};
};

struct connection {
  explicit connection(net::io_context& ioc) : socket(ioc) {}
  tcp::socket socket;
  std::thread thread;
  bool open = true;  // guarded by server::m; false once the socket is closed
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

/// The fake's state and handlers; fake_twitch::impl is one.
struct server {
  server(std::string id, std::string secret);

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

  // ---- state helpers (fake_twitch_server.cpp; callers hold no lock unless stated) ----

  std::string random_string(size_t n, std::string_view alphabet);
  std::string random_string_locked(size_t n, std::string_view alphabet);
  std::string uuid_locked();
  const fake_user* user_by_id_locked(const std::string& id) const;
  static response json_response(int status, std::string body);

  // ---- HTTP plumbing (fake_twitch_server.cpp) ----

  void start();
  void accept_loop();
  void serve(const std::shared_ptr<connection>& c);
  void stop();
  /// Records the request and routes it to OAuth or Helix.
  reply handle(const request& req);

  // ---- OAuth (fake_twitch_oauth.cpp) ----

  reply handle_oauth(const request& req, const recorded_request& rec);
  std::string new_token_locked();
  /// A Helix call's `Authorization: Bearer` token and `Client-Id` are valid.
  bool authorized(const recorded_request& rec);

  // ---- Helix (fake_twitch_helix.cpp) ----

  /// Faults and the rate limit first, then authentication, then the endpoint.
  reply handle_helix(const request& req, const recorded_request& rec);
  response bad_request(std::string_view message);
  response get_users(const params& p);
  response get_streams(const params& p);

  // ---- EventSub subscriptions (fake_twitch_subscriptions.cpp) ----

  sub_entry* sub_by_id_locked(const std::string& id);
  void add_subscription_locked(fake_subscription s);
  static void write_totals_locked(json_writer& w, const std::vector<sub_entry>& all);
  response get_subscriptions(const params& p);
  reply create_subscription(const std::string& body);
  response delete_subscription(const params& p);

  // ---- callback verification (fake_twitch_verification.cpp) ----

  void start_verification(fake_subscription s);
  void verify_callback(const fake_subscription& s);
  /// One exchange with a deadline; gives up early when the fake is stopping.
  std::optional<response> post(const http_url& url, request& req,
                               std::chrono::milliseconds timeout);
};

}  // namespace eventsubd::testing::fake_twitch_detail
