#include "twitch/webhook_replies.hpp"

namespace eventsubd::webhook_replies {

const body_ptr& success() {
  static const body_ptr b = make_body(R"({"status":"success"})");
  return b;
}
const body_ptr& duplicate() {
  static const body_ptr b = make_body(R"({"status":"duplicate"})");
  return b;
}
const body_ptr& outdated() {
  static const body_ptr b = make_body(R"({"status":"outdated"})");
  return b;
}
const body_ptr& ignored() {
  static const body_ptr b = make_body(R"({"status":"ignored"})");
  return b;
}

metrics::outcome outcome_of(const body_ptr& body) {
  if (body == duplicate()) return metrics::outcome::duplicate;
  if (body == outdated()) return metrics::outcome::outdated;
  return metrics::outcome::accepted;
}

}  // namespace eventsubd::webhook_replies
