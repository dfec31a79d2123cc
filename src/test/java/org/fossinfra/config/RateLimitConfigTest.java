package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key a client-address rule counts a client under: IPv4 by address, IPv6 by its /64. */
class RateLimitConfigTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "192.0.2.7, 192.0.2.7",
        "::ffff:192.0.2.7, 192.0.2.7",
        "::1, ::/64",
        "2001:db8:1:2::1, 2001:db8:1:2::/64",
        "2001:db8:0:0:ffff::1, 2001:db8::/64",
        "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff, 2001:db8:aaaa:bbbb::/64",
    })
    void keyOf(String address, String key) {
        assertThat(RateLimitConfig.ClientAddress.keyOf(IpLiteral.parse(address))).isEqualTo(key);
    }

    @Test
    void everyAddressOfOneSlash64IsOneClientAndOtherSlash64sAreOthers() {
        List<String> sameHome = List.of("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff",
                "2001:db8:1:2:8a2e:370:7334:1", "2001:0DB8:0001:0002:0000:0000:0000:0009");
        assertThat(sameHome.stream().map(a -> RateLimitConfig.ClientAddress.keyOf(IpLiteral.parse(a))).distinct())
                .containsExactly("2001:db8:1:2::/64");
        List<String> neighbours = List.of("2001:db8:1:3::1", "2001:db8:1:1::1", "2001:db8:2:2::1", "2001:db9:1:2::1");
        assertThat(neighbours.stream().map(a -> RateLimitConfig.ClientAddress.keyOf(IpLiteral.parse(a))).distinct())
                .hasSize(4).doesNotContain("2001:db8:1:2::/64");
        // IPv4 as before: every address its own client.
        assertThat(RateLimitConfig.ClientAddress.keyOf(IpLiteral.parse("198.51.100.1")))
                .isNotEqualTo(RateLimitConfig.ClientAddress.keyOf(IpLiteral.parse("198.51.100.2")));
    }
}
