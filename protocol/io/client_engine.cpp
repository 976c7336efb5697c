// Which client does the broker I/O: ours, or librdkafka (the rdkafka engine).
#include "protocol/io/client_engine.hpp"

namespace kspout::io {

bool engine_built(client_engine engine) noexcept
{
#ifdef KSPOUT_WITH_RDKAFKA
    constexpr bool with_rdkafka = true;
#else
    constexpr bool with_rdkafka = false;
#endif
    return engine == client_engine::native || with_rdkafka;
}

} // namespace kspout::io
