#include "app/application.hpp"

#include "actors/errors.hpp"
#include "actors/event_bus.hpp"
#include "actors/storage_actor.hpp"
#include "actors/streamer_supervisor.hpp"
#include "actors/webhook_actor.hpp"
#include "app/actor_service.hpp"
#include "app/fd_limit.hpp"
#include "app/twitch_wiring.hpp"
#include "core/logging.hpp"
#include "core/version.hpp"
#include "extensions/kit/host.hpp"
#include "http/server.hpp"
#include "storage/backend.hpp"
#include "storage/journal.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <caf/all.hpp>
#include <openssl/crypto.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <sys/prctl.h>
#include <thread>

namespace eventsubd {
namespace {

constexpr auto shutdown_grace = std::chrono::seconds(5);

/// Timer slack of the actor threads. Linux lets a sleep run up to 50 us late by default,
/// which doubled the scheduler's 50 us polling sleeps: a lone request waited ~55 us
/// longer for the worker than with the sharing policy (wrk -c1 on /events: p50 142 us,
/// sharing 94 us; with 1 us of slack 96 us, and the same throughput).
constexpr unsigned long actor_timer_slack_ns = 1000;

/// Sets the calling thread's timer slack (threads it starts inherit it); returns the
/// previous one.
unsigned long set_timer_slack(unsigned long ns) {
  auto previous = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0);
  return previous > 0 ? static_cast<unsigned long>(previous) : ns;
}

/// Frees OpenSSL's per-thread state on each actor thread as it ends. CAF 0.17 never
/// joins a detached actor's thread (each Twitch client has one): the actor system's
/// destructor waits only until the thread has passed this hook, so the thread may still
/// be exiting while `main` returns and `exit` runs OpenSSL's atexit cleanup. That
/// cleanup frees every thread's list of thread-exit handlers, without a lock, while the
/// exiting thread's own thread-local destructor frees its list too: on a busy machine a
/// double free (ASan, in a "caf.actor" thread), a SEGV in libcrypto, or a leak of its
/// per-thread state. Freed here, before `main` can go on, nothing is left to race over.
class openssl_thread_hook final : public caf::thread_hook {
 public:
  void init(caf::actor_system&) override {}
  void thread_started() override {}
  void thread_terminates() override { OPENSSL_thread_stop(); }
};

void report_features(const config& cfg, std::string_view storage_name) {
  auto log = log_for("app");
  log->info("eventsubd {} starting: storage={}, io_threads={}, actor_threads={}",
            version_string, storage_name, cfg.io_threads, cfg.actor_threads);
  if (auto why = cfg.webhook_secret_problem(); why.empty())
    log->info("webhook: enabled (POST /webhooks/eventsub)");
  else
    log->warn("webhook: DISABLED, answers 503: {}", why);
  if (auto why = cfg.twitch_credentials_problem(); why.empty()) {
    log->info("twitch: enabled (client id {}..., Helix at {})",
              cfg.twitch_client_id.substr(0, 4), cfg.twitch_api_url);
    if (cfg.webhook_url.empty())
      log->warn(
          "twitch: WEBHOOK_URL is not set: no subscription is attempted; streamers are "
          "stored inactive");
    else if (!cfg.webhook_secret_problem().empty())
      log->warn("twitch: no subscription is attempted without a usable WEBHOOK_SECRET");
    else if (cfg.webhook_url.rfind("https://", 0) != 0)
      log->warn("twitch: WEBHOOK_URL is not https; Twitch only calls https on port 443");
  } else {
    log->warn(
        "twitch: DISABLED, adding/removing streamers and Helix lookups answer 503: {}",
        why);
  }
  if (cfg.require_api_key && cfg.public_reads)
    log->info("api key: required for writes; reads are public (PUBLIC_READS=true)");
  else if (cfg.require_api_key)
    log->info("api key: required on the REST API (REQUIRE_API_KEY=true)");
  else
    log->warn(
        "api key: not required; set REQUIRE_API_KEY=true and API_KEY to protect the API");
}

/// Waits (bounded) until the webhook has the storage's remembered message ids, so the
/// first deliveries after start are not refused; with Redis unreachable it starts anyway
/// (reporting unhealthy) and events get 503 until Redis appears.
void await_storage(caf::actor_system& sys, const webhook_actor& webhook) {
  caf::scoped_actor self{sys};
  self->request(webhook, std::chrono::seconds(3), ready_atom::value)
      .receive(
          [](caf::ok_atom) {},
          [](const caf::error&) {
            log_for("app")->warn(
                "storage: not loaded yet; starting anyway, events get 503 until it is");
          });
}

twitch::webhook_gate_config make_gate_config(const config& cfg) {
  twitch::webhook_gate_config g;
  g.disabled_detail = cfg.webhook_secret_problem();
  if (g.disabled_detail.empty()) g.secret = cfg.webhook_secret;
  return g;
}

template <class... Handles>
void stop_all(Handles&... hs) {
  (((hs ? caf::anon_send_exit(hs, caf::exit_reason::user_shutdown) : void()),
    hs = nullptr),
   ...);
}

/// Serves HTTP until SIGINT/SIGTERM (then lets in-flight requests finish); the exit code.
int serve(const config& cfg, boost::asio::io_context& ioc, actor_service& service,
          std::atomic<bool>& stopping, const subscription_manager_actor& manager) {
  auto log = log_for("app");
  http::router router{service, http::api_key_guard{cfg.require_api_key, cfg.api_key},
                      http::access_rules{cfg.metrics_public, cfg.public_reads}};
  http::server_limits limits;
  limits.max_connections = cfg.max_connections;
  limits.header_timeout = limits.body_timeout =
      std::chrono::seconds(cfg.request_timeout_s);
  auto server = std::make_shared<http::server>(ioc, router, limits);
  if (auto err = server->listen(cfg.host, cfg.port); !err.empty()) {
    log->critical("{}", err);
    return 1;
  }
  // Signals are caught before anyone can learn the port (PORT_FILE), so a SIGTERM sent
  // right after start-up is a graceful stop, not the default kill.
  boost::asio::signal_set signals{ioc, SIGINT, SIGTERM};
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log->info("received signal {}: finishing in-flight requests, then stopping", signal);
    stopping.store(true);
    server->shutdown(shutdown_grace, [&ioc] { ioc.stop(); });
  });
  log->info("listening on {}:{}", cfg.host, server->port());
  if (!cfg.port_file.empty()) {
    std::ofstream out(cfg.port_file, std::ios::trunc);
    out << server->port() << "\n";
  }
  // Listening first, so Twitch's verification challenges are answered during start-up.
  if (manager) caf::anon_send(manager, startup_atom::value);
  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace

