#pragma once
/// Private helpers for a small download that has no digest to cache it under (an apt key, checked by
/// its fingerprints instead; digest-verified files go through verified_fetch.hpp): fetch a URL through
/// ctx.host.fetch into a temporary file under the root's /var/cache/aiprov/ and take its body.

#include <string>

#include "aiprov/step.hpp"

namespace aiprov::steps {

/// The directory under the root where downloads are staged.
inline constexpr const char* kCacheDir = "/var/cache/aiprov";

/// Fetches `url` into the logical file `part` (its missing parents created 0755; an old `part`
/// removed first), reads it and removes it again, and returns the body. Nothing is left behind,
/// whether the fetch succeeds or not. Throws StepError "step '<id>': cannot fetch <url>: <error>".
std::string fetch_body(Context& ctx, const std::string& step_id, const std::string& url, const std::string& part);

/// The last path segment of a URL without query or fragment ("x.deb" for "https://h/a/x.deb?y=1").
std::string url_file_name(const std::string& url);

}  // namespace aiprov::steps
