#include "runtime/jit/jit.h"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/OptimizationLevel.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>

#include "runtime/samplers.h"

namespace journey::rt::jit {
namespace {

/// The native target, its assembly printer and parser: once per process, from any thread.
void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::string message(llvm::Error error) {
  return llvm::toString(std::move(error));
}

constexpr const char* kTableName = "journey_expressions";

/// Above this many functions, code generation uses FastISel.
constexpr std::size_t kSelectionDagLimit = 256;

/// The samplers generated code calls, by name, with their addresses.
struct Sampler {
  const char* name;
  void* address;
  int doubles;  // parameters after the context
};

const Sampler kSamplers[] = {
    {"journey_rt_sample_uniform", reinterpret_cast<void*>(&journey_rt_sample_uniform), 2},
    {"journey_rt_sample_normal", reinterpret_cast<void*>(&journey_rt_sample_normal), 2},
    {"journey_rt_sample_lognormal", reinterpret_cast<void*>(&journey_rt_sample_lognormal), 2},
    {"journey_rt_sample_exponential", reinterpret_cast<void*>(&journey_rt_sample_exponential), 1},
    {"journey_rt_sample_gamma", reinterpret_cast<void*>(&journey_rt_sample_gamma), 2},
    {"journey_rt_sample_weibull", reinterpret_cast<void*>(&journey_rt_sample_weibull), 2},
    {"journey_rt_sample_bernoulli", reinterpret_cast<void*>(&journey_rt_sample_bernoulli), 1},
    {"journey_rt_sample_discrete", reinterpret_cast<void*>(&journey_rt_sample_discrete), -1},
};

enum SamplerIndex {
  kUniform,
  kNormal,
  kLognormal,
  kExponential,
  kGamma,
  kWeibull,
  kBernoulli,
  kDiscrete
};

/// Builds one function per non-constant expression: the postfix code turned into SSA form by
/// keeping the stack as a list of values while walking the code. A forward jump records the
/// stack it leaves with; its target block merges the recorded stacks with phis where they
/// differ (the verifier guarantees the depths agree).
class Codegen {
 public:
  Codegen(const Machine& machine, llvm::LLVMContext& context, llvm::Module& module,
          const llvm::TargetMachine* target, bool share)
      : share(share), m_(machine), context_(context), module_(module), builder_(context) {
    f64_ = llvm::Type::getDoubleTy(context_);
    i32_ = llvm::Type::getInt32Ty(context_);
    i8_ = llvm::Type::getInt8Ty(context_);
    bytePtr_ = llvm::Type::getInt8PtrTy(context_);
    exprType_ = llvm::FunctionType::get(f64_, {bytePtr_}, false);
    if (target != nullptr) {
      cpu_ = target->getTargetCPU().str();
      features_ = target->getTargetFeatureString().str();
    }
    for (const Sampler& sampler : kSamplers) {
      std::vector<llvm::Type*> params{bytePtr_};
      if (sampler.doubles < 0) {
        params.push_back(f64_->getPointerTo());
        params.push_back(i32_);
      } else {
        params.insert(params.end(), static_cast<std::size_t>(sampler.doubles), f64_);
      }
      auto* type = llvm::FunctionType::get(f64_, params, false);
      auto* function =
          llvm::Function::Create(type, llvm::Function::ExternalLinkage, sampler.name, module_);
      function->addFnAttr(llvm::Attribute::NoUnwind);
      samplers_.push_back(function);
    }
  }

  /// Adds every function and the table of their addresses. Returns an error message for a
  /// machine the code generator cannot handle (the verifier should have refused it).
  std::string run() {
    std::vector<llvm::Constant*> table;
    table.reserve(m_.exprs.size());
    auto* nullEntry = llvm::ConstantPointerNull::get(bytePtr_);
    for (std::size_t id = 0; id < m_.exprs.size(); ++id) {
      const Expr& expr = m_.exprs[id];
      if (expr.constant) {
        table.push_back(nullEntry);
        continue;
      }
      // Expressions with the same code share one function (a generated spec repeats many).
      std::string key;
      key.reserve(std::size_t{expr.size} * 16);
      for (std::uint32_t i = 0; i < expr.size; ++i) {
        const Instr& instr = m_.code[expr.begin + i];
        char bytes[16] = {};
        bytes[0] = static_cast<char>(instr.op);
        std::memcpy(bytes + 4, &instr.a, sizeof instr.a);
        std::memcpy(bytes + 8, &instr.k, sizeof instr.k);
        key.append(bytes, sizeof bytes);
      }
      if (!share) key = std::to_string(id);
      llvm::Function*& function = byCode_[key];
      if (function == nullptr) {
        std::string error = emit(static_cast<ExprId>(id), expr, function);
        if (!error.empty()) return error;
        ++compiled;
      }
      table.push_back(llvm::ConstantExpr::getBitCast(function, bytePtr_));
    }
    auto* tableType = llvm::ArrayType::get(bytePtr_, table.size());
    new llvm::GlobalVariable(module_, tableType, true, llvm::GlobalValue::ExternalLinkage,
                             llvm::ConstantArray::get(tableType, table), kTableName);
    return {};
  }

