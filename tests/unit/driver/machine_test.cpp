// Where `journey build` writes a machine by default (compiler/driver/machine.h).
#include "compiler/driver/machine.h"

#include <gtest/gtest.h>

namespace journey {
namespace {

TEST(MachineFilePath, ReplacesTheSpecsExtension) {
  EXPECT_EQ(machineFilePath("examples/phone.journey"), "examples/phone.jm");
  EXPECT_EQ(machineFilePath("phone"), "phone.jm");
  EXPECT_EQ(machineFilePath("phone.journey.txt"), "phone.journey.txt.jm");
  EXPECT_EQ(machineFilePath(".journey"), ".jm");
}

}  // namespace
}  // namespace journey
