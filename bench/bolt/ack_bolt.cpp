// The bolt benchmark's floor: a bolt on our multilang library that acks every tuple at once, so
// a run measures only the pipe round trip, the framing and the driver.
#include "multilang/bolt_session.hpp"

using namespace kspout::multilang;

int main()
{
    bolt_session::handlers h;
    h.on_tuple = [](const bolt_tuple& t, bolt_session& s) { s.ack(t.id); };
    return run_bolt(std::move(h), "ack_bolt");
}
