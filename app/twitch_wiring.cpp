#include "app/twitch_wiring.hpp"

#include "actors/refresher.hpp"
#include "actors/status_lookup.hpp"
#include "actors/stream_watcher.hpp"
#include "actors/subscription_manager.hpp"
#include "actors/twitch_scheduler.hpp"
#include "twitch/base_url.hpp"

#include <caf/all.hpp>

namespace eventsubd {

void twitch_side::stop() {
  auto stop_one = [](auto& h) {
    if (h) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    h = nullptr;
  };
  stop_one(manager);
  stop_one(lookup);
  stop_one(refresher);
  stop_one(watcher);
  stop_one(scheduler);
  for (auto& w : workers) stop_one(w);
  workers.clear();
}

std::string make_worker_config(const config& cfg,
                               std::shared_ptr<std::atomic<bool>> stopping,
                               helix_worker_config& out) {
  auto api = twitch::parse_base_url(cfg.twitch_api_url);
  if (!api) return "TWITCH_API_URL is not a usable URL: '" + cfg.twitch_api_url + "'";
  auto auth = twitch::parse_base_url(cfg.twitch_auth_url);
  if (!auth) return "TWITCH_AUTH_URL is not a usable URL: '" + cfg.twitch_auth_url + "'";
  out.helix.client_id = cfg.twitch_client_id;
  out.helix.client_secret = cfg.twitch_client_secret;
  out.helix.api = *api;
  out.helix.auth = *auth;
  out.callback = cfg.webhook_url;
  if (cfg.webhook_secret_problem().empty()) out.secret = cfg.webhook_secret;
  out.stopping = std::move(stopping);
  out.token = std::make_shared<twitch::app_token>();
  out.budget = std::make_shared<twitch::rate_budget>();
  return {};
}

void start_twitch_work(caf::actor_system& sys, const helix_worker_config& worker_cfg,
                       twitch_side& out) {
  using twitch::work_class;
  // Two interactive workers, so one slow add does not hold up the next; one for public
  // lookups (they never take more); two for bulk work, so a long reconciliation does
  // not hold up refreshes and metadata.
  std::vector<std::pair<work_class, helix_worker_actor>> workers;
  for (auto cls : {work_class::interactive, work_class::interactive, work_class::lookup,
                   work_class::bulk, work_class::bulk}) {
    auto c = worker_cfg;
    c.work = cls;
    auto worker = sys.spawn<caf::detached>(helix_worker_fn, c);
    out.workers.push_back(worker);
    workers.emplace_back(cls, worker);
  }
  out.scheduler = sys.spawn(twitch_scheduler_fn, twitch_scheduler_config{}, workers);
  // A one-second window: a burst of go-lives arriving over a few seconds (a busy
  // machine, Twitch's own pacing) costs ceil(N/100) calls plus about one per second,
  // not one partial call per 250 ms; metadata is due 2 s after the online anyway.
  stream_watcher_config watcher_cfg;
  watcher_cfg.batch_window = std::chrono::seconds(1);
  out.watcher = sys.spawn(stream_watcher_fn, out.scheduler, watcher_cfg);
}

void start_twitch_users(caf::actor_system& sys, const config& cfg,
                        const storage_actor& storage,
                        const streamer_supervisor_actor& supervisor,
                        std::shared_ptr<std::atomic<bool>> started, twitch_side& out) {
  out.refresher = sys.spawn(refresher_fn, std::chrono::seconds(cfg.refresh_interval_s),
                            out.scheduler, storage, supervisor);
  subscription_manager_config manager_cfg;
  manager_cfg.default_streamers = cfg.default_streamers;
  manager_cfg.retry_after = std::chrono::seconds(cfg.twitch_retry_interval_s);
  manager_cfg.can_subscribe =
      !cfg.webhook_url.empty() && cfg.webhook_secret_problem().empty();
  manager_cfg.started = std::move(started);
  out.manager = sys.spawn(subscription_manager_fn, manager_cfg, out.scheduler, storage,
                          supervisor, out.refresher);
  status_lookup_config lookup_cfg;
  lookup_cfg.per_minute = cfg.lookup_rate_limit;
  out.lookup = sys.spawn(status_lookup_fn, out.scheduler, lookup_cfg);
}

}  // namespace eventsubd
