// The storage actor with a journal: writes acknowledged during an outage are on disk
// first, the journal is emptied once the backend has them and before anything else
// reaches the backend, what the last run left is replayed before loading, and a journal
// that cannot be written holds acknowledgements back.
#include "actors/errors.hpp"
#include "actors/storage_actor.hpp"
#include "actors/storage_writer.hpp"
#include "storage/journal.hpp"
#include "tests/actors/actor_test_support.hpp"
#include "tests/common/eventually.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

namespace eventsubd::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

transition live_transition(const std::string& login, const std::string& id) {
  transition t;
  t.status = {id,
              login,
              login,
              true,
              R"({"id":"s1"})",
              "2024-01-01T00:00:00.000000+00:00",
              "stream.online"};
  t.event = {"msg-" + id,
             "stream.online",
             id,
             login,
             login,
             "2024-01-01T00:00:00.000000+00:00",
             1704067200.0 + std::stoi(id),
             R"({"id":"s1"})",
             ""};
  t.memory.current = stream_memory::phase::live;
  t.memory.live_id = "s-" + id;
  t.seen_id = "msg-" + id;
  t.seen_ttl_s = 600;
  return t;
}

/// The event ids among `ops`, in order.
std::vector<std::string> event_ids(const std::vector<storage::write_op>& ops) {
  std::vector<std::string> ids;
  for (const auto& op : ops)
    if (const auto* e = std::get_if<storage::append_event_op>(&op))
      ids.push_back(e->event.id);
  return ids;
}

/// What happened, in order, across the backend and the journal.
struct timeline {
  std::mutex mutex;
  std::vector<std::string> entries;
  void add(std::string e) {
    std::lock_guard<std::mutex> g{mutex};
    entries.push_back(std::move(e));
  }
  std::vector<std::string> get() {
    std::lock_guard<std::mutex> g{mutex};
    return entries;
  }
  bool has(const std::string& e) {
    auto all = get();
    return std::find(all.begin(), all.end(), e) != all.end();
  }
};

/// Logs every batch it stores ("stored msg-1,msg-2").
class timeline_backend : public flaky_backend {
 public:
  explicit timeline_backend(std::shared_ptr<timeline> t) : t_(std::move(t)) {}
  result<void> apply(const std::vector<storage::write_op>& ops) override {
    auto f = flaky_backend::apply(ops);
    if (f) {
      std::string line = "stored";
      for (const auto& id : event_ids(ops)) line += (line.size() > 6 ? "," : " ") + id;
      t_->add(line);
    }
    return f;
  }

 private:
  std::shared_ptr<timeline> t_;
};

/// A journal writer whose appends can fail and whose resets can be held back.
struct fake_journal {
  std::atomic<bool> fail{false};
  std::shared_ptr<timeline> events = std::make_shared<timeline>();
  std::mutex mutex;
  std::vector<storage::write_op> held;  // what it was given since the last reset
  std::shared_future<void> reset_gate;  // waited for in reset, when valid
};

journal_writer_actor::behavior_type fake_journal_fn(journal_writer_actor::pointer,
                                                    std::shared_ptr<fake_journal> f) {
  return {
      [f](append_atom, const std::string& records) -> caf::result<caf::ok_atom> {
        if (f->fail) return make_caf_error(errc::unavailable, "injected: disk full");
        auto scan = storage::scan_records(records);
        std::string line = "journaled";
        for (const auto& id : event_ids(scan.ops))
          line += (line.size() > 9 ? "," : " ") + id;
        f->events->add(line);
        std::lock_guard<std::mutex> g{f->mutex};
        for (auto& op : scan.ops) f->held.push_back(std::move(op));
        return caf::ok_atom::value;
      },
      [f](reset_atom) -> caf::result<caf::ok_atom> {
        if (f->reset_gate.valid()) f->reset_gate.wait();  // a detached actor: may block
        if (f->fail) return make_caf_error(errc::unavailable, "injected: EIO");
        f->events->add("reset");
        std::lock_guard<std::mutex> g{f->mutex};
        f->held.clear();
        return caf::ok_atom::value;
      },
  };
}

