# Sourced by scripts/test.sh and scripts/fuzz.sh: how the sanitizer runtimes behave in
# our runs. Every report is fatal (UBSan halts; ASan always does), leaks are checked at
# exit, and the suppression files in tests/sanitizers/ (each entry explained there)
# exempt only other people's code. Tests pass these on to the server they start
# (tests/common/server_process.cpp), which fails the test on any report in its log.
sanitizer_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/sanitizers"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$sanitizer_dir/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$sanitizer_dir/lsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$sanitizer_dir/tsan.supp"
