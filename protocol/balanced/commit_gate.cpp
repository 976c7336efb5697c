// split_commit: the commit rules of the balanced consumer, without the consumer.
#include "protocol/balanced/commit_gate.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/io/consumer_error.hpp"

namespace kspout::balanced {

std::error_code commit_split::refused() const
{
    if (!unconfirmed.empty())
        return make_error_code(errc::session_unconfirmed);
    if (!not_owned.empty())
        return make_error_code(io::consumer_errc::not_owned);
    return {};
}

commit_split split_commit(std::map<std::int32_t, std::int64_t> offsets,
                          const std::function<bool(std::int32_t)>& may_commit, bool session_confirmed)
{
    commit_split out;
    for (const auto& [partition, offset] : offsets) {
        if (!may_commit(partition))
            out.not_owned.push_back(partition);
        else if (!session_confirmed)
            out.unconfirmed.push_back(partition);
        else
            out.allowed.emplace(partition, offset);
    }
    return out;
}

} // namespace kspout::balanced
