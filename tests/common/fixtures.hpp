#pragma once

#include <string>

namespace eventsubd::testing {

/// The bytes of a file in tests/fixtures (exact, no newline added or removed).
std::string fixture(const std::string& name);

/// Path of the eventsubd binary built with the tests (or the one chosen below).
const char* eventsubd_binary();

/// Makes server_process run another build of the server from now on, e.g. the one
/// with the test-only extensions (tests/extensions). Call before starting servers.
void use_eventsubd_binary(const char* path);

}  // namespace eventsubd::testing
