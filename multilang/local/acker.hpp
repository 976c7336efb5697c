// Storm's acker: one 64-bit XOR per tuple tree, complete when it returns to zero.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <unordered_map>

namespace kspout::multilang::local {

// The outcome of a tuple tree, for the spout task that rooted it.
struct tree_outcome {
    std::uint64_t root = 0;
    std::int64_t spout_task = 0;
    bool acked = false;
};

// Every edge id is XORed in twice: once when the tuple is emitted (init, or a bolt's ack that
// carries the edges of the tuples it anchored) and once when it is acked. The tree is complete
// when the value is zero. As in Acker.java, an ack or fail may arrive before its init, and
// entries that never finish (the rest of a failed tree, a timed-out root) are dropped after
// three rotations, like its 3-bucket map.
class acker {
public:
    // The spout emitted a tuple tree with root `root`; `value` is the XOR of its edge ids (zero
    // when the emit went nowhere, which completes the tree at once).
    std::optional<tree_outcome> init(std::uint64_t root, std::uint64_t value, std::int64_t spout_task);
    // A bolt acked an input: `value` is its edge id XOR the edges of the tuples anchored to it.
    std::optional<tree_outcome> ack(std::uint64_t root, std::uint64_t value);
    // A bolt failed an input of this tree: the whole tree fails.
    std::optional<tree_outcome> fail(std::uint64_t root);
    // The spout timed the tree out; later acks and fails for it are dropped.
    void forget(std::uint64_t root) { entries_.erase(root); }

    // Called on each message-timeout tick.
    void rotate();

    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct entry {
        std::uint64_t value = 0;
        std::optional<std::int64_t> spout_task; // known once init arrived
        bool failed = false;
        std::uint64_t born = 0; // rotation count when it appeared
    };
    std::optional<tree_outcome> settle(std::uint64_t root, entry& e);

    entry& find_or_add(std::uint64_t root);

    std::unordered_map<std::uint64_t, entry> entries_;
    std::uint64_t rotations_ = 0;
};

// Random non-zero 64-bit ids for roots and edges, as MessageId.generateId makes them.
class id_source {
public:
    explicit id_source(std::uint64_t seed = std::random_device{}()) : random_(seed) {}
    std::uint64_t next();

private:
    std::mt19937_64 random_;
};

} // namespace kspout::multilang::local
