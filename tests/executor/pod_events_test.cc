// FF_PRINT_POD_EVENTS' rows as printPodEvents' tabwriter lays them out.

#include "executor/pod_events.h"

#include <gtest/gtest.h>

namespace kexsim::executor {
namespace {

TEST(PodEventPrinterTest, TheHeaderAlignsWithTheFirstEventOnly) {
  PodEventPrinter printer;
  const std::vector<std::string> first = printer.print("Normal", "Scheduled", "Successfully assigned ns/p to n");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], "Type     Reason      Message");
  EXPECT_EQ(first[1], "Normal   Scheduled   Successfully assigned ns/p to n");
  // Flushed after each event: a later row is aligned on its own.
  EXPECT_EQ(printer.print("Warning", "BackOff", "Back-off restarting failed container build"),
            std::vector<std::string>{"Warning   BackOff   Back-off restarting failed container build"});
}

TEST(PodEventPrinterTest, CellsShorterThanMinwidthArePaddedToIt) {
  EXPECT_EQ(tabwriter_block({{"", "x", "end"}}), std::vector<std::string>{"   x   end"});
  EXPECT_EQ(tabwriter_block({{"a", "bb"}, {"ccc", "d"}}), (std::vector<std::string>{"a     bb", "ccc   d"}));
}

TEST(PodEventPrinterTest, ARowWithFewerCellsEndsTheColumnBlock) {
  EXPECT_EQ(tabwriter_block({{"aaaaaa", "x"}, {"only"}, {"b", "y"}}),
            (std::vector<std::string>{"aaaaaa   x", "only", "b   y"}));
}

}  // namespace
}  // namespace kexsim::executor
