#include "app/application.hpp"
#include "app/healthcheck.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"
#include "extensions/kit/host.hpp"
#include "extensions/kit/registry.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  using namespace eventsubd;
  const auto& extensions = ext::registered_extensions();
  auto outcome =
      load_config(argc, argv, process_environment(), process_environment_names());
  if (outcome.help) outcome.message += ext::extensions_help(extensions);
  if (outcome.cfg) {
    // EXTENSIONS names only what this build has: a configuration error like the others.
    if (auto problem = ext::extensions_problem(extensions, outcome.cfg->extensions);
        !problem.empty()) {
      outcome.message = "configuration error: " + problem;
      outcome.exit_code = 2;
      outcome.cfg.reset();
    }
  }
  if (!outcome.cfg) {
    std::fputs(outcome.message.c_str(), outcome.exit_code == 0 ? stdout : stderr);
    if (outcome.exit_code != 0) std::fputc('\n', stderr);
    // A probe that cannot even read its configuration is a failed probe: 1, since
    // Docker's HEALTHCHECK reserves exit code 2.
    if (outcome.healthcheck && outcome.exit_code != 0) return 1;
    return outcome.exit_code;
  }
  if (outcome.healthcheck) return run_healthcheck(*outcome.cfg);
  setup_logging(outcome.cfg->log_level, outcome.cfg->log_format);
  return run_application(*outcome.cfg, extensions);
}
