// Every operation of the expression IR under both backends: the JIT must compute the
// interpreter's bits (memcmp of the doubles), fail in the same cases (the interpreter sets
// `failed`, compiled code returns NaN) and draw the same random numbers.
#include "runtime/jit/jit.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "compiler/driver/machine.h"
#include "runtime/engine.h"
#include "runtime/eval.h"
#include "runtime/machine.h"
#include "runtime/verify.h"
#include "tests/unit/runtime/test_machines.h"

namespace rt = journey::rt;
using journey::testing::add;
using journey::testing::baseMachine;
using journey::testing::constant;
using journey::testing::op;
using rt::Instr;
using rt::Op;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Values that tell IEEE operations apart: signed zeros, halves, the largest double below 0.5,
/// integers beyond 2^52, subnormals, infinities and NaN.
const std::vector<double> kValues = {0.0,
                                     -0.0,
                                     1.0,
                                     -1.0,
                                     0.5,
                                     -0.5,
                                     1.5,
                                     2.5,
                                     -2.5,
                                     0.49999999999999994,
                                     -0.49999999999999994,
                                     3.0,
                                     7.25,
                                     1e300,
                                     -1e-300,
                                     4.9e-324,
                                     4503599627370497.0,
                                     kInf,
                                     -kInf,
                                     kNaN};

std::unique_ptr<rt::jit::JitBackend> compileOrFail(const rt::Machine& m,
                                                   const rt::jit::JitOptions& options = {}) {
  auto problems = rt::verify(m);
  EXPECT_TRUE(problems.empty()) << problems.front();
  auto compiled = rt::jit::JitBackend::compile(m, options);
  if (auto* error = std::get_if<std::string>(&compiled)) {
    ADD_FAILURE() << *error;
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<rt::jit::JitBackend>>(compiled));
}

/// The customer state an expression reads; each backend gets its own copy.
struct World {
  double vars[4] = {0, 0, 0, 0};
  double attributes[2] = {0, 0};
  double payload[3] = {0, 0, 0};
  std::uint32_t visits[4] = {0, 0, 0, 0};
  std::uint32_t received[3] = {0, 0, 0};
  std::uint32_t receivedChannel[2] = {0, 0};
  rt::RandomStream random{42, 7, rt::Stream::Journey};
  rt::EvalContext context;

  void bind() {
    context.vars = vars;
    context.attributes = attributes;
    context.payload = payload;
    context.visits = visits;
    context.received = received;
    context.receivedChannel = receivedChannel;
    context.random = &random;
  }
};

bool sameBits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

/// The same bits, except that two NaNs match whatever their sign and payload: LLVM's constant
/// folder makes the positive default NaN where x86 arithmetic makes the negative one (0 * inf,
/// inf - inf). No NaN is observable: comparisons and jumps ignore its sign, and an expression
/// whose result is NaN fails the customer, who is stopped without using the value.
bool sameResult(double a, double b) {
  return sameBits(a, b) || (std::isnan(a) && std::isnan(b));
}

std::string show(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", x);
  return buffer;
}

/// Evaluates `id` in copies of `world` under both backends and compares the value, failure
/// (the interpreter sets `failed`; compiled code returns NaN) and the random stream's
/// position.
void expectSame(const rt::Machine& m, const rt::jit::JitBackend& jit, rt::ExprId id,
                const World& world, const std::string& what) {
  World a = world, b = world;
  a.bind();
  b.bind();
  double interpreted = rt::interpret(m, m.exprs[id], a.context);
  double compiled = jit.functions()[id](&b.context);
  if (std::isnan(interpreted)) {
    EXPECT_EQ(a.context.failed, 1) << what << ": a NaN must fail";
  }
  EXPECT_EQ(a.context.failed == 1, std::isnan(compiled))
      << what << ": interpreter " << show(interpreted) << ", jit " << show(compiled);
  if (a.context.failed == 0) {
    EXPECT_TRUE(sameResult(interpreted, compiled))
        << what << ": interpreter " << show(interpreted) << ", jit " << show(compiled);
  }
  EXPECT_EQ(b.context.failed, 0) << what << ": compiled code leaves `failed` alone";
  EXPECT_TRUE(sameBits(a.random.uniform(), b.random.uniform())) << what << ": draws differ";
}

const std::vector<Op> kUnary = {Op::Neg, Op::Not, Op::Abs, Op::Round, Op::Floor, Op::Ceil};
const std::vector<Op> kBinary = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Lt,  Op::Le,
                                 Op::Gt,  Op::Ge,  Op::Eq,  Op::Ne,  Op::Min, Op::Max};

}  // namespace

