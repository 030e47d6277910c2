// SPDX-License-Identifier: Apache-2.0
// Frame-pointer stacks lose a frame when the sampled function has not set up its frame yet
// (its first instructions) or has already torn it down (at its return): the frame pointer is
// still, or again, its caller's, so the stack's first return address is the caller's own,
// into the grandparent. Taken as it stands, such a sample makes the function a call target
// of the grandparent's call site, and its real call site loses it. Cheap callees lose most:
// an indirect call's cost lands on its target's first instruction, so a one-line virtual
// method can have all its samples there and vanish from the targets clang promotes.
//
// LostCallers gives those samples back to a call site that plausibly made the call: one
// that the grandparent's frame is seen calling, and that calls the function, or another
// override of the same method, in correctly unwound samples.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pgopipe::convert {

struct Binary;
class CodeMap;

// Whether frame-pointer unwinding skips the caller of a sample at `offset` into a function
// whose x86-64 code is `code`: at its entry, before its frame is set up (endbr64, push %rbp,
// mov %rsp,%rbp), or at a return or tail jump after the frame is gone.
bool skips_caller(std::span<const uint8_t> code, uint64_t offset);

// Whether the stack of a sample at `leaf` (in `leaf_map`'s binary) lacks the leaf's caller:
// skips_caller() holds there, and the stack's next frame, the call returning to
// `return_address` (in `caller_map`'s binary, if known), is not a direct call of the leaf's
// function, which would make it the real caller after all.
bool caller_skipped(const CodeMap& leaf_map, uint64_t leaf, const CodeMap* caller_map, uint64_t return_address);

// "add(double)" for "_ZN3svc6SumAgg3addEd": the method a virtual call dispatches on, which
// every override shares; the name itself when it is not an Itanium-mangled function name.
std::string method_signature(std::string_view name);

class LostCallers {
 public:
  struct Site {
    const Binary* binary = nullptr;
    uint64_t vaddr = 0;
    auto operator<=>(const Site&) const = default;
  };
  struct Assignment {
    Site site;         // the call site the samples go to
    Site grandparent;  // the frame above it (the site itself when not restored)
    std::string_view callee;
    uint64_t count = 0;
    bool restored = false;  // false: no plausible site, the samples keep the stack's edge
  };

  // Function names are kept as views: they must outlive the LostCallers and its assignments
  // (the symbolizer owns them).

  // A correctly unwound call: `site` called `callee` in `count` samples.
  void note_target(Site site, std::string_view callee, uint64_t count);
  // Adjacent frames of a stack: the function holding `inner` was called from `outer`.
  void note_nested(Site outer, Site inner);
  // Samples of `callee` whose caller frame was skipped; `grandparent` is the frame the stack
  // shows above it (the caller's own call site).
  void note_lost(std::string_view callee, Site grandparent, uint64_t count);

  // Gives each lost sample to the sites the grandparent calls into that call `callee` or an
  // override of the same method, in proportion to those targets' samples there; samples with
  // no such site stay with the grandparent, as the stack recorded them. Deterministic.
  std::vector<Assignment> resolve();

 private:
  uint64_t matching_samples(Site site, std::string_view callee, const std::string& signature);

  std::map<Site, std::map<std::string_view, uint64_t>> targets_;  // site -> callee -> samples
  std::map<Site, std::set<Site>> nested_;                          // outer -> inner sites
  std::map<std::pair<std::string_view, Site>, uint64_t> lost_;     // (callee, grandparent) -> samples
  std::map<std::string_view, std::string> signatures_;             // cache of method_signature
};

}  // namespace pgopipe::convert
