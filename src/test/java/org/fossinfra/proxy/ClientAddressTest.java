package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.fossinfra.config.Cidr;
import org.fossinfra.config.FrontendConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whom a request is believed to come from, one row per case: the peer, the trusted blocks, the X-Forwarded-For fields
 * ("|"-separated lines), and the client that rate limits count and the log names.
 */
class ClientAddressTest {
    private static final TrustedProxies TRUSTED = new TrustedProxies(List.of(Cidr.parse("127.0.0.2"),
            Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8:ffff::/48")));

    @ParameterizedTest(name = "from {0}, X-Forwarded-For {1} -> {2}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
        // an untrusted peer is the client, whatever it says
        "127.0.0.3; 198.51.100.7                       ; 127.0.0.3",
        "127.0.0.3; -                                  ; 127.0.0.3",
        // a trusted peer: the right-most untrusted entry
        "127.0.0.2; 198.51.100.7                       ; 198.51.100.7 (via 127.0.0.2)",
        "127.0.0.2; 203.0.113.1, 198.51.100.7          ; 198.51.100.7 (via 127.0.0.2)",
        "127.0.0.2; 203.0.113.1, 198.51.100.7, 10.9.9.9; 198.51.100.7 (via 127.0.0.2)",
        "127.0.0.2; 203.0.113.1|198.51.100.7|10.9.9.9  ; 198.51.100.7 (via 127.0.0.2)",
        "127.0.0.2; 203.0.113.1, 198.51.100.7|10.9.9.9 ; 198.51.100.7 (via 127.0.0.2)",
        // every entry trusted: the left-most; none at all: the peer
        "127.0.0.2; 10.0.0.1, 10.0.0.2                 ; 10.0.0.1 (via 127.0.0.2)",
        "127.0.0.2; -                                  ; 127.0.0.2",
        "127.0.0.2; 127.0.0.2                          ; 127.0.0.2",
        // what is not an address ends the walk at the last address read
        "127.0.0.2; 198.51.100.7, unknown, 10.0.0.3    ; 10.0.0.3 (via 127.0.0.2)",
        "127.0.0.2; unknown                            ; 127.0.0.2",
        "127.0.0.2; 198.51.100.7 , , 10.0.0.3 ,        ; 198.51.100.7 (via 127.0.0.2)",
        "127.0.0.2; 010.0.0.1                          ; 127.0.0.2",
        // ports, brackets, IPv6, mapped IPv4
        "127.0.0.2; 198.51.100.7:4711                  ; 198.51.100.7 (via 127.0.0.2)",
        "127.0.0.2; [2001:db8::7]:443                  ; 2001:db8::7 (via 127.0.0.2)",
        "127.0.0.2; [2001:db8::7]                      ; 2001:db8::7 (via 127.0.0.2)",
        "127.0.0.2; 2001:DB8:0::7                      ; 2001:db8::7 (via 127.0.0.2)",
        "127.0.0.2; 2001:db8::7, 2001:db8:ffff::1      ; 2001:db8::7 (via 127.0.0.2)",
        "127.0.0.2; ::ffff:198.51.100.7                ; 198.51.100.7 (via 127.0.0.2)",
        "127.0.0.2; [2001:db8::7]:x                    ; 127.0.0.2",
        "127.0.0.2; 1.2.3.4:5:6                        ; 127.0.0.2",
    })
    void believes(String peer, String xff, String expected) throws Exception {
        ClientAddress c = new ClientAddress();
        c.onConnect(new InetSocketAddress(InetAddress.getByName(peer), 40000));
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\nX-Other: 1.1.1.1\r\n");
        if (xff != null) {
            for (String line : xff.split("\\|")) {
                head.append("X-Forwarded-For: ").append(line.strip()).append("\r\n");
            }
        }
        ByteBuf buf = Unpooled.copiedBuffer(head.append("\r\n"), StandardCharsets.ISO_8859_1);
        RequestHead req = new RequestHead(FrontendConfig.Limits.DEFAULTS);
        assertThat(req.parse(buf)).isEqualTo(HeadParser.DONE);
        c.onRequest(TRUSTED, req, buf, buf.readerIndex());
        assertThat(c.logText()).isEqualTo(expected);
        String address = expected.split(" ")[0];
        assertThat(new String(c.ascii(), StandardCharsets.ISO_8859_1)).isEqualTo(address);
        assertThat(new String(c.peerAscii(), StandardCharsets.ISO_8859_1)).isEqualTo(peer);
        // IPv6 clients are counted by their /64 (all of this table's are in 2001:db8::/64).
        assertThat(c.limitKey()).isEqualTo(address.contains(":") ? "2001:db8::/64" : address);
        assertThat(c.peerTrusted()).isEqualTo(peer.equals("127.0.0.2"));
        // A new head starts as the peer's again, until its own list is read.
        c.onNewHead();
        assertThat(c.logText()).isEqualTo(peer);
    }
}
