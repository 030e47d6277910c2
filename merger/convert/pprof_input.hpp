// SPDX-License-Identifier: Apache-2.0
// pprof adapter: an address-level pprof profile (locations with addresses, mappings with
// start/limit/offset and build IDs, as continuous profilers store them) into address samples.
#pragma once

#include <string_view>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "core/formats/perf/address_samples.hpp"

namespace pgopipe::convert {

// Reads the pprof bytes (gzipped or not) of `name` into `out`, weighting each sample by its
// "samples" value (the first value if there is no such type). Input error naming `name` if
// the profile is malformed, beyond `limits`, or has no sample with an address.
Result<void> read_pprof(std::string_view name, std::string_view bytes, perf::AddressSamples& out,
                        const InputLimits& limits = {});

}  // namespace pgopipe::convert