class storage_journal_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "storage-journal-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (storage) caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    storage = nullptr;
    fs::remove_all(dir_);
  }

  std::shared_ptr<storage::journal> open_journal(storage::journal_scan& left) {
    auto opened = storage::journal::open(dir_);
    EXPECT_TRUE(opened) << opened.error().detail;
    if (!opened) return nullptr;
    left = std::move(opened->left);
    return std::move(opened->file);
  }

  /// The ops in the journal file now (read beside the open journal).
  std::vector<storage::write_op> on_disk() {
    std::ifstream in(dir_ + "/" + std::string(storage::journal::file_name),
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto bytes = ss.str();
    return storage::scan_records(bytes.substr(storage::journal::file_header.size())).ops;
  }

  bool record(const transition& t, std::chrono::milliseconds timeout = 5s) {
    bool ok = false;
    self->request(storage, timeout, record_atom::value, t)
        .receive([&](caf::ok_atom) { ok = true; }, [&](const caf::error&) {});
    return ok;
  }

  std::string record_error(const transition& t) {
    std::string why;
    self->request(storage, 5s, record_atom::value, t)
        .receive([&](caf::ok_atom) {},
                 [&](const caf::error& err) { why = sys.render(err); });
    return why;
  }

  errc health() {
    captured_reply reply;
    caf::anon_send(storage, health_atom::value, reply.channel());
    return reply.get().code;
  }

  bool ready(std::chrono::milliseconds timeout) {
    bool ok = false;
    self->request(storage, timeout, ready_atom::value)
        .receive([&](caf::ok_atom) { ok = true; }, [](const caf::error&) {});
    return ok;
  }

  std::vector<std::string> stored_event_ids(storage::backend& b) {
    std::vector<event_record> events;
    events = b.load_events(1000).value();
    std::vector<std::string> ids;
    for (auto it = events.rbegin(); it != events.rend(); ++it) ids.push_back(it->id);
    return ids;  // oldest first
  }

  /// The storage actor with `journal_writer` in place of the real one.
  void spawn_with(std::shared_ptr<storage::backend> backend,
                  journal_writer_actor journal_writer) {
    storage_options opts;
    opts.durable = true;
    opts.backend_name = "test";
    auto writer = sys.spawn(storage_writer_fn, std::move(backend));
    storage = sys.spawn(storage_fn, writer, journal_writer, opts);
    ASSERT_TRUE(ready(5s));
  }

  std::string dir_;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  storage_actor storage;
};

TEST_F(storage_journal_test,
       outage_writes_are_on_disk_when_acknowledged_and_dropped_once_stored) {
  auto backend = std::make_shared<flaky_backend>();
  storage::journal_scan left;
  storage_options opts;
  opts.journal = open_journal(left);
  storage = spawn_loaded_storage(sys, backend, opts);

  ASSERT_TRUE(record(live_transition("alpha", "1")));  // stored: nothing on disk
  EXPECT_TRUE(on_disk().empty());
  backend->down = true;
  // The first one finds the backend down; both are answered once on disk.
  ASSERT_TRUE(record(live_transition("beta", "2")));
  EXPECT_EQ(event_ids(on_disk()), (std::vector<std::string>{"msg-2"}));
  ASSERT_TRUE(record(live_transition("gamma", "3")));
  auto ops = on_disk();
  EXPECT_EQ(event_ids(ops), (std::vector<std::string>{"msg-2", "msg-3"}));
  EXPECT_EQ(ops.size(), 8u);  // status, event, memory, seen id: each write whole
  EXPECT_EQ(health(), errc::unavailable);

  backend->down = false;
  ASSERT_TRUE(eventually([&] { return health() == errc::ok; }));
  ASSERT_TRUE(eventually([&] { return on_disk().empty(); }));
  EXPECT_EQ(stored_event_ids(*backend),
            (std::vector<std::string>{"msg-1", "msg-2", "msg-3"}));
}

TEST_F(storage_journal_test, what_the_last_run_left_is_replayed_in_order_before_loading) {
  {
    storage::journal_scan left;
    auto j = open_journal(left);
    std::string records;
    for (int n = 1; n <= 3; ++n) {
      auto t = live_transition("replayed" + std::to_string(n), std::to_string(n));
      std::vector<storage::write_op> ops{storage::put_status_op{t.status},
                                         storage::append_event_op{t.event, 1000}};
      storage::append_record(records, ops);
    }
    ASSERT_TRUE(j->append(records));
  }
  auto backend = std::make_shared<flaky_backend>();
  backend->down = true;  // the replay waits for it
  storage::journal_scan left;
  storage_options opts;
  opts.journal = open_journal(left);
  opts.replay = std::move(left.ops);
  storage = spawn_storage(sys, backend, opts);
  EXPECT_FALSE(ready(1500ms));  // not loaded, not serving, until the replay is done
  EXPECT_TRUE(stored_event_ids(*backend).empty());

  backend->down = false;
  ASSERT_TRUE(ready(10s));
  EXPECT_EQ(stored_event_ids(*backend),
            (std::vector<std::string>{"msg-1", "msg-2", "msg-3"}));
  // Loaded after the replay: the read model shows it.
  captured_reply status;
  caf::anon_send(storage, status_atom::value, std::string("replayed3"), status.channel());
  EXPECT_TRUE(status.get().ok());
  ASSERT_TRUE(eventually([&] { return on_disk().empty(); }));
}

