// The status view (storage/status_view): the status bodies the read model publishes to
// the HTTP threads, and readers on other threads while the writer changes them.
#include "storage/status_view.hpp"

#include "core/json_codec.hpp"
#include "storage/backend.hpp"
#include "storage/read_model.hpp"
#include "tests/storage/read_model_fixture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace eventsubd::storage::read_model_tests {
namespace {

// --- the published status view --------------------------------------------------------

TEST_F(ReadModel, PublishedViewHoldsTheSameBodiesAsTheModel) {
  model_.put_status(status("before", true));  // published when the view is attached
  auto view = std::make_shared<status_view>();
  model_.publish_to(view);
  model_.put_status(status("after", false));
  for (const char* login : {"before", "after"}) {
    ASSERT_NE(view->find(login), nullptr) << login;
    EXPECT_EQ(view->find(login), model_.status_body(login))
        << login;  // shared, not copied
  }
  EXPECT_EQ(view->find("nobody"), nullptr);
  EXPECT_EQ(view->find("Before"), nullptr);  // exact, like the model
}

TEST_F(ReadModel, PublishedViewFollowsUpdatesRenamesAndRemovals) {
  auto view = std::make_shared<status_view>();
  model_.publish_to(view);
  model_.put_streamer(streamer("alice"));
  model_.put_status(status("alice", false));
  model_.put_status(status("alice", true));
  EXPECT_EQ(*view->find("alice"), to_json(status("alice", true), "storage"));
  model_.remove_status("alice");
  EXPECT_EQ(view->find("alice"), nullptr);
  model_.put_status(status("alice", true));
  EXPECT_TRUE(model_.remove_streamer("alice"));
  EXPECT_EQ(view->find("alice"), nullptr);
}

TEST_F(ReadModel, PublishedViewIsReplacedOnLoad) {
  auto view = std::make_shared<status_view>();
  model_.publish_to(view);
  model_.put_status(status("old", true));
  model_.load({}, {status("fresh", false)}, {}, events_kept);
  EXPECT_EQ(view->find("old"), nullptr);
  ASSERT_NE(view->find("fresh"), nullptr);
  EXPECT_EQ(view->find("fresh"), model_.status_body("fresh"));
}

TEST(StatusView, ReadersOnOtherThreadsSeeWholeBodiesWhileTheWriterChangesThem) {
  status_view view;
  std::atomic<bool> done{false};
  std::atomic<long> seen{0};
  auto reader = [&] {
    while (!done.load()) {
      for (int i = 0; i < 64; ++i) {
        auto body = view.find("user" + std::to_string(i));
        if (!body) continue;
        // Every body is one of the versions the writer made, never a torn one.
        ASSERT_EQ(body->rfind("user" + std::to_string(i) + ":", 0), 0u) << *body;
        ++seen;
      }
    }
  };
  std::thread a{reader}, b{reader};
  for (int round = 0; round < 2000; ++round)
    for (int i = 0; i < 64; ++i) {
      auto login = "user" + std::to_string(i);
      if (round % 7 == 3 && i % 5 == 0)
        view.remove(login);
      else
        view.put(login, make_body(login + ":" + std::to_string(round)));
    }
  done = true;
  a.join();
  b.join();
  EXPECT_GT(seen.load(), 0);
  EXPECT_EQ(*view.find("user1"), "user1:1999");
  view.clear();
  EXPECT_EQ(view.find("user1"), nullptr);
}

}  // namespace
}  // namespace eventsubd::storage::read_model_tests
