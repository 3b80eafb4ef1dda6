// How the actors' CAF errors come back as HTTP-ready results (actors/errors).
#include "actors/errors.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

namespace eventsubd::testing {
namespace {

TEST(to_query_result, an_eventsubd_error_keeps_its_code_detail_and_retry_after) {
  auto r = to_query_result(
      make_caf_error(errc::too_many_requests, "slow down", std::chrono::seconds(7)));
  EXPECT_EQ(r.code, errc::too_many_requests);
  EXPECT_EQ(r.detail, "slow down");
  EXPECT_EQ(r.retry_after, std::chrono::seconds(7));
}

TEST(to_query_result, a_request_timeout_is_upstream_timeout) {
  EXPECT_EQ(to_query_result(caf::sec::request_timeout).code, errc::upstream_timeout);
}

TEST(to_query_result, any_other_caf_error_is_unavailable_and_names_no_one_service) {
  auto r = to_query_result(caf::sec::request_receiver_down);
  EXPECT_EQ(r.code, errc::unavailable);
  EXPECT_EQ(r.detail,
            "internal service unavailable: system_error(request_receiver_down)");
}

}  // namespace
}  // namespace eventsubd::testing
