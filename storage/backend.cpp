#include "storage/backend.hpp"

namespace eventsubd::storage {
namespace {

/// Runs one op through a backend's single-record calls.
struct apply_one {
  backend& b;
  result<void> operator()(const put_streamer_op& op) const {
    return b.put_streamer(op.streamer);
  }
  result<void> operator()(const remove_streamer_op& op) const {
    auto existed = b.remove_streamer(op.username);
    if (!existed) return existed.error();
    // The storage actor only queues a removal of a monitored streamer; its status goes
    // with it even when a replay finds the streamer already gone.
    if (*existed) return {};
    return b.remove_status(op.username);
  }
  result<void> operator()(const put_status_op& op) const {
    return b.put_status(op.status);
  }
  result<void> operator()(const remove_status_op& op) const {
    return b.remove_status(op.username);
  }
  result<void> operator()(const append_event_op& op) const {
    return b.append_event(op.event, op.keep);
  }
  result<void> operator()(const mark_seen_op& op) const {
    return b.mark_seen(op.message_id, op.ttl);
  }
  result<void> operator()(const put_stream_memory_op& op) const {
    return b.put_stream_memory(op.user_id, op.memory);
  }
  result<void> operator()(const remove_stream_memory_op& op) const {
    return b.remove_stream_memory(op.user_id);
  }
};

}  // namespace

result<void> backend::apply(const std::vector<write_op>& ops) {
  for (const auto& op : ops)
    if (auto done = std::visit(apply_one{*this}, op); !done) return done;
  return {};
}

}  // namespace eventsubd::storage
