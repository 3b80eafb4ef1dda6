#pragma once

#include <chrono>
#include <thread>

namespace eventsubd::testing {

/// Polls `pred` every `every` (2 ms) until it holds or `limit` passes; false on timeout.
/// The way unit tests wait for something another thread does (never a bare sleep). A
/// costly `pred` (a fresh connection per call) asks less often.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10),
                std::chrono::milliseconds every = std::chrono::milliseconds(2)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(every);
  }
  return true;
}

}  // namespace eventsubd::testing
