// Record timestamps for a burst of produce() calls: one wall-clock reading shared by a few records.
#pragma once

#include <chrono>
#include <cstdint>

namespace kspout::io {

// Reading the wall clock costs about as much as appending a small record to its batch. A caller
// that produces many records in one go (within one handler of the event loop) gets one reading
// for up to `shared_by` consecutive records, a few microseconds of its work apart, where the
// timestamps count milliseconds. expire() makes the next record read the clock again: the
// producer calls it from its pump, which runs once control returns to the event loop, so records
// produced one per handler each read the clock.
class burst_clock {
public:
    using reader = std::int64_t (*)();
    static constexpr int default_shared_by = 16;

    explicit burst_clock(reader read = &wall_clock_ms, int shared_by = default_shared_by) noexcept
        : read_(read), shared_by_(shared_by)
    {
    }

    std::int64_t now_ms() noexcept
    {
        if (left_ == 0) {
            reading_ = read_();
            left_ = shared_by_;
        }
        --left_;
        return reading_;
    }

    void expire() noexcept { left_ = 0; }

    static std::int64_t wall_clock_ms() noexcept
    {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }

private:
    reader read_;
    int shared_by_;
    int left_ = 0;
    std::int64_t reading_ = 0;
};

} // namespace kspout::io
