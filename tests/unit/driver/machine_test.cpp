// Where `journey build` writes a machine by default, and what lowering puts in it
// (compiler/driver/machine.h).
#include "compiler/driver/machine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/driver/driver.h"

namespace journey {
namespace {

TEST(MachineFilePath, ReplacesTheSpecsExtension) {
  EXPECT_EQ(machineFilePath("examples/phone.journey"), "examples/phone.jm");
  EXPECT_EQ(machineFilePath("phone"), "phone.jm");
  EXPECT_EQ(machineFilePath("phone.journey.txt"), "phone.journey.txt.jm");
  EXPECT_EQ(machineFilePath(".journey"), ".jm");
}

/// The running sums of the first chance block's probabilities, in order.
std::vector<double> runningSums(const std::string& chances) {
  MemoryFileReader files;
  files.set("main.journey",
            "journey T {\n  horizon 30d\n  entry Start\n  persona P { share 100% }\n"
            "  stage Start { after 1d -> { " +
                chances + " } }\n  goal A\n  goal B\n  exit C\n}\n");
  auto compilation = compile("main.journey", files, CompileOptions{});
  auto machine = buildMachine(*compilation, {});
  std::vector<double> sums;
  if (!machine) {
    ADD_FAILURE() << "the spec does not build";
    return sums;
  }
  for (const rt::Target& target : machine->targets) {
    if (target.kind != rt::TargetKind::Chance) continue;
    double sum = 0;
    for (std::uint32_t i = 0; i < target.branchCount; ++i) {
      const rt::Branch& branch = machine->branches[target.firstBranch + i];
      if (branch.kind != rt::BranchKind::Chance) continue;
      sum += machine->exprs[branch.value].value;
      sums.push_back(sum);
    }
    break;
  }
  return sums;
}

TEST(Lowering, ChancesThatAddUpToOneReachOneExactly) {
  // In doubles, 0.3 + 0.6 + 0.1 is 0.9999999999999999: the last chance takes what is left.
  for (const char* chances :
       {"A 0.3, B 0.6, C 0.1", "B 0.6, A 0.3, C 0.1", "A 30%, B 60%, C 10%", "A 0.7, B 0.2, C 0.1",
        "A 0.1, B 0.2, C 0.3, A 0.4", "A 0.3, B 0.6, C 0.1, A otherwise"}) {
    SCOPED_TRACE(chances);
    std::vector<double> sums = runningSums(chances);
    ASSERT_FALSE(sums.empty());
    EXPECT_EQ(sums.back(), 1.0);
  }
}

TEST(Lowering, ChancesKeepTheirWrittenValuesWhenTheyAddUpExactly) {
  EXPECT_EQ(runningSums("A 0.25, B 0.5, C 0.25"), (std::vector<double>{0.25, 0.75, 1.0}));
  EXPECT_EQ(runningSums("A 0.1, B otherwise"), (std::vector<double>{0.1}));
}

}  // namespace
}  // namespace journey
