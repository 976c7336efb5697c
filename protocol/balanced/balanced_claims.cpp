// balanced_consumer: owner znodes: claiming partitions exclusively (whatever leader prefix another
// claim carries), waiting for claims of others to go, and releasing ours after on_revoking.
#include "protocol/balanced/balanced_consumer.hpp"

#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/group/paths.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace kspout::balanced {
namespace {

struct node_read {
    std::string name;
    std::string data;
    zk::stat stat;
    bool live = false;
};

struct nodes_read {
    std::vector<node_read> nodes;
    std::size_t remaining = 0;
    std::error_code error;
};

struct countdown {
    std::size_t remaining = 0;
    bool ok = true;
};

} // namespace

void balanced_consumer::claim_partitions(std::uint64_t attempt, std::vector<group::partition_info> wanted,
                                         std::function<void(const claim_outcome&)> done)
{
    if (wanted.empty()) {
        done(claim_outcome{});
        return;
    }
    zk_->get_children(owners_path_, [weak = weak_from_this(), attempt, wanted = std::move(wanted),
                                     done = std::move(done)](std::error_code ec, std::vector<std::string> children,
                                                             zk::stat) {
        auto self = weak.lock();
        if (!self || !self->current(attempt))
            return;
        auto out = std::make_shared<claim_outcome>();
        if (ec && ec != zk::errc::no_node) { // no_node: the directory went; creating remakes it
            out->error = ec;
            out->what = "cannot list " + self->owners_path_ + ": " + ec.message();
            done(*out);
            return;
        }
        out->remaining = wanted.size();
        auto one_done = [weak, attempt, out, done] {
            if (--out->remaining > 0)
                return;
            auto me = weak.lock();
            if (me && me->current(attempt))
                me->verify_claims(attempt, out, done);
        };
        for (const group::partition_info& w : wanted) {
            std::vector<std::string> existing = group::claims_for_partition(children, w.id);
            if (!existing.empty()) {
                self->settle(attempt, w.id, std::move(existing), out, one_done);
                continue;
            }
            std::string name = group::owner_node_name(w.leader, w.id);
            std::string path = self->owners_path_ + "/" + name;
            self->zk_->create(path, self->consumer_id_, self->group_node(zk::create_mode::ephemeral),
                              [weak, attempt, out, one_done, id = w.id, name, path](std::error_code cec, std::string) {
                                  auto me = weak.lock();
                                  if (!me)
                                      return;
                                  if (cec == zk::errc::node_exists && me->current(attempt)) {
                                      me->settle(attempt, id, {name}, out, one_done);
                                      return;
                                  }
                                  if (!cec) {
                                      out->created.emplace_back(id, name);
                                  } else if (!out->error) {
                                      out->error = cec;
                                      out->what = "cannot create " + path + ": " + cec.message();
                                  }
                                  one_done();
                              });
        }
    });
}

void balanced_consumer::verify_claims(std::uint64_t attempt, std::shared_ptr<claim_outcome> out,
                                      std::function<void(const claim_outcome&)> done)
{
    if (out->created.empty()) {
        done(*out);
        return;
    }
    // Two members with different leader views can both create a claim for one partition under
    // different names; each looks again, and only the claim created first stands.
    zk_->get_children(owners_path_, [weak = weak_from_this(), attempt, out, done = std::move(done)](
                                        std::error_code ec, std::vector<std::string> children, zk::stat) {
        auto self = weak.lock();
        if (!self || !self->current(attempt))
            return;
        if (ec) {
            for (const auto& [p, name] : out->created)
                self->claims_[p] = claim{self->owners_path_ + "/" + name, self->session_.epoch(), true};
            if (!out->error) {
                out->error = ec;
                out->what = "cannot list " + self->owners_path_ + ": " + ec.message();
            }
            done(*out);
            return;
        }
        auto created = std::move(out->created);
        out->created.clear();
        out->remaining = created.size();
        auto one_done = [weak, attempt, out, done] {
            if (--out->remaining > 0)
                return;
            auto me = weak.lock();
            if (me && me->current(attempt))
                done(*out);
        };
        for (auto& [p, name] : created) {
            std::vector<std::string> names = group::claims_for_partition(children, p);
            if (names.size() == 1 && names.front() == name) {
                self->claims_[p] = claim{self->owners_path_ + "/" + name, self->session_.epoch(), false};
                one_done();
                continue;
            }
            self->settle(attempt, p, std::move(names), out, one_done);
        }
    });
}

