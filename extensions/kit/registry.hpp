#pragma once

#include "extensions/kit/kit.hpp"

#include <vector>

namespace eventsubd::ext {

/// Every extension built into this binary, in registration order. Defined by the
/// registry CMake generates from the `eventsubd_extension(...)` lines (one registry
/// per binary: the server's, and the tests' with the test-only extensions too).
const std::vector<extension_info>& registered_extensions();

}  // namespace eventsubd::ext
