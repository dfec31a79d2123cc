package org.fossinfra.balance;

/**
 * The rules every algorithm applies to its candidates, so that they agree on what eligible, full and avoided mean.
 *
 * <p>Why here and not in the load balancer: an algorithm's notion of "up" is only as fresh as its last resync, so each
 * candidate is checked against the server's live state just before a slot is taken. That check is two volatile reads
 * and keeps a pick from ever returning a server that went down a microsecond ago.
 */
final class Candidates {

    static final Pick.AllBusy ALL_BUSY = new Pick.AllBusy();
    static final Pick.NoneAvailable NONE_AVAILABLE = new Pick.NoneAvailable();

    private Candidates() {}

    /**
     * Whether {@code s} may take this request on the first pass: it is not the server to avoid, it is eligible and it
     * is not full. A true answer can still lose the race for the last slot in {@link Server#tryAcquire()}.
     */
    static boolean takes(Server s, Server avoid) {
        return s != avoid && s.eligible() && !s.isFull();
    }

    /**
     * The end of every pick once no other candidate took the request: the avoided server if it is one of
     * {@code candidates} and can take it (redispatch to the same server beats refusing), else {@link Pick.AllBusy} if
     * any candidate is eligible, else {@link Pick.NoneAvailable}.
     */
    static Pick lastResort(Server[] candidates, Server avoid) {
        boolean anyEligible = false;
        for (Server s : candidates) {
            if (s.eligible()) {
                if (s == avoid && s.tryAcquire()) {
                    return new Pick.Chosen(s);
                }
                anyEligible = true;
            }
        }
        return anyEligible ? ALL_BUSY : NONE_AVAILABLE;
    }

    /**
     * Whether load {@code activeA / weightA} is below {@code activeB / weightB}, compared without division as
     * {@code activeA * weightB < activeB * weightA}; weights are 1..256, so the products fit easily in a long.
     */
    static boolean lighter(long activeA, int weightA, long activeB, int weightB) {
        return activeA * weightB < activeB * weightA;
    }
}