void balanced_consumer::settle(std::uint64_t attempt, std::int32_t partition, std::vector<std::string> names,
                               std::shared_ptr<claim_outcome> out, std::function<void()> next)
{
    auto read = std::make_shared<nodes_read>();
    read->remaining = names.size();
    read->nodes.resize(names.size());
    if (names.empty()) {
        out->vanished = true;
        out->conflicts.push_back(partition);
        next();
        return;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        read->nodes[i].name = names[i];
        zk_->get(owners_path_ + "/" + names[i], [weak = weak_from_this(), attempt, partition, read, out, next,
                                                  i](std::error_code ec, std::string data, zk::stat st) {
            auto self = weak.lock();
            if (!self)
                return;
            node_read& node = read->nodes[i];
            if (!ec) {
                node.data = std::move(data);
                node.stat = st;
                node.live = true;
            } else if (ec != zk::errc::no_node && !read->error) {
                read->error = ec;
            }
            if (--read->remaining > 0)
                return;
            if (!self->current(attempt)) {
                next();
                return;
            }
            if (read->error) {
                if (!out->error) {
                    out->error = read->error;
                    out->what = "cannot read the owner nodes of partition " + std::to_string(partition) + ": " +
                                read->error.message();
                }
                next();
                return;
            }
            auto session = self->zk_->credentials();
            std::int64_t session_id = session ? session->id : 0;
            std::vector<claim_node> live;
            for (const node_read& n : read->nodes) {
                if (n.live)
                    live.push_back({n.name, n.stat.czxid});
            }
            auto is_ours = [&](const node_read& n) {
                return n.live && n.data == self->consumer_id_ && n.stat.ephemeral_owner == session_id;
            };
            std::optional<std::string> standing = standing_claim(live);
            const node_read* winner = nullptr;
            for (const node_read& n : read->nodes) {
                if (standing && n.name == *standing)
                    winner = &n;
            }
            if (!winner) {
                out->vanished = true; // released between the listing and the read
                out->conflicts.push_back(partition);
            } else if (is_ours(*winner)) {
                self->claims_[partition] =
                    claim{self->owners_path_ + "/" + winner->name, self->session_.epoch(), false};
            } else {
                out->conflicts.push_back(partition);
                self->log_.debug("balanced consumer " + self->consumer_id_ + ": partition " +
                                 std::to_string(partition) + " is held by " + winner->data + " (" + winner->name +
                                 ")");
                self->watch_conflict(self->owners_path_ + "/" + winner->name);
            }
            // Claims of ours that do not stand are withdrawn; the member that holds the standing one
            // may be waiting for them to go.
            for (const node_read& n : read->nodes) {
                if (is_ours(n) && (!winner || &n != winner))
                    self->zk_->remove(self->owners_path_ + "/" + n.name, -1, [](std::error_code) {});
            }
            next();
        });
    }
}

void balanced_consumer::watch_conflict(const std::string& path)
{
    if (!conflict_watches_.insert(path).second)
        return;
    std::uint64_t epoch = session_.epoch();
    zk_->exists(
        path,
        [weak = weak_from_this(), epoch](std::error_code ec, std::optional<zk::stat> st) {
            auto self = weak.lock();
            if (self && self->session_.epoch() == epoch && !ec && !st)
                self->retry_now(); // gone before the watch was set
        },
        [weak = weak_from_this(), path, epoch](std::error_code ec, zk::watch_event) {
            auto self = weak.lock();
            if (!self || self->session_.epoch() != epoch)
                return;
            self->conflict_watches_.erase(path);
            if (!ec)
                self->retry_now();
        });
}

