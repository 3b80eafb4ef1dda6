// The README's "Writing an extension" shows extensions/hello/ (test-only) verbatim, so
// the walk-through is compiled and tested.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The ```cpp blocks of the README's section `heading`, each with its newlines.
std::vector<std::string> cpp_blocks(const std::string& heading) {
  std::istringstream in(read_all(std::string(EVENTSUBD_SOURCE_DIR) + "/README.md"));
  std::vector<std::string> blocks;
  bool in_section = false, in_block = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line == heading;
    if (!in_section) continue;
    if (in_block && line == "```") {
      in_block = false;
    } else if (in_block) {
      blocks.back() += line + "\n";
    } else if (line == "```cpp") {
      in_block = true;
      blocks.emplace_back();
    }
  }
  return blocks;
}

TEST(readme_example, is_the_hello_extension_verbatim) {
  auto blocks = cpp_blocks("## Writing an extension");
  ASSERT_EQ(blocks.size(), 2u);
  auto dir = std::string(EVENTSUBD_SOURCE_DIR) + "/extensions/hello/";
  EXPECT_EQ(blocks[0], read_all(dir + "hello.cpp"));
  EXPECT_EQ(blocks[1], read_all(dir + "hello_test.cpp"));
}

}  // namespace
