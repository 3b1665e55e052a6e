#pragma once
// The fault matrix (issue 7): every distinct call of a representative run, on both wires and the
// exec/attach streams, crossed with each fault, each cell run on its own and judged for an end, a
// final state, and leftovers.

#include <string>
#include <vector>

#include "base/result.h"
#include "fakes/faults/fault_rule.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace kexsim::sim {

/// One cell: a call of the base run (by its wire, its kind and its index among calls of that kind)
/// and the one fault it gets.
struct MatrixCell {
  std::string call;   ///< e.g. "kubernetes create pods #1", "gitlab PUT /api/v4/jobs/1000 #1", "kubernetes dial #2"
  std::string fault;  ///< "refused", "reset", "black-hole", "500", "429", "403" or "dropped"
  fakes::FaultRule rule;
};

/// What one cell's run showed.
struct MatrixOutcome {
  MatrixCell cell;
  bool hit = false;        ///< the fault shows in the call log
  bool ended = false;      ///< the run completed (no stall, no time limit, no exception)
  bool accounted = false;  ///< GitLab got a final state, or the runner log says why not
  bool clean = false;      ///< nothing left behind, or the log says why (Error cleaning up ...)
  std::string job_state;   ///< as GitLab has it ("success", "failed", "running", "pending")
  std::string note;        ///< the run error or the first problem, for the table
  double virtual_seconds = 0;
  bool passed() const { return hit && ended && accounted && clean; }
};

/// The whole matrix of one base scenario.
struct MatrixReport {
  std::string scenario;
  std::vector<MatrixOutcome> cells;
  size_t failures() const;
  /// A table, one row per call and one column per fault, each cell the job's state (or FAIL), then
  /// the count of cells and the failures explained.
  std::string table() const;
};

/// The cells for a base run: distinct Kubernetes calls (by verb and resource; every exec and attach
/// stream by its index), distinct GitLab calls (by method and path), and the dials of each wire.
/// dials: how many connections the base run opened to each wire ("kubernetes", "gitlab").
std::vector<MatrixCell> fault_matrix_cells(const RunResult& base, int kube_dials, int gitlab_dials);

/// How much of the matrix to run.
struct MatrixOptions {
  size_t max_cells = 0;  ///< run only the first this many cells (0: every cell), for a quick look
};

/// The built-in representative job (hello with one registry credential) as scenario text, pinned to the
/// given release profile ("19.4", "13.12", ...).
std::string fault_matrix_base_scenario(const std::string& profile);

/// Runs the base scenario once, then every cell (or the first options.max_cells). The scenario's
/// [expect] is ignored.
Result<MatrixReport> run_fault_matrix(const Scenario& base, MatrixOptions options = {});

}  // namespace kexsim::sim