  const bool share;
  /// Functions made: one per distinct non-constant expression.
  std::size_t compiled = 0;

 private:
  using Stack = std::vector<llvm::Value*>;
  struct Incoming {
    llvm::BasicBlock* block;
    Stack stack;
  };

  std::string emit(ExprId id, const Expr& expr, llvm::Function*& function) {
    function = llvm::Function::Create(exprType_, llvm::Function::InternalLinkage,
                                      "expr." + std::to_string(id), module_);
    function->addFnAttr(llvm::Attribute::NoUnwind);
    if (!cpu_.empty()) function->addFnAttr("target-cpu", cpu_);
    if (!features_.empty()) function->addFnAttr("target-features", features_);
    function_ = function;
    context_arg_ = function->getArg(0);
    context_arg_->setName("context");
    function->addParamAttr(0, llvm::Attribute::NonNull);
    function->addDereferenceableParamAttr(0, sizeof(EvalContext));
    failBlock_ = nullptr;
    targets_.clear();
    incoming_.clear();

    builder_.SetInsertPoint(llvm::BasicBlock::Create(context_, "entry", function));
    entry_ = &function->getEntryBlock();
    Stack stack;
    const Instr* code = m_.code.data() + expr.begin;
    for (std::uint32_t pc = 0; pc <= expr.size; ++pc) {
      if (auto found = targets_.find(pc); found != targets_.end()) {
        std::string error = merge(pc, found->second, stack);
        if (!error.empty()) return fmt(id, pc, error);
      }
      if (pc == expr.size) break;
      std::string error = instruction(code[pc], pc, expr.size, stack);
      if (!error.empty()) return fmt(id, pc, error);
    }
    if (stack.size() != 1) return fmt(id, expr.size, "the stack does not end with one value");
    // A NaN result fails the customer: the engine tests the value (CompiledExpr).
    builder_.CreateRet(stack.back());
    return {};
  }

  static std::string fmt(ExprId id, std::uint32_t pc, const std::string& what) {
    return "expression " + std::to_string(id) + ", instruction " + std::to_string(pc) + ": " + what;
  }

  llvm::MDNode* unlikely() { return llvm::MDBuilder(context_).createBranchWeights(1, 1 << 20); }

  /// A field of the context at `offset`, of `type`.
  llvm::Value* field(std::size_t offset, llvm::Type* type) {
    llvm::Value* address = builder_.CreateConstInBoundsGEP1_64(i8_, context_arg_, offset);
    address = builder_.CreateBitCast(address, type->getPointerTo());
    return builder_.CreateLoad(type, address);
  }

  /// Element `index` of the array the context's pointer field at `offset` points to.
  llvm::Value* element(std::size_t offset, llvm::Type* type, Index index) {
    llvm::Value* base = field(offset, type->getPointerTo());
    llvm::Value* address =
        builder_.CreateConstInBoundsGEP1_64(type, base, static_cast<std::uint64_t>(index));
    return builder_.CreateLoad(type, address);
  }

  /// The block a division by zero goes to: the result is NaN, which fails the customer.
  llvm::BasicBlock* failBlock() {
    if (failBlock_ == nullptr) {
      auto saved = builder_.saveIP();
      failBlock_ = llvm::BasicBlock::Create(context_, "division_by_zero", function_);
      builder_.SetInsertPoint(failBlock_);
      builder_.CreateRet(llvm::ConstantFP::getNaN(f64_));
      builder_.restoreIP(saved);
    }
    return failBlock_;
  }

  llvm::Value* truth(llvm::Value* bit) { return builder_.CreateUIToFP(bit, f64_); }

