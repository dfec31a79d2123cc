package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    @Test
    void ipv4MappedIpv6AddressHashesLikeThePlainIpv4Address() throws UnknownHostException {
        byte[] v4 = InetAddress.getByName("192.0.2.7").getAddress();
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        assertThat(KeyHash.ofAddress(mapped)).isEqualTo(KeyHash.ofAddress(v4));
        byte[] v6 = InetAddress.getByName("2001:db8::7").getAddress();
        assertThat(KeyHash.ofAddress(v6)).isNotEqualTo(KeyHash.ofAddress(v4));
    }

    @Test
    void neighbouringAddressesGetDistinctKeys() {
        Set<Long> keys = new HashSet<>();
        for (int i = 0; i < 65_536; i++) {
            keys.add(KeyHash.ofAddress(new byte[] {10, 1, (byte) (i >>> 8), (byte) i}));
        }
        assertThat(keys).hasSize(65_536);
    }

    @Test
    void flippingOneInputBitFlipsAboutHalfTheOutputBits() {
        byte[][] samples = {
            {10, 0, 0, 1},
            {(byte) 192, (byte) 168, 1, 1},
            {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        };
        for (byte[] sample : samples) {
            long base = KeyHash.ofAddress(sample);
            long flipped = 0;
            int bits = sample.length * 8;
            for (int bit = 0; bit < bits; bit++) {
                byte[] copy = sample.clone();
                copy[bit / 8] ^= (byte) (1 << (bit % 8));
                flipped += Long.bitCount(base ^ KeyHash.ofAddress(copy));
            }
            double average = flipped / (double) bits;
            assertThat(average)
                    .as("average output bits flipped for %d-byte input", sample.length)
                    .isBetween(28.0, 36.0);
        }
    }

    @Test
    void sequentialAddressesSpreadOverMaglevEvenly() {
        // The proxy feeds KeyHash keys to Maglev; a /16 of consecutive clients must not clump.
        int[] low = new int[4];
        for (int i = 0; i < 65_536; i++) {
            low[(int) Long.remainderUnsigned(KeyHash.ofAddress(new byte[] {10, 2, (byte) (i >>> 8), (byte) i}), 4)]++;
        }
        for (int count : low) {
            assertThat(count).isBetween(16_384 - 600, 16_384 + 600);
        }
    }
}
