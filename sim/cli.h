#pragma once
// The kexsim command line: run, check, list, serve, render, matrix.

#include "sim/exit_code.h"

namespace kexsim::sim {

/// Parses argv and runs the chosen command; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace kexsim::sim
