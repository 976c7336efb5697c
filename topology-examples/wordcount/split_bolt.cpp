// wordcount-split-bolt: the word count's first bolt. Splits field 0 of each tuple (a Kafka record's
// value) into lower-case words and emits each as ["word"], anchored to the input, then acks it.
#include "multilang/bolt_session.hpp"

#include <cctype>
#include <string>
#include <vector>

using namespace kspout::multilang;

namespace {

// Runs of ASCII letters and digits, lower-cased; everything else separates words.
std::vector<std::string> words(const std::string& text)
{
    std::vector<std::string> out;
    std::string word;
    for (char c : text + ' ') {
        auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte)) {
            word += static_cast<char>(std::tolower(byte));
        } else if (!word.empty()) {
            out.push_back(std::move(word));
            word.clear();
        }
    }
    return out;
}

} // namespace

int main()
{
    bolt_session::handlers h;
    h.on_tuple = [](const bolt_tuple& t, bolt_session& s) {
        if (t.is_tick()) return s.ack(t.id);
        if (t.values.empty() || !(t.values[0].is_string() || t.values[0].is_null())) {
            s.log("tuple " + t.id + ": field 0 is not a string: " + t.values.dump(), log_level::warn);
            return s.fail(t.id);
        }
        if (t.values[0].is_string()) {
            for (auto& w : words(t.values[0].get<std::string>())) s.emit({t.id}, "", json::array({std::move(w)}));
        }
        s.ack(t.id);
    };
    return run_bolt(std::move(h), "wordcount-split-bolt");
}
