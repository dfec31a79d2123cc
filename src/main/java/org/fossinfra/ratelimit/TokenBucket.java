package org.fossinfra.ratelimit;

/**
 * A bucket of {@code burst} tokens, refilled at {@code perSecond}; each request takes one (nginx's {@code limit_req
 * rate=... burst=...} without the queueing: a request finding the bucket empty is refused at once). Smooths traffic
 * to the rate while allowing short bursts.
 *
 * <p>Tokens are kept in billionths (a long), so refills add up exactly: at 10 a second, 100 ms refill exactly one
 * token, where doubles would leave 0.999... and refuse a request that is due. Per key: 24 bytes of state.
 */
public record TokenBucket(double perSecond, int burst) implements Policy {
    /** Fixed-point scale: one token. */
    static final long ONE = 1_000_000_000L;

    public TokenBucket {
        Arguments.requireRate(perSecond);
        Arguments.requireLimit("burst", burst);
    }

    @Override
    public String configName() {
        return "token-bucket";
    }

    @Override
    public long localBytesPerKey() {
        return LocalAlgorithm.ENTRY_BYTES + 24;
    }

    /** Tokens (in billionths) at {@code last}. */
    static final class Bucket {
        long tokens;
        long last;
    }

    static final class Local extends LocalAlgorithm<Bucket> {
        private final double perSecond;
        private final long full;

        Local(TokenBucket p) {
            this.perSecond = p.perSecond();
            this.full = p.burst() * ONE;
        }

        @Override
        Bucket newState(long now) {
            Bucket b = new Bucket();
            b.tokens = full;
            b.last = now;
            return b;
        }

        @Override
        Decision acquire(Bucket b, long now) {
            if (now > b.last) {
                // billionths of a token per nanosecond = tokens per second
                b.tokens = (long) Math.min(full, b.tokens + (double) (now - b.last) * perSecond);
                b.last = now;
            }
            if (b.tokens >= ONE) {
                b.tokens -= ONE;
                return Decision.allowed(b.tokens / ONE);
            }
            long nanos = (long) Math.ceil((ONE - b.tokens) / perSecond);
            return new Decision.Denied(Decisions.ceilMillis(nanos));
        }

        @Override
        boolean idle(Bucket b, long now) {
            return b.tokens + (double) Math.max(0, now - b.last) * perSecond >= full;
        }
    }
}
