#include "core/config_options.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace eventsubd {
namespace {

TEST(ConfigOptions, FlagIsTheVariableLowercasedWithDashes) {
  EXPECT_EQ(flag_of("PORT"), "--port");
  EXPECT_EQ(flag_of("REDIS_WAIT_TIMEOUT_MS"), "--redis-wait-timeout-ms");
}

TEST(ConfigOptions, VariablesAndFlagsAreUniqueAndEveryOptionHasHelp) {
  std::set<std::string> variables;
  std::set<std::string> flags;
  for (const auto& spec : config_options()) {
    EXPECT_TRUE(variables.insert(spec.env).second) << spec.env;
    EXPECT_TRUE(flags.insert(flag_of(spec.env)).second) << spec.env;
    EXPECT_NE(std::string(spec.help), "") << spec.env;
    EXPECT_TRUE(spec.apply) << spec.env;
  }
  EXPECT_GT(variables.size(), 20u);
}

TEST(ConfigOptions, EveryDefaultIsAValueTheOptionAccepts) {
  for (const auto& spec : config_options()) {
    config c;
    EXPECT_EQ(spec.apply(c, spec.default_text), "") << spec.env;
  }
}

TEST(ConfigOptions, NumericOptionsAcceptTheirRangeAndNothingBeyond) {
  size_t numeric = 0;
  for (const auto& spec : config_options()) {
    if (!spec.range) continue;
    ++numeric;
    const auto& r = *spec.range;
    EXPECT_EQ(r.variable, spec.env);
    EXPECT_LT(r.lo, r.hi) << spec.env;
    config c;
    EXPECT_EQ(spec.apply(c, std::to_string(r.lo)), "") << spec.env;
    EXPECT_EQ(spec.apply(c, std::to_string(r.hi)), "") << spec.env;
    for (long bad : {r.lo - 1, r.hi + 1}) {
      auto err = spec.apply(c, std::to_string(bad));
      EXPECT_NE(err.find(spec.env), std::string::npos) << err;
      EXPECT_NE(err.find(range_text(r)), std::string::npos) << err;
    }
    EXPECT_NE(spec.apply(c, "12abc"), "") << spec.env;
  }
  EXPECT_EQ(numeric, numeric_ranges().size());
}

TEST(ConfigOptions, RangeTextIsFromLoToHi) {
  EXPECT_EQ(range_text({"X", 10, 86400}), "from 10 to 86400");
}

}  // namespace
}  // namespace eventsubd
