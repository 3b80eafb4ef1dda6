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

namespace {
const char* binary_override = nullptr;
}

const char* eventsubd_binary() {
  return binary_override ? binary_override : EVENTSUBD_BINARY;
}

void use_eventsubd_binary(const char* path) {
  binary_override = path;
}

}  // namespace eventsubd::testing
