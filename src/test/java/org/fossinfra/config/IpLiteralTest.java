package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Address literals: what is an address, what it is, how it is written back (RFC 4291 §2.2, RFC 5952). */
class IpLiteralTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0.0.0.0, 0.0.0.0",
        "192.0.2.7, 192.0.2.7",
        "255.255.255.255, 255.255.255.255",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "2001:DB8::0:1, 2001:db8::1",
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
        "fe80::1:2, fe80::1:2",
        "::ffff:192.0.2.7, 192.0.2.7",
        "::FFFF:c000:0207, 192.0.2.7",
        "64:ff9b::192.0.2.7, 64:ff9b::c000:207",
        "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
    })
    void parsesAndWritesBackInTheShortForm(String text, String canonical) {
        byte[] a = IpLiteral.parse(text);
        assertThat(a).as(text).isNotNull();
        assertThat(IpLiteral.format(a)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4 ",
        "a.b.c.d", "localhost", "1.2.3.4:80", ":", ":::", "1:", ":1", "1::2::3", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::", "12345::", "g::", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5", "[::1]",
        "fe80::1%eth0",
        "::ffff:1.2.3.256",
    })
    void refusesWhatIsNotAStrictLiteral(String text) {
        assertThat(IpLiteral.parse(text)).as(text).isNull();
    }

    /** Every address, written by the JDK in its long form, reads back as itself. */
    @Test
    void agreesWithTheJdkOnRandomAddresses() throws Exception {
        Random random = new Random(64);
        for (int i = 0; i < 20_000; i++) {
            byte[] a = new byte[i % 2 == 0 ? 4 : 16];
            random.nextBytes(a);
            if (a.length == 16 && random.nextBoolean()) {
                // runs of zero groups, to exercise "::"
                int from = random.nextInt(16);
                int to = Math.min(16, from + random.nextInt(12));
                java.util.Arrays.fill(a, from, to, (byte) 0);
            }
            InetAddress jdk = InetAddress.getByAddress(a);
            byte[] back = IpLiteral.parse(jdk.getHostAddress());
            assertThat(back).as(jdk.getHostAddress()).isEqualTo(IpLiteral.unmapped(a));
            byte[] again = IpLiteral.parse(IpLiteral.format(back));
            assertThat(again).as(IpLiteral.format(back)).isEqualTo(back);
            assertThat(InetAddress.getByName(IpLiteral.format(back)).getAddress()).isEqualTo(jdk.getAddress());
        }
    }

    @Test
    void anIpv4MappedAddressIsItsIpv4Address() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        assertThat(IpLiteral.unmapped(mapped)).containsExactly(192, 0, 2, 7);
        byte[] v6 = IpLiteral.parse("2001:db8::1");
        assertThat(IpLiteral.unmapped(v6)).isSameAs(v6);
    }
}
