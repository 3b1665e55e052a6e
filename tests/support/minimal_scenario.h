#pragma once
// The test toolkit's smallest valid scenario text: ten lines, so that what a test appends starts on
// line 11 and error positions in its assertions stay readable.

#include <string>

namespace kexsim::testing {

/// A valid scenario of 10 lines (one runner, one job) with `extra` appended from line 11 on.
inline std::string minimal_scenario(const std::string& extra = "") {
  return "name = \"x\"\n"                            // 1
         "[runner]\n"                                // 2
         "config = '''\n"                            // 3
         "[[runners]]\n"                             // 4
         "  url = \"https://gitlab.example.com\"\n"  // 5
         "  token = \"glrt-x\"\n"                    // 6
         "  executor = \"kubernetes\"\n"             // 7
         "'''\n"                                     // 8
         "[[gitlab.jobs]]\n"                         // 9
         "script = [\"true\"]\n" +                   // 10
         extra;
}

}  // namespace kexsim::testing
