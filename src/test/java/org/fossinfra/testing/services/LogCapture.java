package org.fossinfra.testing.services;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the node prints while a test runs: simplelogger writes to System.out (simplelogger.properties) and looks the
 * stream up at every line, so swapping System.out catches the log lines; they still reach the real output too.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.out;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    public LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (copy) {
                    copy.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setOut(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    public List<String> lines() {
        synchronized (copy) {
            return Arrays.asList(copy.toString(StandardCharsets.UTF_8).split("\n"));
        }
    }

    public List<String> lines(Predicate<String> which) {
        return lines().stream().filter(which).toList();
    }

    @Override
    public void close() {
        System.out.flush();
        System.setOut(original);
    }
}
