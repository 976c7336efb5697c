// The word count example's test data: lines to produce, the counts they should give, and the
// counts read back from the output topic (topology-examples/wordcount.flux.yaml).
#pragma once

#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/process.hpp"

#include <array>
#include <cctype>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace kspout::testing {

// `count` lines of known words, some capitalised and punctuated (the split bolt lower-cases
// and drops punctuation), with `expected` counting every word as produced.
struct wordcount_input {
    std::vector<std::string> lines;
    std::map<std::string, long> expected;
};

inline wordcount_input wordcount_lines(int count)
{
    static constexpr std::array<const char*, 12> words{"storm", "kafka", "spout", "bolt",   "tuple", "acker",
                                                       "topic", "offset", "record", "stream", "word", "count"};
    wordcount_input in;
    for (int i = 0; i < count; ++i) {
        std::string line;
        for (int j = 0; j <= i % 6; ++j) {
            std::string word = words[static_cast<std::size_t>(i * 7 + j * 5) % words.size()];
            ++in.expected[word];
            if (j == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
            line += (j == 0 ? "" : (j % 2 != 0 ? " " : ", ")) + word;
        }
        in.lines.push_back(line + ".");
    }
    return in;
}

// One record per line, without keys.
inline void produce_lines_with_kcat(const std::string& bootstrap, const std::string& topic,
                                    const std::vector<std::string>& lines)
{
    std::string input;
    for (const auto& line : lines) input += line + "\n";
    auto r = run_process({"kcat", "-b", bootstrap, "-P", "-t", topic}, input);
    if (!r.ok()) throw std::runtime_error("kcat produce failed: " + r.err);
}

// What the output topic says per word: its last count (in partition order, which is the
// order kafka-bolt wrote a word's counts) and every count it holds.
struct word_counts {
    std::map<std::string, long> last;
    std::map<std::string, std::vector<long>> all;
};

inline word_counts read_word_counts(const std::string& bootstrap, const std::string& topic)
{
    word_counts out;
    for (const auto& r : consume_with_kcat(bootstrap, topic)) {
        long n = std::stol(r.value.value_or("-1"));
        out.last[r.key.value_or("")] = n;
        out.all[r.key.value_or("")].push_back(n);
    }
    return out;
}

} // namespace kspout::testing
