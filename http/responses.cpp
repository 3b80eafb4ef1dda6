#include "http/responses.hpp"

#include "core/json_codec.hpp"

#include <boost/beast/http/field.hpp>

namespace eventsubd::http {

namespace bh = boost::beast::http;

bh::status status_for(errc code) {
  switch (code) {
    case errc::ok:
      return bh::status::ok;
    case errc::bad_request:
      return bh::status::bad_request;
    case errc::unauthorized:
      return bh::status::unauthorized;
    case errc::forbidden:
      return bh::status::forbidden;
    case errc::not_found:
      return bh::status::not_found;
    case errc::method_not_allowed:
      return bh::status::method_not_allowed;
    case errc::conflict:
      return bh::status::conflict;
    case errc::payload_too_large:
      return bh::status::payload_too_large;
    case errc::unprocessable:
      return bh::status::unprocessable_entity;
    case errc::too_many_requests:
      return bh::status::too_many_requests;
    case errc::headers_too_large:
      return bh::status::request_header_fields_too_large;
    case errc::unavailable:
      return bh::status::service_unavailable;
    case errc::upstream_error:
      return bh::status::bad_gateway;
    case errc::upstream_timeout:
      return bh::status::gateway_timeout;
    case errc::internal:
      return bh::status::internal_server_error;
  }
  return bh::status::internal_server_error;
}

std::string_view content_type(body_kind kind) {
  switch (kind) {
    case body_kind::json:
      return "application/json";
    case body_kind::text:
      return "text/plain";
    case body_kind::html:
      return "text/html; charset=utf-8";
    case body_kind::css:
      return "text/css; charset=utf-8";
    case body_kind::javascript:
      return "application/javascript; charset=utf-8";
    case body_kind::png:
      return "image/png";
    case body_kind::prometheus:
      return "text/plain; version=0.0.4; charset=utf-8";
  }
  return "application/octet-stream";
}

response make_response(const query_result& result, unsigned version, bool keep_alive) {
  response res{status_for(result.code), version};
  res.set(bh::field::server, "eventsubd");
  if (result.body) {
    res.set(bh::field::content_type, content_type(result.kind));
    res.body() = result.body;
  } else {
    res.set(bh::field::content_type, "application/json");
    res.body() = make_body(detail_json(result.detail));
  }
  if (result.code == errc::unauthorized) res.set(bh::field::www_authenticate, "Bearer");
  if (result.retry_after.count() > 0)
    res.set(bh::field::retry_after, std::to_string(result.retry_after.count()));
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

response error_response(errc code, std::string_view detail, unsigned version,
                        bool keep_alive) {
  return make_response(query_result::failure(code, std::string(detail)), version,
                       keep_alive);
}

}  // namespace eventsubd::http
