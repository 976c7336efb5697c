/* rd_kafka_conf_set for the librdkafka benchmark programs: a refused property ends the program. */
#ifndef KSPOUT_BENCH_RDKAFKA_CONF_H
#define KSPOUT_BENCH_RDKAFKA_CONF_H

#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>

static inline void bench_conf_set(rd_kafka_conf_t* conf, const char* key, const char* value)
{
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s: %s\n", key, err);
        exit(2);
    }
}

#endif
