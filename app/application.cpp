#include "app/application.hpp"

#include "actors/event_bus.hpp"
#include "actors/storage_actor.hpp"
#include "actors/streamer_supervisor.hpp"
#include "actors/webhook_actor.hpp"
#include "app/actor_service.hpp"
#include "app/extensions.hpp"
#include "core/logging.hpp"
#include "core/version.hpp"
#include "http/server.hpp"
#include "storage/backend.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <caf/all.hpp>

#include <csignal>
#include <fstream>
#include <thread>

namespace eventsubd {
namespace {

constexpr auto shutdown_grace = std::chrono::seconds(5);

void report_features(const config& cfg, std::string_view storage_name) {
  auto log = log_for("app");
  log->info("eventsubd {} starting: storage={}, io_threads={}, actor_threads={}",
            version_string, storage_name, cfg.io_threads, cfg.actor_threads);
  if (auto why = cfg.webhook_secret_problem(); why.empty())
    log->info("webhook: enabled (POST /webhooks/eventsub)");
  else
    log->warn("webhook: DISABLED, answers 503: {}", why);
  if (auto why = cfg.twitch_credentials_problem(); why.empty())
    log->info("twitch: credentials set (client id {}...)",
              cfg.twitch_client_id.substr(0, 4));
  else
    log->warn(
        "twitch: DISABLED, adding/removing streamers and Helix lookups answer 503: {}",
        why);
  if (cfg.require_api_key)
    log->info("api key: required on the REST API (REQUIRE_API_KEY=true)");
  else
    log->warn(
        "api key: not required; set REQUIRE_API_KEY=true and API_KEY to protect the API");
}

std::string twitch_problem(const config& cfg) {
  if (auto why = cfg.twitch_credentials_problem(); !why.empty()) return why;
  return "Twitch features (Helix lookups, subscriptions) are not available in this build "
         "yet";
}

webhook_config make_webhook_config(const config& cfg) {
  webhook_config w;
  w.disabled_detail = cfg.webhook_secret_problem();
  if (w.disabled_detail.empty()) w.secret = cfg.webhook_secret;
  return w;
}

}  // namespace

int run_application(const config& cfg) {
  auto log = log_for("app");
  auto chosen = storage::make_backend(cfg);
  if (!chosen.instance) {
    log->critical("configuration error: {}", chosen.error);
    return 2;
  }
  std::shared_ptr<storage::backend> backend = std::move(chosen.instance);
  report_features(cfg, backend->name());

  // Asio first: replies still queued in actor mailboxes at shutdown post onto it, so it
  // must outlive the actor system (destroyed in reverse order).
  boost::asio::io_context ioc{cfg.io_threads};

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", static_cast<size_t>(cfg.actor_threads));
  caf_cfg.set("scheduler.policy", caf::atom("sharing"));
  caf_cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{caf_cfg};

  auto storage = sys.spawn(storage_fn, backend);
  auto bus = sys.spawn(event_bus_fn);
  auto supervisor = sys.spawn(streamer_supervisor_fn, storage, bus);
  auto webhook = sys.spawn(webhook_fn, make_webhook_config(cfg), supervisor, storage);
  auto extensions = start_extensions(sys, bus);

  int exit_code = 0;
  {
    actor_service service{storage, webhook, twitch_problem(cfg)};
    http::router router{service, http::api_key_guard{cfg.require_api_key, cfg.api_key}};
    http::server_limits limits;
    limits.max_connections = cfg.max_connections;
    limits.header_timeout = limits.body_timeout = std::chrono::seconds(cfg.request_timeout_s);
    auto server = std::make_shared<http::server>(ioc, router, limits);
    if (auto err = server->listen(cfg.host, cfg.port); !err.empty()) {
      log->critical("{}", err);
      exit_code = 1;
    } else {
      log->info("listening on {}:{}", cfg.host, server->port());
      if (!cfg.port_file.empty()) {
        std::ofstream out(cfg.port_file, std::ios::trunc);
        out << server->port() << "\n";
      }
      boost::asio::signal_set signals{ioc, SIGINT, SIGTERM};
      signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        log->info("received signal {}: finishing in-flight requests, then stopping",
                  signal);
        server->shutdown(shutdown_grace, [&ioc] { ioc.stop(); });
      });
      std::vector<std::thread> threads;
      for (int i = 1; i < cfg.io_threads; ++i)
        threads.emplace_back([&ioc] { ioc.run(); });
      ioc.run();
      for (auto& t : threads) t.join();
    }
  }

  // Stop the actors; every handle is released before the system is destroyed.
  log->info("HTTP server stopped; stopping actors");
  for (auto& e : extensions) caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(webhook, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(bus, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
  extensions.clear();
  webhook = nullptr;
  supervisor = nullptr;
  bus = nullptr;
  storage = nullptr;
  sys.await_all_actors_done();
  log->info("stopped");
  return exit_code;
}

}  // namespace eventsubd
