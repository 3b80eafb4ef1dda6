#include "actors/stream_watcher.hpp"

#include "actors/errors.hpp"
#include "core/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <vector>

namespace eventsubd {
namespace {

using self_ptr = stream_watcher_actor::stateful_pointer<stream_watcher_state>;
using clock = stream_watcher_state::clock;
using entry_key = std::pair<std::string, watch_purpose>;

/// 2, 4, 8, 16 s, then the maximum: Helix usually lists a new stream within a minute.
clock::duration backoff(const stream_watcher_config& cfg, int attempt) {
  auto seconds = std::chrono::seconds(int64_t{1} << std::min(attempt, 5));
  return std::min<clock::duration>(seconds, cfg.max_backoff);
}

/// Arms the tick for the earliest due watch, but no sooner than the batch window.
void arm(self_ptr self) {
  auto& st = self->state;
  if (st.fetching || st.pending.empty()) return;
  auto earliest = clock::time_point::max();
  for (const auto& [_, e] : st.pending) earliest = std::min(earliest, e.due);
  auto now = self->clock().now();
  auto at = std::max(earliest, now + st.cfg.batch_window);
  if (at >= st.armed_for) return;  // a tick comes sooner
  st.armed_for = at;
  // Rounded up: a tick a fraction of a millisecond early finds nothing due and waits
  // another batch window.
  auto delay = std::chrono::ceil<std::chrono::milliseconds>(at - now);
  self->delayed_send(self, std::max(delay, std::chrono::milliseconds(1)),
                     tick_atom::value);
}

void deliver(self_ptr self, const stream_watch& w, const twitch::twitch_stream* listed) {
  watch_result r{w.purpose, w.stream_id, listed != nullptr, {}};
  if (listed) r.stream = *listed;
  self->send(w.watcher, watched_atom::value, std::move(r));
}

/// One watch after Helix answered: delivered, or asked again later (metadata only).
void settle(self_ptr self, const entry_key& key, const twitch::twitch_stream* listed) {
  auto& st = self->state;
  auto it = st.pending.find(key);
  auto& e = it->second;
  bool match = listed && (e.watch.stream_id.empty() || listed->id == e.watch.stream_id);
  if (e.watch.purpose == watch_purpose::recheck || match) {
    deliver(self, e.watch, listed);
    st.pending.erase(it);
    return;
  }
  e.due = self->clock().now() + backoff(st.cfg, ++e.attempt);
  if (e.due > e.watch.give_up) {
    log_for("actors")->debug("watcher: Helix never listed stream {} of {}; giving up",
                             e.watch.stream_id, e.watch.user_id);
    st.pending.erase(it);
  }
}

/// A failed round: every watch it covered is asked again later (batched again).
void retry_later(self_ptr self,
                 const std::vector<std::pair<entry_key, uint64_t>>& asked) {
  auto& st = self->state;
  for (const auto& [key, seq] : asked) {
    auto it = st.pending.find(key);
    if (it == st.pending.end() || it->second.seq != seq) continue;
    auto& e = it->second;
    e.due = self->clock().now() +
            std::max<clock::duration>(backoff(st.cfg, ++e.attempt), st.cfg.error_backoff);
    bool recheck = e.watch.purpose == watch_purpose::recheck;
    if ((recheck && e.attempt >= st.cfg.max_recheck_attempts) ||
        (!recheck && e.due > e.watch.give_up))
      st.pending.erase(it);
  }
}

/// Asks Helix about every due watch in one bulk request.
void fetch_due(self_ptr self, const twitch_actor& twitch) {
  auto& st = self->state;
  auto now = self->clock().now();
  std::vector<std::pair<entry_key, uint64_t>> asked;
  std::set<std::string> ids;
  for (const auto& [key, e] : st.pending)
    if (e.due <= now) {
      asked.emplace_back(key, e.seq);
      ids.insert(key.first);
    }
  if (asked.empty()) return arm(self);
  st.fetching = true;
  log_for("actors")->debug("watcher: asking Get Streams about {} broadcasters",
                           ids.size());
  self->request(twitch, caf::infinite, caf::get_atom::value, streams_atom::value,
                twitch_ticket::bulk(), std::vector<std::string>(ids.begin(), ids.end()))
      .then(
          [=](const std::vector<twitch::twitch_stream>& streams) {
            std::unordered_map<std::string, const twitch::twitch_stream*> by_user;
            for (const auto& s : streams) by_user[s.user_id] = &s;
            for (const auto& [key, seq] : asked) {
              auto it = self->state.pending.find(key);
              if (it == self->state.pending.end() || it->second.seq != seq) continue;
              auto found = by_user.find(key.first);
              settle(self, key, found == by_user.end() ? nullptr : found->second);
            }
            self->state.fetching = false;
            arm(self);
          },
          [=](const caf::error& err) {
            log_for("actors")->debug(
                "watcher: Get Streams failed ({}); asking again later",
                to_query_result(err).detail);
            retry_later(self, asked);
            self->state.fetching = false;
            arm(self);
          });
}

}  // namespace

stream_watcher_actor::behavior_type stream_watcher_fn(self_ptr self,
                                                      const twitch_actor& twitch,
                                                      stream_watcher_config cfg) {
  self->state.cfg = cfg;
  return {
      [=](watch_atom, stream_watch& w) {
        auto& st = self->state;
        entry_key key{w.user_id, w.purpose};
        auto due = std::max(w.not_before, self->clock().now());
        st.pending[key] = {std::move(w), 0, due, ++st.next_seq};
        arm(self);
      },
      [=](tick_atom) {
        self->state.armed_for = clock::time_point::max();
        if (!self->state.fetching) fetch_due(self, twitch);
      },
  };
}

}  // namespace eventsubd
