// The runtime API as a host program with real events uses it: given persona and attributes,
// time advanced by hand, events delivered from outside, actions read back.
#include <gtest/gtest.h>

#include "compiler/driver/machine.h"
#include "runtime/engine.h"
#include "runtime/verify.h"

namespace journey::rt {
namespace {

constexpr double kDay = 86400;

const char* kSpec = R"(
journey Cart {
  horizon 30d
  entry Browsing

  persona Shopper {
    share 100%
    budget = uniform(10 USD, 20 USD)
  }

  stage Browsing {
    touchpoint Banner via web
    after 10d -> Gone
    on added -> Carted
  }

  stage Carted {
    after 2d -> Gone
    on paid -> Bought
  }

  goal Bought {
    value budget
  }

  exit Gone

  // Rare on their own: the host delivers them. (A rate keeps the checker from calling the
  // events impossible; it knows nothing of the host.)
  event added {
    in Browsing
    every 100000d
  }

  event paid {
    in Carted
    every 100000d
    amount = fixed(5 USD)
  }

  touchpoint Reminder via email

  rule Remind {
    on enter Carted
    wait 1d
    send Reminder
  }
}
)";

Machine compileSpec() {
  MemoryFileReader files;
  files.set("cart.journey", kSpec);
  auto compilation = compile("cart.journey", files);
  auto machine = buildMachine(*compilation, {});
  if (!machine) {
    ADD_FAILURE() << "the spec does not compile";
    return Machine{};
  }
  EXPECT_TRUE(verify(*machine).empty());
  return *machine;
}

Index stageNamed(const Machine& m, std::string_view name) {
  for (std::size_t s = 0; s < m.stages.size(); ++s)
    if (m.stages[s].name == name) return static_cast<Index>(s);
  return kNone;
}

Index eventNamed(const Machine& m, std::string_view name) {
  for (std::size_t e = 0; e < m.events.size(); ++e)
    if (m.events[e].name == name) return static_cast<Index>(e);
  return kNone;
}

TEST(EngineApi, HostDrivesACustomerWithRealEvents) {
  Machine m = compileSpec();
  Program program(m);
  Customer customer(program, nullptr, Customer::Options{.recordActions = true});
  double budget = 17;
  customer.start(1, 42, 0, std::vector<double>{budget});
  EXPECT_EQ(customer.stage(), stageNamed(m, "Browsing"));
  EXPECT_EQ(customer.received()[0], 1u);  // the banner, on entry

  customer.advanceTo(3 * kDay);
  EXPECT_EQ(customer.stage(), stageNamed(m, "Browsing"));
  customer.deliver(eventNamed(m, "added"));
  EXPECT_EQ(customer.stage(), stageNamed(m, "Carted"));
  EXPECT_DOUBLE_EQ(customer.now(), 3 * kDay);

  // The rule's reminder goes out a day later.
  customer.advanceTo(4.5 * kDay);
  bool reminded = false;
  for (const auto& action : customer.actions())
    if (action.kind == ActionRecord::Kind::Deliver && action.b == 1) {
      reminded = true;
      EXPECT_DOUBLE_EQ(action.time, 4 * kDay);
    }
  EXPECT_TRUE(reminded);

  customer.deliver(eventNamed(m, "paid"), std::vector<double>{5});
  EXPECT_TRUE(customer.finished());
  EXPECT_EQ(customer.outcome(), Outcome::Goal);
  EXPECT_EQ(customer.outcomeStage(), stageNamed(m, "Bought"));
  EXPECT_DOUBLE_EQ(customer.value(), budget);
  EXPECT_EQ(customer.actions().back().kind, ActionRecord::Kind::Finish);

  // Nothing happens to a finished customer.
  customer.deliver(eventNamed(m, "added"));
  customer.advanceTo(20 * kDay);
  EXPECT_EQ(customer.outcome(), Outcome::Goal);
}

TEST(EngineApi, EventsOutsideTheirStagesAreLost) {
  Machine m = compileSpec();
  Program program(m);
  Customer customer(program);
  customer.start(1, 0, 0, std::vector<double>{12});
  customer.deliver(eventNamed(m, "paid"));  // `paid` happens only in `Carted`
  EXPECT_EQ(customer.stage(), stageNamed(m, "Browsing"));
  EXPECT_FALSE(customer.finished());
  customer.advanceTo(m.horizon);
  EXPECT_EQ(customer.outcome(), Outcome::Exit);
  EXPECT_EQ(customer.outcomeStage(), stageNamed(m, "Gone"));
  EXPECT_DOUBLE_EQ(customer.outcomeTime(), 10 * kDay);
}

TEST(EngineApi, SyntheticCustomersAreReproducible) {
  Machine m = compileSpec();
  Program program(m);
  Customer a(program), b(program);
  for (std::uint64_t i = 0; i < 50; ++i) {
    a.start(9, i);
    b.start(9, i);
    ASSERT_EQ(a.attributes()[0], b.attributes()[0]);
    EXPECT_GE(a.attributes()[0], 10);
    EXPECT_LT(a.attributes()[0], 20);
  }
  a.start(9, 1);
  b.start(9, 2);
  EXPECT_NE(a.attributes()[0], b.attributes()[0]);
}

}  // namespace
}  // namespace journey::rt
