/* The record value every producer benchmark sends: VALUE_SIZE letters A-Z from a fixed seed, as
 * Kafka's ProducerPerformance fills its payload, so the codecs see the same bytes from each client. */
#ifndef KSPOUT_BENCH_PAYLOAD_H
#define KSPOUT_BENCH_PAYLOAD_H

#include <stddef.h>

static inline void bench_payload(char* out, size_t size)
{
    unsigned long state = 20261205UL;
    for (size_t i = 0; i < size; i++) {
        state = state * 6364136223846793005UL + 1442695040888963407UL;
        out[i] = (char)('A' + (state >> 33) % 26);
    }
}

#endif
