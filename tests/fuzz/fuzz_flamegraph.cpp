// SPDX-License-Identifier: Apache-2.0
// Flame graphs draw any pprof profile a user or a store hands us, and every name in it ends up
// in SVG/HTML: the result must stay well-formed markup whatever the bytes. Stacks are capped
// at a small depth here, so deep-stack inputs (seed deep-stack.pb) exercise the truncation
// and the iterative drawing; the decoded-size limits are small too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "report/flamegraph.hpp"
#include "report/text.hpp"
#include "tests/unit/xml_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  pgopipe::report::FlameOptions options;
  options.min_frame_px = 0;  // draw every frame
  pgopipe::InputLimits limits;
  limits.max_stack_depth = 64;
  limits.max_samples = limits.max_locations = limits.max_functions = limits.max_strings = 4096;
  limits.max_records = 1 << 16;
  auto graph = pgopipe::report::flamegraph_from_pprof("fuzz", bytes, "", limits);
  if (graph.ok()) {
    if (graph->depth() > limits.max_stack_depth) std::abort();
    if (!pgopipe::test::well_formed_xml(pgopipe::report::render_flamegraph_svg(*graph, options))) std::abort();
  }
  // Every byte as one frame: stacks as deep as the input, cut at the cap.
  pgopipe::report::FlameGraph deep(limits.max_stack_depth);
  std::vector<uint32_t> frames;
  for (unsigned char c : bytes) frames.push_back(deep.intern(std::string(1, static_cast<char>('a' + c % 26))));
  deep.add(std::span<const uint32_t>(frames), 1);
  if (deep.depth() > limits.max_stack_depth) std::abort();
  if (!pgopipe::test::well_formed_xml(pgopipe::report::render_flamegraph_svg(deep, options))) std::abort();
  // The raw bytes as one frame name: escaping alone must keep the SVG well-formed.
  pgopipe::report::FlameGraph raw;
  std::string name(bytes);
  raw.add(std::span<const std::string>(&name, 1), 1);
  raw.subtitle = name;
  options.title = name;
  if (!pgopipe::test::well_formed_xml(pgopipe::report::render_flamegraph_svg(raw, options))) std::abort();
  return 0;
}
