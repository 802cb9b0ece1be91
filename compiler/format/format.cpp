#include "compiler/format/format.h"
namespace journey::format { std::string formatModule(const ast::Module&, const SourceFile& file) { return file.text(); } }
