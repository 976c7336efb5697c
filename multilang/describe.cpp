// describe: what an error message may say of a JSON value it did not accept.
#include "multilang/describe.hpp"

namespace kspout::multilang {

std::string describe(const nlohmann::json& value, std::size_t limit)
{
    switch (value.type()) {
    case nlohmann::json::value_t::string: return "\"" + text::excerpt(value.get_ref<const std::string&>(), limit) + "\"";
    case nlohmann::json::value_t::array: return "an array of " + std::to_string(value.size()) + " elements";
    case nlohmann::json::value_t::object: return "an object of " + std::to_string(value.size()) + " keys";
    case nlohmann::json::value_t::binary: return "binary data";
    case nlohmann::json::value_t::discarded: return "nothing";
    default: return value.dump(); // null, boolean, number: short by nature
    }
}

} // namespace kspout::multilang
