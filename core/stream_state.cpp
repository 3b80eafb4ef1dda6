#include "core/stream_state.hpp"

#include <algorithm>

namespace eventsubd {

bool operator==(const ended_stream& a, const ended_stream& b) {
  return a.id == b.id && a.cause == b.cause && a.at == b.at;
}

void stream_state_machine::restore_from_status(bool live, std::string stream_id,
                                               sys_time started_at) {
  memory_ = {};
  memory_.current = live ? phase::live : phase::offline;
  if (live) {
    memory_.live_id = std::move(stream_id);
    memory_.started_at = started_at;
  }
}

const ended_stream* stream_state_machine::find_ended(const std::string& id) const {
  if (id.empty()) return nullptr;
  auto it = std::find_if(memory_.ended.begin(), memory_.ended.end(),
                         [&](const ended_stream& e) { return e.id == id; });
  return it == memory_.ended.end() ? nullptr : &*it;
}

stream_verdict stream_state_machine::consider(const stream_observation& obs,
                                              sys_time at) const {
  return obs.online ? consider_online(obs, at) : consider_offline(obs);
}

stream_verdict stream_state_machine::consider_online(const stream_observation& obs,
                                                     sys_time at) const {
  const bool live = memory_.current == phase::live;
  if (obs.stream_id.empty()) {
    // Without an id only time can tell: an online that started before the last offline
    // was sent is about an earlier stream.
    if (live) return stream_verdict::duplicate;
    if (!memory_.ended.empty() &&
        memory_.ended.back().cause == end_cause::offline_event &&
        obs.started_at < memory_.ended.back().at)
      return stream_verdict::stale;
    return stream_verdict::apply;
  }
  if (live && obs.stream_id == memory_.live_id) return stream_verdict::duplicate;
  const auto* ended = find_ended(obs.stream_id);
  if (!ended)
    return stream_verdict::apply;  // a stream never applied: new, whatever
                                   // the timestamps say
  if (obs.source == change_source::webhook) return stream_verdict::stale;
  // A poll still lists a stream that is over.
  switch (ended->cause) {
    case end_cause::replaced:
      return stream_verdict::stale;  // a newer stream began after it
    case end_cause::polling:
      return stream_verdict::apply;  // polls lost it twice and see it again: it is back
    case end_cause::offline_event:
      break;
  }
  // Twitch sent the offline before this stream started: it was about an earlier stream.
  if (obs.started_at != sys_time{} && ended->at < obs.started_at)
    return stream_verdict::apply;
  // Helix keeps listing a stream for a while after it ends; listed well beyond that, it
  // is live and the offline was about an earlier stream.
  return at >= recheck_at(obs.stream_id) ? stream_verdict::apply
                                         : stream_verdict::recheck_later;
}

stream_verdict stream_state_machine::consider_offline(
    const stream_observation& obs) const {
  if (memory_.current == phase::offline) return stream_verdict::duplicate;
  if (memory_.current == phase::unknown) return stream_verdict::apply;
  // Same clock (Twitch's message times): sent before the current stream's online was,
  // it is the late offline of an earlier stream. Polls end a stream by themselves.
  if (obs.source != change_source::webhook) return stream_verdict::apply;
  if (memory_.online_sent_at != sys_time{} && obs.sent_at < memory_.online_sent_at)
    return stream_verdict::stale;
  // Made live by a poll: an offline sent before the stream started cannot be about it
  // (a real offline always comes after; started_at's whole seconds only make it earlier).
  if (memory_.online_sent_at == sys_time{} && memory_.started_at != sys_time{} &&
      obs.sent_at < memory_.started_at)
    return stream_verdict::stale;
  return stream_verdict::apply;
}

sys_time stream_state_machine::recheck_at(const std::string& stream_id) const {
  const auto* ended = find_ended(stream_id);
  return ended ? ended->at + lag_window_ : sys_time{};
}

void stream_state_machine::end_current(end_cause cause, sys_time at) {
  memory_.ended.push_back({memory_.live_id, cause, at});
  if (memory_.ended.size() > stream_memory::ended_kept)
    memory_.ended.erase(memory_.ended.begin());
  memory_.live_id.clear();
  memory_.started_at = {};
  memory_.online_sent_at = {};
}

void stream_state_machine::commit(const stream_observation& obs, sys_time at) {
  const bool webhook = obs.source == change_source::webhook;
  if (!obs.online) {
    if (memory_.current == phase::live)
      end_current(webhook ? end_cause::offline_event : end_cause::polling,
                  webhook ? obs.sent_at : at);
    memory_.current = phase::offline;
    return;
  }
  if (memory_.current == phase::live) end_current(end_cause::replaced, at);
  if (!obs.stream_id.empty())
    std::erase_if(memory_.ended,
                  [&](const ended_stream& e) { return e.id == obs.stream_id; });
  memory_.current = phase::live;
  memory_.live_id = obs.stream_id;
  memory_.started_at = obs.started_at;
  memory_.online_sent_at = webhook ? obs.sent_at : sys_time{};
}

}  // namespace eventsubd