  /// A sampler's result; its NaN (invalid parameters) is the function's result at once, since
  /// a comparison later could hide it. `discrete` never fails by itself.
  llvm::Value* call(SamplerIndex which, std::initializer_list<llvm::Value*> args) {
    std::vector<llvm::Value*> all{context_arg_};
    all.insert(all.end(), args);
    llvm::Value* sample = builder_.CreateCall(samplers_[which], all);
    if (which == kDiscrete) return sample;
    auto* failed = llvm::BasicBlock::Create(context_, "invalid_parameters", function_);
    auto* next = llvm::BasicBlock::Create(context_, "sampled", function_);
    builder_.CreateCondBr(builder_.CreateFCmpUNO(sample, sample), failed, next, unlikely());
    builder_.SetInsertPoint(failed);
    builder_.CreateRet(sample);
    builder_.SetInsertPoint(next);
    return sample;
  }

  /// The block for jump target `pc`, made at the first jump there.
  llvm::BasicBlock* target(std::uint32_t pc) {
    auto& block = targets_[pc];
    if (block == nullptr) block = llvm::BasicBlock::Create(context_, "join", function_);
    return block;
  }

  /// Enters jump target `pc`: the fall-through and every jump here meet, slot by slot.
  std::string merge(std::uint32_t pc, llvm::BasicBlock* block, Stack& stack) {
    auto& sources = incoming_[pc];
    sources.push_back(Incoming{builder_.GetInsertBlock(), stack});
    builder_.CreateBr(block);
    builder_.SetInsertPoint(block);
    std::size_t depth = sources.front().stack.size();
    for (const Incoming& source : sources)
      if (source.stack.size() != depth) return "stack depths differ where jumps meet";
    stack.assign(depth, nullptr);
    for (std::size_t slot = 0; slot < depth; ++slot) {
      llvm::Value* first = sources.front().stack[slot];
      bool same = true;
      for (const Incoming& source : sources)
        same = same && source.stack[slot] == first;
      if (same) {
        stack[slot] = first;
        continue;
      }
      llvm::PHINode* phi = builder_.CreatePHI(f64_, static_cast<unsigned>(sources.size()));
      for (const Incoming& source : sources)
        phi->addIncoming(source.stack[slot], source.block);
      stack[slot] = phi;
    }
    return {};
  }

  static llvm::Value* pop(Stack& stack) {
    llvm::Value* value = stack.back();
    stack.pop_back();
    return value;
  }

  std::string instruction(const Instr& instr, std::uint32_t pc, std::uint32_t size, Stack& stack) {
    if (static_cast<int>(stack.size()) < opPops(instr)) return "too few values on the stack";
    if (llvm::Value* value = read(instr)) {
      stack.push_back(value);
      return {};
    }
    auto push = [&stack](llvm::Value* value) { stack.push_back(value); };
    auto& b = builder_;
    switch (instr.op) {
      case Op::Neg:
        push(b.CreateFNeg(pop(stack)));
        break;
      case Op::Not:
        push(truth(b.CreateFCmpOEQ(pop(stack), zero())));
        break;
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge:
      case Op::Eq:
      case Op::Ne:
      case Op::Min:
      case Op::Max: {
        llvm::Value* rhs = pop(stack);
        llvm::Value* lhs = pop(stack);
        push(binary(instr.op, lhs, rhs));
        break;
      }
      case Op::Div: {
        llvm::Value* rhs = pop(stack);
        llvm::Value* lhs = pop(stack);
        auto* ok = llvm::BasicBlock::Create(context_, "divide", function_);
        b.CreateCondBr(b.CreateFCmpOEQ(rhs, zero()), failBlock(), ok, unlikely());
        b.SetInsertPoint(ok);
        push(b.CreateFDiv(lhs, rhs));
        break;
      }
      case Op::Clamp: {
        llvm::Value* hi = pop(stack);
        llvm::Value* lo = pop(stack);
        llvm::Value* x = pop(stack);
        // x = x < lo ? lo : x; hi < x ? hi : x
        x = b.CreateSelect(b.CreateFCmpOLT(x, lo), lo, x);
        push(b.CreateSelect(b.CreateFCmpOLT(hi, x), hi, x));
        break;
      }
      case Op::Abs:
        push(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, pop(stack)));
        break;
      case Op::Round:
        push(b.CreateUnaryIntrinsic(llvm::Intrinsic::round, pop(stack)));
        break;
      case Op::Floor:
        push(b.CreateUnaryIntrinsic(llvm::Intrinsic::floor, pop(stack)));
        break;
      case Op::Ceil:
        push(b.CreateUnaryIntrinsic(llvm::Intrinsic::ceil, pop(stack)));
        break;
      case Op::JumpIfFalse:
      case Op::JumpIfTrue: {
        if (instr.a <= static_cast<Index>(pc) || static_cast<std::uint32_t>(instr.a) > size)
          return "a jump that is not forward within the expression";
        auto to = static_cast<std::uint32_t>(instr.a);
        llvm::Value* top = stack.back();
        llvm::Value* jump = instr.op == Op::JumpIfFalse ? b.CreateFCmpOEQ(top, zero())
                                                        : b.CreateFCmpUNE(top, zero());
        auto* next = llvm::BasicBlock::Create(context_, "next", function_);
        b.CreateCondBr(jump, target(to), next);
        incoming_[to].push_back(Incoming{b.GetInsertBlock(), stack});
        b.SetInsertPoint(next);
        stack.pop_back();
        break;
      }
      case Op::Uniform:
      case Op::Normal:
      case Op::Lognormal:
      case Op::Gamma:
      case Op::Weibull:
      case Op::Exponential:
      case Op::Bernoulli:
      case Op::Discrete:
        return sample(instr, stack);
      default:
        return "unknown operation " + std::to_string(static_cast<int>(instr.op));
    }
    return {};
  }

