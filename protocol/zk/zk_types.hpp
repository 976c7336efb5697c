// Plain types of the ZooKeeper wrapper: node stat, create modes and ACLs, credentials, session states, watch events.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kspout::zk {

// A znode's metadata, as the server reports it.
struct stat {
    std::int64_t czxid = 0;
    std::int64_t mzxid = 0;
    std::int64_t ctime = 0; // ms since the epoch
    std::int64_t mtime = 0;
    std::int32_t version = 0;  // data version, for remove(path, version)
    std::int32_t cversion = 0; // children version
    std::int32_t aversion = 0;
    std::int64_t ephemeral_owner = 0; // session id of the owner, 0 for a persistent node
    std::int32_t data_length = 0;
    std::int32_t num_children = 0;
    std::int64_t pzxid = 0;
};

enum class create_mode { persistent, ephemeral, persistent_sequential, ephemeral_sequential };

// Who may use a node we create. The ACL is set at creation only; a node that exists keeps its own.
enum class acl_policy {
    open,    // anyone, every permission (ZOO_OPEN_ACL_UNSAFE)
    creator, // only the identities the creating session authenticated as, every permission
             // (ZOO_CREATOR_ALL_ACL); refused with errc::invalid_acl on a session without credentials
};

struct create_options {
    create_mode mode = create_mode::persistent;
    bool make_parents = false; // create missing ancestors as empty persistent nodes (kazoo's makepath)
    acl_policy acl = acl_policy::open;         // of the node itself
    acl_policy parents_acl = acl_policy::open; // of the ancestors make_parents creates
};

// Credentials added to every session before its first request (zoo_add_auth), as zkCli's addauth
// takes them: a scheme ("digest") and what it checks ("user:password"). Never logged.
struct auth_data {
    std::string scheme;
    std::string credentials;
};

enum class session_state {
    connecting,   // no session yet: the first connection is being made
    connected,    // the session is established (again, after a disconnect)
    disconnected, // connection lost; the C client is reconnecting, the session may still be alive
    expired,      // the server expired the session: its ephemeral nodes and watches are gone
    auth_failed,  // the server refused our credentials; the handle is dead
    closed,       // close() was called
};

constexpr std::string_view state_name(session_state s) noexcept
{
    switch (s) {
    case session_state::connecting: return "connecting";
    case session_state::connected: return "connected";
    case session_state::disconnected: return "disconnected";
    case session_state::expired: return "expired";
    case session_state::auth_failed: return "auth_failed";
    case session_state::closed: return "closed";
    }
    return "unknown";
}

enum class event_type { created, deleted, changed, child };

constexpr std::string_view event_name(event_type e) noexcept
{
    switch (e) {
    case event_type::created: return "created";
    case event_type::deleted: return "deleted";
    case event_type::changed: return "changed";
    case event_type::child: return "child";
    }
    return "unknown";
}

// What a watch reports when it fires. The path is relative to the chroot, like the one watched.
struct watch_event {
    event_type type = event_type::changed;
    std::string path;
};

// The session id and password the server gave us; another handle can take the session over with them.
struct session_credentials {
    std::int64_t id = 0;
    std::string password; // 16 opaque bytes
};

// Completion handlers; all run on the client's executor. On error the values are empty.
using create_handler = std::function<void(std::error_code, std::string created_path)>;
using get_handler = std::function<void(std::error_code, std::string data, stat)>;
using children_handler = std::function<void(std::error_code, std::vector<std::string> children, stat)>;
// A missing node is not an error for exists: the stat is then empty.
using exists_handler = std::function<void(std::error_code, std::optional<stat>)>;
using remove_handler = std::function<void(std::error_code)>;
using watch_handler = std::function<void(std::error_code, watch_event)>;
using state_handler = std::function<void(session_state)>;

} // namespace kspout::zk
