#include "storage/status_view.hpp"

namespace eventsubd::storage {

status_view::shard& status_view::shard_for(std::string_view login) const {
  return shards_[hash{}(login) % shard_count];
}

body_ptr status_view::find(std::string_view login) const {
  auto& s = shard_for(login);
  std::lock_guard lock{s.mutex};
  auto it = s.bodies.find(login);
  return it == s.bodies.end() ? nullptr : it->second;
}

void status_view::put(const std::string& login, body_ptr body) {
  auto& s = shard_for(login);
  body_ptr replaced;  // released outside the lock
  std::lock_guard lock{s.mutex};
  auto [it, inserted] = s.bodies.try_emplace(login);
  replaced = std::exchange(it->second, std::move(body));
}

void status_view::remove(std::string_view login) {
  auto& s = shard_for(login);
  std::lock_guard lock{s.mutex};
  if (auto it = s.bodies.find(login); it != s.bodies.end()) s.bodies.erase(it);
}

void status_view::clear() {
  for (auto& s : shards_) {
    std::lock_guard lock{s.mutex};
    s.bodies.clear();
  }
}

}  // namespace eventsubd::storage
