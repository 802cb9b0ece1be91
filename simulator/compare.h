// Comparing two versions of a journey on common random numbers (`journey compare`).
//
// Customer i of both versions starts from (seed, i), so both meet the same synthetic customers
// (same persona and attributes wherever the two specs draw them alike) and their journey draws
// stay aligned until their paths diverge. Each customer runs through both machines in the same
// chunk; the KPI differences get 95% intervals from the paired per-customer values, which are
// much narrower than those of two independent runs when the change affects few customers.
// Chunks are merged in order, so the results are bit-identical for any number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "simulator/kpis.h"
#include "simulator/simulate.h"
#include "simulator/stats.h"

namespace journey::sim {

// ---------------------------------------------------------------------------------------------
// Matching the two versions' declarations by name

/// The kinds of declarations that KPIs are about.
enum class MatchKind : std::uint8_t { Persona, Stage, Touchpoint, Channel, Rule };
inline constexpr int kMatchKinds = 5;
const char* matchKindName(MatchKind kind);

enum class MatchHow : std::uint8_t {
  Name,     // the same name in both
  Option,   // `--rename OLD=NEW`
  Guessed,  // a likely rename: same kind of declaration in the same place
  Added,    // only in the new version
  Removed,  // only in the old version
};
const char* matchHowName(MatchHow how);

struct Match {
  MatchKind kind = MatchKind::Stage;
  MatchHow how = MatchHow::Name;
  rt::Index oldIndex = rt::kNone, newIndex = rt::kNone;
  std::string oldName, newName;
  /// Why a guessed rename was accepted, or what changed in a declaration matched by name.
  std::vector<std::string> reasons;
};

/// `--rename [KIND:]OLD=NEW`.
struct Rename {
  std::string kind;  // persona, stage, touchpoint, channel, rule; empty: whichever has the names
  std::string oldName, newName;
};

struct MatchOptions {
  std::vector<Rename> renames;
  /// Guess renames among the declarations left unmatched.
  bool guessRenames = true;
};

struct Matching {
  /// Every declaration of either version, by kind, in the new version's order (removed ones
  /// after their old predecessor).
  std::vector<Match> matches;
  /// Old index to new index (kNone: removed), per kind.
  std::vector<rt::Index> oldToNew[kMatchKinds];
  std::vector<rt::Index> newToOld[kMatchKinds];
  rt::Index toNew(MatchKind kind, rt::Index old) const {
    return oldToNew[static_cast<int>(kind)][static_cast<std::size_t>(old)];
  }
  rt::Index toOld(MatchKind kind, rt::Index young) const {
    return newToOld[static_cast<int>(kind)][static_cast<std::size_t>(young)];
  }
};

/// Matches by name, then `--rename`, then guesses. A rename naming something that does not
/// exist sets `error` and returns nullopt.
std::optional<Matching> matchMachines(const rt::Machine& oldMachine, const rt::Machine& newMachine,
                                      const MatchOptions& options, std::string& error);

/// Parses `[KIND:]OLD=NEW`; nullopt with `error` set when malformed.
std::optional<Rename> parseRename(const std::string& text, std::string& error);

// ---------------------------------------------------------------------------------------------
// Paired statistics

/// Sums over paired customers of one KPI, sum(y)/sum(x) in each version: enough for the 95%
/// interval of the difference new - old by the delta method. The moments are kept in the basis
/// (dy, dx, y_old, x_old), with dy = y_new - y_old: with common random numbers most customers
/// have dy = dx = 0, which keeps the sums exact and the interval honest.
struct PairedSums {
  std::uint64_t n = 0;
  /// Customers whose (y, x) differ between the versions.
  std::uint64_t differing = 0;
  double sum[4] = {0, 0, 0, 0};
  /// Upper triangle of the second moments: 00 01 02 03 11 12 13 22 23 33.
  double moment[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

  void add(double yOld, double xOld, double yNew, double xNew);
  void merge(const PairedSums& other);
  /// The 95% interval of the difference of the ratios, centred on `delta` (the difference of
  /// the two versions' values). Zero width when no customer differs; NaN when undefined
  /// (fewer than two customers, or a ratio with a zero denominator).
  Interval difference(double delta) const;
};

/// Significant at 95%: the interval excludes 0.
inline bool significant(const Interval& i) {
  return std::isfinite(i.low) && std::isfinite(i.high) && (i.low > 0 || i.high < 0);
}

// ---------------------------------------------------------------------------------------------
// The comparison

struct ComparedKpi {
  std::string metric;
  /// The new version's item name (the old one's for a removed item).
  std::string item;
  std::string oldItem, newItem;
  KpiUnit unit = KpiUnit::Number;
  bool inOld = false, inNew = false;
  Interval oldValue{NAN, NAN, NAN}, newValue{NAN, NAN, NAN};
  /// new - old with its 95% interval; NaN when the KPI is in one version only.
  Interval delta{NAN, NAN, NAN};
  bool significant = false;
  /// Customers of the group whose contribution differs between the versions.
  std::uint64_t differing = 0;
};

struct ComparedGroup {
  /// "all" or a persona's name (the new version's).
  std::string name;
  /// Paired: every customer of the group drew this persona in both versions. When the versions
  /// draw personas differently, persona groups are compared as independent samples.
  bool paired = true;
  std::uint64_t oldCustomers = 0, newCustomers = 0;
  /// Customers for whom at least one KPI differs (paired groups).
  std::uint64_t diverged = 0;
  std::vector<ComparedKpi> kpis;
};

struct CompareOptions {
  std::uint64_t customers = 100'000;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  std::uint64_t maxSteps = 1'000'000;
  const std::atomic<bool>* stop = nullptr;
  std::function<void(std::uint64_t done, std::uint64_t target)> progress;
};

struct Comparison {
  Comparison(const rt::Machine& oldMachine, const rt::Machine& newMachine)
      : oldResults(oldMachine), newResults(newMachine) {}
  /// Each version on its own, exactly as `journey simulate` with the same seed reports it.
  Results oldResults, newResults;
  std::uint64_t customers = 0;
  /// Customers who drew a different persona in the two versions.
  std::uint64_t personaMismatches = 0;
  /// Group "all" first, then the new version's personas that match an old one, in order.
  std::vector<ComparedGroup> groups;
  bool interrupted = false;
  double seconds = 0;
};

Comparison compare(const rt::Program& oldProgram, const rt::Program& newProgram,
                   const Matching& matching, const CompareOptions& options);

}  // namespace journey::sim
