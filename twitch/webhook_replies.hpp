#pragma once

#include "core/metrics.hpp"
#include "core/reply.hpp"

namespace eventsubd::webhook_replies {

/// The bodies the webhook answers with (shared, built once).
/// `{"status": "success"}` is the old service's answer to a processed notification.
const body_ptr& success();
const body_ptr& duplicate();  // already processed (same message id or same event)
const body_ptr& outdated();   // older than a transition already applied
const body_ptr& ignored();    // a subscription type we do not handle

/// How a processed notification's answer counts in the metrics (accepted, duplicate or
/// outdated), told by which shared body it is.
metrics::outcome outcome_of(const body_ptr& body);

}  // namespace eventsubd::webhook_replies