void balanced_consumer::release(std::vector<std::int32_t> partitions, bool delete_nodes, std::function<void(bool ok)> then)
{
    ++releases_in_flight_;
    std::vector<std::int32_t> fetched;
    std::vector<std::int32_t> tell;
    for (std::int32_t p : partitions) {
        if (assigned_.erase(p) > 0)
            fetched.push_back(p);
        if (announcer_.forget(p))
            tell.push_back(p);
        user_paused_.erase(p);
        lookups_.erase(p);
    }
    // No message of these partitions is handed out from here on.
    if (consumer_ && !fetched.empty())
        consumer_->revoke(fetched);
    // Partitions lost with the session (delete_nodes false) may belong to another member by now:
    // their revoke gets no last commit.
    if (delete_nodes)
        revoking_.insert(tell.begin(), tell.end());
    auto finished = std::make_shared<bool>(false);
    auto done = [weak = weak_from_this(), executor = executor_, partitions, tell, delete_nodes, then = std::move(then),
                 finished]() mutable {
        if (std::exchange(*finished, true))
            return;
        boost::asio::post(executor, [weak, partitions = std::move(partitions), tell = std::move(tell), delete_nodes,
                                     then = std::move(then)]() mutable {
            auto self = weak.lock();
            if (!self)
                return;
            for (std::int32_t p : tell)
                self->revoking_.erase(p);
            auto after = [weak, then = std::move(then)](bool ok) {
                auto me = weak.lock();
                if (!me)
                    return;
                --me->releases_in_flight_;
                then(ok);
                if (me->stopping_)
                    me->continue_stop();
                else
                    me->maybe_rebalance();
            };
            if (delete_nodes)
                self->delete_claims(std::move(partitions), std::move(after));
            else
                after(true);
        });
    };
    if (!tell.empty() && listener_.on_revoking) {
        log_.info("balanced consumer " + consumer_id_ + ": revoking partitions " + partition_list(tell));
        listener_.on_revoking(tell, std::move(done));
    } else {
        done();
    }
}

void balanced_consumer::delete_claims(std::vector<std::int32_t> partitions, std::function<void(bool ok)> then)
{
    std::vector<std::pair<std::int32_t, claim>> todo;
    for (std::int32_t p : partitions) {
        auto it = claims_.find(p);
        if (it == claims_.end())
            continue;
        if (it->second.path.empty() || it->second.session != session_.epoch()) {
            claims_.erase(it); // static, or gone with an earlier session
            continue;
        }
        todo.emplace_back(p, it->second);
    }
    if (todo.empty()) {
        then(true);
        return;
    }
    if (!zk_ || !session_.connected()) {
        // Deleted later (a rebalance releases them again), or gone with the session.
        for (auto& [p, c] : todo)
            claims_[p].doubtful = true;
        then(false);
        return;
    }
    auto count = std::make_shared<countdown>();
    count->remaining = todo.size();
    for (auto& [p, c] : todo) {
        zk_->remove(c.path, -1, [weak = weak_from_this(), p = p, c = c, count, then](std::error_code ec) {
            auto self = weak.lock();
            if (!self)
                return;
            auto it = self->claims_.find(p);
            bool same = it != self->claims_.end() && it->second.path == c.path && it->second.session == c.session;
            if (!ec || ec == zk::errc::no_node) {
                if (same)
                    self->claims_.erase(it);
            } else {
                count->ok = false;
                if (same)
                    it->second.doubtful = true;
                self->log_.warning("balanced consumer " + self->consumer_id_ + ": cannot delete " + c.path + ": " +
                                   ec.message());
            }
            if (--count->remaining == 0)
                then(count->ok);
        });
    }
}

} // namespace kspout::balanced
