// Not compiled: input of the ctest layering.extension_include_check_catches_a_violation.
#include "actors/storage_actor.hpp"
#include "core/result.hpp"
#include "extensions/bad/bad.hpp"
#include "extensions/go_live_logger/other.hpp"
#include "extensions/kit/kit.hpp"

#include <caf/all.hpp>