TEST(Jit, ArithmeticOnVariablesIsBitIdentical) {
  rt::Machine m = baseMachine();
  std::vector<std::pair<Op, rt::ExprId>> unary, binary;
  for (Op o : kUnary)
    unary.emplace_back(o, add(m, {op(Op::Var, 0), op(o)}));
  for (Op o : kBinary)
    binary.emplace_back(o, add(m, {op(Op::Var, 0), op(Op::Var, 1), op(o)}));
  rt::ExprId clamp = add(m, {op(Op::Var, 0), op(Op::Var, 1), op(Op::Var, 2), op(Op::Clamp)});
  auto jit = compileOrFail(m);
  ASSERT_TRUE(jit);
  World world;
  for (double x : kValues) {
    world.vars[0] = x;
    for (auto [o, id] : unary)
      expectSame(m, *jit, id, world, std::string(rt::opName(o)) + " " + show(x));
    for (double y : kValues) {
      world.vars[1] = y;
      for (auto [o, id] : binary)
        expectSame(m, *jit, id, world, std::string(rt::opName(o)) + " " + show(x) + " " + show(y));
      for (double z : kValues) {
        world.vars[2] = z;
        expectSame(m, *jit, clamp, world, "clamp " + show(x) + " " + show(y) + " " + show(z));
      }
    }
  }
}

// With constant operands LLVM folds the operations at compile time: its folding must give the
// same bits as the interpreter's run-time arithmetic.
TEST(Jit, ConstantFoldingIsBitIdentical) {
  rt::Machine m = baseMachine();
  const std::vector<double> values = {0.0,  -0.0,  0.5,   -2.5, 0.49999999999999994,
                                      7.25, 1e300, -kInf, kNaN};
  std::vector<std::pair<std::string, rt::ExprId>> exprs;
  for (double x : values) {
    for (Op o : kUnary)
      exprs.emplace_back(std::string(rt::opName(o)) + " " + show(x), add(m, {constant(x), op(o)}));
    for (double y : values) {
      for (Op o : kBinary)
        exprs.emplace_back(std::string(rt::opName(o)) + " " + show(x) + " " + show(y),
                           add(m, {constant(x), constant(y), op(o)}));
      exprs.emplace_back("clamp " + show(x) + " 0 " + show(y),
                         add(m, {constant(x), constant(0), constant(y), op(Op::Clamp)}));
    }
  }
  auto jit = compileOrFail(m);
  ASSERT_TRUE(jit);
  World world;
  for (const auto& [what, id] : exprs)
    expectSame(m, *jit, id, world, what);
}

TEST(Jit, ReadsTheCustomerState) {
  rt::Machine m = baseMachine();
  std::vector<rt::ExprId> ids = {
      add(m, {op(Op::Var, 2)}),
      add(m, {op(Op::Attribute, 1)}),
      add(m, {op(Op::Payload, 2)}),
      add(m, {op(Op::Emotion)}),
      add(m, {op(Op::Cost)}),
      add(m, {op(Op::Time)}),
      add(m, {op(Op::TimeInStage)}),
      add(m, {op(Op::Persona)}),
      add(m, {op(Op::Visits, 3)}),
      add(m, {op(Op::Received, 1)}),
      add(m, {op(Op::ReceivedChannel, 1)}),
      add(m, {op(Op::InStage, 2)}),
      add(m, {op(Op::InStage, 1)}),
  };
  auto jit = compileOrFail(m);
  ASSERT_TRUE(jit);
  World world;
  world.vars[2] = -3.25;
  world.attributes[1] = 150;
  world.payload[2] = 0.125;
  world.visits[3] = 4'000'000'000u;  // above INT32_MAX: read unsigned
  world.received[1] = 7;
  world.receivedChannel[1] = 9;
  world.context.emotion = -2;
  world.context.cost = 12.5;
  world.context.now = 1e6 + 0.1;
  world.context.stageEnteredAt = 0.3;
  world.context.persona = 1;
  world.context.stage = 2;
  for (rt::ExprId id : ids)
    expectSame(m, *jit, id, world, "read " + std::to_string(id));

  // The values themselves, not only agreement.
  World w = world;
  w.bind();
  EXPECT_EQ(jit->functions()[ids[8]](&w.context), 4e9);
  EXPECT_EQ(jit->functions()[ids[11]](&w.context), 1.0);
  EXPECT_EQ(jit->functions()[ids[12]](&w.context), 0.0);
  EXPECT_EQ(jit->functions()[ids[6]](&w.context), (1e6 + 0.1) - 0.3);
  EXPECT_EQ(jit->functions()[0], nullptr) << "constant expressions have no function";
  EXPECT_EQ(jit->functionCount(), ids.size());
}

