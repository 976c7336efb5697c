// parse_bounded_json: nlohmann's DOM builder behind a SAX filter that counts nesting.
#include "multilang/bounded_json.hpp"

#include "protocol/text/excerpt.hpp"

namespace kspout::multilang {
namespace {

using json = nlohmann::json;

// Forwards every event to the DOM builder; stops the parse (returns false) at the first array
// or object that would be nested deeper than the limit.
class depth_limited_builder {
public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    depth_limited_builder(json& result, std::size_t max_depth) : dom_(result, false), max_depth_(max_depth) {}

    bool null() { return dom_.null(); }
    bool boolean(bool v) { return dom_.boolean(v); }
    bool number_integer(number_integer_t v) { return dom_.number_integer(v); }
    bool number_unsigned(number_unsigned_t v) { return dom_.number_unsigned(v); }
    bool number_float(number_float_t v, const string_t& s) { return dom_.number_float(v, s); }
    bool string(string_t& v) { return dom_.string(v); }
    bool binary(binary_t& v) { return dom_.binary(v); }
    bool key(string_t& v) { return dom_.key(v); }
    bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
    bool end_object()
    {
        --depth_;
        return dom_.end_object();
    }
    bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
    bool end_array()
    {
        --depth_;
        return dom_.end_array();
    }
    bool parse_error(std::size_t position, const std::string& /*last_token*/, const nlohmann::detail::exception& e)
    {
        error_position_ = position;
        error_id_ = e.id;
        return false;
    }

    bool too_deep() const { return too_deep_; }
    std::size_t error_position() const { return error_position_; }
    int error_id() const { return error_id_; }

private:
    bool enter()
    {
        if (++depth_ <= max_depth_) return true;
        too_deep_ = true;
        return false;
    }

    nlohmann::detail::json_sax_dom_parser<json> dom_;
    std::size_t max_depth_;
    std::size_t depth_ = 0;
    bool too_deep_ = false;
    std::size_t error_position_ = 0;
    int error_id_ = 0;
};

std::string syntax_problem(int id)
{
    // nlohmann's ids: 101 unexpected token, 102 bad \u escape, 103 bad surrogate pair.
    switch (id) {
    case 102: return "a bad \\u escape";
    case 103: return "a bad UTF-16 surrogate pair";
    default: return "a syntax error";
    }
}

} // namespace

std::optional<nlohmann::json> parse_bounded_json(std::string_view text, std::string& error, std::size_t max_depth)
{
    json result;
    depth_limited_builder builder(result, max_depth);
    bool ok = json::sax_parse(text.begin(), text.end(), &builder);
    if (ok) return result;
    if (builder.too_deep()) {
        error = "JSON nested deeper than " + std::to_string(max_depth) + " levels (" + std::to_string(text.size()) +
                " bytes): " + text::excerpt(text, 64);
    } else {
        error = "malformed JSON, " + syntax_problem(builder.error_id()) + " near byte " +
                std::to_string(builder.error_position()) + ": " + text::excerpt(text);
    }
    return std::nullopt;
}

} // namespace kspout::multilang