  /// The operations that only push: a constant or a read of the context. Null for the others.
  llvm::Value* read(const Instr& instr) {
    auto& b = builder_;
    switch (instr.op) {
      case Op::Const:
        return llvm::ConstantFP::get(f64_, instr.k);
      case Op::Var:
        return element(offsetof(EvalContext, vars), f64_, instr.a);
      case Op::Attribute:
        return element(offsetof(EvalContext, attributes), f64_, instr.a);
      case Op::Payload:
        return element(offsetof(EvalContext, payload), f64_, instr.a);
      case Op::Emotion:
        return field(offsetof(EvalContext, emotion), f64_);
      case Op::Cost:
        return field(offsetof(EvalContext, cost), f64_);
      case Op::Time:
        return field(offsetof(EvalContext, now), f64_);
      case Op::TimeInStage: {
        llvm::Value* now = field(offsetof(EvalContext, now), f64_);
        llvm::Value* entered = field(offsetof(EvalContext, stageEnteredAt), f64_);
        return b.CreateFSub(now, entered);
      }
      case Op::Persona:
        return b.CreateSIToFP(field(offsetof(EvalContext, persona), i32_), f64_);
      case Op::Visits:
        return b.CreateUIToFP(element(offsetof(EvalContext, visits), i32_, instr.a), f64_);
      case Op::Received:
        return b.CreateUIToFP(element(offsetof(EvalContext, received), i32_, instr.a), f64_);
      case Op::ReceivedChannel:
        return b.CreateUIToFP(element(offsetof(EvalContext, receivedChannel), i32_, instr.a), f64_);
      case Op::InStage: {
        llvm::Value* stage = field(offsetof(EvalContext, stage), i32_);
        return truth(b.CreateICmpEQ(stage, llvm::ConstantInt::get(i32_, instr.a, true)));
      }
      case Op::Value: {
        // The interpreter's order of operations, so that both give the same double.
        llvm::Value* value = field(offsetof(EvalContext, value), f64_);
        llvm::Value* rate = field(offsetof(EvalContext, valueRate), f64_);
        llvm::Value* now = field(offsetof(EvalContext, now), f64_);
        llvm::Value* entered = field(offsetof(EvalContext, stageEnteredAt), f64_);
        return b.CreateFAdd(value, b.CreateFMul(rate, b.CreateFSub(now, entered)));
      }
      case Op::Occurrences:
        return b.CreateUIToFP(element(offsetof(EvalContext, occurrences), i32_, instr.a), f64_);
      default:
        return nullptr;
    }
  }

