#pragma once

namespace eventsubd {

/// The release version, set by CMake from project(VERSION).
inline constexpr const char* version_string = EVENTSUBD_VERSION;

}  // namespace eventsubd
