#pragma once

#include "core/result.hpp"

#include <caf/error.hpp>

#include <functional>
#include <string_view>

namespace eventsubd::ext {

/// How the kit answers an asynchronous read: once, on the actor that asked, with the
/// value or why there is none (an error_info: code, detail, Retry-After).
template <class T>
using callback = std::function<void(result<T>)>;

/// A failed request to `dependency` ("storage", "Twitch") as an error_info: our own
/// error codes pass through; a timeout is upstream_timeout, anything else unavailable.
error_info to_error_info(const caf::error& err, std::string_view dependency);

}  // namespace eventsubd::ext
