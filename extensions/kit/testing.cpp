#include "extensions/kit/testing.hpp"

#include "actors/event_bus.hpp"
#include "actors/storage_actor.hpp"
#include "extensions/kit/registry.hpp"
#include "storage/memory_backend.hpp"

#include <caf/all.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>
#include <thread>

namespace eventsubd::ext::testing {

/// Keeps every message logged to it.
class capture_sink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard<std::mutex> guard{mutex_};
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    text_.append(msg.payload.data(), msg.payload.size()).append("\n");
  }
  void flush_() override {}

 private:
  std::string text_;
};

namespace {

template <class... Ts>
void ask_storage(caf::actor_system& sys, const storage_actor& storage, Ts&&... xs) {
  caf::scoped_actor self{sys};
  self->request(storage, std::chrono::seconds(5), std::forward<Ts>(xs)...)
      .receive([](caf::ok_atom) {},
               [](const caf::error& err) {
                 throw std::runtime_error("storage refused: " + caf::to_string(err));
               });
}

}  // namespace

test_host::test_host(std::map<std::string, std::string> variables, twitch_actor twitch)
    : sys_(cfg_),
      variables_(std::move(variables)),
      started_(std::make_shared<started_actors>()),
      running_(started_),
      sink_(std::make_shared<capture_sink>()) {
  services_.system = &sys_;
  services_.bus = sys_.spawn(event_bus_fn);
  services_.storage = spawn_storage(sys_, std::make_shared<storage::memory_backend>());
  services_.twitch = std::move(twitch);
  ask_storage(sys_, services_.storage, ready_atom::value);
}

test_host::~test_host() {
  running_.stop();
  caf::anon_send_exit(services_.bus, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(services_.storage, caf::exit_reason::user_shutdown);
  services_ = {};
  sys_.await_all_actors_done();
  for (const auto& name : loggers_) spdlog::drop(name);
}

result<void> test_host::start(const std::string& name) {
  const auto& all = registered_extensions();
  if (auto problem = extensions_problem(all, {name}); !problem.empty())
    return fail(errc::bad_request, problem);
  spdlog::drop(name);
  auto logger = std::make_shared<spdlog::logger>(name, sink_);
  logger->set_level(spdlog::level::trace);
  spdlog::register_logger(logger);
  loggers_.push_back(name);
  auto ctx = make_context(name, variables_, services_, started_);
  if (!ctx) return ctx.error();
  for (const auto& info : all)
    if (name == info.name) return info.start(*ctx);
  return {};
}

void test_host::put_streamer(const streamer_record& s) {
  ask_storage(sys_, services_.storage, caf::put_atom::value, s);
}

void test_host::put_status(const stream_status& s) {
  status_update update;
  update.status = s;
  ask_storage(sys_, services_.storage, caf::put_atom::value, std::move(update));
}

void test_host::publish(const stream_change& change) {
  caf::anon_send(services_.bus, publish_atom::value, change);
}

std::string test_host::log_text() const {
  return sink_->text();
}

bool test_host::wait_for_log(const std::string& text,
                             std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (log_text().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace eventsubd::ext::testing
