// Consumer benchmark, librdkafka's side: assign every partition from the beginning, read N messages.
#include "bench/bench_run.h"
#include "bench/rdkafka_conf.h"
#include "bench/tls_from_env.h"

#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC MESSAGES\n", argv[0]);
        return 2;
    }
    const char* topic = argv[2];
    size_t wanted = strtoull(argv[3], NULL, 10);
    char err[512];

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    bench_conf_set(conf, "bootstrap.servers", argv[1]);
    bench_conf_set(conf, "group.id", "kspout-bench-librdkafka");
    bench_conf_set(conf, "enable.auto.commit", "false");
    bench_conf_set(conf, "enable.auto.offset.store", "false");
    bench_conf_set(conf, "check.crcs", "true"); /* the same work as ours, which checks every CRC */
    bench_conf_set(conf, "log_level", "3");
    struct bench_tls tls;
    if (bench_tls_from_env(&tls)) {
        bench_conf_set(conf, "security.protocol", "ssl");
        bench_conf_set(conf, "ssl.ca.location", tls.ca);
        bench_conf_set(conf, "ssl.certificate.location", tls.certificate);
        bench_conf_set(conf, "ssl.key.location", tls.key);
        bench_conf_set(conf, "ssl.key.password", tls.key_password);
    }
    double start = bench_now_seconds();
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "rd_kafka_new: %s\n", err);
        return 2;
    }
    const struct rd_kafka_metadata* md = NULL;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1) {
        fprintf(stderr, "metadata for %s failed\n", topic);
        return 2;
    }
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (int i = 0; i < md->topics[0].partition_cnt; i++) {
        rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[i].id)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);

    size_t seen = 0, bytes = 0;
    while (seen < wanted) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 1000);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            seen++;
            bytes += m->len;
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
    }
    double seconds = bench_now_seconds() - start;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = bench_cpu_seconds(&usage);
    printf("{\"client\":\"librdkafka\",\"messages\":%zu,\"value_bytes\":%zu,\"seconds\":%.4f,"
           "\"cpu_seconds\":%.4f,\"max_rss_kb\":%ld}\n",
           seen, bytes, seconds, cpu, usage.ru_maxrss);
    fflush(stdout);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}
