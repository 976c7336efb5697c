// wordcount-count-bolt: the word count's second bolt. Counts each ["word"] it gets (a fields
// grouping on word sends every copy of a word to one task) and emits ["word", "count"] with the
// running count as a string, anchored to the input, then acks it. Counts live in memory only:
// a restarted task starts again from zero, and a replayed tuple is counted again.
#include "multilang/bolt_session.hpp"

#include <string>
#include <unordered_map>

using namespace kspout::multilang;

int main()
{
    std::unordered_map<std::string, long> counts;
    bolt_session::handlers h;
    h.on_tuple = [&counts](const bolt_tuple& t, bolt_session& s) {
        if (t.is_tick()) return s.ack(t.id);
        if (t.values.empty() || !t.values[0].is_string()) {
            s.log("tuple " + t.id + ": field 0 is not a word: " + t.values.dump(), log_level::warn);
            return s.fail(t.id);
        }
        const auto& word = t.values[0].get_ref<const std::string&>();
        long n = ++counts[word];
        s.emit({t.id}, "", json::array({word, std::to_string(n)}));
        s.ack(t.id);
    };
    return run_bolt(std::move(h), "wordcount-count-bolt");
}
