#include "storage/backend.hpp"

namespace eventsubd::storage {
namespace {

/// Runs one op through a backend's single-record calls.
struct apply_one {
  backend& b;
  failure operator()(const put_streamer_op& op) const {
    return b.put_streamer(op.streamer);
  }
  failure operator()(const remove_streamer_op& op) const {
    bool existed = false;
    if (auto f = b.remove_streamer(op.username, existed)) return f;
    // The storage actor only queues a removal of a monitored streamer; its status goes
    // with it even when a replay finds the streamer already gone.
    return existed ? failure{} : b.remove_status(op.username);
  }
  failure operator()(const put_status_op& op) const { return b.put_status(op.status); }
  failure operator()(const remove_status_op& op) const {
    return b.remove_status(op.username);
  }
  failure operator()(const append_event_op& op) const {
    return b.append_event(op.event, op.keep);
  }
  failure operator()(const mark_seen_op& op) const {
    return b.mark_seen(op.message_id, op.ttl);
  }
  failure operator()(const put_stream_memory_op& op) const {
    return b.put_stream_memory(op.user_id, op.memory);
  }
  failure operator()(const remove_stream_memory_op& op) const {
    return b.remove_stream_memory(op.user_id);
  }
};

}  // namespace

failure backend::apply(const std::vector<write_op>& ops) {
  for (const auto& op : ops)
    if (auto f = std::visit(apply_one{*this}, op)) return f;
  return {};
}

}  // namespace eventsubd::storage