  /// A sampler: its parameters popped, its draw pushed.
  std::string sample(const Instr& instr, Stack& stack) {
    switch (instr.op) {
      case Op::Exponential:
        stack.push_back(call(kExponential, {pop(stack)}));
        return {};
      case Op::Bernoulli:
        stack.push_back(call(kBernoulli, {pop(stack)}));
        return {};
      case Op::Discrete:
        return discrete(instr, stack);
      default: {
        llvm::Value* second = pop(stack);
        llvm::Value* first = pop(stack);
        SamplerIndex which = instr.op == Op::Uniform     ? kUniform
                             : instr.op == Op::Normal    ? kNormal
                             : instr.op == Op::Lognormal ? kLognormal
                             : instr.op == Op::Gamma     ? kGamma
                                                         : kWeibull;
        stack.push_back(call(which, {first, second}));
        return {};
      }
    }
  }

  /// `discrete`: its (value, probability) pairs go to a stack array, deepest value first.
  std::string discrete(const Instr& instr, Stack& stack) {
    if (instr.a < 1 || 2 * static_cast<std::size_t>(instr.a) > stack.size())
      return "discrete with a bad number of entries";
    auto& b = builder_;
    auto count = 2 * static_cast<std::size_t>(instr.a);
    // The array lives in the entry block.
    auto saved = b.saveIP();
    b.SetInsertPoint(entry_, entry_->begin());
    auto* arrayType = llvm::ArrayType::get(f64_, count);
    llvm::AllocaInst* pairs = b.CreateAlloca(arrayType);
    b.restoreIP(saved);
    std::size_t first = stack.size() - count;
    for (std::size_t i = 0; i < count; ++i) {
      llvm::Value* slot = b.CreateConstInBoundsGEP2_64(arrayType, pairs, 0, i);
      b.CreateStore(stack[first + i], slot);
    }
    stack.resize(first);
    llvm::Value* base = b.CreateConstInBoundsGEP2_64(arrayType, pairs, 0, 0);
    stack.push_back(call(kDiscrete, {base, llvm::ConstantInt::get(i32_, instr.a)}));
    return {};
  }

  llvm::Value* zero() { return llvm::ConstantFP::get(f64_, 0.0); }

  llvm::Value* binary(Op op, llvm::Value* a, llvm::Value* b) {
    auto& ir = builder_;
    switch (op) {
      case Op::Add:
        return ir.CreateFAdd(a, b);
      case Op::Sub:
        return ir.CreateFSub(a, b);
      case Op::Mul:
        return ir.CreateFMul(a, b);
      case Op::Lt:
        return truth(ir.CreateFCmpOLT(a, b));
      case Op::Le:
        return truth(ir.CreateFCmpOLE(a, b));
      case Op::Gt:
        return truth(ir.CreateFCmpOGT(a, b));
      case Op::Ge:
        return truth(ir.CreateFCmpOGE(a, b));
      case Op::Eq:
        return truth(ir.CreateFCmpOEQ(a, b));
      case Op::Ne:
        return truth(ir.CreateFCmpUNE(a, b));
      case Op::Min:  // b < a ? b : a
        return ir.CreateSelect(ir.CreateFCmpOLT(b, a), b, a);
      case Op::Max:  // a < b ? b : a
        return ir.CreateSelect(ir.CreateFCmpOLT(a, b), b, a);
      default:
        return nullptr;
    }
  }

  const Machine& m_;
  llvm::LLVMContext& context_;
  llvm::Module& module_;
  llvm::IRBuilder<> builder_;
  llvm::Type* f64_;
  llvm::Type* i32_;
  llvm::Type* i8_;
  llvm::PointerType* bytePtr_;
  llvm::FunctionType* exprType_;
  std::string cpu_, features_;
  std::vector<llvm::Function*> samplers_;

  llvm::Function* function_ = nullptr;
  llvm::Argument* context_arg_ = nullptr;
  llvm::BasicBlock* entry_ = nullptr;
  llvm::BasicBlock* failBlock_ = nullptr;
  std::map<std::uint32_t, llvm::BasicBlock*> targets_;
  std::map<std::uint32_t, std::vector<Incoming>> incoming_;
  std::unordered_map<std::string, llvm::Function*> byCode_;
};

void optimize(llvm::Module& module, llvm::TargetMachine* target) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(target);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  llvm::ModulePassManager passes =
      builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  passes.run(module, modules);
}

}  // namespace

