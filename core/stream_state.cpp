#include "core/stream_state.hpp"

#include <algorithm>

namespace eventsubd {

void stream_state_machine::restore(bool live, std::string stream_id, sys_time since) {
  phase_ = live ? phase::live : phase::offline;
  stream_id_ = live ? std::move(stream_id) : std::string{};
  last_transition_ = since;
}

bool stream_state_machine::ended(const std::string& id) const {
  return std::find(ended_ids_.begin(), ended_ids_.end(), id) != ended_ids_.end();
}

stream_verdict stream_state_machine::consider(const stream_observation& obs) const {
  if (obs.online) {
    if (!obs.stream_id.empty() &&
        ((phase_ == phase::live && obs.stream_id == stream_id_) || ended(obs.stream_id)))
      return stream_verdict::duplicate;
    if (phase_ == phase::live && obs.stream_id.empty()) return stream_verdict::duplicate;
    if (phase_ != phase::unknown && obs.event_time < last_transition_)
      return stream_verdict::stale;
    return stream_verdict::apply;
  }
  if (phase_ == phase::offline) return stream_verdict::duplicate;
  if (phase_ == phase::live && obs.event_time < last_transition_)
    return stream_verdict::stale;
  return stream_verdict::apply;
}

void stream_state_machine::commit(const stream_observation& obs) {
  if (phase_ == phase::live && !stream_id_.empty()) {
    ended_ids_.push_back(stream_id_);
    if (ended_ids_.size() > ended_ids_kept) ended_ids_.pop_front();
  }
  phase_ = obs.online ? phase::live : phase::offline;
  stream_id_ = obs.online ? obs.stream_id : std::string{};
  last_transition_ = std::max(last_transition_, obs.event_time);
}

}  // namespace eventsubd
