// kspout-mock-cluster: librdkafka's mock Kafka cluster on loopback, driven by fault commands on stdin.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

enum {
    max_brokers = 64,
    max_line = 4096,
    max_args = 8,
    max_partitions = 100000,
    max_delay_ms = 3600 * 1000,
    max_error_count = 100000,
};

struct launcher {
    rd_kafka_t* rk;
    rd_kafka_mock_cluster_t* cluster;
    long broker_count;
};

// The highest version each request handler of the 2.0.2 mock parses. set_apiversion must not
// go above it, and a key without a handler would only ever have its connection closed.
struct api_limit {
    long key;
    long max_version;
};

static const struct api_limit api_limits[] = {
    {0, 7},  {1, 11}, {2, 5},  {3, 2},  {8, 7},  {9, 5},  {10, 2}, {11, 5}, {12, 3},
    {13, 1}, {14, 3}, {18, 2}, {22, 4}, {24, 1}, {25, 1}, {26, 1}, {28, 2},
};

static int reply_ok(void)
{
    return printf("ok\n") < 0 || fflush(stdout) != 0 ? -1 : 0;
}

static int reply_error(const char* format, ...) __attribute__((format(printf, 1, 2)));

static int reply_error(const char* format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    return printf("error %s\n", text) < 0 || fflush(stdout) != 0 ? -1 : 0;
}

static int reply_kafka_error(const char* what, rd_kafka_resp_err_t err)
{
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return reply_ok();
    return reply_error("%s: %s (%d)", what, rd_kafka_err2name(err), (int)err);
}

