// Parses RecordingBolt's file and reads a consumer group's znodes with kazoo.
#include "tests/integration/storm_records.hpp"

#include "tests/integration/process.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kspout::testing {

std::vector<bolt_record> read_bolt_records(const std::filesystem::path& file)
{
    std::vector<bolt_record> records;
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream lines(text.substr(0, text.rfind('\n') + 1)); // a line still being written waits
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        bolt_record r;
        if (!(fields >> r.topic >> r.partition >> r.offset >> r.source_task >> r.outcome))
            throw std::runtime_error("bad line in " + file.string() + ": " + line);
        records.push_back(r);
    }
    return records;
}

std::set<partition_offset> with_outcome(const std::vector<bolt_record>& records, const std::string& outcome)
{
    std::set<partition_offset> out;
    for (const auto& r : records)
        if (r.outcome == outcome) out.emplace(r.partition, r.offset);
    return out;
}

std::set<partition_offset> all_offsets(const std::map<std::int32_t, std::int64_t>& end_offsets)
{
    std::set<partition_offset> out;
    for (const auto& [partition, end] : end_offsets)
        for (std::int64_t offset = 0; offset < end; ++offset) out.emplace(partition, offset);
    return out;
}

namespace {

constexpr const char* group_script = R"(
import sys
from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=30)
base = "/consumers/" + sys.argv[2]
for member in sorted(zk.get_children(base + "/ids")) if zk.exists(base + "/ids") else []:
    print("member", member)
owners = base + "/owners/" + sys.argv[3]
for partition in sorted(zk.get_children(owners)) if zk.exists(owners) else []:
    try:
        data, _ = zk.get(owners + "/" + partition)
    except NoNodeError:
        continue  # released between the listing and the read, mid-rebalance: the caller reads again
    print("owner", partition, data.decode())
zk.stop()
)";

} // namespace

group_znodes read_group_znodes(const std::string& zookeeper_connect, const std::string& group,
                               const std::string& topic)
{
    auto r = run_process({KSPOUT_PYTHON, "-c", group_script, zookeeper_connect, group, topic});
    if (!r.ok()) throw std::runtime_error("kazoo failed: " + r.describe());
    group_znodes out;
    std::istringstream lines(r.out);
    std::string kind;
    while (lines >> kind) {
        if (kind == "member") {
            std::string id;
            lines >> id;
            out.members.push_back(id);
        } else {
            std::string node; // pykafka's name: LEADER-PARTITION
            std::string owner;
            lines >> node >> owner;
            out.owners[std::stoi(node.substr(node.find('-') + 1))] = owner;
        }
    }
    return out;
}

} // namespace kspout::testing
