#pragma once
// Shell arithmetic ($((...))): integers, variables, the C operators scripts use.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kexsim::fakes::shell {

/// Evaluates an arithmetic expression whose $ expansions are already done; bare names are read
/// through lookup (unset or empty counts as 0). Errors read like ash's ("arithmetic syntax error").
Result<int64_t> eval_arith(std::string_view expr, const std::function<std::string(const std::string&)>& lookup);

}  // namespace kexsim::fakes::shell
