// Small hand-built machines for the runtime's unit tests.
#pragma once

#include <string>
#include <vector>

#include "runtime/machine.h"

namespace journey::testing {

namespace rt = journey::rt;
using rt::Instr;
using rt::Op;

/// A machine that verifies: one persona, one goal, and the expressions the test adds.
inline rt::Machine baseMachine() {
  rt::Machine m;
  m.name = "t";
  m.horizon = 1;
  m.personas.push_back(rt::Persona{"P", "P", 1.0});
  rt::Stage goal;
  goal.name = "G";
  goal.kind = rt::StageKind::Goal;
  m.stages.push_back(goal);
  m.afters.resize(1);
  rt::Target target;
  target.kind = rt::TargetKind::Stage;
  target.stage = 0;
  m.targets.push_back(target);
  m.entry = 0;
  for (int i = 0; i < 4; ++i)
    m.vars.push_back(rt::Var{"v" + std::to_string(i), rt::ValueType::Number, rt::kNone});
  for (int i = 0; i < 3; ++i) {
    m.stages.push_back(goal);
    m.stages.back().name = "S" + std::to_string(i);
    m.afters.emplace_back();
  }
  m.attributes.push_back(rt::Attribute{"a0", rt::ValueType::Number});
  m.attributes.push_back(rt::Attribute{"a1", rt::ValueType::Number});
  m.personaAttributes.assign(2, rt::kNone);
  rt::Channel channel;
  channel.name = "c";
  m.channels.push_back(channel);
  m.channels.push_back(channel);
  for (int i = 0; i < 3; ++i) {
    rt::Touchpoint tp;
    tp.name = "t" + std::to_string(i);
    tp.channel = 0;
    m.touchpoints.push_back(tp);
  }
  rt::Event event;
  event.name = "e";
  event.firstField = 0;
  event.fieldCount = 3;
  m.events.push_back(event);
  for (int i = 0; i < 3; ++i)
    m.payloadFields.push_back(rt::PayloadField{"f" + std::to_string(i), rt::ValueType::Number, 0});
  m.eventMeans.assign(1, rt::kNone);
  m.eventInStage.assign(m.stages.size(), 0);
  // Expression 0: the constant the payload fields and initial values use.
  m.code.push_back(Instr{Op::Const, 0, 0});
  rt::Expr zero;
  zero.begin = 0;
  zero.size = 1;
  zero.constant = true;
  m.exprs.push_back(zero);
  for (auto& var : m.vars)
    var.initial = 0;
  return m;
}

inline rt::ExprId add(rt::Machine& m, const std::vector<Instr>& code) {
  rt::Expr expr;
  expr.begin = static_cast<std::uint32_t>(m.code.size());
  expr.size = static_cast<std::uint32_t>(code.size());
  m.code.insert(m.code.end(), code.begin(), code.end());
  m.exprs.push_back(expr);
  return static_cast<rt::ExprId>(m.exprs.size() - 1);
}

inline Instr op(Op o, rt::Index a = 0) {
  return Instr{o, a, 0};
}
inline Instr constant(double k) {
  return Instr{Op::Const, 0, k};
}

}  // namespace journey::testing
