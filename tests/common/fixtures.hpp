#pragma once

#include <string>

namespace eventsubd::testing {

/// The bytes of a file in tests/fixtures (exact, no newline added or removed).
std::string fixture(const std::string& name);

/// Path of the eventsubd binary built with the tests.
const char* eventsubd_binary();

}  // namespace eventsubd::testing
