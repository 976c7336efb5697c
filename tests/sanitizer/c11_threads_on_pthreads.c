/* C11 threads on pthreads for ThreadSanitizer builds: librdkafka's threads and locks made visible to TSan. */
/* glibc's thrd_create, mtx_lock, cnd_wait and call_once reach pthreads through internal aliases
 * that GCC 12's TSan does not intercept: librdkafka's threads were unknown to it (its allocator
 * crashed in them) and their locks invisible, which would show handovers through librdkafka's
 * queues as races. These definitions take precedence over glibc's for the whole process and call
 * the intercepted pthread functions instead. Built only with KSPOUT_SANITIZE containing thread. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

struct thread_start {
    thrd_start_t func;
    void* arg;
};

static void* run_thread(void* p)
{
    struct thread_start start = *(struct thread_start*)p;
    free(p);
    return (void*)(intptr_t)start.func(start.arg);
}

static int result_of(int rc)
{
    switch (rc) {
    case 0: return thrd_success;
    case EBUSY: return thrd_busy;
    case ETIMEDOUT: return thrd_timedout;
    case ENOMEM: return thrd_nomem;
    default: return thrd_error;
    }
}

int thrd_create(thrd_t* thread, thrd_start_t func, void* arg)
{
    struct thread_start* start = malloc(sizeof *start);
    if (start == NULL) return thrd_nomem;
    start->func = func;
    start->arg = arg;
    int rc = pthread_create(thread, NULL, run_thread, start);
    if (rc != 0) free(start);
    return result_of(rc);
}

int thrd_join(thrd_t thread, int* result)
{
    void* value = NULL;
    int rc = pthread_join(thread, &value);
    if (rc == 0 && result != NULL) *result = (int)(intptr_t)value;
    return result_of(rc);
}

int thrd_detach(thrd_t thread)
{
    return result_of(pthread_detach(thread));
}

int mtx_init(mtx_t* mutex, int type)
{
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    if (type & mtx_recursive) pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init((pthread_mutex_t*)mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    return result_of(rc);
}

int mtx_lock(mtx_t* mutex)
{
    return result_of(pthread_mutex_lock((pthread_mutex_t*)mutex));
}

int mtx_trylock(mtx_t* mutex)
{
    return result_of(pthread_mutex_trylock((pthread_mutex_t*)mutex));
}

int mtx_timedlock(mtx_t* restrict mutex, const struct timespec* restrict deadline)
{
    return result_of(pthread_mutex_timedlock((pthread_mutex_t*)mutex, deadline));
}

int mtx_unlock(mtx_t* mutex)
{
    return result_of(pthread_mutex_unlock((pthread_mutex_t*)mutex));
}

void mtx_destroy(mtx_t* mutex)
{
    pthread_mutex_destroy((pthread_mutex_t*)mutex);
}

int cnd_init(cnd_t* condition)
{
    return result_of(pthread_cond_init((pthread_cond_t*)condition, NULL));
}

int cnd_signal(cnd_t* condition)
{
    return result_of(pthread_cond_signal((pthread_cond_t*)condition));
}

int cnd_broadcast(cnd_t* condition)
{
    return result_of(pthread_cond_broadcast((pthread_cond_t*)condition));
}

int cnd_wait(cnd_t* condition, mtx_t* mutex)
{
    return result_of(pthread_cond_wait((pthread_cond_t*)condition, (pthread_mutex_t*)mutex));
}

int cnd_timedwait(cnd_t* restrict condition, mtx_t* restrict mutex, const struct timespec* restrict deadline)
{
    return result_of(pthread_cond_timedwait((pthread_cond_t*)condition, (pthread_mutex_t*)mutex, deadline));
}

void cnd_destroy(cnd_t* condition)
{
    pthread_cond_destroy((pthread_cond_t*)condition);
}

void call_once(once_flag* flag, void (*func)(void))
{
    pthread_once((pthread_once_t*)flag, func);
}
