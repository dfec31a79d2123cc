package org.fossinfra.balance;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * 64-bit hashing of client addresses into the {@code key} that {@link Balancer#pick(long, Server)} takes, and of
 * server names for Maglev's permutations.
 *
 * <p>The mix is a one-lane variant of MurmurHash3_x64_128 (Austin Appleby): each 8-byte little-endian block goes
 * through Murmur3's block mix ({@code k *= C1; k = rotl(k, 31); k *= C2}) into the state, the tail likewise, and the
 * result through {@code fmix64}. fmix64 alone gives full avalanche on an IPv4 address; the block mix keeps IPv6
 * addresses that differ only in their upper half from colliding.
 *
 * <p>Hazard: the same client must always produce the same key, so an IPv4-mapped IPv6 address
 * ({@code ::ffff:a.b.c.d}, what a dual-stack socket reports) is hashed as the plain IPv4 address. The hash is not
 * keyed: a client who can choose many source addresses can aim at one server. Source hashing is for affinity, not
 * for security.
 */
public final class KeyHash {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Seed for client-address keys; any fixed value works, it only has to be the same on every node. */
    private static final long ADDRESS_SEED = 0x9e3779b97f4a7c15L;

    private KeyHash() {}

    /**
     * The balancing key of a client address, as returned by {@code InetAddress.getAddress()}: 4 bytes for IPv4, 16 for
     * IPv6. Stable across processes and nodes.
     */
    public static long ofAddress(byte[] addressBytes) {
        Objects.requireNonNull(addressBytes, "addressBytes");
        if (isIpv4Mapped(addressBytes)) {
            return hash(addressBytes, 12, 4, ADDRESS_SEED);
        }
        return hash(addressBytes, 0, addressBytes.length, ADDRESS_SEED);
    }

    /** A seeded hash of a string's UTF-8 bytes; Maglev uses two seeds for a server's offset and skip. */
    static long ofString(String value, long seed) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return hash(bytes, 0, bytes.length, seed);
    }

    static long hash(byte[] bytes, int offset, int length, long seed) {
        long h = seed;
        int i = offset;
        int end = offset + length;
        // Body: whole 8-byte blocks.
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long k = (long) LONG_LE.get(bytes, i);
            h ^= mixBlock(k);
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        // Tail: up to 7 bytes, little-endian like the body.
        long tail = 0;
        for (int j = end - 1; j >= i; j--) {
            tail = (tail << 8) | (bytes[j] & 0xffL);
        }
        h ^= mixBlock(tail);
        // Finalisation: the length separates inputs that differ only by trailing zero bytes.
        return fmix64(h ^ length);
    }

    /** MurmurHash3's finaliser: every input bit affects every output bit with probability close to 1/2. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static long mixBlock(long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        return k * C2;
    }

    private static boolean isIpv4Mapped(byte[] a) {
        if (a.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
