#include "actors/twitch_errors.hpp"

#include <caf/all.hpp>

namespace eventsubd {

caf::error to_caf_error(const error_info& e) {
  return caf::error(static_cast<uint8_t>(e.code), caf::atom("eventsubd"),
                    caf::make_message(e.detail, int64_t{e.retry_after.count()}));
}

caf::error make_caf_error(errc code, std::string detail,
                          std::chrono::seconds retry_after) {
  return to_caf_error(fail(code, std::move(detail), retry_after));
}

query_result to_query_result(const caf::error& e) {
  if (e.category() == caf::atom("eventsubd")) {
    std::string detail;
    std::chrono::seconds retry_after{0};
    const auto& context = e.context();
    if (context.match_elements<std::string, int64_t>()) {
      detail = context.get_as<std::string>(0);
      retry_after = std::chrono::seconds(context.get_as<int64_t>(1));
    } else if (context.match_elements<std::string>()) {
      detail = context.get_as<std::string>(0);
    }
    return query_result::failure(static_cast<errc>(e.code()), detail, retry_after);
  }
  if (e == caf::sec::request_timeout)
    return query_result::failure(errc::upstream_timeout, "Twitch did not answer in time");
  return query_result::failure(errc::unavailable, "Twitch client unavailable");
}

}  // namespace eventsubd
