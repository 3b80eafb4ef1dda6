#include "core/extension_config.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cctype>

namespace eventsubd {
namespace {

bool lower_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool upper_word_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

bool valid_extension_name(std::string_view name) {
  if (name.empty() || name.size() > 40 || name.front() < 'a' || name.front() > 'z')
    return false;
  return std::all_of(name.begin(), name.end(), lower_word_char);
}

result<std::vector<std::string>> parse_extension_list(std::string_view value) {
  std::vector<std::string> names;
  while (!value.empty()) {
    auto comma = value.find(',');
    auto item = to_lower(trim(value.substr(0, comma)));
    value =
        comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (item.empty()) continue;
    if (!valid_extension_name(item))
      return fail(errc::bad_request,
                  "EXTENSIONS: '" + item +
                      "' is not an extension name (a letter, then letters, digits and "
                      "_; at most 40)");
    if (std::find(names.begin(), names.end(), item) == names.end())
      names.push_back(std::move(item));
  }
  return names;
}

bool is_extension_variable(std::string_view variable) {
  if (variable.size() <= extension_variable_prefix.size() ||
      variable.substr(0, extension_variable_prefix.size()) != extension_variable_prefix)
    return false;
  return std::all_of(variable.begin(), variable.end(), upper_word_char);
}

std::string extension_variable_of_flag(std::string_view flag) {
  constexpr std::string_view flag_prefix = "--ext-";
  if (flag.size() <= flag_prefix.size() ||
      flag.substr(0, flag_prefix.size()) != flag_prefix)
    return {};
  std::string variable;
  for (char c : flag.substr(2)) {
    if (c == '-') c = '_';
    if (!lower_word_char(c)) return {};
    variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return variable;
}

std::string extension_setting_prefix(std::string_view extension) {
  std::string prefix{extension_variable_prefix};
  for (char c : extension)
    prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return prefix + "_";
}

std::map<std::string, std::string> settings_of(
    const std::map<std::string, std::string>& all, std::string_view extension) {
  auto prefix = extension_setting_prefix(extension);
  std::map<std::string, std::string> own;
  for (auto it = all.lower_bound(prefix); it != all.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (it->first.size() > prefix.size())
      own.emplace(it->first.substr(prefix.size()), it->second);
  }
  return own;
}

}  // namespace eventsubd
