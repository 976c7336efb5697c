// What the pykafka tests share: the python of the venv holding pykafka 2.8.0, and a broker pykafka speaks.
#pragma once

#include "tests/integration/kafka_broker.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace kspout::testing {

// The venv is not there, or not complete.
class pykafka_peer_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// pykafka 2.8.0 sends request versions Kafka 4.0 removed (Produce v0, Fetch v2, ListOffsets v0,
// OffsetCommit v1) and writes message format v1. Kafka 2.8 still serves those and, unlike 3.x,
// still stores a topic as v1 when its message.format.version asks: there our v1 message sets stay
// as we wrote them for pykafka to read.
inline constexpr std::string_view pykafka_kafka_version = "2.8.2";

// The python of the venv scripts/fetch-python-peers.sh makes: $KSPOUT_PYKAFKA_PYTHON, else
// ${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}/python-peers/bin/python (the script's folder).
// Throws pykafka_peer_error naming the script when it is missing or was not completed.
std::string pykafka_python();

inline constexpr const char* pykafka_records_script = KSPOUT_SOURCE_DIR "/tests/integration/pykafka_records.py";
inline constexpr const char* pykafka_member_script = KSPOUT_SOURCE_DIR "/tests/integration/pykafka_member.py";

// A ZooKeeper-mode broker whose ZooKeeper the groups share: pykafka's BalancedConsumer reads
// /brokers there and keeps its group beside it, and our spout joins the same group.
class pykafka_cluster {
public:
    pykafka_cluster(); // throws kafka_broker_error
    const kafka_broker& broker() const { return broker_; }
    const std::string& bootstrap() const { return broker_.bootstrap(); }
    // The ZooKeeper connect string with the broker's chroot: where the groups live.
    std::string zookeeper_connect() const { return broker_.zookeeper_connect(); }

private:
    kafka_broker broker_;
};

// The one cluster the tests of a binary share: started on first use, stopped when it exits.
pykafka_cluster& shared_pykafka_cluster();

} // namespace kspout::testing
