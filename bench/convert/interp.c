// SPDX-License-Identifier: Apache-2.0
// Benchmark workload: a small bytecode interpreter (switch dispatch, a value stack, rare
// error paths) running a Collatz/prime-sieve style program. Usage: interp N
#include <stdio.h>
#include <stdlib.h>

enum Op { PUSH, LOAD, STORE, ADD, SUB, MUL, DIV, MOD, LT, EQ, JMP, JZ, JNZ, DUP, POP, HALT, PRINT, TRAP };
typedef struct { int op; long arg; } Insn;

static long stack[256];
static long vars[16];

__attribute__((noinline)) static void trap(const char *why, long pc) {
  fprintf(stderr, "trap at %ld: %s\n", pc, why);
  exit(3);
}

__attribute__((noinline)) long run(const Insn *code, long ncode) {
  long sp = 0, pc = 0, printed = 0;
  for (;;) {
    if (pc < 0 || pc >= ncode) trap("pc out of range", pc);
    const Insn in = code[pc++];
    switch (in.op) {
      case PUSH: stack[sp++] = in.arg; break;
      case LOAD: stack[sp++] = vars[in.arg]; break;
      case STORE: vars[in.arg] = stack[--sp]; break;
      case ADD: sp--; stack[sp - 1] += stack[sp]; break;
      case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
      case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
      case DIV: sp--; if (!stack[sp]) trap("div by zero", pc); stack[sp - 1] /= stack[sp]; break;
      case MOD: sp--; if (!stack[sp]) trap("mod by zero", pc); stack[sp - 1] %= stack[sp]; break;
      case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
      case JMP: pc = in.arg; break;
      case JZ: if (!stack[--sp]) pc = in.arg; break;
      case JNZ: if (stack[--sp]) pc = in.arg; break;
      case DUP: stack[sp] = stack[sp - 1]; sp++; break;
      case POP: sp--; break;
      case PRINT: printed += stack[--sp]; break;
      case HALT: return vars[2] + printed;
      default: trap("bad opcode", pc);
    }
    if (sp < 0 || sp > 250) trap("stack", pc);
  }
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 300000;
  // for (i = 1; i < n; i++) { x = i; while (x != 1) { x = x % 2 ? 3x+1 : x/2; steps++ } }
  Insn prog[] = {
      {PUSH, 1}, {STORE, 0},                              // 0: i = 1
      {LOAD, 0}, {PUSH, n}, {LT, 0}, {JZ, 36},            // 2: while i < n
      {LOAD, 0}, {STORE, 1},                              // 6: x = i
      {LOAD, 1}, {PUSH, 1}, {EQ, 0}, {JNZ, 31},           // 8: while x != 1
      {LOAD, 1}, {PUSH, 2}, {MOD, 0}, {JZ, 24},           // 12: if x % 2
      {LOAD, 1}, {PUSH, 3}, {MUL, 0}, {PUSH, 1}, {ADD, 0}, {STORE, 1}, {JMP, 27}, {HALT, 0},
      {LOAD, 1}, {PUSH, 2}, {DIV, 0}, {STORE, 1},         // 24: x = x / 2 (27 falls here)
      {LOAD, 2}, {PUSH, 1}, {ADD, 0}, {STORE, 2}, {JMP, 8},  // steps++
      {LOAD, 0}, {PUSH, 1}, {ADD, 0}, {STORE, 0}, {JMP, 2},  // 31: i++ (note: indices below)
      {HALT, 0}};
  // Fix the jump targets to the layout above.
  prog[11].arg = 33; prog[15].arg = 24; prog[22].arg = 28; prog[5].arg = 38; prog[32].arg = 8;
  prog[37].arg = 2;
  long ncode = (long)(sizeof prog / sizeof prog[0]);
  printf("%ld\n", run(prog, ncode));
  return 0;
}
