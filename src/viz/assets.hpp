#pragma once
// The web code of the HTML page, embedded at build time from src/viz/assets/ (see
// embed_assets.cmake): the page template with its {{title}}, {{style}}, {{data}} and {{script}}
// slots, the style sheet, and the scripts joined in order.
#include <string_view>

namespace mha::viz::detail {

extern const std::string_view kPageTemplate;
extern const std::string_view kStyle;
extern const std::string_view kScript;

}  // namespace mha::viz::detail