int run_application(const config& cfg,
                    const std::vector<ext::extension_info>& available) {
  auto log = log_for("app");
  auto chosen = storage::make_backend(cfg);
  if (!chosen) {
    log->critical("configuration error: {}", chosen.error().detail);
    return 2;
  }
  std::shared_ptr<storage::backend> backend = std::move(*chosen);
  auto stopping = std::make_shared<std::atomic<bool>>(false);
  const bool twitch_enabled = cfg.twitch_credentials_problem().empty();
  helix_worker_config worker_cfg;
  if (twitch_enabled) {
    if (auto err = make_worker_config(cfg, stopping, worker_cfg); !err.empty()) {
      log->critical("configuration error: {}", err);
      return 2;
    }
  }
  report_features(cfg, backend->name());
  raise_fd_limit(cfg.max_connections);

  // A backend that outlives the process (Redis) gets the journal: what the last run
  // acknowledged while Redis was down is replayed before anything is served.
  storage_options storage_opts;
  if (backend->durable()) {
    auto opened = storage::journal::open(cfg.data_dir);
    if (!opened) {
      log->critical("configuration error: {}", opened.error().detail);
      return 2;
    }
    std::shared_ptr<storage::journal> journal = std::move(opened->file);
    log->info("storage: journal {}: {} writes left by the last run", journal->path(),
              opened->left.records);
    storage_opts.journal = std::move(journal);
    storage_opts.replay = std::move(opened->left.ops);
  }

  // Asio first: replies still queued in actor mailboxes at shutdown post onto it, so it
  // must outlive the actor system (destroyed in reverse order).
  boost::asio::io_context ioc{cfg.io_threads};

  caf::actor_system_config caf_cfg;
  add_error_renderer(caf_cfg);
  caf_cfg.set("scheduler.max-threads", static_cast<size_t>(cfg.actor_threads));
  // Work stealing, whose idle workers poll before they sleep: a webhook crosses from
  // Asio to the actors and back and hops between four actors, and with the sharing
  // policy every crossing woke a sleeping worker through a futex (webhook benchmark:
  // 32k req/s with a third of both cores idle; stealing: 39k). The moderate phase is
  // kept short (100 polls 50 us apart, ~5 ms after the last message) and the relaxed
  // sleep long (a new message ends it at once): an idle server wakes ~115 times a
  // second, mostly polling after the storage's 1 s health probe (CAF's defaults: ~600).
  caf_cfg.set("scheduler.policy", caf::atom("stealing"));
  caf_cfg.set("work-stealing.moderate-poll-attempts", size_t{100});
  caf_cfg.set("work-stealing.moderate-sleep-duration",
              caf::timespan{std::chrono::microseconds(50)});
  caf_cfg.set("work-stealing.relaxed-sleep-duration",
              caf::timespan{std::chrono::milliseconds(100)});
  caf_cfg.set("logger.verbosity", caf::atom("quiet"));
  caf_cfg.add_thread_hook<openssl_thread_hook>();
  // The scheduler's threads start with the system and inherit the precise timer slack;
  // this thread (Asio) and the detached actors spawned later keep the default.
  const auto default_slack = set_timer_slack(actor_timer_slack_ns);
  caf::actor_system sys{caf_cfg};
  set_timer_slack(default_slack);

  storage_opts.queue_limit = cfg.storage_queue_limit;
  // REDIS_MIN_REPLICAS promises that an acknowledged write is on that many replicas.
  storage_opts.answer_when_queued = cfg.redis_min_replicas == 0;
  storage_opts.published_statuses = std::make_shared<storage::status_view>();
  auto storage = spawn_storage(sys, backend, storage_opts);
  auto bus = sys.spawn(event_bus_fn);
  // Set once the first start-up round is over: /health says "starting" until then.
  auto started = std::make_shared<std::atomic<bool>>(false);
  twitch_side twitch;
  if (twitch_enabled) start_twitch_work(sys, worker_cfg, twitch);
  streamer_tuning tuning;
  // Helix lags EventSub both ways: a new stream may be missing from Get Streams, an
  // ended one still listed, for about the same while.
  tuning.lag_window = tuning.online_grace = std::chrono::seconds(cfg.helix_lag_window_s);
  auto supervisor =
      sys.spawn(streamer_supervisor_fn, storage, bus, twitch.watcher, tuning);
  if (twitch_enabled) {
    start_twitch_users(sys, cfg, storage, supervisor, started, twitch);
  } else if (!cfg.default_streamers.empty()) {
    log->warn("DEFAULT_STREAMERS ignored: {}", cfg.twitch_credentials_problem());
  }
  auto webhook =
      sys.spawn(webhook_fn, webhook_config{}, supervisor, storage, twitch.manager);
  auto extensions =
      ext::start_extensions(available, cfg, {&sys, bus, storage, twitch.scheduler});
  int exit_code = 2;
  if (!extensions) {
    log->critical("configuration error: {}", extensions.error().detail);
  } else {
    await_storage(sys, webhook);
    // Without Twitch the start-up round is the storage's load alone.
    if (!twitch_enabled) started->store(true);
    actor_service service{
        storage,       storage_opts.published_statuses,  webhook, twitch.manager,
        twitch.lookup, cfg.twitch_credentials_problem(), started, make_gate_config(cfg)};
    exit_code = serve(cfg, ioc, service, *stopping, twitch.manager);
  }

  // Stop the actors; every handle is released before the system is destroyed (a detached
  // actor's handle outliving the system would hang its destructor).
  log->info("HTTP server stopped; stopping actors");
  stopping->store(true);
  if (extensions) extensions->stop();
  stop_all(webhook, supervisor);
  twitch.stop();
  stop_all(bus, storage);
  sys.await_all_actors_done();
  log->info("stopped");
  return exit_code;
}

}  // namespace eventsubd
