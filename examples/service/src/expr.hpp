// SPDX-License-Identifier: Apache-2.0
// A small integer expression language compiled to bytecode for a stack machine.
// Grammar: ternary ?:, || &&, | ^ &, == != < <= > >=, << >>, + -, * / %, unary - ! ~,
// integer literals, variables and calls to builtins (min max abs clamp hash isqrt pow).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace svc {

enum class Op : std::uint8_t {
  Const, Load, Add, Sub, Mul, Div, Mod, Neg, Not, BitNot, BitAnd, BitOr, BitXor, Shl, Shr,
  Lt, Le, Gt, Ge, Eq, Ne, Jump, JumpIfFalse, JumpIfTrue, Pop, Call, Ret,
};

struct Instr {
  Op op;
  std::uint8_t argc = 0;  // Call: number of arguments
  std::int32_t arg = 0;   // Const: index; Load: slot; jumps: target; Call: builtin id
};

struct Program {
  std::vector<Instr> code;
  std::vector<std::int64_t> constants;
  std::vector<std::string> variables;  // slot -> name
  int max_stack = 0;

  // Returns the slot of a variable, or -1 when the program never reads it.
  int slot_of(std::string_view name) const;
};

// Compiles source into program; on failure returns false and fills error.
bool compile_expression(std::string_view source, Program& program, std::string& error);

struct RunResult {
  bool ok = true;
  std::int64_t value = 0;
  std::string error;
};

// Runs program with one value per variable slot.
RunResult run_program(const Program& program, std::span<const std::int64_t> slots);

}  // namespace svc
