#pragma once

#include "actors/interfaces.hpp"
#include "actors/storage_actor.hpp"
#include "storage/memory_backend.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <mutex>
#include <vector>

namespace eventsubd::testing {

/// A reply channel whose answer a test can wait for.
struct captured_reply {
  std::shared_ptr<std::promise<query_result>> promise =
      std::make_shared<std::promise<query_result>>();
  std::future<query_result> future = promise->get_future();
  reply_once channel() {
    return reply_once{[p = promise](query_result r) { p->set_value(std::move(r)); }};
  }
  query_result get() {
    if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
      return query_result::failure(errc::internal, "no reply within 5 s");
    return future.get();
  }
};

/// The storage actor (and its writer), once it has loaded the backend's data.
inline storage_actor spawn_loaded_storage(caf::actor_system& sys,
                                          std::shared_ptr<storage::backend> backend,
                                          storage_options opts = {}) {
  auto storage = spawn_storage(sys, std::move(backend), opts);
  caf::scoped_actor self{sys};
  self->request(storage, std::chrono::seconds(5), ready_atom::value)
      .receive([](caf::ok_atom) {},
               [](const caf::error&) { ADD_FAILURE() << "storage did not load"; });
  return storage;
}

/// A memory backend that can be taken down as Redis can: writes and pings fail (and
/// loads too, with `fail_loads`), or only writes fail (`refuse_writes`, as Redis does
/// for an ACL without the command). Durable like Redis, so the storage actor writes to
/// it.
class flaky_backend : public storage::memory_backend {
 public:
  bool durable() const override { return true; }
  std::atomic<bool> down{false};
  std::atomic<bool> fail_loads{false};
  std::atomic<bool> refuse_writes{false};
  std::atomic<int> batches{0};  // batches applied
  std::atomic<int> refused{0};  // batches refused with `refuse_writes`
  std::atomic<int> pings{0};
  bool connected() override { return !down; }
  result<void> ping() override {
    ++pings;
    return memory_backend::ping();
  }
  result<void> apply(const std::vector<storage::write_op>& ops) override {
    if (down) return fail(errc::unavailable, "injected outage");
    if (refuse_writes) {
      ++refused;
      return fail(errc::unavailable, "NOPERM injected refusal");
    }
    ++batches;
    return memory_backend::apply(ops);
  }
  result<std::vector<streamer_record>> load_streamers() override {
    if (fail_loads) return fail(errc::unavailable, "injected load failure");
    return memory_backend::load_streamers();
  }
};

/// Collects what an event-bus listener receives.
struct change_log {
  std::mutex mutex;
  std::vector<stream_change> changes;
  void add(stream_change c) {
    std::lock_guard<std::mutex> g{mutex};
    changes.push_back(std::move(c));
  }
  size_t size() {
    std::lock_guard<std::mutex> g{mutex};
    return changes.size();
  }
  bool wait_for(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (size() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    return size() >= n;
  }
};

inline stream_listener_actor::behavior_type recording_listener(
    stream_listener_actor::pointer, std::shared_ptr<change_log> log) {
  return {[log](const stream_change& c) { log->add(c); }};
}

inline stream_report online_report(const std::string& user_id, const std::string& login,
                                   const std::string& stream_id, sys_time started) {
  stream_report r;
  r.online = true;
  r.message_id = "m-" + stream_id;
  r.event_type = "stream.online";
  r.user_id = user_id;
  r.login = login;
  r.display_name = login;
  r.stream_id = stream_id;
  r.event_raw = R"({"id":")" + stream_id + R"(","broadcaster_user_id":")" + user_id +
                R"(","started_at":")" + format_rfc3339(started) + R"("})";
  r.started_at = started;
  r.sent_at = started;
  return r;
}

inline stream_report offline_report(const std::string& user_id, const std::string& login,
                                    sys_time at) {
  stream_report r;
  r.online = false;
  r.message_id = "off-" + format_rfc3339(at);
  r.event_type = "stream.offline";
  r.user_id = user_id;
  r.login = login;
  r.display_name = login;
  r.event_raw = R"({"broadcaster_user_id":")" + user_id + R"("})";
  r.sent_at = at;
  return r;
}

}  // namespace eventsubd::testing
