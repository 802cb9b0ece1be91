// Internal to compiler/lower: the lowerer that `lower` runs, one machine table at a time.
//
// Its work is split by what it lowers:
//   lower.cpp            the order of work, names to indices, places and interned strings;
//   expressions.cpp      expressions to code, folding constant subexpressions;
//   params_personas.cpp  the journey header, params after `--set` overrides, personas;
//   touchpoints.cpp      channels and touchpoints;
//   stages.cpp           stages, their `after` and `on` transitions, targets and branches;
//   events_rules.cpp     events, vars, rules and their triggers.
// Per-persona items (`for` overrides) become per-persona tables through `perPersona`.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/lower/lower.h"
#include "compiler/sema/sema.h"
#include "compiler/source/source.h"
#include "runtime/machine.h"

namespace journey::lower {

rt::ValueType valueType(ast::TypeKind kind);

/// An expression on its way down: a constant, or code whose jumps are still relative (`a` is
/// the distance from the jump to its target) so that pieces can be concatenated.
struct Lowered {
  bool constant = true;
  double value = 0;
  std::vector<rt::Instr> code;

  static Lowered of(double value) { return Lowered{true, value, {}}; }
  void materialize() {
    if (constant) {
      code = {rt::Instr{rt::Op::Const, 0, value}};
      constant = false;
    }
  }
  void append(Lowered&& other) {
    materialize();
    other.materialize();
    code.insert(code.end(), other.code.begin(), other.code.end());
  }
};

class Lowerer {
 public:
  Lowerer(const sema::CheckedJourney& journey, const SourceManager& sources,
          const LowerOptions& options)
      : j_(journey), sources_(sources), options_(options) {}

  rt::Machine run();

 private:
  using DeclIndex = std::unordered_map<const ast::Decl*, rt::Index>;

  // Names to indices (lower.cpp).
  void index();
  rt::Index lookup(const DeclIndex& map, const ast::Decl* decl) const {
    auto it = map.find(decl);
    return it == map.end() ? rt::kNone : it->second;
  }
  rt::Index stageNamed(std::string_view name) const { return lookup(stageIndex_, j_.stage(name)); }
  rt::Index declNamed(const DeclIndex& map, std::string_view name) const {
    auto it = j_.declarations.find(name);
    return it == j_.declarations.end() ? rt::kNone : lookup(map, it->second);
  }
  rt::Index personaNamed(std::string_view name) const { return declNamed(personaIndex_, name); }
  rt::Index channelNamed(std::string_view name) const {
    auto it = channelIndex_.find(std::string(name));
    return it == channelIndex_.end() ? rt::kNone : it->second;
  }
  rt::Index place(SourceRange range);
  double intern(const std::string& text);

  // Expressions (expressions.cpp).
  Lowered expr(const ast::Expr& e);
  Lowered name(const ast::NameExpr& e);
  Lowered call(const ast::CallExpr& e);
  Lowered binary(const ast::BinaryExpr& e);
  /// Adds an expression to the machine.
  rt::ExprId add(const ast::Expr* e);
  rt::ExprId add(Lowered lowered, rt::ValueType type, bool sampled, rt::Index where);
  double constant(const ast::Expr* e);
  /// A cap's count, saturated rather than wrapped around: a count over the machine's limit
  /// (only an override can give one) stays over it, for the verifier to name.
  std::uint32_t capCount(const ast::Expr* e) {
    double count = constant(e);
    if (!(count >= 0)) return 0;
    constexpr double kMost = std::numeric_limits<std::uint32_t>::max();
    return count >= kMost ? std::numeric_limits<std::uint32_t>::max()
                          : static_cast<std::uint32_t>(count);
  }
  /// Several `if` clauses: all must hold, evaluated in order.
  rt::ExprId conjunction(const std::vector<const ast::Expr*>& conditions);

  // The journey header, params and personas (params_personas.cpp).
  void header();
  /// A param's value after overrides; strings are interned.
  double paramValue(const ast::Decl* decl);
  const ParamOverride* overrideOf(std::string_view name) const;
  void personas();

  /// For each persona, the item whose `for` names it, else the plain one (semantics 10.1).
  template <typename Item, typename Personas>
  std::vector<const Item*> perPersona(const std::vector<const Item*>& items, Personas personasOf) {
    std::vector<const Item*> out(j_.personas.size(), nullptr);
    for (const Item* item : items) {
      const auto& names = personasOf(*item);
      if (!names.empty()) continue;
      for (auto& slot : out)
        slot = item;
    }
    for (const Item* item : items) {
      for (const auto& name : personasOf(*item)) {
        rt::Index p = personaNamed(name.text);
        if (p != rt::kNone) out[static_cast<std::size_t>(p)] = item;
      }
    }
    return out;
  }

  // Channels and touchpoints (touchpoints.cpp).
  void channels();
  void touchpoints();

  // Stages and where their transitions lead (stages.cpp).
  void stages();
  rt::Index stageTarget(std::string_view stage, SourceRange range);
  rt::Index target(const ast::Target& t);

  // Events, vars and rules (events_rules.cpp).
  void events();
  void vars();
  void rules();
  void trigger(const ast::Trigger& t, rt::Rule& out);
  /// Declared KPIs and the discount (lower.cpp).
  void kpis();

  const sema::CheckedJourney& j_;
  const SourceManager& sources_;
  const LowerOptions& options_;
  rt::Machine m_;
  DeclIndex personaIndex_, stageIndex_, touchpointIndex_, eventIndex_, varIndex_;
  std::unordered_map<std::string, rt::Index> channelIndex_, attributeIndex_;
  std::unordered_map<const ast::Decl*, double> params_;
  std::unordered_map<std::string, rt::Index> places_;
  std::unordered_map<std::string, double> strings_;
};

}  // namespace journey::lower