TEST(Jit, DivisionByZeroFails) {
  rt::Machine m = baseMachine();
  rt::ExprId divide = add(m, {constant(1), op(Op::Var, 0), op(Op::Div)});
  // The interpreter stops at the division: the sampler after it must not draw.
  rt::ExprId thenSample = add(
      m, {constant(1), op(Op::Var, 0), op(Op::Div), constant(5), op(Op::Exponential), op(Op::Add)});
  auto jit = compileOrFail(m);
  ASSERT_TRUE(jit);
  for (double zero : {0.0, -0.0}) {
    World world;
    world.vars[0] = zero;
    expectSame(m, *jit, divide, world, "1 / " + show(zero));
    expectSame(m, *jit, thenSample, world, "1 / " + show(zero) + " + sample");
    World w = world;
    w.bind();
    EXPECT_TRUE(std::isnan(jit->functions()[divide](&w.context)));
  }
  World world;
  world.vars[0] = 4;
  expectSame(m, *jit, thenSample, world, "1 / 4 + sample");
  world.bind();
  EXPECT_GT(jit->functions()[thenSample](&world.context), 0.25);
}

TEST(Jit, NaNResultFails) {
  rt::Machine m = baseMachine();
  rt::ExprId product = add(m, {op(Op::Var, 0), op(Op::Var, 1), op(Op::Mul)});
  auto jit = compileOrFail(m);
  ASSERT_TRUE(jit);
  World world;
  world.vars[0] = kInf;
  world.vars[1] = 0;
  expectSame(m, *jit, product, world, "inf * 0");
  world.bind();
  EXPECT_TRUE(std::isnan(jit->functions()[product](&world.context)));
}

// `a and b` is `a; JumpIfFalse end; b`; `a or b` is `a; JumpIfTrue end; b`. The skipped operand
// is not evaluated: a division by zero there does not fail.
TEST(Jit, AndOrShortCircuit) {
  rt::Machine m = baseMachine();
  // v0 and (1 / v1)
  rt::ExprId andDivide =
      add(m, {op(Op::Var, 0), op(Op::JumpIfFalse, 5), constant(1), op(Op::Var, 1), op(Op::Div)});
  // v0 or (1 / v1)
  rt::ExprId orDivide =
      add(m, {op(Op::Var, 0), op(Op::JumpIfTrue, 5), constant(1), op(Op::Var, 1), op(Op::Div)});
  // v2 + (v0 and v1): a join with two live slots, one of them a phi
  rt::ExprId sumOfAnd =
      add(m, {op(Op::Var, 2), op(Op::Var, 0), op(Op::JumpIfFalse, 4), op(Op::Var, 1), op(Op::Add)});
  // v0 and v1 and v2: two jumps to one target
  rt::ExprId chain = add(m, {op(Op::Var, 0), op(Op::JumpIfFalse, 5), op(Op::Var, 1),
                             op(Op::JumpIfFalse, 5), op(Op::Var, 2)});
  // (v0 or v1) and not v2: nested, different targets
  rt::ExprId nested = add(m, {op(Op::Var, 0), op(Op::JumpIfTrue, 3), op(Op::Var, 1),
                              op(Op::JumpIfFalse, 7), op(Op::Var, 2), op(Op::Not), op(Op::Neg)});
  // (v0 and bernoulli(v1)) + uniform(0, 1): a draw only on one path
  rt::ExprId drawOnOnePath =
      add(m, {op(Op::Var, 0), op(Op::JumpIfFalse, 4), op(Op::Var, 1), op(Op::Bernoulli),
              constant(0), constant(1), op(Op::Uniform), op(Op::Add)});
  auto jit = compileOrFail(m);
  ASSERT_TRUE(jit);

  World world;
  world.vars[0] = 0;
  world.vars[1] = 0;
  expectSame(m, *jit, andDivide, world, "0 and 1/0");
  World w = world;
  w.bind();
  EXPECT_EQ(jit->functions()[andDivide](&w.context), 0.0) << "the skipped division must not fail";
  world.vars[0] = 2;
  w = world;
  w.bind();
  EXPECT_EQ(jit->functions()[orDivide](&w.context), 2.0) << "the skipped division must not fail";
  w = world;
  w.bind();
  EXPECT_TRUE(std::isnan(jit->functions()[andDivide](&w.context)))
      << "the evaluated division fails";

  const std::vector<double> values = {0.0, -0.0, 1.0, -2.0, 0.5, kNaN, kInf};
  for (double x : values) {
    for (double y : values) {
      for (double z : values) {
        world.vars[0] = x;
        world.vars[1] = y;
        world.vars[2] = z;
        std::string at = show(x) + " " + show(y) + " " + show(z);
        for (rt::ExprId id : {andDivide, orDivide, sumOfAnd, chain, nested, drawOnOnePath})
          expectSame(m, *jit, id, world, "expression " + std::to_string(id) + " at " + at);
      }
    }
  }
}