// Parses a whole token as a decimal integer in [min, max].
static int parse_long(const char* text, long min, long max, long* out)
{
    char* end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

static int valid_topic_name(const char* name)
{
    size_t length = strlen(name);
    if (length == 0 || length > 249 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    for (size_t i = 0; i < length; ++i) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

static const struct api_limit* find_api(const char* text)
{
    long key = 0;
    if (parse_long(text, 0, SHRT_MAX, &key) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof api_limits / sizeof api_limits[0]; ++i) {
        if (api_limits[i].key == key)
            return &api_limits[i];
    }
    return NULL;
}

// An error code by number (e.g. 6, -195) or by librdkafka name (NOT_LEADER_FOR_PARTITION, _TRANSPORT).
static int parse_error_code(const char* text, rd_kafka_resp_err_t* out)
{
    long code = 0;
    if (parse_long(text, RD_KAFKA_RESP_ERR__BEGIN + 1, RD_KAFKA_RESP_ERR_END_ALL - 1, &code) == 0) {
        if (code > RD_KAFKA_RESP_ERR__END && code < 0)
            return -1;
        *out = (rd_kafka_resp_err_t)code;
        return 0;
    }
    const struct rd_kafka_err_desc* descs = NULL;
    size_t count = 0;
    rd_kafka_get_err_descs(&descs, &count);
    for (size_t i = 0; i < count; ++i) {
        if (descs[i].name && strcmp(descs[i].name, text) == 0) {
            *out = descs[i].code;
            return 0;
        }
    }
    return -1;
}

static int parse_broker(const struct launcher* l, const char* text, int allow_all, long* out)
{
    if (parse_long(text, 1, l->broker_count, out) == 0)
        return 0;
    if (allow_all && strcmp(text, "-1") == 0) {
        *out = -1;
        return 0;
    }
    return -1;
}

static int bad_broker(const struct launcher* l, const char* text, int allow_all)
{
    return reply_error("bad broker id '%s': expected 1..%ld%s", text, l->broker_count,
                       allow_all ? " or -1 for all" : "");
}

static int cmd_topic(struct launcher* l, int argc, char** argv)
{
    long partitions = 0;
    long replication = l->broker_count < 3 ? l->broker_count : 3;
    if (argc < 3 || argc > 4)
        return reply_error("usage: topic NAME PARTITIONS [RF]");
    if (!valid_topic_name(argv[1]))
        return reply_error("bad topic name '%s'", argv[1]);
    if (parse_long(argv[2], 1, max_partitions, &partitions) != 0)
        return reply_error("bad partition count '%s': expected 1..%d", argv[2], max_partitions);
    if (argc == 4 && parse_long(argv[3], 1, l->broker_count, &replication) != 0)
        return reply_error("bad replication factor '%s': expected 1..%ld", argv[3], l->broker_count);
    return reply_kafka_error("topic", rd_kafka_mock_topic_create(l->cluster, argv[1], (int)partitions,
                                                                 (int)replication));
}

static int cmd_updown(struct launcher* l, int argc, char** argv, int up)
{
    long id = 0;
    if (argc != 2)
        return reply_error("usage: %s ID", argv[0]);
    if (parse_broker(l, argv[1], 1, &id) != 0)
        return bad_broker(l, argv[1], 1);
    rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(l->cluster, (int32_t)id)
                                 : rd_kafka_mock_broker_set_down(l->cluster, (int32_t)id);
    return reply_kafka_error(argv[0], err);
}

static int cmd_rtt(struct launcher* l, int argc, char** argv)
{
    long id = 0;
    long ms = 0;
    if (argc != 3)
        return reply_error("usage: rtt ID MS");
    if (parse_broker(l, argv[1], 1, &id) != 0)
        return bad_broker(l, argv[1], 1);
    if (parse_long(argv[2], 0, max_delay_ms, &ms) != 0)
        return reply_error("bad rtt '%s': expected 0..%d ms", argv[2], max_delay_ms);
    return reply_kafka_error("rtt", rd_kafka_mock_broker_set_rtt(l->cluster, (int32_t)id, (int)ms));
}

// leader and follower: the mock creates a missing topic with PARTITION + 1 partitions.
static int cmd_replica(struct launcher* l, int argc, char** argv, int leader)
{
    long partition = 0;
    long id = 0;
    if (argc != 4)
        return reply_error("usage: %s TOPIC PARTITION ID", argv[0]);
    if (!valid_topic_name(argv[1]))
        return reply_error("bad topic name '%s'", argv[1]);
    // A negative partition would index before the mock's partition array.
    if (parse_long(argv[2], 0, max_partitions - 1, &partition) != 0)
        return reply_error("bad partition '%s': expected 0..%d", argv[2], max_partitions - 1);
    if (leader) {
        if (parse_broker(l, argv[3], 1, &id) != 0)
            return reply_error("bad leader '%s': expected 1..%ld or -1 for none", argv[3],
                               l->broker_count);
        return reply_kafka_error("leader", rd_kafka_mock_partition_set_leader(
                                               l->cluster, argv[1], (int32_t)partition, (int32_t)id));
    }
    // The preferred replica need not exist: that is how a test points a client at a dead broker.
    if (parse_long(argv[3], -1, INT32_MAX, &id) != 0)
        return reply_error("bad follower '%s': expected a broker id or -1 for none", argv[3]);
    return reply_kafka_error("follower", rd_kafka_mock_partition_set_follower(
                                             l->cluster, argv[1], (int32_t)partition, (int32_t)id));
}

static int cmd_err(struct launcher* l, int argc, char** argv)
{
    long count = 1;
    rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (argc < 3 || argc > 4)
        return reply_error("usage: err APIKEY CODE [COUNT]");
    const struct api_limit* api = find_api(argv[1]);
    if (!api)
        return reply_error("bad api key '%s': the mock has no handler for it", argv[1]);
    if (parse_error_code(argv[2], &code) != 0)
        return reply_error("bad error code '%s'", argv[2]);
    if (argc == 4 && parse_long(argv[3], 1, max_error_count, &count) != 0)
        return reply_error("bad count '%s': expected 1..%d", argv[3], max_error_count);
    rd_kafka_resp_err_t* codes = malloc((size_t)count * sizeof *codes);
    if (!codes)
        return reply_error("out of memory");
    for (long i = 0; i < count; ++i)
        codes[i] = code;
    rd_kafka_mock_push_request_errors_array(l->cluster, (int16_t)api->key, (size_t)count, codes);
    free(codes);
    return reply_ok();
}

static int cmd_broker_err(struct launcher* l, int argc, char** argv)
{
    long id = 0;
    long rtt = 0;
    rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (argc != 5)
        return reply_error("usage: broker_err ID APIKEY CODE RTT_MS");
    if (parse_broker(l, argv[1], 0, &id) != 0)
        return bad_broker(l, argv[1], 0);
    const struct api_limit* api = find_api(argv[2]);
    if (!api)
        return reply_error("bad api key '%s': the mock has no handler for it", argv[2]);
    if (parse_error_code(argv[3], &code) != 0)
        return reply_error("bad error code '%s'", argv[3]);
    if (parse_long(argv[4], 0, max_delay_ms, &rtt) != 0)
        return reply_error("bad rtt '%s': expected 0..%d ms", argv[4], max_delay_ms);
    return reply_kafka_error("broker_err",
                             rd_kafka_mock_broker_push_request_error_rtts(
                                 l->cluster, (int32_t)id, (int16_t)api->key, 1, code, (int)rtt));
}

static int cmd_topicerr(struct launcher* l, int argc, char** argv)
{
    rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (argc != 3)
        return reply_error("usage: topicerr TOPIC CODE");
    if (!valid_topic_name(argv[1]))
        return reply_error("bad topic name '%s'", argv[1]);
    if (parse_error_code(argv[2], &code) != 0)
        return reply_error("bad error code '%s'", argv[2]);
    rd_kafka_mock_topic_set_error(l->cluster, argv[1], code);
    return reply_ok();
}

static int cmd_apiver(struct launcher* l, int argc, char** argv)
{
    long min = 0;
    long max = 0;
    if (argc != 4)
        return reply_error("usage: apiver APIKEY MIN MAX");
    const struct api_limit* api = find_api(argv[1]);
    if (!api)
        return reply_error("bad api key '%s': the mock has no handler for it", argv[1]);
    if (parse_long(argv[2], -1, api->max_version, &min) != 0 ||
        parse_long(argv[3], -1, api->max_version, &max) != 0)
        return reply_error("bad version range %s..%s: api %ld takes 0..%ld, or -1 -1 to disable",
                           argv[2], argv[3], api->key, api->max_version);
    int disable = min == -1 && max == -1;
    if (!disable && (min < 0 || max < min))
        return reply_error("bad version range %ld..%ld: api %ld takes 0..%ld, or -1 -1 to disable",
                           min, max, api->key, api->max_version);
    return reply_kafka_error("apiver", rd_kafka_mock_set_apiversion(l->cluster, (int16_t)api->key,
                                                                    (int16_t)min, (int16_t)max));
}

static int cmd_coordinator(struct launcher* l, int argc, char** argv)
{
    long id = 0;
    if (argc != 4)
        return reply_error("usage: coordinator group|transaction KEY ID");
    if (strcmp(argv[1], "group") != 0 && strcmp(argv[1], "transaction") != 0)
        return reply_error("bad coordinator type '%s': expected group or transaction", argv[1]);
    // FindCoordinator asserts inside the mock if this names a broker that does not exist.
    if (parse_broker(l, argv[3], 0, &id) != 0)
        return bad_broker(l, argv[3], 0);
    return reply_kafka_error("coordinator",
                             rd_kafka_mock_coordinator_set(l->cluster, argv[1], argv[2], (int32_t)id));
}

// Runs one command line. Returns 1 to quit, -1 if stdout is gone, 0 otherwise.
static int run_command(struct launcher* l, char* line)
{
    char* argv[max_args];
    int argc = 0;
    char* save = NULL;
    for (char* token = strtok_r(line, " \t", &save); token; token = strtok_r(NULL, " \t", &save)) {
        if (argc == max_args)
            return reply_error("too many arguments");
        argv[argc++] = token;
    }
    if (argc == 0)
        return reply_error("empty command");
    const char* name = argv[0];
    if (strcmp(name, "topic") == 0)
        return cmd_topic(l, argc, argv);
    if (strcmp(name, "down") == 0)
        return cmd_updown(l, argc, argv, 0);
    if (strcmp(name, "up") == 0)
        return cmd_updown(l, argc, argv, 1);
    if (strcmp(name, "rtt") == 0)
        return cmd_rtt(l, argc, argv);
    if (strcmp(name, "leader") == 0)
        return cmd_replica(l, argc, argv, 1);
    if (strcmp(name, "follower") == 0)
        return cmd_replica(l, argc, argv, 0);
    if (strcmp(name, "err") == 0)
        return cmd_err(l, argc, argv);
    if (strcmp(name, "broker_err") == 0)
        return cmd_broker_err(l, argc, argv);
    if (strcmp(name, "topicerr") == 0)
        return cmd_topicerr(l, argc, argv);
    if (strcmp(name, "apiver") == 0)
        return cmd_apiver(l, argc, argv);
    if (strcmp(name, "coordinator") == 0)
        return cmd_coordinator(l, argc, argv);
    if (strcmp(name, "quit") == 0) {
        if (argc != 1)
            return reply_error("usage: quit");
        return reply_ok() == 0 ? 1 : -1;
    }
    return reply_error("unknown command '%.64s'", name);
}

// Reads stdin line by line until EOF, quit, SIGTERM/SIGINT or a closed stdout.
static void serve(struct launcher* l, int signal_fd)
{
    char buffer[max_line];
    size_t used = 0;
    int overlong = 0;
    for (;;) {
        struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = signal_fd, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[1].revents)
            return;
        if (!fds[0].revents)
            continue;
        ssize_t got = read(STDIN_FILENO, buffer + used, sizeof buffer - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return;
        used += (size_t)got;
        size_t start = 0;
        for (;;) {
            char* newline = memchr(buffer + start, '\n', used - start);
            if (!newline)
                break;
            *newline = '\0';
            if (newline > buffer + start && newline[-1] == '\r')
                newline[-1] = '\0';
            int result = overlong ? reply_error("line too long") : run_command(l, buffer + start);
            overlong = 0;
            if (result != 0)
                return;
            start = (size_t)(newline - buffer) + 1;
        }
        memmove(buffer, buffer + start, used - start);
        used -= start;
        if (used == sizeof buffer) {
            overlong = 1;
            used = 0;
        }
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: kspout-mock-cluster [--brokers N]   (N in 1..%d)\n", max_brokers);
    return 2;
}

int main(int argc, char** argv)
{
    long brokers = 1;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
            if (parse_long(argv[++i], 1, max_brokers, &brokers) != 0)
                return usage();
        } else {
            return usage();
        }
    }

    // Block the stop signals before librdkafka starts threads, so they all inherit the mask and
    // only the signalfd sees them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0)
        return 1;
    int signal_fd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (signal_fd < 0) {
        perror("kspout-mock-cluster: signalfd");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "client.id", "kspout-mock-cluster", errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kspout-mock-cluster: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    struct launcher l = {.broker_count = brokers};
    l.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!l.rk) {
        fprintf(stderr, "kspout-mock-cluster: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    l.cluster = rd_kafka_mock_cluster_new(l.rk, (int)brokers);
    if (!l.cluster) {
        fprintf(stderr, "kspout-mock-cluster: could not start %ld mock brokers\n", brokers);
        rd_kafka_destroy(l.rk);
        return 1;
    }

    printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(l.cluster));
    if (fflush(stdout) == 0)
        serve(&l, signal_fd);

    rd_kafka_mock_cluster_destroy(l.cluster);
    rd_kafka_destroy(l.rk);
    close(signal_fd);
    return 0;
}
