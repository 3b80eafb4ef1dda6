#include "actors/manager_reconcile.hpp"

#include "actors/errors.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <set>

namespace eventsubd::manager {
namespace {

constexpr auto storage_timeout = std::chrono::seconds(10);

std::set<std::string> user_ids(const std::vector<streamer_record>& all) {
  std::set<std::string> out;
  for (const auto& s : all) out.insert(s.user_id);
  return out;
}

const streamer_record* find_user(const std::vector<streamer_record>& all,
                                 const std::string& user_id) {
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const auto& s) { return s.user_id == user_id; });
  return it == all.end() ? nullptr : &*it;
}

bool same_ids(const streamer_record& a, const streamer_record& b) {
  return a.online_subscription_id == b.online_subscription_id &&
         a.offline_subscription_id == b.offline_subscription_id;
}

/// A subscription to delete, with its broadcaster.
struct leftover {
  std::string id;
  std::string broadcaster;
};

/// Subscriptions no monitored streamer owns once the reconciliation is done: ours for
/// broadcasters still unmonitored and not being added right now, and those it kept or
/// created for streamers removed while it ran.
std::vector<leftover> leftovers(self_ptr self, const reconcile_result& result,
                                const std::vector<streamer_record>& now_stored) {
  auto stored = user_ids(now_stored);
  const auto& adding = self->state.adding;
  std::vector<leftover> out;
  for (size_t i = 0; i < result.orphan_ids.size(); ++i) {
    const auto& broadcaster = result.orphan_broadcasters[i];
    if (!stored.count(broadcaster) && !adding.count(broadcaster))
      out.push_back({result.orphan_ids[i], broadcaster});
  }
  for (const auto& s : result.streamers)
    if (!stored.count(s.user_id) && !adding.count(s.user_id))
      for (const auto* id : {&s.online_subscription_id, &s.offline_subscription_id})
        if (!id->empty()) out.push_back({*id, s.user_id});
  return out;
}

/// Deletes them; should an add of one of their broadcasters have adopted one meanwhile,
/// a reconciliation right after recreates what it lost.
void delete_leftovers(self_ptr self, const twitch_actor& twitch,
                      const storage_actor& storage, const std::vector<leftover>& found) {
  if (found.empty()) return;
  auto log = log_for("actors");
  log->info("manager: deleting {} subscriptions no monitored streamer owns",
            found.size());
  std::vector<std::string> ids;
  std::set<std::string> broadcasters;
  for (const auto& l : found) {
    ids.push_back(l.id);
    broadcasters.insert(l.broadcaster);
  }
  self->request(twitch, caf::infinite, unsub_atom::value, twitch_ticket::bulk(), ids)
      .then(
          [=](caf::ok_atom) {
            self->request(storage, storage_timeout, caf::get_atom::value,
                          streamers_atom::value)
                .then(
                    [=](const std::vector<streamer_record>& now) {
                      for (const auto& s : now)
                        if (broadcasters.count(s.user_id))
                          return reconcile(self, twitch, storage);
                    },
                    [](const caf::error&) {});
          },
          [=](const caf::error& e) {
            log->warn(
                "manager: deleting them failed ({}); the next reconciliation "
                "finds them again",
                to_query_result(e).detail);
          });
}

/// Stores what the reconciliation found, for streamers still stored unchanged (a
/// streamer added, changed or removed meanwhile keeps what that did).
bool store_results(self_ptr self, const storage_actor& storage,
                   const std::vector<streamer_record>& before,
                   const reconcile_result& result,
                   const std::vector<streamer_record>& now_stored) {
  bool complete = true;
  for (const auto& updated : result.streamers) {
    const auto* was = find_user(before, updated.user_id);
    const auto* now = find_user(now_stored, updated.user_id);
    if (!was || !now || !same_ids(*was, *now)) continue;
    complete &= updated.is_active;
    if (same_ids(updated, *now) && updated.is_active == now->is_active) continue;
    self->request(storage, storage_timeout, caf::put_atom::value, updated)
        .then(
            [](caf::ok_atom) {},
            [=](const caf::error& e) {
              log_for("actors")->error(
                  "manager: storing {} failed ({}); the next reconciliation tries again",
                  updated.username, self->system().render(e));
            });
  }
  return complete;
}

/// Schedules the next attempt after a failed reconciliation, doubling up to max_retry.
void failed(self_ptr self, const std::string& why) {
  auto& st = self->state;
  auto n = ++st.reconcile_failures;
  auto delay = std::min<std::chrono::seconds>(
      st.cfg.retry_after * (1 << std::min(n - 1, 10)), st.cfg.max_retry);
  auto log = log_for("actors");
  if (n == 1)
    log->warn("manager: reconciliation failed: {}; retrying in {} s", why, delay.count());
  else
    log->info("manager: reconciliation still failing ({} attempts): {}; next in {} s", n,
              why, delay.count());
  st.retry_scheduled = true;
  self->delayed_send(self, delay, reconcile_atom::value, false);
}

void succeeded(self_ptr self, const reconcile_result& r) {
  auto& st = self->state;
  if (st.reconcile_failures > 0)
    log_for("actors")->info(
        "manager: reconciliation works again after {} failed attempts",
        st.reconcile_failures);
  st.reconcile_failures = 0;
  log_for("actors")->info(
      "manager: reconciled {} streamers: {} subscriptions created, {} adopted, {} "
      "deleted, {} failed, {} of unmonitored broadcasters",
      r.streamers.size(), r.created, r.adopted, r.deleted, r.failed, r.orphan_ids.size());
}

void finished(self_ptr self, const twitch_actor& twitch, const storage_actor& storage) {
  auto& st = self->state;
  st.reconciling = false;
  if (std::exchange(st.reconcile_again, false)) reconcile(self, twitch, storage);
}

}  // namespace

void retry_soon(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.can_subscribe || st.retry_scheduled) return;
  st.retry_scheduled = true;
  self->delayed_send(self, st.cfg.retry_after, reconcile_atom::value, false);
}

void reconcile(self_ptr self, const twitch_actor& twitch, const storage_actor& storage) {
  auto& st = self->state;
  if (!st.cfg.can_subscribe) return;
  if (st.reconciling) {
    st.reconcile_again = true;
    return;
  }
  st.reconciling = true;
  auto log = log_for("actors");
  auto read_stored = [=](auto then) {
    self->request(storage, storage_timeout, caf::get_atom::value, streamers_atom::value)
        .then(then, [=](const caf::error& e) {
          failed(self, "reading the streamers failed: " + self->system().render(e));
          finished(self, twitch, storage);
        });
  };
  read_stored([=](const std::vector<streamer_record>& before) {
    self->request(twitch, caf::infinite, reconcile_atom::value, twitch_ticket::bulk(),
                  before)
        .then(
            [=](const reconcile_result& result) {
              read_stored([=](const std::vector<streamer_record>& now_stored) {
                succeeded(self, result);
                delete_leftovers(self, twitch, storage,
                                 leftovers(self, result, now_stored));
                if (!store_results(self, storage, before, result, now_stored))
                  retry_soon(self);
                finished(self, twitch, storage);
              });
            },
            [=](const caf::error& e) {
              failed(self, to_query_result(e).detail);
              finished(self, twitch, storage);
            });
  });
}

}  // namespace eventsubd::manager
