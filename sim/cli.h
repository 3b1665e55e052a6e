#pragma once
// The kexsim command line: run, check, list, serve, render.

namespace kexsim::sim {

/// Exit codes of every kexsim command (documented in the README).
enum ExitCode : int {
  kExitPassed = 0,
  kExitFailed = 1,
  kExitUsage = 2,
  kExitInvalid = 3,
  kExitInfrastructure = 4,
  kExitInterrupted = 130,
};

/// Parses argv and runs the chosen command; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace kexsim::sim
