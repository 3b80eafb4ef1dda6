#include "core/metrics_registry.hpp"

#include "core/metrics.hpp"

#include <gtest/gtest.h>

namespace eventsubd::metrics {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MetricsRegistry, SeriesAreSharedByNameAndLabelsAndRenderedLast) {
  auto a = register_counter("test_reg_events_total", "Events.\nSecond line",
                            {{"kind", "a\"b"}});
  ASSERT_TRUE(a.ok());
  a->add(2);
  register_counter("test_reg_events_total", "ignored", {{"kind", "a\"b"}})->add();
  register_counter("test_reg_events_total", "ignored", {{"kind", "c"}})->add(5);
  auto g = register_gauge("test_reg_level", "Level.");
  ASSERT_TRUE(g.ok());
  g->set(7);
  g->add(-10);
  auto text = render_prometheus({});  // no route labels: only the registry matters here
  EXPECT_TRUE(has(text,
                  "# HELP test_reg_events_total Events.\\nSecond line\n"
                  "# TYPE test_reg_events_total counter\n"
                  "test_reg_events_total{kind=\"a\\\"b\"} 3\n"
                  "test_reg_events_total{kind=\"c\"} 5\n"))
      << text;
  EXPECT_TRUE(has(text, "# TYPE test_reg_level gauge\ntest_reg_level -3\n")) << text;
  EXPECT_GT(text.find("test_reg_level"), text.find("process_start_time_seconds"));
}

TEST(MetricsRegistry, InvalidNamesAndTypeClashesAreRefused) {
  EXPECT_FALSE(register_counter("9lives", "x").ok());
  EXPECT_FALSE(register_counter("with-dash", "x").ok());
  EXPECT_FALSE(register_counter("ok_name", "x", {{"bad-label", "v"}}).ok());
  EXPECT_FALSE(register_counter("ok_name", "x", {{"__reserved", "v"}}).ok());
  ASSERT_TRUE(register_counter("test_reg_clash", "x").ok());
  auto clash = register_gauge("test_reg_clash", "x");
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, errc::conflict);
  registered_counter inert;
  inert.add();
  EXPECT_EQ(inert.value(), 0u);
}

}  // namespace
}  // namespace eventsubd::metrics
