#pragma once

#include <string>

namespace slipway {

// Lays out std::to_chars(..., chars_format::scientific) output ("-d.ddde+XX", shortest
// round-trip digits) the way Go's strconv.FormatFloat(f, 'g', -1, bits) does: exponent form
// below 1e-4 and from 1e+06, plain digits otherwise. Callers handle NaN and infinities, whose
// spelling differs between Go's fmt and go-yaml.
std::string go_g_from_scientific(const std::string& sci);

}  // namespace slipway
