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

/// The business-phone example: two personas, a capped channel, quiet hours, held messages.
Machine businessPhone() {
  DiskFileReader disk;
  auto compilation =
      compile(std::string(JOURNEY_SOURCE_DIR) + "/examples/business_phone.journey", disk);
  auto machine = buildMachine(*compilation, {});
  if (!machine) {
    ADD_FAILURE() << "business_phone does not compile";
    return Machine{};
  }
  return *machine;
}

TEST(EngineApi, TotalsAreTheSumsOfEveryCustomersCounts) {
  Machine m = businessPhone();
  ASSERT_EQ(m.personas.size(), 2u);
  Program program(m);
  CountTotals totals(m);
  Customer customer(program, nullptr, Customer::Options{.totals = &totals});
  // The same counts, summed by hand from each customer's own.
  struct Sums {
    std::vector<std::uint64_t> visits, received, ruleRuns, dropped, deferred, capped, ruleCapped,
        reached;
  };
  std::vector<Sums> expected(m.personas.size());
  for (Sums& sums : expected) {
    sums.visits.resize(m.stages.size());
    sums.reached.resize(m.stages.size());
    sums.received.resize(m.touchpoints.size());
    sums.ruleRuns.resize(m.rules.size());
    sums.ruleCapped.resize(m.rules.size());
    sums.dropped.resize(m.channels.size());
    sums.deferred.resize(m.channels.size());
    sums.capped.resize(m.channels.size());
  }
  auto add = [](std::vector<std::uint64_t>& into, std::span<const std::uint32_t> counts) {
    for (std::size_t i = 0; i < counts.size(); ++i)
      into[i] += counts[i];
  };
  for (std::uint64_t i = 0; i < 3000; ++i) {
    customer.start(5, i);
    customer.advanceTo(m.horizon);
    customer.stopAtHorizon();
    Sums& sums = expected[static_cast<std::size_t>(customer.persona())];
    add(sums.visits, customer.visits());
    add(sums.received, customer.received());
    add(sums.ruleRuns, customer.ruleRuns());
    add(sums.ruleCapped, customer.ruleCapped());
    add(sums.dropped, customer.channelDropped());
    add(sums.deferred, customer.channelDeferred());
    add(sums.capped, customer.channelCapped());
    for (std::size_t s = 0; s < m.stages.size(); ++s)
      sums.reached[s] += customer.visits()[s] != 0 ? 1 : 0;
  }
  auto same = [](std::span<const std::uint64_t> totals, const std::vector<std::uint64_t>& sums) {
    return std::vector<std::uint64_t>(totals.begin(), totals.end()) == sums;
  };
  std::uint64_t deferred = 0;
  for (std::size_t p = 0; p < m.personas.size(); ++p) {
    auto persona = static_cast<Index>(p);
    const Sums& sums = expected[p];
    EXPECT_TRUE(same(totals.visits(persona), sums.visits)) << p;
    EXPECT_TRUE(same(totals.reached(persona), sums.reached)) << p;
    EXPECT_TRUE(same(totals.received(persona), sums.received)) << p;
    EXPECT_TRUE(same(totals.ruleRuns(persona), sums.ruleRuns)) << p;
    EXPECT_TRUE(same(totals.ruleCapped(persona), sums.ruleCapped)) << p;
    EXPECT_TRUE(same(totals.channelDropped(persona), sums.dropped)) << p;
    EXPECT_TRUE(same(totals.channelDeferred(persona), sums.deferred)) << p;
    EXPECT_TRUE(same(totals.channelCapped(persona), sums.capped)) << p;
    for (std::size_t c = 0; c < m.channels.size(); ++c) {
      deferred += sums.deferred[c];
    }
  }
  // The held-back block is exercised: phone calls deferred by quiet hours.
  EXPECT_GT(deferred, 0u);

  totals.clear();
  EXPECT_EQ(totals.visits(0)[0], 0u);
}

}  // namespace
}  // namespace journey::rt
