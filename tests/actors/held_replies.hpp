#pragma once

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <utility>

namespace eventsubd::testing {

/// Tells a fake actor to send the oldest reply it holds back.
using release_atom = caf::atom_constant<caf::atom("release")>;

/// Replies a fake actor holds back until the test releases them (with `release_atom`,
/// so that each is delivered from inside the fake actor, as CAF requires).
struct held_replies {
  std::deque<std::function<void()>> replies;  // oldest first

  bool empty() const { return replies.empty(); }
  size_t size() const { return replies.size(); }

  /// Answers the current request with `value`, once released.
  template <class T, class Self>
  caf::result<T> hold(Self* self, T value) {
    auto rp = self->template make_response_promise<T>();
    replies.push_back([rp, v = std::move(value)]() mutable { rp.deliver(std::move(v)); });
    return rp;
  }
  /// Answers the current request with `err`, once released.
  template <class T, class Self>
  caf::result<T> hold_error(Self* self, caf::error err) {
    auto rp = self->template make_response_promise<T>();
    replies.push_back([rp, e = std::move(err)]() mutable { rp.deliver(std::move(e)); });
    return rp;
  }
  /// The `release_atom` handler: sends the oldest held reply.
  void release_one() {
    ASSERT_FALSE(replies.empty()) << "no reply is held";
    auto reply = std::move(replies.front());
    replies.pop_front();
    reply();
  }
};

}  // namespace eventsubd::testing
