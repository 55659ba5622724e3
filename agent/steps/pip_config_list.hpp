#pragma once
/// The output of `pip config list`: one "section.key='value'" per line, the value written as Python's
/// repr() of a string ('...' normally, "..." when the value holds a single quote).
///
///     global.index-url='https://pypi.tuna.tsinghua.edu.cn/simple'
///     global.trusted-host='pypi.tuna.tsinghua.edu.cn'

#include <map>
#include <string>

namespace aiprov::steps {

/// key -> value; lines that are not "key='value'" (warnings) are ignored. A key seen twice keeps
/// the last value, as pip does (later files override earlier ones).
std::map<std::string, std::string> parse_pip_config_list(const std::string& text);

}  // namespace aiprov::steps
