// kazoo's view of a ZooKeeper subtree, for the tests that compare our znodes with pykafka's layout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kspout::testing {

// A Python script: walks a subtree with kazoo and prints "path<TAB>hex(data)<TAB>ephemeralOwner"
// per node. argv: hosts, root path.
inline constexpr const char* kazoo_walk = R"(
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=30)
def walk(path):
    data, stat = zk.get(path)
    print("%s\t%s\t%d" % (path, data.hex(), stat.ephemeralOwner))
    for child in sorted(zk.get_children(path)):
        walk(path.rstrip("/") + "/" + child)
walk(sys.argv[2])
zk.stop()
)";

inline std::string hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        auto u = static_cast<unsigned char>(c);
        out += digits[u >> 4];
        out += digits[u & 0x0f];
    }
    return out;
}

// The non-empty lines of a script's output.
inline std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

} // namespace kspout::testing