TEST(Jit, SamplersDrawTheSameNumbers) {
  rt::Machine m = baseMachine();
  struct Case {
    std::string name;
    rt::ExprId id;
    std::vector<std::pair<double, double>> params;
  };
  auto two = [&](Op o) { return add(m, {op(Op::Var, 0), op(Op::Var, 1), op(o)}); };
  auto one = [&](Op o) { return add(m, {op(Op::Var, 0), op(o)}); };
  std::vector<Case> cases = {
      {"uniform", two(Op::Uniform), {{0, 1}, {-5, 5}, {2, 2}, {3, 1}, {kNaN, 1}}},
      {"normal", two(Op::Normal), {{0, 1}, {10, 0}, {-3, 2.5}, {0, -1}, {0, kNaN}}},
      {"lognormal", two(Op::Lognormal), {{150, 0.6}, {1, 0}, {0, 1}, {-1, 1}, {1, -1}}},
      {"exponential", one(Op::Exponential), {{1, 0}, {864000, 0}, {0, 0}, {-1, 0}, {kNaN, 0}}},
      {"gamma", two(Op::Gamma), {{2, 5}, {0.3, 1}, {1, 1}, {30, 0.1}, {0, 1}, {1, -1}}},
      {"weibull", two(Op::Weibull), {{2, 14}, {0.5, 1}, {0, 1}, {1, 0}}},
      {"bernoulli", one(Op::Bernoulli), {{0.85, 0}, {0, 0}, {1, 0}, {1.5, 0}, {kNaN, 0}}},
  };
  // discrete { v0: v1, 2: 0.5, 3: rest } and one with a single entry
  rt::ExprId discrete = add(m, {op(Op::Var, 0), op(Op::Var, 1), constant(2), constant(0.5),
                                constant(3), constant(0), op(Op::Discrete, 3)});
  rt::ExprId single = add(m, {op(Op::Var, 0), op(Op::Var, 1), op(Op::Discrete, 1)});
  cases.push_back({"discrete", discrete, {{1, 0.2}, {kNaN, 0.9}, {1, kNaN}, {1, 0}}});
  cases.push_back({"discrete 1", single, {{7, 1}, {7, 0}}});
  auto jit = compileOrFail(m);
  ASSERT_TRUE(jit);
  for (const Case& c : cases) {
    for (auto [p1, p2] : c.params) {
      World a, b;
      a.vars[0] = b.vars[0] = p1;
      a.vars[1] = b.vars[1] = p2;
      a.bind();
      b.bind();
      int failures = 0;
      for (int i = 0; i < 300; ++i) {
        double x = rt::interpret(m, m.exprs[c.id], a.context);
        double y = jit->functions()[c.id](&b.context);
        ASSERT_TRUE(sameBits(x, y)) << c.name << "(" << p1 << ", " << p2 << ") draw " << i
                                    << ": interpreter " << x << ", jit " << y;
        ASSERT_EQ(a.context.failed == 1, std::isnan(y)) << c.name << " draw " << i;
        failures += a.context.failed;
        a.context.failed = 0;
      }
      EXPECT_TRUE(sameBits(a.random.uniform(), b.random.uniform())) << c.name;
      // Invalid parameters fail every draw; valid ones none (a discrete NaN value fails only
      // when it is drawn).
      if (c.name.rfind("discrete", 0) != 0) {
        EXPECT_TRUE(failures == 0 || failures == 300) << c.name << " failed " << failures;
      }
    }
  }
}

TEST(Jit, IrIsStrictIeee) {
  rt::Machine m = baseMachine();
  add(m, {op(Op::Var, 0), op(Op::Var, 1), op(Op::Mul), op(Op::Var, 2), op(Op::Add)});
  add(m, {op(Op::Var, 0), op(Op::Var, 1), op(Op::Min), op(Op::Round)});
  rt::jit::JitOptions options;
  options.keepIr = true;
  auto jit = compileOrFail(m, options);
  ASSERT_TRUE(jit);
  const std::string& ir = jit->ir();
  EXPECT_NE(ir.find("define internal double @expr.1("), std::string::npos) << ir;
  EXPECT_NE(ir.find("fmul double"), std::string::npos) << ir;
  EXPECT_NE(ir.find("@llvm.round.f64"), std::string::npos) << ir;
  for (const char* forbidden : {"fmuladd", "llvm.fma", " fast ", " contract ", " reassoc "})
    EXPECT_EQ(ir.find(forbidden), std::string::npos) << forbidden << " in\n" << ir;
  World world;
  world.vars[0] = 0.1;
  world.vars[1] = 0.7;
  world.vars[2] = -0.07;
  expectSame(m, *jit, 1, world, "a * b + c");
}

