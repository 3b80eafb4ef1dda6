#pragma once

#include "core/result.hpp"

#include <map>
#include <optional>
#include <string>

namespace eventsubd::ext {

/// An extension's own settings: the variables EXT_<NAME>_<KEY> (from .env, the
/// environment or --ext-<name>-<key> flags), by KEY. Values are read at start; a bad
/// value is the extension's start error, which stops the server with exit code 2.
class settings {
 public:
  settings() = default;
  /// `prefix`: EXT_<NAME>_; `values`: by KEY.
  settings(std::string prefix, std::map<std::string, std::string> values);

  /// KEY's value, or nullopt when its variable is not set.
  std::optional<std::string> get(const std::string& key) const;
  /// KEY's value without surrounding blanks, or `fallback` when it is not set.
  std::string text(const std::string& key, std::string fallback = {}) const;
  /// KEY as a whole number from `lo` to `hi`, `fallback` when not set; otherwise an
  /// error naming the variable.
  result<long> number(const std::string& key, long lo, long hi, long fallback) const;
  /// KEY as true/false (also 1/0, yes/no, on/off), `fallback` when not set.
  result<bool> flag(const std::string& key, bool fallback) const;
  /// KEY's variable, for messages: EXT_<NAME>_<KEY>.
  std::string variable(const std::string& key) const { return prefix_ + key; }
  /// Every setting, by KEY.
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::string prefix_;
  std::map<std::string, std::string> values_;
};

}  // namespace eventsubd::ext
