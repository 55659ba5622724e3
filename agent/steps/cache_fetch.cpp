#include "steps/cache_fetch.hpp"

#include <cstdint>
#include <optional>

#include "steps/common_ownership.hpp"

namespace aiprov::steps {

std::string fetch_body(Context& ctx, const std::string& step_id, const std::string& url, const std::string& part) {
  FileSystem& fs = ctx.host.fs;
  try {
    create_parents(fs, part);
    fs.remove(part);
  } catch (const HostError& e) {
    step_fail(step_id, e.what());
  }
  FetchRequest req;
  req.url = url;
  req.dest_host_path = fs.host_path(part);
  if (ctx.progress)
    req.on_progress = [&](std::uint64_t got, std::uint64_t total) {
      ctx.progress("fetching " + url + ": " + std::to_string(got) + (total ? " of " + std::to_string(total) : "") +
                   " bytes");
    };
  FetchResult res = ctx.host.fetch.fetch(req);
  std::optional<std::string> body;
  std::string error = res.error.empty() ? "HTTP " + std::to_string(res.http_status) : res.error;
  try {
    if (res.ok) body = fs.read(part);
    fs.remove(part);
  } catch (const HostError& e) {
    error = e.what();
    body.reset();
  }
  if (!res.ok || !body) step_fail(step_id, "cannot fetch " + url + ": " + error);
  return *body;
}

std::string url_file_name(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace aiprov::steps
