// parse_yaml_subset: lines with indents, then recursive descent over blocks and flow values.
#include "multilang/local/yaml_subset.hpp"

#include "multilang/bounded_json.hpp"
#include "multilang/excerpt.hpp"
#include "multilang/local/topology.hpp"
#include "multilang/utf8.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

namespace kspout::multilang::local {
namespace {

struct line {
    int number = 0;
    int indent = 0;
    std::string text; // without indentation, comment and trailing spaces
};

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

void append_utf8(std::string& out, unsigned code)
{
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
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

class parser {
public:
    parser(std::string_view text, const std::string& name) : name_(name) { split(text); }

    yaml_document run()
    {
        if (lines_.empty()) return doc_;
        doc_.lines[""] = lines_[0].number;
        doc_.root = block(lines_[0].indent, "");
        if (i_ < lines_.size()) fail(lines_[i_].number, "unexpected indentation or content");
        return std::move(doc_);
    }

private:
    [[noreturn]] void fail(int number, const std::string& what) const
    {
        throw topology_error(name_ + ":" + std::to_string(number) + ": " + what);
    }

    // Counts nesting of blocks and flow collections, so a hostile file cannot exhaust the stack.
    class nesting {
    public:
        nesting(parser& p, int number) : p_(p)
        {
            if (++p_.depth_ > max_json_depth) {
                p_.fail(number, "nested deeper than " + std::to_string(max_json_depth) + " levels");
            }
        }
        ~nesting() { --p_.depth_; }
        nesting(const nesting&) = delete;
        nesting& operator=(const nesting&) = delete;

    private:
        parser& p_;
    };

    // YAML 1.2 core schema for a plain scalar.
    json typed_plain(const std::string& s, int number) const
    {
        if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
        if (s == "true" || s == "True" || s == "TRUE") return true;
        if (s == "false" || s == "False" || s == "FALSE") return false;
        std::string_view body = s;
        if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
        if (all_digits(body) && body.size() < 19) return std::stoll(s);
        if (!looks_numeric(body)) return s;
        errno = 0;
        double value = std::strtod(s.c_str(), nullptr);
        if (errno == ERANGE && std::isinf(value)) fail(number, "number " + excerpt(s, 40) + " is out of range");
        return value;
    }

    void split(std::string_view text)
    {
        int number = 0;
        bool first = true;
        for (std::size_t start = 0; start < text.size();) {
            std::size_t end = std::min(text.find('\n', start), text.size());
            std::string raw(text.substr(start, end - start));
            start = end + 1;
            ++number;
            if (!raw.empty() && raw.back() == '\r') raw.pop_back();
            std::size_t indent = raw.find_first_not_of(' ');
            if (indent == std::string::npos) continue;
            if (raw[indent] == '\t') fail(number, "tabs are not allowed for indentation");
            if (!is_valid_utf8(raw)) fail(number, "the line is not valid UTF-8");
            std::string content = strip_comment(raw.substr(indent), number);
            if (content.empty()) continue;
            if (content == "---" || content.starts_with("--- ")) {
                if (!first) fail(number, "only one YAML document is supported");
                if (content != "---") fail(number, "content after --- is not supported");
                first = false;
                continue;
            }
            if (content == "...") fail(number, "document end markers are not supported");
            first = false;
            lines_.push_back({number, static_cast<int>(indent), content});
        }
    }

    // Removes a comment ('#' at the start or after a space, outside quotes) and trailing spaces.
    std::string strip_comment(const std::string& s, int number) const
    {
        char quote = 0;
        char previous = ' '; // last non-space character seen outside quotes, ' ' at the start
        for (std::size_t k = 0; k < s.size(); ++k) {
            char c = s[k];
            if (quote == '"') {
                if (c == '\\') ++k;
                else if (c == '"') quote = 0;
                continue;
            }
            if (quote == '\'') {
                if (c == '\'') quote = 0;
                continue;
            }
            if ((c == '"' || c == '\'') && std::string_view(" :-[{,").find(previous) != std::string_view::npos) {
                quote = c;
                continue;
            }
            if (c == '#' && (k == 0 || s[k - 1] == ' ')) {
                std::string out = s.substr(0, k);
                return out.erase(out.find_last_not_of(' ') + 1);
            }
            if (c != ' ') previous = c;
        }
        if (quote) fail(number, "unterminated quoted string");
        std::string out = s;
        return out.erase(out.find_last_not_of(' ') + 1);
    }

    static bool is_item(const std::string& text) { return text == "-" || text.starts_with("- "); }

    // "key: rest" with a plain or quoted key; nothing if the text is not a mapping entry.
    std::optional<std::pair<std::string, std::string>> split_key(const std::string& text, int number) const
    {
        if (text.empty() || text[0] == '[' || text[0] == '{') return std::nullopt;
        std::string key;
        std::size_t colon;
        if (text[0] == '"' || text[0] == '\'') {
            std::size_t pos = 0;
            key = quoted(text, pos, number);
            while (pos < text.size() && text[pos] == ' ') ++pos;
            if (pos >= text.size() || text[pos] != ':') return std::nullopt;
            colon = pos;
        } else {
            colon = text.find(": ");
            if (colon == std::string::npos && text.back() == ':') colon = text.size() - 1;
            if (colon == std::string::npos) return std::nullopt;
            key = text.substr(0, colon);
            key.erase(key.find_last_not_of(' ') + 1);
            if (key.empty()) fail(number, "empty mapping key");
        }
        if (colon + 1 < text.size() && text[colon + 1] != ' ') return std::nullopt;
        std::size_t rest = text.find_first_not_of(' ', colon + 1);
        return std::pair{key, rest == std::string::npos ? std::string() : text.substr(rest)};
    }

    json block(int indent, const std::string& ptr)
    {
        line& l = lines_[i_];
        nesting guard(*this, l.number);
        if (is_item(l.text)) return sequence(indent, ptr);
        if (split_key(l.text, l.number)) return mapping(indent, ptr);
        ++i_;
        return inline_value(l.number, l.text, ptr);
    }

    json sequence(int indent, const std::string& ptr)
    {
        json out = json::array();
        while (i_ < lines_.size() && lines_[i_].indent == indent && is_item(lines_[i_].text)) {
            line& l = lines_[i_];
            std::string item = ptr + "/" + std::to_string(out.size());
            doc_.lines[item] = l.number;
            std::size_t start = l.text.find_first_not_of(' ', 1);
            if (start == std::string::npos) { // "-" alone: the item is the indented block below
                ++i_;
                bool below = i_ < lines_.size() && lines_[i_].indent > indent;
                out.push_back(below ? block(lines_[i_].indent, item) : json());
                continue;
            }
            std::string rest = l.text.substr(start);
            if (is_item(rest) || split_key(rest, l.number)) { // "- key: value" or "- - x"
                l.indent = indent + static_cast<int>(start);
                l.text = rest;
                out.push_back(block(l.indent, item));
                continue;
            }
            ++i_;
            out.push_back(inline_value(l.number, rest, item));
        }
        if (i_ < lines_.size() && lines_[i_].indent > indent) fail(lines_[i_].number, "unexpected indentation");
        return out;
    }

    json mapping(int indent, const std::string& ptr)
    {
        json out = json::object();
        while (i_ < lines_.size() && lines_[i_].indent == indent && !is_item(lines_[i_].text)) {
            line& l = lines_[i_];
            auto entry = split_key(l.text, l.number);
            if (!entry) fail(l.number, "expected \"key: value\", got \"" + excerpt(l.text, 80) + "\"");
            auto& [key, rest] = *entry;
            if (out.contains(key)) fail(l.number, "duplicate key \"" + excerpt(key, 80) + "\"");
            std::string child = ptr + "/" + pointer_token(key);
            doc_.lines[child] = l.number;
            ++i_;
            if (!rest.empty()) {
                out[key] = inline_value(l.number, rest, child);
                continue;
            }
            bool nested = i_ < lines_.size() && (lines_[i_].indent > indent ||
                                                 (lines_[i_].indent == indent && is_item(lines_[i_].text)));
            out[key] = nested ? block(lines_[i_].indent, child) : json();
        }
        if (i_ < lines_.size() && lines_[i_].indent > indent) fail(lines_[i_].number, "unexpected indentation");
        return out;
    }

    json inline_value(int number, const std::string& text, const std::string& ptr)
    {
        char c = text[0];
        if (c == '[' || c == '{' || c == '"' || c == '\'') {
            std::size_t pos = 0;
            json v = flow(text, pos, number, ptr);
            while (pos < text.size() && text[pos] == ' ') ++pos;
            if (pos != text.size()) fail(number, "unexpected text after a value: \"" + excerpt(std::string_view(text).substr(pos), 80) + "\"");
            return v;
        }
        if (std::string_view("&*!|>%@`").find(c) != std::string_view::npos) {
            fail(number, std::string("'") + c + "' (anchors, aliases, tags, block scalars) is not supported");
        }
        return typed_plain(text, number);
    }

    json flow(const std::string& text, std::size_t& pos, int number, const std::string& ptr)
    {
        while (pos < text.size() && text[pos] == ' ') ++pos;
        if (pos >= text.size()) fail(number, "a flow collection must end on its line");
        char c = text[pos];
        if (c == '[' || c == '{') {
            nesting guard(*this, number);
            bool list = c == '[';
            char close = list ? ']' : '}';
            json out = list ? json::array() : json::object();
            ++pos;
            for (bool first = true;; first = false) {
                while (pos < text.size() && text[pos] == ' ') ++pos;
                if (pos < text.size() && text[pos] == close && first) {
                    ++pos;
                    return out;
                }
                if (list) {
                    std::string item = ptr + "/" + std::to_string(out.size());
                    doc_.lines[item] = number;
                    out.push_back(flow(text, pos, number, item));
                } else {
                    json key = flow_scalar(text, pos, number, ":");
                    if (!key.is_string()) key = key.dump();
                    while (pos < text.size() && text[pos] == ' ') ++pos;
                    if (pos >= text.size() || text[pos] != ':') fail(number, "expected ':' in a flow mapping");
                    ++pos;
                    std::string child = ptr + "/" + pointer_token(key.get<std::string>());
                    if (out.contains(key.get<std::string>())) fail(number, "duplicate key " + describe(key, 80));
                    doc_.lines[child] = number;
                    out[key.get<std::string>()] = flow(text, pos, number, child);
                }
                while (pos < text.size() && text[pos] == ' ') ++pos;
                if (pos >= text.size()) fail(number, "a flow collection must end on its line");
                if (text[pos] == close) {
                    ++pos;
                    return out;
                }
                if (text[pos] != ',') fail(number, std::string("expected ',' or '") + close + "' in a flow collection");
                ++pos;
            }
        }
        return flow_scalar(text, pos, number, "");
    }

    json flow_scalar(const std::string& text, std::size_t& pos, int number, std::string_view stops)
    {
        while (pos < text.size() && text[pos] == ' ') ++pos;
        if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) return quoted(text, pos, number);
        std::size_t end = pos;
        while (end < text.size() && std::string_view(",]}").find(text[end]) == std::string_view::npos &&
               stops.find(text[end]) == std::string_view::npos) {
            ++end;
        }
        std::string plain = text.substr(pos, end - pos);
        plain.erase(plain.find_last_not_of(' ') + 1);
        if (plain.empty()) fail(number, "empty value in a flow collection");
        if (std::string_view("&*!|>%@`[{").find(plain[0]) != std::string_view::npos) {
            fail(number, "\"" + excerpt(plain, 80) + "\" is not supported in a flow collection");
        }
        pos = end;
        return typed_plain(plain, number);
    }

    unsigned hex4(const std::string& text, std::size_t& pos, int number) const
    {
        if (pos + 4 > text.size() || !std::all_of(text.begin() + static_cast<long>(pos),
                                                  text.begin() + static_cast<long>(pos) + 4,
                                                  [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
            fail(number, "a \\u escape needs four hex digits");
        }
        pos += 4;
        return static_cast<unsigned>(std::stoul(text.substr(pos - 4, 4), nullptr, 16));
    }

    std::string quoted(const std::string& text, std::size_t& pos, int number) const
    {
        char q = text[pos++];
        std::string out;
        while (pos < text.size()) {
            char c = text[pos++];
            if (q == '\'' && c == '\'') {
                if (pos < text.size() && text[pos] == '\'') {
                    out += '\'';
                    ++pos;
                    continue;
                }
                return out;
            }
            if (q == '"' && c == '"') return out;
            if (q == '"' && c == '\\') {
                if (pos >= text.size()) break;
                char e = text[pos++];
                switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case '0': out += '\0'; break;
                case '"': case '\\': case '/': case ' ': out += e; break;
                case 'u': {
                    unsigned code = hex4(text, pos, number);
                    if (code >= 0xD800 && code < 0xDC00 && text.compare(pos, 2, "\\u") == 0) {
                        pos += 2;
                        unsigned low = hex4(text, pos, number);
                        if (low < 0xDC00 || low > 0xDFFF) fail(number, "bad surrogate pair in a \\u escape");
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    } else if (code >= 0xD800 && code <= 0xDFFF) {
                        fail(number, "a \\u escape of a lone surrogate is not a character");
                    }
                    append_utf8(out, code);
                    break;
                }
                default: fail(number, "unsupported escape \\" + excerpt(std::string_view(&e, 1)));
                }
                continue;
            }
            out += c;
        }
        fail(number, "unterminated quoted string");
    }

    std::string name_;
    std::vector<line> lines_;
    std::size_t i_ = 0;
    std::size_t depth_ = 0;
    yaml_document doc_;
};

} // namespace

yaml_document parse_yaml_subset(std::string_view text, const std::string& name)
{
    return parser(text, name).run();
}

} // namespace kspout::multilang::local
