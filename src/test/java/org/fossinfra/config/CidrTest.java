package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CIDR blocks of trusted-proxies: which addresses they hold, one row per address. */
class CidrTest {

    @ParameterizedTest(name = "{0} holds {1}: {2}")
    @CsvSource({
        "10.0.0.0/8, 10.0.0.0, true",
        "10.0.0.0/8, 10.255.255.255, true",
        "10.0.0.0/8, 11.0.0.0, false",
        "10.0.0.0/8, 9.255.255.255, false",
        "192.168.4.0/22, 192.168.7.255, true",
        "192.168.4.0/22, 192.168.8.0, false",
        "192.168.4.0/22, 192.168.3.255, false",
        "192.0.2.7, 192.0.2.7, true",
        "192.0.2.7, 192.0.2.8, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "0.0.0.0/0, ::1, false",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "2001:db8::/32, 2001:db9::1, false",
        "2001:db8:1:2::/63, 2001:db8:1:3::1, true",
        "2001:db8:1:2::/63, 2001:db8:1:4::1, false",
        "::1, ::1, true",
        "::/0, 10.0.0.1, false",
        "127.0.0.0/8, ::ffff:127.0.0.2, true",
    })
    void holds(String block, String address, boolean inside) {
        assertThat(Cidr.parse(block).contains(IpLiteral.parse(address))).isEqualTo(inside);
    }

    @Test
    void equalBlocksAreEqualValues() {
        // A reload that keeps the same trusted-proxies must see no change.
        assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.parse("10.0.0.0/8"))
                .hasSameHashCodeAs(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/9"));
        assertThat(Cidr.parse("2001:DB8::/32")).isEqualTo(Cidr.parse("2001:db8:0::/32"));
        assertThat(Cidr.parse("::ffff:10.0.0.0/8")).isEqualTo(Cidr.parse("10.0.0.0/8"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1/8        | has bits set past its /8 prefix; write 10.0.0.0/8 for the block, or 10.0.0.1 alone",
        "2001:db8::1/32    | has bits set past its /32 prefix; write 2001:db8::/32 for the block",
        "10.0.0.0/         | has no valid prefix length; write /0 to /32 after an IPv4 address",
        "10.0.0.0/x        | has no valid prefix length",
        "::/129            | has no valid prefix length; write /0 to /128 after an IPv6 address",
        "10.0.0.0/8/8      | has no valid prefix length",
        "example.com/24    | is not an IP address or a CIDR block",
    })
    void refuses(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
