package org.fossinfra.balance;

import java.util.Objects;

/**
 * The part every algorithm shares: it is told about changes through its {@link Group}, and rebuilds its own view
 * (rotation, current weights, lookup table) only when the group says the rotation changed.
 *
 * <p>Why a base and not a copy in each algorithm: the rule "record the change in the group, rebuild only if the set of
 * servers in rotation or one of their weights moved" is what keeps a weight change of a down server, or a repeated
 * {@code onUp}, from resetting a rotation or rebuilding a 65537-entry Maglev table; written five times it can drift.
 * The notifications are final here, so an algorithm supplies only {@link #rebuild()} and its {@link #pick}.
 *
 * <p>The hot path is untouched: {@link #pick} stays in the concrete (final) algorithm and reads only that algorithm's
 * own fields, so a pick costs no extra call or indirection; the base is only on the notification path, which runs on a
 * resync after a server changed.
 *
 * <p>Hazard: the constructor here does not call {@link #rebuild()}, because a subclass's fields (Maglev's table size,
 * the random generator) are not set yet at that point; each algorithm builds its first view in its own constructor.
 */
abstract sealed class GroupBalancer implements Balancer
        permits RoundRobin, SmoothWeightedRoundRobin, LeastConnections, RandomTwoChoices, Maglev {

    /** What this balancer has been told; the load balancer resyncs against exactly this record. */
    final Group group;

    GroupBalancer(Group group) {
        this.group = Objects.requireNonNull(group, "group");
    }

    @Override
    public final void onUp(Server server) {
        if (group.markUp(server)) {
            rebuild();
        }
    }

    @Override
    public final void onDown(Server server) {
        if (group.markDown(server)) {
            rebuild();
        }
    }

    @Override
    public final void onWeightChange(Server server) {
        if (group.updateWeight(server)) {
            rebuild();
        }
    }

    /**
     * Recomputes this algorithm's view from {@link Group#inRotation()} and {@link Group#weightsInRotation()}; called
     * after the group recorded a change to the rotation, never on a pick.
     */
    abstract void rebuild();
}
