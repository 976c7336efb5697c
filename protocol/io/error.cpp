// The io error category.
#include "protocol/io/error.hpp"

#include "protocol/error/error_kind.hpp"

#include <string>

namespace kspout::io {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kafka.io"; }

    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::request_timed_out: return "request timed out";
        case errc::connect_timed_out: return "connect timed out";
        case errc::connection_closed: return "connection closed";
        case errc::correlation_mismatch: return "response correlation id matches no request";
        case errc::bad_response: return "malformed response";
        case errc::no_common_version: return "no API version in common with the broker";
        case errc::shut_down: return "shut down";
        case errc::tls_closed_in_handshake:
            return "the broker closed the connection during the TLS handshake (not a TLS port, or it refused "
                   "our certificate)";
        case errc::tls_certificate_untrusted: return "TLS: no trusted CA signed the broker's certificate";
        case errc::tls_certificate_expired: return "TLS: the broker's certificate has expired or is not valid yet";
        case errc::tls_hostname_mismatch:
            return "TLS: the broker's certificate does not name the host connected to";
        case errc::tls_certificate_rejected: return "TLS: the broker's certificate failed verification";
        case errc::not_kafka_answer:
            return "the broker's first answer is not a Kafka frame (a TLS listener reached over plaintext?)";
        case errc::sasl_token_unusable: return "SASL OAUTHBEARER: no usable token in the token file";
        case errc::sasl_login_closed:
            return "the broker closed the connection during the SASL login (wrong credentials: a broker before "
                   "Kafka 1.0 gives no reason)";
        }
        return "unknown io error";
    }

    std::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<errc>(ev)) {
        case errc::request_timed_out:
        case errc::connect_timed_out:
        case errc::connection_closed:
        case errc::correlation_mismatch:
        case errc::bad_response:
        case errc::tls_closed_in_handshake: return error_kind::retriable; // a new connection may do better
        case errc::tls_certificate_untrusted:
        case errc::tls_certificate_expired:
        case errc::tls_hostname_mismatch:
        case errc::tls_certificate_rejected:
        case errc::sasl_token_unusable:
        case errc::sasl_login_closed: return error_kind::auth;
        case errc::not_kafka_answer: return error_kind::fatal;
        case errc::no_common_version: return error_kind::fatal;
        case errc::shut_down: return error_kind::stopped;
        }
        return error_kind::fatal;
    }
};

} // namespace

const std::error_category& io_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), io_category()};
}

} // namespace kspout::io
