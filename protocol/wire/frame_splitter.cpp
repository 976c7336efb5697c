// Frame assembly: size prefixes checked, small frames copied out of the inbox, large ones read in place.
#include "protocol/wire/frame_splitter.hpp"

#include <algorithm>
#include <cstring>

namespace kspout::wire {

frame_splitter::frame_splitter(std::size_t max_frame_size, std::size_t inbox_size)
    : max_(max_frame_size), inbox_(std::max<std::size_t>(inbox_size, 16))
{
}

std::span<std::uint8_t> frame_splitter::prepare()
{
    if (large_) return std::span<std::uint8_t>(*large_).subspan(large_filled_);
    // split_inbox leaves at most a partial size prefix (under 4 bytes) unread: move it to the front.
    if (begin_ == end_) {
        begin_ = end_ = 0;
    } else if (end_ == inbox_.size()) {
        std::memmove(inbox_.data(), inbox_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    return std::span<std::uint8_t>(inbox_).subspan(end_);
}

void frame_splitter::commit(std::size_t n)
{
    if (error_) { // nothing after a bad size prefix can be framed
        begin_ = end_ = 0;
        return;
    }
    if (large_) {
        large_filled_ += n;
        if (large_filled_ == large_->size()) ready_.push_back(std::move(large_));
        return;
    }
    end_ += n;
    split_inbox();
}

void frame_splitter::split_inbox()
{
    while (!error_ && !large_ && end_ - begin_ >= 4) {
        bytes_view pending(inbox_.data() + begin_, end_ - begin_);
        std::size_t size = decode_frame_size(pending, max_, error_);
        if (error_) {
            begin_ = end_;
            return;
        }
        std::size_t available = std::min(size, pending.size() - 4);
        auto frame = std::make_shared<byte_buffer>(size);
        if (available > 0) std::memcpy(frame->data(), pending.data() + 4, available); // data() of an empty frame may be null
        begin_ += 4 + available;
        if (available < size) {
            large_ = std::move(frame);
            large_filled_ = available;
            return;
        }
        ready_.push_back(std::move(frame));
    }
}

void frame_splitter::feed(bytes_view data)
{
    while (!data.empty()) {
        auto target = prepare();
        std::size_t n = std::min(target.size(), data.size());
        std::memcpy(target.data(), data.data(), n);
        commit(n);
        data = data.subspan(n);
    }
}

std::shared_ptr<byte_buffer> frame_splitter::next(std::error_code& ec)
{
    if (!ready_.empty()) {
        auto frame = std::move(ready_.front());
        ready_.pop_front();
        return frame;
    }
    if (error_) ec = error_;
    return nullptr;
}

std::size_t frame_splitter::buffered() const noexcept
{
    std::size_t total = end_ - begin_ + (large_ ? large_filled_ + 4 : 0);
    for (const auto& frame : ready_) total += frame->size() + 4;
    return total;
}

} // namespace kspout::wire
