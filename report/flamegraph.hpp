// SPDX-License-Identifier: Apache-2.0
// Flame graphs: a tree of call stacks with summed values, drawn as a self-contained SVG in
// the style of flamegraph.pl (root at the bottom, children sorted by name, warm colours from
// a hash of the name, a <title> tooltip per frame). No scripts; the same input gives the
// same bytes. Stacks come from pprof (with inlined frames), LLVM sample profiles (inlinees as
// children) or LLVM instrumented profiles (flat: one frame per function).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace pgopipe {

struct FlameNode {
  uint64_t total = 0;                         // this frame and everything above it
  std::map<std::string, FlameNode> children;  // by frame name (sorted: deterministic layout)

  // The value spent in this frame itself: total minus the children's totals.
  [[nodiscard]] uint64_t self() const;
};

// The merged stacks of one profile.
class FlameGraph {
 public:
  // Adds `value` along the path `frames` (root first); zero values and empty stacks are ignored.
  void add(std::span<const std::string> frames, uint64_t value);

  [[nodiscard]] const FlameNode& root() const { return root_; }
  [[nodiscard]] uint64_t total() const { return root_.total; }
  // The deepest stack added (0 when empty).
  [[nodiscard]] size_t depth() const { return depth_; }

  // What the values count ("samples", "cpu nanoseconds", "counts"); shown in the header.
  std::string unit = "samples";
  // An optional second header line (e.g. why the graph is flat).
  std::string subtitle;

 private:
  FlameNode root_;
  size_t depth_ = 0;
};

struct FlameOptions {
  std::string title = "Flame Graph";
  int width = 1200;                  // of the SVG, in px
  std::string sample_type;           // pprof: the sample type by name; empty = the last one
  // Frames narrower than this many px are not drawn; unset = 0.1 % of the width.
  std::optional<double> min_frame_px;
};

// Draws `graph` as a standalone SVG document (no XML declaration, so it can also be inlined
// into HTML). Every name is XML-escaped and made valid UTF-8.
std::string render_flamegraph_svg(const FlameGraph& graph, const FlameOptions& options);

// Builds the stack tree of a pprof profile (gzipped or not): each sample's locations, each
// location's lines expanded (inlined frames), root at the bottom, values of `sample_type`
// (empty = last sample type) summed per path. Input error naming `name` if malformed; Usage
// error listing the available types if `sample_type` is not one of them.
Result<FlameGraph> flamegraph_from_pprof(std::string_view name, std::string_view bytes,
                                         const std::string& sample_type);

// Reads any supported profile file (format from its bytes) and draws its flame graph.
// Unreadable or unsupported files are Input errors naming the path.
Result<std::string> flamegraph_svg_from_file(const std::filesystem::path& profile,
                                             const FlameOptions& options);

}  // namespace pgopipe
