package org.fossinfra.cli;

import org.fossinfra.app.Node;
import org.fossinfra.control.FrontendStats;

/** What a started node prints: where it listens and how to reach it. */
final class Banner {
    private Banner() {
    }

    static String node(Node node, long startMillis) {
        StringBuilder sb = new StringBuilder();
        sb.append("foss-infra ").append(Main.version()).append(" node '").append(node.config().node().name())
                .append("' started in ").append(startMillis).append(" ms (transport ")
                .append(node.proxy().transportName()).append(", ").append(node.proxy().eventLoops())
                .append(" event loops)\n");
        for (FrontendStats f : node.control().frontends()) {
            sb.append("  frontend ").append(f.name()).append("  http://").append(f.bind()).append('\n');
        }
        node.admin().ifPresent(a -> sb.append("  admin API      http://")
                .append(node.config().admin().get().bind().host()).append(':').append(a.port()).append("/api/backends\n"));
        return sb.toString();
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
