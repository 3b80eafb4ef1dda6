#include "extensions/kit/callback.hpp"

#include "actors/errors.hpp"

#include <caf/all.hpp>

#include <string>

namespace eventsubd::ext {

error_info to_error_info(const caf::error& err, std::string_view dependency) {
  if (err.category() == caf::atom("eventsubd")) {
    auto r = to_query_result(err);
    return fail(r.code, r.detail, r.retry_after);
  }
  if (err == caf::sec::request_timeout)
    return fail(errc::upstream_timeout,
                std::string(dependency) + " did not answer in time");
  return fail(errc::unavailable, std::string(dependency) + " is not available");
}

}  // namespace eventsubd::ext
