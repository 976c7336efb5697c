// A private temporary directory per test (mkdtemp), so tests can run in parallel.
#include "tests/integration/temp_dir.hpp"

#include <cerrno>
#include <string>
#include <system_error>

#include <stdlib.h>

namespace kspout::testing {

temp_dir::temp_dir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "kspout-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::system_error(errno, std::system_category(), "mkdtemp " + pattern);
    path_ = pattern;
}

temp_dir::~temp_dir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

} // namespace kspout::testing
