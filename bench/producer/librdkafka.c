// Producer benchmark, librdkafka's side: write N records with acks=all (idempotently if asked), print one JSON line.
#include "bench/bench_run.h"
#include "bench/producer/payload.h"
#include "bench/rdkafka_conf.h"

#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t delivered, failed;

static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque)
{
    (void)rk;
    (void)opaque;
    delivered++;
    if (m->err && failed++ == 0) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
}

int main(int argc, char** argv)
{
    if (argc != 6 && !(argc == 7 && strcmp(argv[6], "idempotent") == 0)) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC MESSAGES VALUE_SIZE CODEC [idempotent]\n", argv[0]);
        return 2;
    }
    size_t wanted = strtoull(argv[3], NULL, 10);
    size_t size = strtoull(argv[4], NULL, 10);
    char* value = malloc(size);
    bench_payload(value, size);
    char err[512];

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    bench_conf_set(conf, "bootstrap.servers", argv[1]);
    bench_conf_set(conf, "acks", "all");
    bench_conf_set(conf, "compression.codec", argv[5]);
    bench_conf_set(conf, "log_level", "3");
    if (argc == 7) bench_conf_set(conf, "enable.idempotence", "true");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    double start = bench_now_seconds();
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "rd_kafka_new: %s\n", err);
        return 2;
    }
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, argv[2], NULL);
    for (size_t produced = 0; produced < wanted;) {
        if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value, size, NULL, 0, NULL) == 0) {
            produced++;
            rd_kafka_poll(rk, 0);
        } else if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 100);
        } else {
            fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
            return 1;
        }
    }
    rd_kafka_flush(rk, 600000);
    double seconds = bench_now_seconds() - start;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = bench_cpu_seconds(&usage);
    printf("{\"client\":\"librdkafka\",\"messages\":%zu,\"failed\":%zu,\"seconds\":%.4f,"
           "\"cpu_seconds\":%.4f,\"max_rss_kb\":%ld}\n",
           delivered, failed, seconds, cpu, usage.ru_maxrss);
    fflush(stdout);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(value);
    return delivered == wanted && failed == 0 ? 0 : 1;
}
