#include "core/errors.hpp"

namespace eventsubd {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::bad_request:
      return "bad_request";
    case errc::unauthorized:
      return "unauthorized";
    case errc::forbidden:
      return "forbidden";
    case errc::not_found:
      return "not_found";
    case errc::method_not_allowed:
      return "method_not_allowed";
    case errc::conflict:
      return "conflict";
    case errc::payload_too_large:
      return "payload_too_large";
    case errc::unprocessable:
      return "unprocessable";
    case errc::too_many_requests:
      return "too_many_requests";
    case errc::headers_too_large:
      return "headers_too_large";
    case errc::unavailable:
      return "unavailable";
    case errc::upstream_error:
      return "upstream_error";
    case errc::upstream_timeout:
      return "upstream_timeout";
    case errc::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace eventsubd
