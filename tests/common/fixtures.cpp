#include "tests/common/fixtures.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace eventsubd::testing {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(EVENTSUBD_FIXTURES_DIR) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* eventsubd_binary() {
  return EVENTSUBD_BINARY;
}

}  // namespace eventsubd::testing
