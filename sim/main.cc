#include "sim/cli.h"

int main(int argc, char** argv) { return kexsim::sim::run_cli(argc, argv); }
