#pragma once
// The writes one applied stream.online webhook makes (its status, its event, its
// message id), for storage tests that need realistic batches.
#include "storage/backend.hpp"
#include "storage/write_op.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace eventsubd::testing {

inline std::vector<storage::write_op> a_webhooks_writes(const std::string& login) {
  stream_status s;
  s.user_id = "id-" + login;
  s.username = login;
  s.display_name = login;
  s.is_live = true;
  s.stream_data = R"({"id":"1"})";
  s.last_updated = "2024-01-15T11:45:23.123456+00:00";
  s.last_event_type = "stream.online";
  event_record e;
  e.id = "msg-" + login;
  e.event_type = "stream.online";
  e.broadcaster_id = s.user_id;
  e.broadcaster_login = login;
  e.broadcaster_name = login;
  e.timestamp = s.last_updated;
  e.score = 1705319123.0;
  e.data = s.stream_data;
  return {storage::put_status_op{s}, storage::append_event_op{e, storage::events_kept},
          storage::mark_seen_op{"seen-" + login, std::chrono::seconds(600)}};
}

}  // namespace eventsubd::testing
