#pragma once

#include "core/result.hpp"

#include <utility>

namespace eventsubd {

/// For `ASSERT_TRUE(take(out, backend.load_statuses()))`: moves the value into `out`
/// and says whether there was one.
template <class T>
bool take(T& out, result<T> r) {
  if (!r) return false;
  out = std::move(*r);
  return true;
}

}  // namespace eventsubd
