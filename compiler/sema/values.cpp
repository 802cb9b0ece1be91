// Params, checked in dependency order with cycles reported, and vars.
#include <fmt/format.h>

#include "compiler/ast/walk.h"
#include "compiler/sema/analyzer.h"

namespace journey::sema {

using ast::TypeKind;

std::vector<std::vector<std::size_t>> Analyzer::paramDependencies() const {
  std::unordered_map<const ast::ValueDecl*, std::size_t> index;
  for (std::size_t i = 0; i < params_.size(); ++i)
    index.emplace(params_[i], i);
  std::vector<std::vector<std::size_t>> dependencies(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i]->value) continue;
    const ast::Expr& value = *params_[i]->value;
    ast::walk(value, [&](const ast::Expr& e) {
      if (e.kind != ast::ExprKind::Name) return;
      const Symbol* symbol = lookup(ast::as<ast::NameExpr>(e).name.text);
      if (symbol == nullptr || symbol->kind != NameKind::Param) return;
      auto target = index.find(static_cast<const ast::ValueDecl*>(symbol->decl));
      if (target != index.end()) dependencies[i].push_back(target->second);
    });
  }
  return dependencies;
}

std::vector<std::size_t> Analyzer::paramsInDependencyOrder(
    const std::vector<std::vector<std::size_t>>& dependencies) {
  enum : char { White, Grey, Black };
  std::vector<char> state(params_.size(), White);
  std::vector<std::size_t> order;
  order.reserve(params_.size());
  struct Frame {
    std::size_t param;
    std::size_t next;
  };
  std::vector<Frame> stack;
  std::vector<std::size_t> stackPosition(params_.size(), 0);
  for (std::size_t start = 0; start < params_.size(); ++start) {
    if (state[start] != White) continue;
    stack.push_back({start, 0});
    state[start] = Grey;
    stackPosition[start] = 0;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      if (frame.next < dependencies[frame.param].size()) {
        std::size_t next = dependencies[frame.param][frame.next++];
        if (state[next] == White) {
          state[next] = Grey;
          stackPosition[next] = stack.size();
          stack.push_back({next, 0});
        } else if (state[next] == Grey) {
          // A cycle: the stack from `next` to the top.
          std::vector<std::size_t> cycle;
          for (std::size_t k = stackPosition[next]; k < stack.size(); ++k)
            cycle.push_back(stack[k].param);
          reportParamCycle(cycle);
        }
        continue;
      }
      state[frame.param] = Black;
      order.push_back(frame.param);
      stack.pop_back();
    }
  }
  return order;
}

void Analyzer::reportParamCycle(const std::vector<std::size_t>& cycle) {
  const ast::ValueDecl* head = params_[cycle.front()];
  if (cyclic_.count(head) == 0) {
    std::string chain;
    for (std::size_t param : cycle)
      chain += fmt::format("`{}` -> ", params_[param]->name.text);
    chain += fmt::format("`{}`", head->name.text);
    Diagnostic& d = report(DiagnosticKind::CyclicDefinition, head->name.range,
                           fmt::format("param `{}` depends on itself", head->name.text));
    if (cycle.size() > 1) d.notes.push_back(chain);
    d.help = "give one of these params a value that does not read the others";
  }
  for (std::size_t param : cycle)
    cyclic_.insert(params_[param]);
}

void Analyzer::checkParams() {
  Place place = constantPlace(
      "a `param` value",
      "a `param` is known before the simulation starts: use literals and other params");
  std::vector<std::vector<std::size_t>> dependencies = paramDependencies();
  for (std::size_t i : paramsInDependencyOrder(dependencies)) {
    ast::ValueDecl* param = params_[i];
    if (cyclic_.count(param) != 0) {
      if (param->value) param->value->type = ast::Type{TypeKind::Error, false};
      continue;
    }
    Folded folded = checkExpected(param->value.get(), place, TypeKind::Unknown);
    if (folded.ok() && folded.type.kind == TypeKind::String && folded.constant)
      paramStrings_[param] = folded.text;
  }
}

void Analyzer::checkVars() {
  Place place = constantPlace("a `var`'s initial value",
                              "a `var` starts from a fixed value: use literals and params");
  for (auto* var : vars_)
    checkExpected(var->value.get(), place, TypeKind::Unknown);
}

}  // namespace journey::sema
