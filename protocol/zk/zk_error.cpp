// The zookeeper error category: names and messages for the C client's result codes.
#include "protocol/zk/zk_error.hpp"

#include "protocol/error/error_kind.hpp"

#include <string>

namespace kspout::zk {
namespace {

struct code_text {
    std::string_view name;
    std::string_view text;
};

code_text describe(int rc) noexcept
{
    switch (static_cast<errc>(rc)) {
    case errc::system_error: return {"ZSYSTEMERROR", "system error"};
    case errc::runtime_inconsistency: return {"ZRUNTIMEINCONSISTENCY", "runtime inconsistency"};
    case errc::data_inconsistency: return {"ZDATAINCONSISTENCY", "data inconsistency"};
    case errc::connection_loss: return {"ZCONNECTIONLOSS", "connection to the server lost"};
    case errc::marshalling_error: return {"ZMARSHALLINGERROR", "marshalling error"};
    case errc::unimplemented: return {"ZUNIMPLEMENTED", "operation not implemented"};
    case errc::operation_timeout: return {"ZOPERATIONTIMEOUT", "operation timed out"};
    case errc::bad_arguments: return {"ZBADARGUMENTS", "bad arguments"};
    case errc::invalid_state: return {"ZINVALIDSTATE", "invalid handle state"};
    case errc::new_config_no_quorum: return {"ZNEWCONFIGNOQUORUM", "no quorum for the new configuration"};
    case errc::reconfig_in_progress: return {"ZRECONFIGINPROGRESS", "reconfiguration in progress"};
    case errc::ssl_connection_error: return {"ZSSLCONNECTIONERROR", "SSL connection error"};
    case errc::api_error: return {"ZAPIERROR", "API error"};
    case errc::no_node: return {"ZNONODE", "node does not exist"};
    case errc::no_auth: return {"ZNOAUTH", "not authenticated"};
    case errc::bad_version: return {"ZBADVERSION", "version conflict"};
    case errc::no_children_for_ephemerals: return {"ZNOCHILDRENFOREPHEMERALS", "ephemeral nodes may not have children"};
    case errc::node_exists: return {"ZNODEEXISTS", "node already exists"};
    case errc::not_empty: return {"ZNOTEMPTY", "node has children"};
    case errc::session_expired: return {"ZSESSIONEXPIRED", "session expired"};
    case errc::invalid_callback: return {"ZINVALIDCALLBACK", "invalid callback"};
    case errc::invalid_acl: return {"ZINVALIDACL", "invalid ACL"};
    case errc::auth_failed: return {"ZAUTHFAILED", "authentication failed"};
    case errc::closing: return {"ZCLOSING", "client closing"};
    case errc::nothing: return {"ZNOTHING", "no server responses to process"};
    case errc::session_moved: return {"ZSESSIONMOVED", "session moved to another server"};
    case errc::not_read_only: return {"ZNOTREADONLY", "state-changing request sent to a read-only server"};
    case errc::ephemeral_on_local_session: return {"ZEPHEMERALONLOCALSESSION", "ephemeral node on a local session"};
    case errc::no_watcher: return {"ZNOWATCHER", "no such watcher"};
    case errc::reconfig_disabled: return {"ZRECONFIGDISABLED", "reconfiguration disabled"};
    case errc::session_closed_requires_sasl_auth:
        return {"ZSESSIONCLOSEDREQUIRESASLAUTH", "session closed: the server requires SASL authentication"};
    case errc::throttled_op: return {"ZTHROTTLEDOP", "operation throttled"};
    }
    return {"", ""};
}

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "zookeeper"; }

    std::string message(int ev) const override
    {
        code_text t = describe(ev);
        if (t.name.empty())
            return "unknown zookeeper error " + std::to_string(ev);
        return std::string(t.name) + ": " + std::string(t.text);
    }

    std::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<errc>(ev)) {
        case errc::connection_loss:
        case errc::operation_timeout:
        case errc::session_expired: // a new session can take over
        case errc::session_moved:
        case errc::not_read_only:
        case errc::reconfig_in_progress:
        case errc::new_config_no_quorum:
        case errc::throttled_op:
        case errc::nothing: return error_kind::retriable;
        case errc::no_auth:
        case errc::auth_failed:
        case errc::session_closed_requires_sasl_auth: return error_kind::auth;
        case errc::closing: return error_kind::stopped;
        default: return error_kind::fatal; // including answers about nodes: no_node, node_exists, bad_version...
        }
    }
};

} // namespace

const std::error_category& zookeeper_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), zookeeper_category()};
}

std::string_view code_name(int rc) noexcept
{
    if (rc == 0)
        return "ZOK";
    return describe(rc).name;
}

std::error_code error_from_rc(int rc) noexcept
{
    if (rc == 0)
        return {};
    return {rc, zookeeper_category()};
}

} // namespace kspout::zk
