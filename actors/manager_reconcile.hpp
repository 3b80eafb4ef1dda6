#pragma once

#include "actors/subscription_manager.hpp"

// The subscription manager's reconciliation: run it, apply its result, retry it with
// backoff. Split from subscription_manager.cpp, which handles adds, removes and start-up.
namespace eventsubd::manager {

using self_ptr = subscription_manager_actor::stateful_pointer<subscription_manager_state>;

/// Runs a reconciliation now (or right after the one running). Nothing without
/// WEBHOOK_URL: no subscription is attempted at all then.
void reconcile(self_ptr self, const twitch_actor& twitch, const storage_actor& storage);

/// A subscribe or delete failed: a reconciliation will catch up after `retry_after`
/// (one timer however many failed).
void retry_soon(self_ptr self);

}  // namespace eventsubd::manager
