#pragma once
// The process exit codes every kexsim command uses (the README's table), shared by the CLI and serve.

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

}  // namespace kexsim::sim
