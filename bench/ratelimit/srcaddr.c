/* LD_PRELOAD shim for the load generator (bench/ratelimit.sh): every TCP connect to 127.0.0.1 from a socket that is
 * not bound yet is first bound to 127.0.0.<2 + n mod SRCADDR_COUNT> (port chosen by the kernel), n counting the
 * connects. So one wrk process opens its connections from SRCADDR_COUNT client addresses, and a rate-limit rule keyed
 * on the client address sees that many clients instead of one. Loopback only: other destinations are left alone.
 *   gcc -shared -fPIC -O2 -o srcaddr.so srcaddr.c -ldl
 *   SRCADDR_COUNT=16 LD_PRELOAD=./srcaddr.so wrk ... http://127.0.0.1:PORT/ */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static unsigned counter;

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    if (!real_connect) real_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *to = (const struct sockaddr_in *)addr;
        struct sockaddr_in mine;
        socklen_t mlen = sizeof(mine);
        if (ntohl(to->sin_addr.s_addr) == 0x7f000001 && getsockname(fd, (struct sockaddr *)&mine, &mlen) == 0
                && mine.sin_port == 0) {
            const char *c = getenv("SRCADDR_COUNT");
            unsigned n = c ? (unsigned)atoi(c) : 16;
            if (n < 1) n = 1;
            if (n > 250) n = 250;
            struct sockaddr_in from = {0};
            from.sin_family = AF_INET;
            from.sin_addr.s_addr = htonl(0x7f000002 + (__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED) % n));
            bind(fd, (struct sockaddr *)&from, sizeof(from)); /* on failure, connect as usual from 127.0.0.1 */
        }
    }
    return real_connect(fd, addr, len);
}
