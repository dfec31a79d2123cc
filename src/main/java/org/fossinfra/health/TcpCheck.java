package org.fossinfra.health;

import io.vertx.core.Future;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import org.fossinfra.config.ServiceConfig;

/**
 * A TCP connect, closed as soon as it is made: the port accepts connections, nothing more is known. A connect that
 * completes after the caller gave up is closed all the same.
 */
final class TcpCheck implements ServiceCheck {
    private final NetClient net;
    private final ServiceConfig.Tcp target;
    private final int timeoutMs;

    TcpCheck(NetClient net, ServiceConfig.Tcp target, Duration timeout) {
        this.net = net;
        this.target = target;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public Future<String> run() {
        ConnectOptions options = new ConnectOptions()
                .setHost(target.address().host())
                .setPort(target.address().port())
                .setTimeout(timeoutMs);
        return net.connect(options).map(socket -> {
            socket.close();
            return "connected";
        });
    }
}
