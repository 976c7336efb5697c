/* The benchmark clients' TLS settings, from the environment (run_real_kafka_bench.py --tls). C and C++. */
#ifndef KSPOUT_BENCH_TLS_FROM_ENV_H
#define KSPOUT_BENCH_TLS_FROM_ENV_H

#include <stdlib.h>

/* KSPOUT_BENCH_SSL_CA, _CERT, _KEY and _KEY_PASSWORD: the CA file, and the client certificate and
 * encrypted key for mutual TLS. Unset CA: plaintext. */
struct bench_tls {
    const char* ca;
    const char* certificate;
    const char* key;
    const char* key_password;
};

/* Nonzero when the environment asks for TLS; `out` then holds the four settings ("" if unset). */
static inline int bench_tls_from_env(struct bench_tls* out)
{
    const char* ca = getenv("KSPOUT_BENCH_SSL_CA");
    if (ca == NULL || *ca == '\0') return 0;
    const char* certificate = getenv("KSPOUT_BENCH_SSL_CERT");
    const char* key = getenv("KSPOUT_BENCH_SSL_KEY");
    const char* key_password = getenv("KSPOUT_BENCH_SSL_KEY_PASSWORD");
    out->ca = ca;
    out->certificate = certificate ? certificate : "";
    out->key = key ? key : "";
    out->key_password = key_password ? key_password : "";
    return 1;
}

#endif
