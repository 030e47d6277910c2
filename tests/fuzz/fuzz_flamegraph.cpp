// SPDX-License-Identifier: Apache-2.0
// Flame graphs draw any pprof profile a user or a store hands us, and every name in it ends up
// in SVG/HTML: the result must stay well-formed markup whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "report/flamegraph.hpp"
#include "report/text.hpp"
#include "tests/unit/xml_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  pgopipe::FlameOptions options;
  options.min_frame_px = 0;  // draw every frame
  auto graph = pgopipe::flamegraph_from_pprof("fuzz", bytes, "");
  if (graph.ok() && !pgopipe::test::well_formed_xml(pgopipe::render_flamegraph_svg(*graph, options))) {
    std::abort();
  }
  // The raw bytes as one frame name: escaping alone must keep the SVG well-formed.
  pgopipe::FlameGraph raw;
  std::string name(bytes);
  raw.add(std::span<const std::string>(&name, 1), 1);
  raw.subtitle = name;
  options.title = name;
  if (!pgopipe::test::well_formed_xml(pgopipe::render_flamegraph_svg(raw, options))) std::abort();
  return 0;
}
