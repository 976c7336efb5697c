// parse_yaml_subset: yaml-cpp's parser events built into JSON, each node's line noted.
#include "multilang/local/yaml_subset.hpp"

#include "multilang/bounded_json.hpp"
#include "multilang/local/topology.hpp"
#include "protocol/text/excerpt.hpp"
#include "protocol/text/utf8.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <vector>

namespace kspout::multilang::local {
namespace {

std::string pointer_token(const std::string& key)
{
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

bool all_digits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// A plain scalar that reads as a number, as YAML 1.2's core schema says.
bool looks_numeric(std::string_view body)
{
    std::string_view mantissa = body.substr(0, body.find_first_of("eE"));
    std::string_view exponent = mantissa.size() < body.size() ? body.substr(mantissa.size() + 1) : "";
    if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) exponent.remove_prefix(1);
    auto dot = mantissa.find('.');
    bool number_mantissa = dot == std::string_view::npos
                               ? all_digits(mantissa)
                               : (all_digits(mantissa.substr(0, dot)) || dot == 0) &&
                                     (all_digits(mantissa.substr(dot + 1)) || dot + 1 == mantissa.size()) &&
                                     mantissa.size() > 1;
    bool exponent_ok = mantissa.size() == body.size() || all_digits(exponent);
    return number_mantissa && exponent_ok;
}

// The 1-based line of the first line that is not UTF-8, or 0. yaml-cpp would replace such bytes.
int first_line_not_utf8(std::string_view text)
{
    int number = 1;
    for (std::size_t start = 0; start < text.size(); ++number) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        if (!text::is_valid_utf8(text.substr(start, end - start))) return number;
        start = end + 1;
    }
    return 0;
}

// Whether the quoted scalar starting at `at` has its closing quote: yaml-cpp ends one at the end
// of the input without complaint.
bool quote_is_closed(std::string_view text, std::size_t at)
{
    char quote = text[at];
    for (std::size_t k = at + 1; k < text.size(); ++k) {
        if (quote == '"' && text[k] == '\\') ++k;
        else if (quote == '\'' && text[k] == '\'' && k + 1 < text.size() && text[k + 1] == '\'') ++k;
        else if (text[k] == quote) return true;
    }
    return false;
}

// yaml-cpp 0.7 writes the escapes \N (U+0085) and \_ (U+00A0) as the single bytes 0x85 and 0xA0;
// their UTF-8 form is 0xC2 followed by that byte. Nothing else in a scalar can be ill-formed,
// since every line was checked, but the loop stops at anything else all the same.
std::optional<std::string> escapes_in_utf8(std::string s)
{
    for (std::size_t at = text::first_invalid_utf8(s); at != std::string::npos;) {
        if (s[at] != '\x85' && s[at] != '\xA0') return std::nullopt;
        s.insert(at, 1, '\xC2');
        std::size_t rest = text::first_invalid_utf8(std::string_view(s).substr(at + 2));
        at = rest == std::string::npos ? rest : at + 2 + rest;
    }
    return s;
}

// Builds the JSON tree from yaml-cpp's events. Tag "?" marks a plain scalar or untagged
// collection, "!" a quoted or block scalar; any other tag was written in the file.
class json_builder final : public YAML::EventHandler {
public:
    json_builder(std::string_view text, const std::string& name) : text_(text), name_(name) {}

    [[noreturn]] void fail(int number, const std::string& what) const
    {
        throw topology_error(name_ + ":" + std::to_string(number) + ": " + what);
    }

    // The line of the innermost flow collection still open (yaml-cpp names the end of the input).
    std::optional<int> open_flow_line() const
    {
        auto it = std::find_if(open_.rbegin(), open_.rend(), [](const open_node& n) { return n.flow; });
        return it == open_.rend() ? std::nullopt : std::optional<int>(it->line);
    }

    yaml_document take() { return std::move(doc_); }

    void OnDocumentStart(const YAML::Mark& mark) override
    {
        if (++documents_ > 1) fail(line_of(mark), "only one YAML document is supported");
    }
    void OnDocumentEnd() override {}

