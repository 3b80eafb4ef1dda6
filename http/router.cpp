#include "http/router.hpp"

#include "core/metrics.hpp"

#include <boost/beast/http/field.hpp>

#include <chrono>

namespace eventsubd::http {
namespace {

namespace bh = boost::beast::http;
using clock = std::chrono::steady_clock;

/// Counts an answer under its route's label, with the time since the request was routed.
struct request_counter {
  std::size_t label;
  clock::time_point started;

  void operator()(const response& res) const {
    metrics::http_request(label, res.result_int(), clock::now() - started);
  }
};

/// The reply channel of one request: the answer is built on the connection's thread
/// (`hop`) when there is one, counted, and handed to `respond`.
reply_once answer_channel(respond_fn respond, connection_hop hop, unsigned version,
                          bool keep_alive, request_counter count, abandoned_flag gone) {
  // A service reply may come from an actor thread: it only hands the result to the
  // connection's thread, where the response is built (the actor thread is the busier one
  // under webhook load, and the response's allocations are then freed by the thread that
  // made them).
  return reply_once{[respond = std::move(respond), hop = std::move(hop), version,
                     keep_alive, count](query_result r) mutable {
                      // reply_once calls this once, so `respond` can move on.
                      auto answer = [respond = std::move(respond), version, keep_alive,
                                     count, r = std::move(r)] {
                        auto res = make_response(r, version, keep_alive);
                        count(res);
                        respond(std::move(res));
                      };
                      if (hop)
                        hop(std::move(answer));
                      else
                        answer();
                    },
                    std::move(gone)};
}

}  // namespace

bool router::allows(const endpoint& row, const request& req) const {
  if (row.who == access::open || !guard_.required()) return true;
  if (row.who == access::metrics_key && rules_.metrics_public) return true;
  if (row.who == access::read && rules_.public_reads) return true;
  auto it = req.find(bh::field::authorization);
  return guard_.allows(it == req.end() ? std::string_view{} : it->value());
}

void router::route(request&& req, respond_fn respond, connection_hop hop,
                   abandoned_flag gone, const std::function<void()>& watch_client) {
  const auto started = clock::now();
  auto target = req.target();
  auto qmark = target.find('?');
  auto path = target.substr(0, qmark);
  auto query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  auto m = match_route(req.method(), path);
  const request_counter count{m.label, started};

  if (m.path && !m.row) {
    auto res = error_response(errc::method_not_allowed, "Method Not Allowed",
                              req.version(), req.keep_alive());
    res.set(bh::field::allow, allowed_methods(*m.path));
    count(res);
    return respond(std::move(res));
  }
  // Every other answer goes through `call.reply`, exactly once.
  auto reply = answer_channel(std::move(respond), std::move(hop), req.version(),
                              req.keep_alive(), count, std::move(gone));
  static const std::function<void()> no_watch = [] {};
  const auto& watch = watch_client ? watch_client : no_watch;
  route_call call{service_, req, path, query, m.param, std::move(reply), watch};
  if (!m.row) return call.fail(errc::not_found, "Not Found");
  if (!allows(*m.row, req))
    return call.fail(errc::unauthorized, "Invalid or missing API key");
  m.row->handle(call);
}

}  // namespace eventsubd::http
