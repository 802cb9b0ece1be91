// The verifier refuses malformed machines with a clear sentence, and accepts what the compiler
// makes.
#include "runtime/verify.h"

#include <gtest/gtest.h>

#include "compiler/driver/machine.h"
#include "tests/unit/runtime/test_machines.h"

namespace rt = journey::rt;
using journey::testing::add;
using journey::testing::baseMachine;
using journey::testing::constant;
using journey::testing::op;
using rt::Op;

namespace {

/// The first problem `verify` reports, or "" when it accepts the machine.
std::string firstProblem(const rt::Machine& m) {
  auto problems = rt::verify(m);
  return problems.empty() ? "" : problems.front();
}

#define EXPECT_PROBLEM(machine, text)                                               \
  do {                                                                              \
    std::string problem = firstProblem(machine);                                    \
    EXPECT_NE(problem.find(text), std::string::npos) << "got: `" << problem << "`"; \
  } while (false)

}  // namespace

TEST(Verify, AcceptsTheBaseMachineAndTheExamples) {
  EXPECT_EQ(firstProblem(baseMachine()), "");
  for (const char* name : {"business_phone", "ecommerce", "retention", "saas_trial", "retail"}) {
    journey::DiskFileReader disk;
    auto compilation =
        journey::compile(std::string(JOURNEY_SOURCE_DIR) + "/examples/" + name + ".journey", disk);
    auto machine = journey::buildMachine(*compilation, {});
    ASSERT_TRUE(machine) << name;
    EXPECT_EQ(firstProblem(*machine), "") << name;
  }
}

TEST(Verify, RefusesMalformedTables) {
  rt::Machine m = baseMachine();
  m.personas.clear();
  EXPECT_PROBLEM(m, "no persona");

  m = baseMachine();
  m.personas[0].share = 0.5;
  EXPECT_PROBLEM(m, "shares add up to 0.5");

  m = baseMachine();
  m.afters.pop_back();
  EXPECT_PROBLEM(m, "transition table has");

  m = baseMachine();
  m.entry = 7;
  EXPECT_PROBLEM(m, "entry target 7 is out of range");

  m = baseMachine();
  m.horizon = -1;
  EXPECT_PROBLEM(m, "horizon");

  m = baseMachine();
  m.exprs[0].size = 5;
  EXPECT_PROBLEM(m, "lies outside the code");

  m = baseMachine();
  m.targets[0].stage = 99;
  EXPECT_PROBLEM(m, "stage 99 is out of range");
}

TEST(Verify, RefusesMalformedCode) {
  struct Case {
    std::vector<rt::Instr> code;
    const char* problem;
  };
  const std::vector<Case> cases = {
      {{op(Op::Add)}, "needs 2 values, the stack has 0"},
      {{constant(1), constant(2)}, "leaves 2 values on the stack"},
      {{op(Op::Var, 4)}, "names var 4, out of range"},
      {{op(Op::Visits, -1)}, "out of range"},
      {{op(Op::Received, 3)}, "names touchpoint 3"},
      {{constant(1), op(Op::JumpIfFalse, 0), constant(2)}, "is not forward"},
      {{constant(1), op(Op::JumpIfFalse, 9), constant(2)}, "is not forward"},
      // The jump target's depth (1) differs from the fall-through's (2).
      {{constant(1), op(Op::JumpIfFalse, 4), constant(2), constant(3), op(Op::Add)},
       "stack depths"},
      {{constant(1), constant(1), op(Op::Discrete, 0)}, "`discrete` at instruction 2 has 0"},
      {{constant(1), constant(1), op(Op::Discrete, 200)}, "has 200 entries"},
      {{rt::Instr{static_cast<Op>(200), 0, 0}}, "unknown operation 200"},
  };
  for (const Case& c : cases) {
    rt::Machine m = baseMachine();
    add(m, c.code);
    SCOPED_TRACE(c.problem);
    EXPECT_PROBLEM(m, c.problem);
  }

  rt::Machine m = baseMachine();
  m.exprs[0].value = 5;  // marked constant 5, code says 0
  EXPECT_PROBLEM(m, "marked constant");

  m = baseMachine();
  std::vector<rt::Instr> deep;
  deep.reserve(600);
  for (int i = 0; i < 300; ++i)
    deep.push_back(constant(i));
  for (int i = 0; i < 299; ++i)
    deep.push_back(op(Op::Add));
  add(m, deep);
  EXPECT_PROBLEM(m, "grows beyond 256");
}
