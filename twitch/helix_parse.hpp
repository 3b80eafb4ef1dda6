#pragma once

#include "twitch/helix_types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventsubd::twitch {

/// One page of a paginated Helix answer.
template <class T>
struct helix_page {
  std::vector<T> items;
  std::string cursor;  // empty on the last page
};

/// Totals that come with Get/Create EventSub Subscriptions.
struct subscription_totals {
  int64_t total = 0;
  int64_t total_cost = 0;
  int64_t max_total_cost = 0;
};

// Each parser returns nullopt when the body is not the documented shape (garbage from a
// proxy, a truncated answer): the caller treats that as an upstream error.

/// `POST /oauth2/token`: the access token.
std::optional<std::string> parse_token(std::string_view body);

/// `GET /helix/users`.
std::optional<std::vector<twitch_user>> parse_users(std::string_view body);

/// `GET /helix/streams`.
std::optional<helix_page<twitch_stream>> parse_streams(std::string_view body);

/// `GET /helix/eventsub/subscriptions` and the 202 of a create (`data[0]`).
std::optional<helix_page<twitch_subscription>> parse_subscriptions(
    std::string_view body, subscription_totals* totals = nullptr);

/// The `message` of a Helix/OAuth error body, or empty.
std::string parse_error_message(std::string_view body);

}  // namespace eventsubd::twitch
