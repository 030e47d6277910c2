// SPDX-License-Identifier: Apache-2.0
// Lexer and Pratt parser emitting bytecode directly (no AST).
#include <charconv>

#include "expr.hpp"

namespace svc {

int Program::slot_of(std::string_view name) const {
  for (std::size_t i = 0; i < variables.size(); ++i) {
    if (variables[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

enum class Tok : std::uint8_t {
  End, Number, Ident, LParen, RParen, Comma, Question, Colon, Plus, Minus, Star, Slash,
  Percent, Bang, Tilde, Amp, AmpAmp, Pipe, PipePipe, Caret, Shl, Shr, Lt, Le, Gt, Ge, EqEq,
  Ne, Error,
};

struct Token {
  Tok kind = Tok::End;
  std::string_view text;
  std::int64_t number = 0;
};

struct Builtin {
  std::string_view name;
  int argc;
};
constexpr Builtin kBuiltins[] = {{"min", 2}, {"max", 2}, {"abs", 1},  {"clamp", 3},
                                 {"hash", 1}, {"isqrt", 1}, {"pow", 2}};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
    Token t;
    if (pos_ >= s_.size()) return t;
    std::size_t start = pos_;
    char c = s_[pos_++];
    auto two = [&](char second, Tok yes, Tok no) {
      if (pos_ < s_.size() && s_[pos_] == second) { ++pos_; return yes; }
      return no;
    };
    switch (c) {
      case '(': t.kind = Tok::LParen; break;
      case ')': t.kind = Tok::RParen; break;
      case ',': t.kind = Tok::Comma; break;
      case '?': t.kind = Tok::Question; break;
      case ':': t.kind = Tok::Colon; break;
      case '+': t.kind = Tok::Plus; break;
      case '-': t.kind = Tok::Minus; break;
      case '*': t.kind = Tok::Star; break;
      case '/': t.kind = Tok::Slash; break;
      case '%': t.kind = Tok::Percent; break;
      case '~': t.kind = Tok::Tilde; break;
      case '^': t.kind = Tok::Caret; break;
      case '!': t.kind = two('=', Tok::Ne, Tok::Bang); break;
      case '&': t.kind = two('&', Tok::AmpAmp, Tok::Amp); break;
      case '|': t.kind = two('|', Tok::PipePipe, Tok::Pipe); break;
      case '=': t.kind = two('=', Tok::EqEq, Tok::Error); break;
      case '<':
        t.kind = two('<', Tok::Shl, Tok::Lt);
        if (t.kind == Tok::Lt) t.kind = two('=', Tok::Le, Tok::Lt);
        break;
      case '>':
        t.kind = two('>', Tok::Shr, Tok::Gt);
        if (t.kind == Tok::Gt) t.kind = two('=', Tok::Ge, Tok::Gt);
        break;
      default:
        if (c >= '0' && c <= '9') {
          while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
          t.kind = Tok::Number;
          auto r = std::from_chars(s_.data() + start, s_.data() + pos_, t.number);
          if (r.ec != std::errc()) t.kind = Tok::Error;
        } else if (is_ident_start(c)) {
          while (pos_ < s_.size() && (is_ident_start(s_[pos_]) ||
                                      (s_[pos_] >= '0' && s_[pos_] <= '9'))) {
            ++pos_;
          }
          t.kind = Tok::Ident;
        } else {
          t.kind = Tok::Error;
        }
    }
    t.text = s_.substr(start, pos_ - start);
    return t;
  }

  std::size_t position() const { return pos_; }

 private:
  static bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  std::string_view s_;
  std::size_t pos_ = 0;
};

// Binding powers: higher binds tighter. 0 means "not a binary operator".
int infix_power(Tok t) {
  switch (t) {
    case Tok::Question: return 1;
    case Tok::PipePipe: return 2;
    case Tok::AmpAmp: return 3;
    case Tok::Pipe: return 4;
    case Tok::Caret: return 5;
    case Tok::Amp: return 6;
    case Tok::EqEq: case Tok::Ne: return 7;
    case Tok::Lt: case Tok::Le: case Tok::Gt: case Tok::Ge: return 8;
    case Tok::Shl: case Tok::Shr: return 9;
    case Tok::Plus: case Tok::Minus: return 10;
    case Tok::Star: case Tok::Slash: case Tok::Percent: return 11;
    default: return 0;
  }
}

Op binary_op(Tok t) {
  switch (t) {
    case Tok::Plus: return Op::Add;
    case Tok::Minus: return Op::Sub;
    case Tok::Star: return Op::Mul;
    case Tok::Slash: return Op::Div;
    case Tok::Percent: return Op::Mod;
    case Tok::Amp: return Op::BitAnd;
    case Tok::Pipe: return Op::BitOr;
    case Tok::Caret: return Op::BitXor;
    case Tok::Shl: return Op::Shl;
    case Tok::Shr: return Op::Shr;
    case Tok::Lt: return Op::Lt;
    case Tok::Le: return Op::Le;
    case Tok::Gt: return Op::Gt;
    case Tok::Ge: return Op::Ge;
    case Tok::EqEq: return Op::Eq;
    default: return Op::Ne;
  }
}

class Compiler {
 public:
  Compiler(std::string_view src, Program& p, std::string& err) : lex_(src), p_(p), err_(err) {
    advance();
  }

  bool compile() {
    if (!expression(0)) return false;
    if (cur_.kind != Tok::End) return fail("unexpected token after the expression");
    emit({Op::Ret});
    return true;
  }

 private:
  bool fail(const std::string& what) {
    if (err_.empty()) {
      err_ = what + " near '" + std::string(cur_.text) + "' (offset " +
             std::to_string(lex_.position()) + ")";
    }
    return false;
  }
  void advance() { cur_ = lex_.next(); }
  int here() const { return static_cast<int>(p_.code.size()); }
  void emit(Instr i) {
    p_.code.push_back(i);
    switch (i.op) {
      case Op::Const: case Op::Load: ++depth_; break;
      case Op::Jump: case Op::Ret: case Op::Neg: case Op::Not: case Op::BitNot: break;
      case Op::Call: depth_ -= i.argc - 1; break;
      default: --depth_; break;  // binary ops, conditional jumps, pop
    }
    if (depth_ > p_.max_stack) p_.max_stack = depth_;
  }
  bool expect(Tok t, const char* what) {
    if (cur_.kind != t) return fail(std::string("expected ") + what);
    advance();
    return true;
  }

  int slot(std::string_view name) {
    int s = p_.slot_of(name);
    if (s >= 0) return s;
    p_.variables.emplace_back(name);
    return static_cast<int>(p_.variables.size() - 1);
  }

  bool call(std::string_view name) {
    int id = -1;
    for (std::size_t i = 0; i < std::size(kBuiltins); ++i) {
      if (kBuiltins[i].name == name) id = static_cast<int>(i);
    }
    if (id < 0) return fail("unknown function '" + std::string(name) + "'");
    advance();  // '('
    int argc = 0;
    if (cur_.kind != Tok::RParen) {
      while (true) {
        if (!expression(0)) return false;
        ++argc;
        if (cur_.kind != Tok::Comma) break;
        advance();
      }
    }
    if (!expect(Tok::RParen, "')'")) return false;
    if (argc != kBuiltins[id].argc) return fail("wrong number of arguments to " + std::string(name));
    emit({Op::Call, static_cast<std::uint8_t>(argc), id});
    return true;
  }

  bool primary() {
    Token t = cur_;
    switch (t.kind) {
      case Tok::Number:
        p_.constants.push_back(t.number);
        emit({Op::Const, 0, static_cast<std::int32_t>(p_.constants.size() - 1)});
        advance();
        return true;
      case Tok::Ident:
        advance();
        if (cur_.kind == Tok::LParen) return call(t.text);
        emit({Op::Load, 0, slot(t.text)});
        return true;
      case Tok::LParen:
        advance();
        if (!expression(0)) return false;
        return expect(Tok::RParen, "')'");
      case Tok::Minus: advance(); if (!unary_operand()) return false; emit({Op::Neg}); return true;
      case Tok::Bang: advance(); if (!unary_operand()) return false; emit({Op::Not}); return true;
      case Tok::Tilde:
        advance();
        if (!unary_operand()) return false;
        emit({Op::BitNot});
        return true;
      default: return fail("expected an operand");
    }
  }

  bool unary_operand() {
    if (++nesting_ > 200) return fail("expression nested too deeply");
    bool ok = primary();
    --nesting_;
    return ok;
  }

  bool expression(int min_power) {
    if (++nesting_ > 200) return fail("expression nested too deeply");
    if (!primary()) return false;
    while (true) {
      Tok op = cur_.kind;
      int power = infix_power(op);
      if (power == 0 || power <= min_power) break;
      advance();
      if (op == Tok::Question) {
        if (!ternary()) return false;
      } else if (op == Tok::AmpAmp || op == Tok::PipePipe) {
        if (!short_circuit(op, power)) return false;
      } else {
        if (!expression(power)) return false;
        emit({binary_op(op)});
      }
    }
    --nesting_;
    return true;
  }

  // a && b: if a is false the result is 0 without evaluating b (|| mirrors it).
  bool short_circuit(Tok op, int power) {
    int jump = here();
    emit({op == Tok::AmpAmp ? Op::JumpIfFalse : Op::JumpIfTrue});
    if (!expression(power)) return false;
    emit({Op::Not});
    emit({Op::Not});
    int end = here();
    emit({Op::Jump});
    p_.code[static_cast<std::size_t>(jump)].arg = here();
    p_.constants.push_back(op == Tok::AmpAmp ? 0 : 1);
    emit({Op::Const, 0, static_cast<std::int32_t>(p_.constants.size() - 1)});
    --depth_;  // the two arms leave one value between them
    p_.code[static_cast<std::size_t>(end)].arg = here();
    return true;
  }

  bool ternary() {
    int to_else = here();
    emit({Op::JumpIfFalse});
    if (!expression(0)) return false;
    if (!expect(Tok::Colon, "':'")) return false;
    int to_end = here();
    emit({Op::Jump});
    p_.code[static_cast<std::size_t>(to_else)].arg = here();
    --depth_;
    if (!expression(0)) return false;
    p_.code[static_cast<std::size_t>(to_end)].arg = here();
    return true;
  }

  Lexer lex_;
  Program& p_;
  std::string& err_;
  Token cur_;
  int depth_ = 0;
  int nesting_ = 0;
};

}  // namespace

bool compile_expression(std::string_view source, Program& program, std::string& error) {
  program = Program{};
  error.clear();
  Compiler c(source, program, error);
  return c.compile();
}

}  // namespace svc
