// A private temporary directory for one test, removed with everything in it when the test ends.
#pragma once

#include <filesystem>

namespace kspout::testing {

class temp_dir {
public:
    temp_dir(); // throws std::system_error if the directory cannot be made
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

} // namespace kspout::testing