TEST_F(storage_journal_test, a_replay_of_writes_the_backend_already_has_adds_nothing) {
  // A crash after the backend took the journal's writes and before the journal was
  // emptied: the next start replays them again.
  auto backend = std::make_shared<flaky_backend>();
  std::vector<storage::write_op> ops;
  for (int n = 1; n <= 3; ++n) {
    auto t = live_transition("again" + std::to_string(n), std::to_string(n));
    ops.push_back(storage::put_status_op{t.status});
    ops.push_back(storage::append_event_op{t.event, 1000});
  }
  ASSERT_TRUE(backend->apply(ops));
  storage::journal_scan left;
  storage_options opts;
  opts.journal = open_journal(left);
  opts.replay = ops;
  storage = spawn_loaded_storage(sys, backend, opts);
  EXPECT_EQ(stored_event_ids(*backend),
            (std::vector<std::string>{"msg-1", "msg-2", "msg-3"}));
}

TEST_F(storage_journal_test,
       nothing_else_reaches_the_backend_before_the_journal_is_emptied) {
  auto events = std::make_shared<timeline>();
  auto backend = std::make_shared<timeline_backend>(events);
  auto fake = std::make_shared<fake_journal>();
  fake->events = events;
  std::promise<void> gate;
  fake->reset_gate = gate.get_future().share();
  // Opened whatever happens, or the held reset would keep its thread (and the test).
  bool opened = false;
  auto open_gate = [&gate, &opened] {
    if (!std::exchange(opened, true)) gate.set_value();
  };
  struct closer {
    std::function<void()> f;
    ~closer() { f(); }
  } always{open_gate};
  spawn_with(backend, sys.spawn<caf::detached>(fake_journal_fn, fake));

  backend->down = true;
  ASSERT_TRUE(record(live_transition("a", "1")));  // journaled
  backend->down = false;
  ASSERT_TRUE(eventually([&] { return events->has("stored msg-1"); }));
  // The reset is held: a write arriving now may not reach the backend before it.
  auto second = std::async(std::launch::async, [&] {
    caf::scoped_actor other{sys};
    bool ok = false;
    other->request(storage, 10s, record_atom::value, live_transition("b", "2"))
        .receive([&](caf::ok_atom) { ok = true; }, [](const caf::error&) {});
    return ok;
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(events->has("stored msg-2"));
  open_gate();
  EXPECT_TRUE(second.get());
  ASSERT_TRUE(events->has("stored msg-2"));
  EXPECT_EQ(events->get(), (std::vector<std::string>{"journaled msg-1", "stored msg-1",
                                                     "reset", "stored msg-2"}));
}

TEST_F(storage_journal_test,
       a_journal_that_cannot_be_written_holds_acknowledgements_back) {
  auto backend = std::make_shared<flaky_backend>();
  auto fake = std::make_shared<fake_journal>();
  spawn_with(backend, sys.spawn<caf::detached>(fake_journal_fn, fake));

  fake->fail = true;
  backend->down = true;
  // Not acknowledged: it could only wait in memory.
  EXPECT_FALSE(record(live_transition("a", "1"), 700ms));
  // New writes are refused at once (Twitch retries them later), and health says so.
  EXPECT_NE(record_error(live_transition("b", "2")).find("journal cannot be written"),
            std::string::npos);
  EXPECT_EQ(health(), errc::unavailable);

  fake->fail = false;  // retried: the waiting write goes in
  ASSERT_TRUE(eventually([&] { return fake->events->has("journaled msg-1"); }));
  ASSERT_TRUE(record(live_transition("c", "3")));
  backend->down = false;
  ASSERT_TRUE(eventually([&] { return health() == errc::ok; }));
  // Healthy as soon as the backend answers, while the replay may still be going on: the
  // journal is reset only once the backend has every write it held.
  ASSERT_TRUE(eventually([&] { return fake->events->has("reset"); }));
  EXPECT_EQ(stored_event_ids(*backend), (std::vector<std::string>{"msg-1", "msg-3"}));
}

}  // namespace
}  // namespace eventsubd::testing