TEST(Jit, LlvmErrorsAreMessages) {
  rt::Machine m = baseMachine();
  add(m, {op(Op::Var, 0), op(Op::Neg)});
  rt::jit::JitOptions options;
  options.triple = "nonsense-unknown-nowhere";
  auto compiled = rt::jit::JitBackend::compile(m, options);
  ASSERT_TRUE(std::holds_alternative<std::string>(compiled));
  EXPECT_NE(std::get<std::string>(compiled).find("nonsense"), std::string::npos)
      << std::get<std::string>(compiled);
}

TEST(Jit, MalformedCodeIsAnErrorNotACrash) {
  rt::Machine m = baseMachine();
  add(m, {op(Op::Add)});  // pops from an empty stack (the verifier refuses it too)
  auto compiled = rt::jit::JitBackend::compile(m);
  ASSERT_TRUE(std::holds_alternative<std::string>(compiled));
  EXPECT_NE(std::get<std::string>(compiled).find("instruction 0"), std::string::npos)
      << std::get<std::string>(compiled);
}

TEST(Jit, CompilesFromSeveralThreads) {
  rt::Machine m = baseMachine();
  rt::ExprId id = add(m, {op(Op::Var, 0), constant(3), op(Op::Mul)});
  std::vector<std::thread> threads;
  std::vector<double> results(4, 0);
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      auto compiled = rt::jit::JitBackend::compile(m);
      if (auto* backend = std::get_if<std::unique_ptr<rt::jit::JitBackend>>(&compiled)) {
        World world;
        world.vars[0] = static_cast<double>(t);
        world.bind();
        results[t] = (*backend)->functions()[id](&world.context);
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (std::size_t t = 0; t < results.size(); ++t)
    EXPECT_EQ(results[t], 3.0 * static_cast<double>(t));
}

// The business-phone example, customer by customer: the same histories under both backends.
TEST(Jit, BusinessPhoneCustomersAreIdentical) {
  journey::DiskFileReader disk;
  auto compilation =
      journey::compile(std::string(JOURNEY_SOURCE_DIR) + "/examples/business_phone.journey", disk);
  auto machine = journey::buildMachine(*compilation, {});
  ASSERT_TRUE(machine);
  auto jit = compileOrFail(*machine);
  ASSERT_TRUE(jit);
  rt::Program interpreted(*machine);
  rt::Program compiled(*machine, jit->functions());
  rt::Customer a(interpreted, nullptr, {.recordActions = true});
  rt::Customer b(compiled, nullptr, {.recordActions = true});
  int goals = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    a.start(9, i);
    a.advanceTo(machine->horizon);
    a.stopAtHorizon();
    b.start(9, i);
    b.advanceTo(machine->horizon);
    b.stopAtHorizon();
    ASSERT_EQ(a.outcome(), b.outcome()) << "customer " << i;
    ASSERT_EQ(a.outcomeStage(), b.outcomeStage()) << "customer " << i;
    ASSERT_TRUE(sameBits(a.outcomeTime(), b.outcomeTime())) << "customer " << i;
    ASSERT_TRUE(sameBits(a.value(), b.value())) << "customer " << i;
    ASSERT_TRUE(sameBits(a.cost(), b.cost())) << "customer " << i;
    ASSERT_TRUE(sameBits(a.emotion(), b.emotion())) << "customer " << i;
    ASSERT_EQ(a.steps(), b.steps()) << "customer " << i;
    ASSERT_EQ(a.actions().size(), b.actions().size()) << "customer " << i;
    for (std::size_t k = 0; k < a.actions().size(); ++k) {
      ASSERT_TRUE(sameBits(a.actions()[k].time, b.actions()[k].time)) << "customer " << i;
      ASSERT_EQ(a.actions()[k].kind, b.actions()[k].kind) << "customer " << i;
      ASSERT_EQ(a.actions()[k].a, b.actions()[k].a) << "customer " << i;
    }
    goals += a.outcome() == rt::Outcome::Goal;
  }
  EXPECT_GT(goals, 0);
}