    void OnAnchor(const YAML::Mark& mark, const std::string&) override
    {
        fail(line_of(mark), "'&' (anchors) is not supported");
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override
    {
        fail(line_of(mark), "'*' (aliases) is not supported");
    }

    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override
    {
        if (awaits_key()) fail(line_of(mark), "empty mapping key");
        start(mark);
        finish(nullptr);
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t, const std::string& text) override
    {
        untagged(mark, tag);
        bool plain = tag == "?";
        auto at = static_cast<std::size_t>(mark.pos);
        if (!plain && at < text_.size() && (text_[at] == '"' || text_[at] == '\'') && !quote_is_closed(text_, at)) {
            fail(line_of(mark), "unterminated quoted string");
        }
        std::optional<std::string> value = escapes_in_utf8(text);
        if (!value) fail(line_of(mark), "the string is not valid UTF-8");
        if (awaits_key()) return key(mark, *value);
        start(mark);
        finish(plain ? typed_plain(*value, line_of(mark)) : json(std::move(*value)));
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                         YAML::EmitterStyle::value style) override
    {
        open(mark, tag, style, json::array());
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                    YAML::EmitterStyle::value style) override
    {
        open(mark, tag, style, json::object());
    }
    void OnMapEnd() override { close(); }

private:
    struct open_node {
        json value;
        std::string pointer;
        int line = 0;
        bool flow = false;
        std::optional<std::string> key; // a mapping's key whose value comes next
    };

    static int line_of(const YAML::Mark& mark) { return mark.line + 1; }

    void untagged(const YAML::Mark& mark, const std::string& tag) const
    {
        if (tag != "?" && tag != "!") fail(line_of(mark), "'!' (tags) is not supported");
    }

    bool awaits_key() const { return !open_.empty() && open_.back().value.is_object() && !open_.back().key; }

    void key(const YAML::Mark& mark, const std::string& k)
    {
        open_node& map = open_.back();
        if (map.value.contains(k)) fail(line_of(mark), "duplicate key \"" + text::excerpt(k, 80) + "\"");
        doc_.lines[map.pointer + "/" + pointer_token(k)] = line_of(mark);
        map.key = k;
    }

    // The JSON pointer of a node starting now; notes its line unless its key's line is noted.
    std::string start(const YAML::Mark& mark)
    {
        if (open_.empty()) {
            doc_.lines[""] = line_of(mark);
            return "";
        }
        const open_node& parent = open_.back();
        if (parent.value.is_object()) return parent.pointer + "/" + pointer_token(*parent.key);
        std::string pointer = parent.pointer + "/" + std::to_string(parent.value.size());
        doc_.lines[pointer] = line_of(mark);
        return pointer;
    }

    void finish(json value)
    {
        if (open_.empty()) {
            doc_.root = std::move(value);
            return;
        }
        open_node& parent = open_.back();
        if (parent.value.is_array()) {
            parent.value.push_back(std::move(value));
        } else {
            parent.value[*parent.key] = std::move(value);
            parent.key.reset();
        }
    }

    void open(const YAML::Mark& mark, const std::string& tag, YAML::EmitterStyle::value style, json empty)
    {
        untagged(mark, tag);
        if (awaits_key()) fail(line_of(mark), "a mapping key must be a scalar");
        if (open_.size() >= max_json_depth) {
            fail(line_of(mark), "nested deeper than " + std::to_string(max_json_depth) + " levels");
        }
        std::string pointer = start(mark);
        open_.push_back({std::move(empty), std::move(pointer), line_of(mark), style == YAML::EmitterStyle::Flow, {}});
    }

    void close()
    {
        json value = std::move(open_.back().value);
        open_.pop_back();
        finish(std::move(value));
    }

    // YAML 1.2 core schema for a plain scalar.
    json typed_plain(const std::string& s, int number) const
    {
        if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
        if (s == "true" || s == "True" || s == "TRUE") return true;
        if (s == "false" || s == "False" || s == "FALSE") return false;
        std::string_view body = s;
        if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
        if (all_digits(body) && body.size() < 19) return std::strtoll(s.c_str(), nullptr, 10);
        if (!looks_numeric(body)) return s;
        errno = 0;
        double value = std::strtod(s.c_str(), nullptr);
        if (errno == ERANGE && std::isinf(value)) fail(number, "number " + text::excerpt(s, 40) + " is out of range");
        return value;
    }

    std::string_view text_;
    const std::string& name_;
    int documents_ = 0;
    std::vector<open_node> open_;
    yaml_document doc_;
};

} // namespace

yaml_document parse_yaml_subset(std::string_view text, const std::string& name)
{
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3); // yaml-cpp's marks do not count a BOM
    if (int number = first_line_not_utf8(text)) {
        throw topology_error(name + ":" + std::to_string(number) + ": the line is not valid UTF-8");
    }
    json_builder builder(text, name);
    std::istringstream in{std::string(text)};
    try {
        YAML::Parser parser(in);
        while (parser.HandleNextDocument(builder)) {
        }
    } catch (const YAML::Exception& e) {
        bool unclosed = e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW || e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW;
        if (auto opened = builder.open_flow_line(); unclosed && opened) {
            builder.fail(*opened, "a flow collection opened on this line is not closed");
        }
        if (e.mark.is_null()) throw topology_error(name + ": " + e.msg);
        builder.fail(e.mark.line + 1, e.msg);
    }
    return builder.take();
}

} // namespace kspout::multilang::local
