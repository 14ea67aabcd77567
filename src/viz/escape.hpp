#pragma once
// Escaping for the two places where a token meets markup: JSON inside an HTML <script> element,
// and XML text/attributes in SVG.
#include <string>
#include <string_view>

namespace mha::viz::detail {

// Appends s as a JSON string literal that is pure ASCII and safe inside an HTML <script>:
// every non-ASCII code point is a \uXXXX escape (astral ones as a surrogate pair), and '<', '>'
// and '&' are escaped too, so neither "</script>" nor "<!--" can end or confuse the element.
// Ill-formed UTF-8 becomes \ufffd.
void append_json_string(std::string& out, std::string_view s);

// A number for JSON: shortest "%.*g" form with `digits` significant digits; NaN and infinities
// (which JSON lacks) are written as null.
void append_json_number(std::string& out, double v, int digits = 6);

// s escaped for XML text and attribute values (& < > " '), as valid UTF-8; control characters
// and ill-formed bytes, which XML 1.0 forbids even as references, become U+FFFD.
std::string xml_escape(std::string_view s);

}  // namespace mha::viz::detail
