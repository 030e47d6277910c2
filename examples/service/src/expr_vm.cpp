// SPDX-License-Identifier: Apache-2.0
// The stack machine. Arithmetic wraps (two's complement) instead of overflowing; division
// by zero and bad shifts are runtime errors reported with the instruction offset.
#include <string>

#include "expr.hpp"

namespace svc {

namespace {

std::int64_t wrap_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrap_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrap_mul(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

std::int64_t isqrt(std::int64_t v) {
  if (v <= 0) return 0;
  std::int64_t lo = 0;
  std::int64_t hi = 3037000499;  // floor(sqrt(INT64_MAX))
  while (lo < hi) {
    std::int64_t mid = lo + (hi - lo + 1) / 2;
    if (mid <= v / mid) lo = mid; else hi = mid - 1;
  }
  return lo;
}

std::int64_t mix_hash(std::int64_t v) {
  std::uint64_t x = static_cast<std::uint64_t>(v);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return static_cast<std::int64_t>(x >> 1);
}

std::int64_t ipow(std::int64_t base, std::int64_t exp) {
  if (exp < 0) return 0;
  std::int64_t result = 1;
  for (int i = 0; i < 64 && exp > 0; ++i, exp >>= 1) {
    if (exp & 1) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
  }
  return result;
}

bool call_builtin(int id, std::int64_t* args, std::int64_t& out) {
  switch (id) {
    case 0: out = args[0] < args[1] ? args[0] : args[1]; return true;
    case 1: out = args[0] > args[1] ? args[0] : args[1]; return true;
    case 2: out = args[0] < 0 ? wrap_sub(0, args[0]) : args[0]; return true;
    case 3: out = args[0] < args[1] ? args[1] : (args[0] > args[2] ? args[2] : args[0]); return true;
    case 4: out = mix_hash(args[0]); return true;
    case 5: out = isqrt(args[0]); return true;
    case 6: out = ipow(args[0], args[1]); return true;
    default: return false;
  }
}

RunResult runtime_error(const char* what, std::size_t pc) {
  RunResult r;
  r.ok = false;
  r.error = std::string(what) + " at instruction " + std::to_string(pc);
  return r;
}

}  // namespace

RunResult run_program(const Program& program, std::span<const std::int64_t> slots) {
  constexpr int kInlineStack = 64;
  std::int64_t inline_stack[kInlineStack];
  std::vector<std::int64_t> heap_stack;
  std::int64_t* stack = inline_stack;
  if (program.max_stack + 1 > kInlineStack) {
    heap_stack.resize(static_cast<std::size_t>(program.max_stack) + 1);
    stack = heap_stack.data();
  }
  int sp = 0;  // number of values on the stack
  const Instr* code = program.code.data();
  std::size_t pc = 0;
  while (true) {
    const Instr& in = code[pc++];
    switch (in.op) {
      case Op::Const: stack[sp++] = program.constants[static_cast<std::size_t>(in.arg)]; break;
      case Op::Load: {
        auto s = static_cast<std::size_t>(in.arg);
        stack[sp++] = s < slots.size() ? slots[s] : 0;
        break;
      }
      case Op::Add: --sp; stack[sp - 1] = wrap_add(stack[sp - 1], stack[sp]); break;
      case Op::Sub: --sp; stack[sp - 1] = wrap_sub(stack[sp - 1], stack[sp]); break;
      case Op::Mul: --sp; stack[sp - 1] = wrap_mul(stack[sp - 1], stack[sp]); break;
      case Op::Div:
      case Op::Mod: {
        --sp;
        std::int64_t b = stack[sp];
        std::int64_t a = stack[sp - 1];
        if (b == 0) return runtime_error("division by zero", pc - 1);
        if (b == -1) {
          stack[sp - 1] = in.op == Op::Div ? wrap_sub(0, a) : 0;
        } else {
          stack[sp - 1] = in.op == Op::Div ? a / b : a % b;
        }
        break;
      }
      case Op::Neg: stack[sp - 1] = wrap_sub(0, stack[sp - 1]); break;
      case Op::Not: stack[sp - 1] = stack[sp - 1] == 0; break;
      case Op::BitNot: stack[sp - 1] = ~stack[sp - 1]; break;
      case Op::BitAnd: --sp; stack[sp - 1] &= stack[sp]; break;
      case Op::BitOr: --sp; stack[sp - 1] |= stack[sp]; break;
      case Op::BitXor: --sp; stack[sp - 1] ^= stack[sp]; break;
      case Op::Shl:
      case Op::Shr: {
        --sp;
        std::int64_t n = stack[sp];
        if (n < 0 || n > 63) return runtime_error("shift count out of range", pc - 1);
        auto u = static_cast<std::uint64_t>(stack[sp - 1]);
        stack[sp - 1] = static_cast<std::int64_t>(in.op == Op::Shl ? u << n : u >> n);
        break;
      }
      case Op::Lt: --sp; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case Op::Le: --sp; stack[sp - 1] = stack[sp - 1] <= stack[sp]; break;
      case Op::Gt: --sp; stack[sp - 1] = stack[sp - 1] > stack[sp]; break;
      case Op::Ge: --sp; stack[sp - 1] = stack[sp - 1] >= stack[sp]; break;
      case Op::Eq: --sp; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
      case Op::Ne: --sp; stack[sp - 1] = stack[sp - 1] != stack[sp]; break;
      case Op::Jump: pc = static_cast<std::size_t>(in.arg); break;
      case Op::JumpIfFalse:
        if (stack[--sp] == 0) pc = static_cast<std::size_t>(in.arg);
        break;
      case Op::JumpIfTrue:
        if (stack[--sp] != 0) pc = static_cast<std::size_t>(in.arg);
        break;
      case Op::Pop: --sp; break;
      case Op::Call: {
        sp -= in.argc;
        std::int64_t out = 0;
        if (!call_builtin(in.arg, stack + sp, out)) return runtime_error("unknown builtin", pc - 1);
        stack[sp++] = out;
        break;
      }
      case Op::Ret: {
        RunResult r;
        r.value = sp > 0 ? stack[sp - 1] : 0;
        return r;
      }
    }
  }
}

}  // namespace svc
