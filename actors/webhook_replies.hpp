#pragma once

#include "core/errors.hpp"

namespace eventsubd::webhook_replies {

/// The bodies the webhook answers with (shared, built once).
/// `{"status": "success"}` is the old service's answer to a processed notification.
const body_ptr& success();
const body_ptr& duplicate();  // already processed (same message id or same event)
const body_ptr& outdated();   // older than a transition already applied
const body_ptr& ignored();    // a subscription type we do not handle

}  // namespace eventsubd::webhook_replies
