#include "actors/errors.hpp"

#include <caf/all.hpp>

namespace eventsubd {
namespace {

constexpr auto category = caf::atom("eventsubd");

/// The detail and Retry-After in an `eventsubd` error's context.
void read_context(const caf::message& context, std::string& detail,
                  std::chrono::seconds& retry_after) {
  if (context.match_elements<std::string, int64_t>()) {
    detail = context.get_as<std::string>(0);
    retry_after = std::chrono::seconds(context.get_as<int64_t>(1));
  } else if (context.match_elements<std::string>()) {
    detail = context.get_as<std::string>(0);
  }
}

}  // namespace

caf::error to_caf_error(const error_info& e) {
  return caf::error(static_cast<uint8_t>(e.code), category,
                    caf::make_message(e.detail, int64_t{e.retry_after.count()}));
}

caf::error make_caf_error(errc code, std::string detail,
                          std::chrono::seconds retry_after) {
  return to_caf_error(fail(code, std::move(detail), retry_after));
}

bool is_eventsubd_error(const caf::error& e) {
  return e.category() == category;
}

query_result to_query_result(const caf::error& e) {
  if (is_eventsubd_error(e)) {
    std::string detail;
    std::chrono::seconds retry_after{0};
    read_context(e.context(), detail, retry_after);
    return query_result::failure(static_cast<errc>(e.code()), detail, retry_after);
  }
  if (e == caf::sec::request_timeout)
    return query_result::failure(errc::upstream_timeout, "Twitch did not answer in time");
  // Storage's and the Twitch side's failures both end here: the text names neither.
  return query_result::failure(errc::unavailable,
                               "internal service unavailable: " + caf::to_string(e));
}

void add_error_renderer(caf::actor_system_config& cfg) {
  cfg.add_error_category(
      category, [](uint8_t code, caf::atom_value, const caf::message& context) {
        std::string detail;
        std::chrono::seconds retry_after{0};
        read_context(context, detail, retry_after);
        return std::string(to_string(static_cast<errc>(code))) + ": " + detail;
      });
}

}  // namespace eventsubd
