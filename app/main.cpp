#include "app/application.hpp"
#include "core/config.hpp"
#include "core/logging.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  using namespace eventsubd;
  auto outcome = load_config(argc, argv, process_environment());
  if (!outcome.cfg) {
    std::fputs(outcome.message.c_str(), outcome.exit_code == 0 ? stdout : stderr);
    if (outcome.exit_code != 0) std::fputc('\n', stderr);
    return outcome.exit_code;
  }
  setup_logging(outcome.cfg->log_level);
  return run_application(*outcome.cfg);
}
