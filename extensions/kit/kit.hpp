#pragma once

// The extension kit: the one header an extension includes (with core/ headers).
//
// An extension is a folder extensions/<name>/ holding <name>.cpp, <name>_test.cpp and a
// README.md, registered by one line in extensions/CMakeLists.txt,
// `eventsubd_extension(<name>)`, and run when EXTENSIONS names it. At start it gets a
// `context`: its settings, the event bus (spawn_listener), read access to storage, a
// rate-limited Twitch handle, a logger and its metrics. See README "Writing an
// extension".

#include "core/result.hpp"
#include "extensions/kit/callback.hpp"
#include "extensions/kit/context.hpp"
#include "extensions/kit/metrics_registry.hpp"
#include "extensions/kit/settings.hpp"
#include "extensions/kit/storage_reader.hpp"
#include "extensions/kit/twitch_handle.hpp"

#include <caf/all.hpp>

namespace eventsubd::ext {

/// Starts an extension: spawns its actors through `ctx` and returns; an error (a bad
/// setting, named by its variable) stops the server's start with exit code 2.
using start_function = result<void> (*)(const context& ctx);

/// One registered extension.
struct extension_info {
  const char* name;     // as in EXTENSIONS and the folder's name
  const char* summary;  // one line for --help
  start_function start;
};

}  // namespace eventsubd::ext

/// Registers an extension; write it once, at file scope (outside any namespace), in
/// extensions/<NAME>/<NAME>.cpp. NAME must be the folder's name.
#define EVENTSUBD_EXTENSION(NAME, SUMMARY, START)                 \
  ::eventsubd::ext::extension_info eventsubd_extension_##NAME();  \
  ::eventsubd::ext::extension_info eventsubd_extension_##NAME() { \
    return {#NAME, SUMMARY, START};                               \
  }
