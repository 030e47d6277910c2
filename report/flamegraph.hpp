// SPDX-License-Identifier: Apache-2.0
// Flame graphs: a tree of call stacks with summed values, drawn as a self-contained SVG in
// the style of flamegraph.pl (root at the bottom, children sorted by name, warm colours from
// a hash of the name, a <title> tooltip per frame). No scripts; the same input gives the
// same bytes. Stacks come from pprof (with inlined frames), LLVM sample profiles (inlinees as
// children) or LLVM instrumented profiles (flat: one frame per function).
#pragma once

#include <cstdint>
#include <filesystem>
#include <deque>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"

namespace pgopipe::report {

// The merged stacks of one profile: a tree of frames with summed values. Frame names are
// interned; node 0 is the root ("all").
class FlameGraph {
 public:
  struct Node {
    uint32_t name = 0;               // interned name id
    uint64_t total = 0;              // this frame and everything above it
    std::vector<uint32_t> children;  // node indices, in first-seen order
  };

  // Stacks deeper than `max_depth` frames keep their `max_depth` outermost frames (the rest
  // is counted in truncated()), so no walk over the tree goes deeper than that.
  explicit FlameGraph(size_t max_depth = InputLimits{}.max_stack_depth);

  // The id of `name`, added on first use.
  uint32_t intern(std::string_view name);
  // Adds `value` along the path `frames` (interned ids, root first); zero values and empty
  // stacks are ignored.
  void add(std::span<const uint32_t> frames, uint64_t value);
  // The same with names (interned here).
  void add(std::span<const std::string> frames, uint64_t value);

  [[nodiscard]] const Node& root() const { return nodes_[0]; }
  [[nodiscard]] const Node& node(uint32_t index) const { return nodes_[index]; }
  [[nodiscard]] std::string_view name(uint32_t id) const { return names_[id]; }
  [[nodiscard]] uint64_t total() const { return nodes_[0].total; }
  // The value spent in `n` itself: its total minus its children's totals.
  [[nodiscard]] uint64_t self(const Node& n) const;
  // The node at `path` (names, root first, without "all"); nullptr when absent.
  [[nodiscard]] const Node* find(std::initializer_list<std::string_view> path) const;
  // The deepest stack added (0 when empty) and the number of frames in the tree.
  [[nodiscard]] size_t depth() const { return depth_; }
  [[nodiscard]] size_t size() const { return nodes_.size() - 1; }
  // How many stacks were cut at max_depth, and the limit itself.
  [[nodiscard]] uint64_t truncated() const { return truncated_; }
  [[nodiscard]] size_t max_depth() const { return max_depth_; }

  // What the values count ("samples", "cpu (nanoseconds)", "counts"); shown in the header.
  std::string unit = "samples";
  // An optional second header line (e.g. why the graph is flat).
  std::string subtitle;

 private:
  std::deque<std::string> names_;                          // stable storage for the views below
  std::unordered_map<std::string_view, uint32_t> name_ids_;
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, uint32_t> child_of_;        // (parent << 32 | name) -> node
  size_t depth_ = 0;
  size_t max_depth_;
  uint64_t truncated_ = 0;
};

struct FlameOptions {
  std::string title = "Flame Graph";
  int width = 1200;                  // of the SVG, in px
  std::string sample_type;           // pprof: the sample type by name; empty = the last one
  // Frames narrower than this many px are not drawn; unset = 0.1 % of the width.
  std::optional<double> min_frame_px;
  // What the profile may decode to; limits.max_stack_depth caps the drawn stacks.
  InputLimits limits;
};

// Draws `graph` as a standalone SVG document (no XML declaration, so it can also be inlined
// into HTML): children sorted by name, frames narrower than the minimum skipped with
// everything above them. Every name is XML-escaped and made valid UTF-8.
std::string render_flamegraph_svg(const FlameGraph& graph, const FlameOptions& options);

// Builds the stack tree of a pprof profile (gzipped or not): each sample's locations, each
// location's lines expanded (inlined frames), root at the bottom, values of `sample_type`
// (empty = last sample type) summed per path. Input error naming `name` if malformed or
// beyond `limits`; Usage error listing the available types if `sample_type` is not one of them.
Result<FlameGraph> flamegraph_from_pprof(std::string_view name, std::string_view bytes,
                                         const std::string& sample_type,
                                         const InputLimits& limits = {});

// Reads any supported profile file (format from its bytes) and draws its flame graph.
// Unreadable or unsupported files are Input errors naming the path; a sample type given for
// a non-pprof profile is a Usage error.
Result<std::string> flamegraph_svg_from_file(const std::filesystem::path& profile,
                                             const FlameOptions& options);

}  // namespace pgopipe::report