struct JitBackend::State {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

JitBackend::JitBackend() : state_(std::make_unique<State>()) {}
JitBackend::~JitBackend() = default;

std::variant<std::unique_ptr<JitBackend>, std::string> JitBackend::compile(
    const Machine& machine, const JitOptions& options) {
  auto started = std::chrono::steady_clock::now();
  initializeNativeTarget();

  // The target: the host with its CPU and features, strict IEEE (no fused multiply-add).
  llvm::Expected<llvm::orc::JITTargetMachineBuilder> detected =
      options.triple.empty()
          ? llvm::orc::JITTargetMachineBuilder::detectHost()
          : llvm::Expected<llvm::orc::JITTargetMachineBuilder>(
                llvm::orc::JITTargetMachineBuilder(llvm::Triple(options.triple)));
  if (!detected) return "cannot detect the host: " + message(detected.takeError());
  llvm::orc::JITTargetMachineBuilder targetBuilder = std::move(*detected);
  targetBuilder.getOptions().AllowFPOpFusion = llvm::FPOpFusion::Strict;
  targetBuilder.getOptions().UnsafeFPMath = false;
  targetBuilder.getOptions().NoInfsFPMath = false;
  targetBuilder.getOptions().NoNaNsFPMath = false;
  targetBuilder.setCodeGenOptLevel(llvm::CodeGenOpt::Default);
  auto targetMachine = targetBuilder.createTargetMachine();
  if (!targetMachine) return "no code generator: " + message(targetMachine.takeError());

  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("journey." + machine.name, *context);
  module->setDataLayout((*targetMachine)->createDataLayout());
  module->setTargetTriple((*targetMachine)->getTargetTriple().str());

  Codegen codegen(machine, *context, *module, targetMachine->get(), options.shareEqualCode);
  if (std::string error = codegen.run(); !error.empty()) return "cannot compile " + error;
  {
    std::string problems;
    llvm::raw_string_ostream stream(problems);
    if (llvm::verifyModule(*module, &stream))
      return "the generated code is malformed (a bug in the JIT): " + stream.str();
  }
  auto generated = std::chrono::steady_clock::now();
  if (options.optimize) optimize(*module, targetMachine->get());
  auto optimized = std::chrono::steady_clock::now();

  std::unique_ptr<JitBackend> backend(new JitBackend());
  backend->compiledCount_ = codegen.compiled;
  if (options.keepIr) {
    llvm::raw_string_ostream stream(backend->ir_);
    module->print(stream, nullptr);
    stream.flush();
  }

  // Code generation costs about 0.6 ms a function with SelectionDAG and a quarter of that with
  // FastISel (CodeGenOpt::None); the IR is optimized either way, and the simulation's speed
  // does not tell them apart. Large modules take the fast path to keep compile time low.
  if (codegen.compiled > kSelectionDagLimit)
    targetBuilder.setCodeGenOptLevel(llvm::CodeGenOpt::None);
  auto jit =
      llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(targetBuilder)).create();
  if (!jit) return "cannot start the JIT: " + message(jit.takeError());
  llvm::orc::JITDylib& library = (*jit)->getMainJITDylib();
  // The samplers by address: the executable need not export them.
  llvm::orc::SymbolMap symbols;
  for (const Sampler& sampler : kSamplers) {
    symbols[(*jit)->mangleAndIntern(sampler.name)] =
        llvm::JITEvaluatedSymbol(llvm::pointerToJITTargetAddress(sampler.address),
                                 llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  }
  if (auto error = library.define(llvm::orc::absoluteSymbols(std::move(symbols))))
    return "cannot define the samplers: " + message(std::move(error));
  // libm for what the code generator turns into calls (floor, round, ... without SSE4.1).
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) return "cannot search the process: " + message(process.takeError());
  library.addGenerator(std::move(*process));

  if (auto error =
          (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    return "cannot add the module: " + message(std::move(error));
  auto table = (*jit)->lookup(kTableName);
  if (!table) return "cannot generate code: " + message(table.takeError());
  const auto* entries = llvm::jitTargetAddressToPointer<void* const*>(table->getAddress());
  backend->functions_.resize(machine.exprs.size());
  for (std::size_t id = 0; id < machine.exprs.size(); ++id)
    backend->functions_[id] = reinterpret_cast<CompiledExpr>(entries[id]);
  backend->state_->jit = std::move(*jit);
  auto finished = std::chrono::steady_clock::now();
  backend->compileSeconds = std::chrono::duration<double>(finished - started).count();
  backend->optimizeSeconds = std::chrono::duration<double>(optimized - generated).count();
  backend->codegenSeconds = std::chrono::duration<double>(finished - optimized).count();
  return backend;
}

}  // namespace journey::rt::jit
