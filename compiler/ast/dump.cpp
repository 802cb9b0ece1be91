#include "compiler/ast/dump.h"
namespace journey::ast { void dump(std::ostream& out, const Module&, const SourceManager&) { out << "(dump pending)\n"; } }
