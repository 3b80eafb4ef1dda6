#include "extensions/kit/context.hpp"

#include <caf/all.hpp>

namespace eventsubd::ext {

void started_actors::add(caf::actor a) {
  std::lock_guard<std::mutex> guard{mutex_};
  actors_.push_back(std::move(a));
}

void started_actors::stop_all() {
  std::vector<caf::actor> stopping;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping.swap(actors_);
  }
  for (auto& a : stopping) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

size_t started_actors::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return actors_.size();
}

void context::subscribe(const listener_actor& listener) const {
  p_->started->add(caf::actor_cast<caf::actor>(listener));
  caf::anon_send(p_->bus, subscribe_atom::value, listener);
}

}  // namespace eventsubd::ext
