package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void parsesNamesIpv4Ipv6AndWildcard() {
        assertThat(HostPort.parse("127.0.0.1:8080")).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(HostPort.parse("cloud1.1984.is:4000")).isEqualTo(new HostPort("cloud1.1984.is", 4000));
        assertThat(HostPort.parse("[::1]:0")).isEqualTo(new HostPort("::1", 0));
        assertThat(HostPort.parse("*:443")).isEqualTo(new HostPort("0.0.0.0", 443));
        assertThat(HostPort.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
    }

    @Test
    void messagesSayProblemThenFix() {
        assertMessage(":8080", "':8080' has no host; write host:port, e.g. 127.0.0.1:8080, or *:8080 for every address");
        assertMessage("web", "'web' has no port; write host:port, e.g. 127.0.0.1:8080");
        assertMessage("::1:80", "'::1:80' has an IPv6 address without brackets; write e.g. [::1]:8080");
        assertMessage("http://a:80", "'http://a:80' has a scheme; write host:port without http:// or https://");
        assertMessage("a:+80", "'a:+80': port '+80' is not a number; write host:port, e.g. 127.0.0.1:8080");
        assertMessage("a:70000", "'a:70000': port 70000 is out of range; use 0..65535");
        assertMessage("a b:80", "'a b:80' is not a host name or an IP address; write host:port, e.g. 127.0.0.1:8080");
    }

    private static void assertMessage(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
