package org.fossinfra.proxy;

import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;

/**
 * The rate-limit checks of one request, in order: HAProxy's {@code http-request deny} on a stick-table rate. The
 * frontend's rules are checked when the head is in, before routing; the backend's after routing, before a server slot
 * is taken. A rule over its limit ends the exchange with 429 and {@code Retry-After}; nothing reaches a server.
 *
 * <p>The in-process store answers at once, inside {@code acquire}, and the checks go on within the same call; a Redis
 * check leaves the connection in {@link ExchangeState#LIMIT} until the answer comes back on this event loop, or the
 * rule's timeout passes first. Each check carries a tag, so an answer that comes after its timeout (or after the client
 * left) is recognised and ignored.
 *
 * <p>Hazard: an answer may arrive on a store's thread; it is always handed to the connection's own loop first.
 */
final class LimitChecks {
    private final FrontendConnection owner;
    private final LoopContext loop;
    private RateLimitRule[] rules;
    private int index;
    private RateLimitRule rule;
    private long tag;
    private boolean inCall;
    private boolean answered;
    private Decision decision;
    /** The one listener for every check of this connection, so that a check allocates no lambda. */
    private final Limiter.Answer onAnswer = this::onAnswer;

    LimitChecks(FrontendConnection owner, LoopContext loop) {
        this.owner = owner;
        this.loop = loop;
    }

    /** Checks {@code rules} in order; {@link FrontendConnection#onLimitsPassed} when all let the request through. */
    void start(RateLimitRule[] rules) {
        this.rules = rules;
        index = 0;
        next();
    }

    /** Asks the next rule; in-process answers are taken in this loop, a remote one ends it until it comes. */
    private void next() {
        RateLimitRule[] rs = rules;
        while (index < rs.length) {
            RateLimitRule r = rs[index++];
            rule = r;
            answered = false;
            inCall = true;
            r.limiter.acquire(owner.limitKey(r), ++tag, onAnswer);
            inCall = false;
            if (!answered) {
                owner.waitingFromNow(); // the rule's timeout runs from now
                return;
            }
            Decision d = decision;
            decision = null;
            if (!admit(r, d)) {
                return;
            }
        }
        rules = null;
        owner.onLimitsPassed();
    }

    /** A store's answer: on this loop at once (in-process), or later from the store's I/O. */
    private void onAnswer(long answerTag, Decision d) {
        if (!loop.loop.inEventLoop()) {
            loop.loop.execute(() -> onAnswer(answerTag, d));
            return;
        }
        if (owner.state != ExchangeState.LIMIT || answerTag != tag || answered) {
            return; // too late: the timeout decided, or the client went away
        }
        answered = true;
        if (inCall) {
            decision = d; // next() takes it when acquire returns
            return;
        }
        if (admit(rule, d)) {
            next();
        }
    }

    /** Whether the request may go on after {@code r} answered {@code d}; if not, the exchange is ended. */
    private boolean admit(RateLimitRule r, Decision d) {
        return switch (d) {
            case Decision.Allowed a -> true;
            case Decision.Denied denied -> {
                owner.deny(denied.retryAfterSeconds());
                yield false;
            }
            case Decision.Unavailable u -> unavailable(r, u.reason());
        };
    }

    /** The store did not answer (an error, or nothing within its timeout): the rule's on-failure decides. */
    private boolean unavailable(RateLimitRule r, String why) {
        if (r.failOpen) {
            return true;
        }
        owner.failClosed(r, why);
        return false;
    }

    /** When the pending check gives up, for a wait that began at {@code since}; MAX_VALUE for never. */
    long deadline(long since) {
        return answered || rule.timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : since + rule.timeoutNanos;
    }

    /** The pending check's timeout passed: its rule's on-failure decides, then the next rule is asked. */
    void onTimeout() {
        answered = true; // an answer arriving now is too late
        if (unavailable(rule, "no answer within " + rule.timeoutNanos / 1_000_000 + " ms")) {
            next();
        }
    }
}
